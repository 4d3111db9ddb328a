package io.sluice.bench.mockbackends;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Not a back end: the least a unary OTLP/gRPC server does per request, on Netty's HTTP/2 codec
 * without Armeria (read the body, gunzip it, count its spans with {@link ProtoScan}, answer OK).
 * {@code benchmarks/floor.sh} measures its CPU at the testbed's load next to the Armeria mock
 * back end's, to tell how much of a receiver's cost at 10k spans/s is the HTTP/2 server's.
 */
@Command(name = "netty-grpc-floor", mixinStandardHelpOptions = true)
public final class NettyGrpcFloor implements Runnable {
  @Option(names = "--port", defaultValue = "0", description = "port on 127.0.0.1 (default: ephemeral)")
  int port;

  @Option(names = "--threads", defaultValue = "2", description = "event loops (default: ${DEFAULT-VALUE})")
  int threads;

  private final AtomicLong spans = new AtomicLong();

  public static void main(String[] args) {
    System.exit(new CommandLine(new NettyGrpcFloor()).execute(args));
  }

  @Override
  public void run() {
    var group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
    try {
      Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                  new Http2MultiplexHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel stream) {
                      stream.pipeline().addLast(new UnaryExport());
                    }
                  }));
            }
          }).bind("127.0.0.1", port).sync().channel();
      int bound = ((java.net.InetSocketAddress) server.localAddress()).getPort();
      // A "ready" line like MockBackends' one, for the scripts' wait_ready and port_of.
      System.out.println("netty-grpc-floor ready otlp_grpc=" + bound);
      server.closeFuture().sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      group.shutdownGracefully();
    }
  }

  /** One stream: collects the body, then answers with the empty message and grpc-status 0. */
  private final class UnaryExport extends ChannelInboundHandlerAdapter {
    private CompositeByteBuf body;
    private boolean gzip;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof Http2HeadersFrame headers) {
        CharSequence encoding = headers.headers().get("grpc-encoding");
        gzip = encoding != null && "gzip".contentEquals(encoding);
        if (headers.isEndStream()) {
          respond(ctx);
        }
      } else if (msg instanceof Http2DataFrame data) {
        if (body == null) {
          body = ctx.alloc().compositeBuffer();
        }
        body.addComponent(true, data.content().retain());
        boolean end = data.isEndStream();
        data.release();
        if (end) {
          byte[] framed = ByteBufUtil.getBytes(body);
          body.release();
          byte[] message = Arrays.copyOfRange(framed, 5, framed.length);
          spans.addAndGet(ProtoScan.count(gzip ? Payloads.gunzip(message) : message, ProtoScan.SPANS));
          respond(ctx);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx) {
      ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").set("content-type", "application/grpc")));
      ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[5])));
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
    }
  }
}
