package io.sluice.exporter.jaeger;

import io.jaegertracing.agent.thrift.Agent;
import io.jaegertracing.thriftjava.Batch;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private final List<byte[]> datagrams = new CopyOnWriteArrayList<>();
  private final List<Batch> batches = new ArrayList<>();
  private final List<Integer> sizes = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private int decoded;
  private int spans;

  FakeAgent() throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    socket.setReceiveBufferSize(4 * 1024 * 1024);
    reader = new Thread(this::drain, "fake-jaeger-agent");
    reader.setDaemon(true);
    reader.start();
  }

  /** Only receives and keeps the bytes, so the socket is drained as fast as possible. */
  private void drain() {
    byte[] buf = new byte[70_000];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!socket.isClosed()) {
      try {
        socket.receive(p);
      } catch (Exception e) {
        return;
      }
      datagrams.add(Arrays.copyOf(p.getData(), p.getLength()));
      p.setLength(buf.length);
    }
  }

  /** Decodes the datagrams received since the last call. */
  private synchronized void decode() {
    while (decoded < datagrams.size()) {
      byte[] data = datagrams.get(decoded++);
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
        spans += args.getBatch().getSpansSize();
      } catch (Exception e) {
        errors.add(e.toString());
      }
    }
  }

  String endpoint() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  synchronized List<Batch> batches() {
    decode();
    return List.copyOf(batches);
  }

  synchronized List<Integer> sizes() {
    decode();
    return List.copyOf(sizes);
  }

  synchronized List<String> errors() {
    decode();
    return List.copyOf(errors);
  }

  synchronized int spans() {
    decode();
    return spans;
  }

  /** Forgets everything received so far. */
  synchronized void reset() {
    decode();
    datagrams.clear();
    decoded = 0;
    batches.clear();
    sizes.clear();
    errors.clear();
    spans = 0;
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    reader.join(5_000);
  }
}
