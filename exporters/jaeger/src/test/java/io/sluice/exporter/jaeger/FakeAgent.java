package io.sluice.exporter.jaeger;

import io.jaegertracing.agent.thrift.Agent;
import io.jaegertracing.thriftjava.Batch;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * A Jaeger agent's compact-Thrift UDP port on an ephemeral port of 127.0.0.1: a thread drains the
 * socket (with a large receive buffer) and decodes every datagram with the official jaeger-thrift
 * {@code Agent.emitBatch_args}, checking the oneway message header.
 */
final class FakeAgent implements AutoCloseable {
  private final DatagramSocket socket;
  private final Thread reader;
  private final List<Batch> batches = new CopyOnWriteArrayList<>();
  private final List<Integer> sizes = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger spans = new AtomicInteger();

  FakeAgent() throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    socket.setReceiveBufferSize(4 * 1024 * 1024);
    reader = new Thread(this::drain, "fake-jaeger-agent");
    reader.setDaemon(true);
    reader.start();
  }

  private void drain() {
    byte[] buf = new byte[70_000];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!socket.isClosed()) {
      try {
        socket.receive(p);
      } catch (Exception e) {
        return;
      }
      byte[] data = Arrays.copyOf(p.getData(), p.getLength());
      sizes.add(data.length);
      try {
        TCompactProtocol proto = new TCompactProtocol(new TMemoryInputTransport(data));
        TMessage m = proto.readMessageBegin();
        if (!m.name.equals("emitBatch") || m.type != TMessageType.ONEWAY) {
          errors.add("unexpected message " + m);
          continue;
        }
        Agent.emitBatch_args args = new Agent.emitBatch_args();
        args.read(proto);
        proto.readMessageEnd();
        batches.add(args.getBatch());
        spans.addAndGet(args.getBatch().getSpansSize());
      } catch (Exception e) {
        errors.add(e.toString());
      }
      p.setLength(buf.length);
    }
  }

  String endpoint() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  List<Batch> batches() {
    return batches;
  }

  List<Integer> sizes() {
    return sizes;
  }

  List<String> errors() {
    return errors;
  }

  int spans() {
    return spans.get();
  }

  void reset() {
    batches.clear();
    sizes.clear();
    errors.clear();
    spans.set(0);
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    reader.join(5_000);
  }
}
