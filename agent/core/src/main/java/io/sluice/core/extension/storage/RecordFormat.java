package io.sluice.core.extension.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The on-disk record: {@code magic, length, items, crc32c(items, payload), payload}, big-endian.
 * The magic lets recovery find the next record after a damaged one; the checksum detects torn and
 * damaged writes.
 */
final class RecordFormat {
  static final int MAGIC = 0x534C5131; // "SLQ1"
  static final int HEADER = 16;

  private RecordFormat() {}

  /** A record holding {@code payload}, ready to write. */
  static ByteBuffer encode(byte[] payload, int items) {
    ByteBuffer rec = ByteBuffer.allocate(HEADER + payload.length);
    rec.putInt(MAGIC).putInt(payload.length).putInt(items).putInt(0).put(payload).flip();
    rec.putInt(12, crc(rec, 8, payload.length));
    return rec;
  }

  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    int start = buf.position();
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position() - start) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  /** The payload length of a whole, intact record at {@code pos}, or -1. */
  static int validRecordAt(ByteBuffer buf, int pos) {
    if (pos + HEADER > buf.limit() || buf.getInt(pos) != MAGIC) {
      return -1;
    }
    int len = buf.getInt(pos + 4);
    if (len < 0 || len > buf.limit() - pos - HEADER || buf.getInt(pos + 8) < 0) {
      return -1;
    }
    return crc(buf, pos + 8, len) == buf.getInt(pos + 12) ? len : -1;
  }

  static int crc(ByteBuffer buf, int itemsPos, int len) {
    CRC32C c = new CRC32C();
    c.update(buf.slice(itemsPos, 4));
    c.update(buf.slice(itemsPos + 8, len));
    return (int) c.getValue();
  }
}
