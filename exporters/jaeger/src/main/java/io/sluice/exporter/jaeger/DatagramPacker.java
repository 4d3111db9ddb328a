package io.sluice.exporter.jaeger;

import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Span;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TByteBuffer;
import org.apache.thrift.transport.TTransportException;

/**
 * Packs a {@link Batch} into compact-protocol {@code Agent.emitBatch} oneway messages of at most
 * {@code maxPacketSize} bytes each. Every span and the process are encoded once, on their own;
 * since a compact-protocol struct's encoding does not depend on what surrounds it, those bytes are
 * then copied into the datagrams, packed greedily in order. A span that cannot fit in a datagram
 * even alone is left out and counted. Not thread-safe: one per sending thread.
 */
final class DatagramPacker {
  /** A compact list header: one byte, plus a varint of up to five bytes for 15 or more elements. */
  private static final int MAX_LIST_HEADER = 6;
  /** The stop bytes closing the Batch struct and the emitBatch_args struct. */
  private static final int TRAILER = 2;
  private static final TStruct ARGS = new TStruct("emitBatch_args");
  private static final TStruct BATCH = new TStruct("Batch");
  private static final TField BATCH_FIELD = new TField("batch", TType.STRUCT, (short) 1);
  private static final TField PROCESS_FIELD = new TField("process", TType.STRUCT, (short) 1);
  private static final TField SPANS_FIELD = new TField("spans", TType.LIST, (short) 2);

  private final int maxPacketSize;
  private final ByteBuffer scratch;
  private final TByteBuffer scratchTransport;
  private final TCompactProtocol scratchProtocol;
  private final ByteBuffer packet;
  private final TByteBuffer packetTransport;
  private final TCompactProtocol packetProtocol;
  private int seqId;

  DatagramPacker(int maxPacketSize) {
    this.maxPacketSize = maxPacketSize;
    try {
      scratch = ByteBuffer.allocate(maxPacketSize);
      scratchTransport = new TByteBuffer(scratch);
      packet = ByteBuffer.allocate(maxPacketSize);
      packetTransport = new TByteBuffer(packet);
    } catch (TTransportException e) {
      throw new IllegalStateException(e);
    }
    scratchProtocol = new TCompactProtocol(scratchTransport);
    packetProtocol = new TCompactProtocol(packetTransport);
  }

  /**
   * Encodes {@code batch} and hands each datagram to {@code send} (the buffer is reused after
   * {@code send} returns).
   *
   * @return the number of spans left out because they do not fit in one datagram
   */
  int pack(Batch batch, Consumer<ByteBuffer> send) throws TException {
    byte[] process = encode(batch.getProcess());
    if (process == null) {
      return batch.getSpansSize();
    }
    int overhead = prefixSize(process.length) + MAX_LIST_HEADER + TRAILER;
    int budget = maxPacketSize - overhead;
    int oversized = 0;
    List<byte[]> current = new ArrayList<>();
    int used = 0;
    for (Span span : batch.getSpans()) {
      byte[] bytes = encode(span);
      if (bytes == null || bytes.length > budget) {
        oversized++;
        continue;
      }
      if (used + bytes.length > budget) {
        send.accept(datagram(process, current));
        current.clear();
        used = 0;
      }
      current.add(bytes);
      used += bytes.length;
    }
    if (!current.isEmpty()) {
      send.accept(datagram(process, current));
    }
    return oversized;
  }

  /** The struct's compact encoding, or null if it alone is larger than a datagram. */
  private byte[] encode(TBase<?, ?> struct) throws TException {
    scratch.clear();
    scratchProtocol.reset();
    try {
      struct.write(scratchProtocol);
    } catch (TTransportException e) {
      // TByteBuffer reports a full buffer as a transport exception.
      return null;
    }
    byte[] out = new byte[scratch.position()];
    scratch.flip();
    scratch.get(out);
    return out;
  }

  /**
   * The bytes before the span list: message header, field headers and the process. Measured with
   * a sequence id of -1, whose varint is the longest, so it bounds every datagram's.
   */
  private int prefixSize(int processLength) throws TException {
    packet.clear();
    packetProtocol.reset();
    writeMessageStart(-1);
    int size = packet.position() + processLength + 1;
    packetProtocol.reset();
    return size;
  }

  private void writeMessageStart(int seq) throws TException {
    packetProtocol.writeMessageBegin(new TMessage("emitBatch", TMessageType.ONEWAY, seq));
    packetProtocol.writeStructBegin(ARGS);
    packetProtocol.writeFieldBegin(BATCH_FIELD);
    packetProtocol.writeStructBegin(BATCH);
    packetProtocol.writeFieldBegin(PROCESS_FIELD);
  }

  private ByteBuffer datagram(byte[] process, List<byte[]> spans) throws TException {
    packet.clear();
    packetProtocol.reset();
    writeMessageStart(seqId++);
    packetTransport.write(process, 0, process.length);
    packetProtocol.writeFieldEnd();
    packetProtocol.writeFieldBegin(SPANS_FIELD);
    packetProtocol.writeListBegin(new TList(TType.STRUCT, spans.size()));
    for (byte[] s : spans) {
      packetTransport.write(s, 0, s.length);
    }
    packetProtocol.writeListEnd();
    packetProtocol.writeFieldEnd();
    packetProtocol.writeFieldStop();
    packetProtocol.writeStructEnd();
    packetProtocol.writeFieldEnd();
    packetProtocol.writeFieldStop();
    packetProtocol.writeStructEnd();
    packetProtocol.writeMessageEnd();
    packet.flip();
    return packet;
  }
}
