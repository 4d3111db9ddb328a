package io.sluice.core.extension.storage;

import io.sluice.api.storage.DurableQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** A stored batch; its payload is read back from the segment file when a worker needs it. */
final class Record implements DurableQueue.Entry {
  final Segment segment;
  final long offset;
  final int length;
  final int items;
  Object attachment;
  boolean acked;

  Record(Segment segment, long offset, int length, int items, Object attachment) {
    this.segment = segment;
    this.offset = offset;
    this.length = length;
    this.items = items;
    this.attachment = attachment;
  }

  @Override
  public byte[] payload() {
    ByteBuffer b = ByteBuffer.allocate(length);
    try {
      RecordFormat.readFully(segment.channel, b, offset + RecordFormat.HEADER);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read a stored batch at offset " + offset + ": " + e.getMessage(), e);
    }
    return b.array();
  }

  @Override
  public int items() {
    return items;
  }

  @Override
  public Object attachment() {
    return attachment;
  }
}
