package io.sluice.exporter.loki;

/**
 * The arrays one push fills and lets go of once its bodies are encoded: the batch's lines, the
 * protobuf request and its compressed form. Kept for the next push, so that a steady stream of
 * batches does not allocate them per batch; not thread-safe, one push at a time.
 */
final class PushBuffers {
  /** Arrays larger than this are let go after the push instead of kept (one outsized batch). */
  static final int MAX_RETAINED = 16 << 20;

  final LineBuffer lines = new LineBuffer(64 << 10);
  private byte[] protobuf = new byte[0];
  private byte[] compressed = new byte[0];

  /** An array of at least {@code size} bytes for the protobuf request; its content is not kept. */
  byte[] protobuf(int size) {
    if (protobuf.length < size) {
      protobuf = new byte[size];
    }
    return protobuf;
  }

  /** An array of at least {@code size} bytes for the compressed request; its content is not kept. */
  byte[] compressed(int size) {
    if (compressed.length < size) {
      compressed = new byte[size];
    }
    return compressed;
  }

  /** Empties the buffers for the next push; false if they grew too large to keep. */
  boolean reset() {
    lines.clear();
    return lines.capacity() <= MAX_RETAINED && protobuf.length <= MAX_RETAINED && compressed.length <= MAX_RETAINED;
  }
}
