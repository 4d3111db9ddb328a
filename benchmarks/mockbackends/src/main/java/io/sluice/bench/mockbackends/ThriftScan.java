package io.sluice.bench.mockbackends;

import java.nio.ByteBuffer;

/**
 * Counts the spans of a Jaeger {@code Batch} in Thrift binary protocol (what Jaeger's collector
 * takes at {@code POST /api/traces}) by skipping the {@code Process} struct and reading the size
 * of the {@code spans} list header; spans themselves are not read.
 */
final class ThriftScan {
  private static final byte STOP = 0;
  private static final byte STRUCT = 12;
  private static final byte LIST = 15;

  private ThriftScan() {}

  /**
   * The number of spans in a binary-protocol Batch.
   *
   * @throws IllegalArgumentException if the bytes are not a Thrift struct
   */
  static long countBatchSpans(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      while (true) {
        byte type = buf.get();
        if (type == STOP) {
          return 0;
        }
        short id = buf.getShort();
        if (id == 2 && type == LIST) {
          buf.get();
          return buf.getInt();
        }
        skip(buf, type);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Thrift binary Batch: " + e, e);
    }
  }

  private static void skip(ByteBuffer buf, byte type) {
    switch (type) {
      case 2, 3 -> buf.position(buf.position() + 1);
      case 6 -> buf.position(buf.position() + 2);
      case 8 -> buf.position(buf.position() + 4);
      case 4, 10 -> buf.position(buf.position() + 8);
      case 11 -> {
        int length = buf.getInt(); // read first: it moves the position
        buf.position(buf.position() + length);
      }
      case STRUCT -> {
        byte t;
        while ((t = buf.get()) != STOP) {
          buf.getShort();
          skip(buf, t);
        }
      }
      case 13 -> {
        byte k = buf.get();
        byte v = buf.get();
        int size = buf.getInt();
        for (int i = 0; i < size; i++) {
          skip(buf, k);
          skip(buf, v);
        }
      }
      case 14, LIST -> {
        byte e = buf.get();
        int size = buf.getInt();
        for (int i = 0; i < size; i++) {
          skip(buf, e);
        }
      }
      default -> throw new IllegalArgumentException("unknown Thrift type " + type);
    }
  }
}
