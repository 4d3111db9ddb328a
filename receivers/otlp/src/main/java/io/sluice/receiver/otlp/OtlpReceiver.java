package io.sluice.receiver.otlp;

import io.sluice.api.config.ServerTls;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.cors.CorsServiceBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Receiver;
import io.sluice.api.Signal;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code otlp} receiver: one Armeria server per enabled protocol. */
final class OtlpReceiver implements Receiver {
  private static final Logger log = LoggerFactory.getLogger(OtlpReceiver.class);

  private final ComponentContext context;
  private final OtlpReceiverConfig config;
  private final Map<Signal, DataConsumer> consumers;
  private volatile Server grpcServer;
  private volatile Server httpServer;

  OtlpReceiver(ComponentContext context, OtlpReceiverConfig config, Map<Signal, DataConsumer> consumers) {
    this.context = context;
    this.config = config;
    this.consumers = Map.copyOf(consumers);
  }

  @Override
  public void start() throws Exception {
    if (grpcServer != null || httpServer != null) {
      throw new IllegalStateException(context.id() + ": already started");
    }
    OtlpReceiverConfig.Grpc grpc = config.effectiveProtocols().grpc();
    OtlpReceiverConfig.Http http = config.effectiveProtocols().http();
    try {
      if (grpc != null) {
        grpcServer = start("grpc", grpcServer(grpc));
      }
      if (http != null) {
        httpServer = start("http", httpServer(http));
      }
    } catch (Exception e) {
      shutdown();
      throw e;
    }
  }

  private Server grpcServer(OtlpReceiverConfig.Grpc grpc) {
    ServerBuilder sb = base(grpc.endpoint(), grpc.tls());
    Ingest ingest = new Ingest(consumers, context.telemetry(), "grpc");
    for (Signal s : ingest.signals()) {
      sb.route().post(SignalCodec.grpcPath(s)).build(new GrpcExportService(s, grpc, ingest));
    }
    return sb.build();
  }

  private Server httpServer(OtlpReceiverConfig.Http http) {
    ServerBuilder sb = base(http.endpoint(), http.tls());
    Ingest ingest = new Ingest(consumers, context.telemetry(), "http");
    for (Signal s : ingest.signals()) {
      String path = switch (s) {
        case TRACES -> http.tracesUrlPath();
        case METRICS -> http.metricsUrlPath();
        case LOGS -> http.logsUrlPath();
      };
      var route = sb.route().path(path);
      if (http.cors() != null) {
        // Preflight requests are OPTIONS; the CORS decorator answers them.
        route.methods(HttpMethod.POST, HttpMethod.OPTIONS).decorator(cors(http.cors()).newDecorator());
      } else {
        route.methods(HttpMethod.POST);
      }
      route.build(new HttpExportService(s, http, ingest));
    }
    return sb.build();
  }

  private static CorsServiceBuilder cors(Cors cors) {
    CorsServiceBuilder b;
    if (cors.allowedOrigins().contains("*")) {
      b = CorsService.builderForAnyOrigin();
    } else {
      List<Pattern> patterns = new ArrayList<>();
      for (String origin : cors.allowedOrigins()) {
        patterns.add(Pattern.compile(Pattern.quote(origin).replace("*", "\\E.*\\Q"), Pattern.CASE_INSENSITIVE));
      }
      b = CorsService.builder(origin -> patterns.stream().anyMatch(p -> p.matcher(origin).matches()));
    }
    List<String> headers = new ArrayList<>(cors.allowedHeaders());
    headers.add("content-type");
    headers.add("content-encoding");
    b.allowRequestMethods(HttpMethod.POST).allowRequestHeaders(headers);
    if (cors.maxAge() > 0) {
      b.maxAge(cors.maxAge());
    }
    return b;
  }

  private static ServerBuilder base(String endpoint, ServerTls tls) {
    ServerBuilder sb = Server.builder();
    InetSocketAddress address = address(endpoint);
    if (tls == null) {
      sb.http(address);
    } else {
      sb.https(address).tls(new File(tls.certFile()), new File(tls.keyFile()));
      sb.tlsCustomizer(b -> {
        b.protocols(tls.protocols());
        if (!tls.clientCaFile().isEmpty()) {
          b.trustManager(new File(tls.clientCaFile())).clientAuth(ClientAuth.REQUIRE);
        }
      });
    }
    // The services read bodies with their own limit so that they can answer in their protocol.
    sb.maxRequestLength(0);
    // The pipeline decides how long a request may wait (queue, retry); this only bounds a stuck one.
    sb.requestTimeout(Duration.ofSeconds(60));
    sb.gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5));
    return sb;
  }

  static InetSocketAddress address(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(endpoint.substring(colon + 1));
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  private Server start(String protocol, Server server) throws Exception {
    try {
      server.start().join();
    } catch (CompletionException e) {
      server.closeAsync();
      String endpoint = protocol.equals("grpc") ? config.effectiveProtocols().grpc().endpoint() : config.effectiveProtocols().http().endpoint();
      throw new IllegalStateException(context.id() + ": cannot listen on " + endpoint + " for protocols."
          + protocol + ": " + e.getCause().getMessage()
          + " (is another process using the port? change protocols." + protocol + ".endpoint)", e.getCause());
    }
    log.info("{} listening for OTLP/{} on {}", context.id(), protocol, server.activePort().localAddress());
    return server;
  }

  /** The bound gRPC port, or -1 when gRPC is off or not started. */
  int grpcPort() {
    Server s = grpcServer;
    return s == null ? -1 : s.activeLocalPort();
  }

  /** The bound HTTP port, or -1 when HTTP is off or not started. */
  int httpPort() {
    Server s = httpServer;
    return s == null ? -1 : s.activeLocalPort();
  }

  @Override
  public void shutdown() {
    Server g = grpcServer;
    Server h = httpServer;
    grpcServer = null;
    httpServer = null;
    var stops = new ArrayList<java.util.concurrent.CompletableFuture<Void>>();
    if (g != null) {
      stops.add(g.stop());
    }
    if (h != null) {
      stops.add(h.stop());
    }
    for (var f : stops) {
      try {
        f.join();
      } catch (RuntimeException e) {
        log.warn("{}: error while stopping: {}", context.id(), e.toString());
      }
    }
  }
}
