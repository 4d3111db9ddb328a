package io.sluice.exporter.loki;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Encodes streams as a Loki push request body: snappy-compressed protobuf, or JSON.
 *
 * <p>The protobuf {@code PushRequest} is written by hand, field by field as protobuf-java writes
 * loki-protobuf's {@code push.proto} messages (fields in number order, empty strings and zero
 * numbers left out), so that no message object is built per entry; {@code PushEncoderTest} checks
 * the bytes against the {@code loki-protobuf} classes.
 */
final class PushEncoder {
  static final String PROTOBUF_TYPE = "application/x-protobuf";
  static final String JSON_TYPE = "application/json";

  // push.proto: PushRequest.streams = 1; StreamAdapter.labels = 1, entries = 2;
  // EntryAdapter.timestamp = 1, line = 2, structuredMetadata = 3; LabelPairAdapter.name = 1,
  // value = 2; google.protobuf.Timestamp.seconds = 1, nanos = 2.
  private static final int STREAMS = 1;
  private static final int LABELS = 1;
  private static final int ENTRIES = 2;
  private static final int TIMESTAMP = 1;
  private static final int LINE = 2;
  private static final int STRUCTURED_METADATA = 3;
  private static final int NAME = 1;
  private static final int VALUE = 2;
  private static final int SECONDS = 1;
  private static final int NANOS = 2;
  /** A tag of any of these fields (numbers below 16) is one byte. */
  private static final int TAG = 1;
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private PushEncoder() {}

  /** Loki's {@code PushRequest}, snappy block-compressed as Loki expects. */
  static byte[] protobuf(List<StreamBuilder.Stream> streams, PushBuffers buffers) {
    byte[][] selectors = new byte[streams.size()][];
    int[] streamSizes = new int[streams.size()];
    // The few metadata names (trace_id, span_id, …) encoded once per batch instead of per entry.
    Map<String, byte[]> names = new HashMap<>();
    int total = 0;
    for (int i = 0; i < streams.size(); i++) {
      StreamBuilder.Stream s = streams.get(i);
      selectors[i] = s.labels().selector().getBytes(StandardCharsets.UTF_8);
      int size = delimited(selectors[i].length);
      List<Entry> entries = s.entries();
      for (int j = 0; j < entries.size(); j++) {
        Entry e = entries.get(j);
        e.encodedSize = entrySize(e, names);
        size += delimited(e.encodedSize);
      }
      streamSizes[i] = size;
      total += delimited(size);
    }
    byte[] out = buffers.protobuf(total);
    CodedOutputStream o = CodedOutputStream.newInstance(out, 0, total);
    byte[] hex = new byte[64];
    try {
      for (int i = 0; i < streams.size(); i++) {
        header(o, STREAMS, streamSizes[i]);
        o.writeByteArray(LABELS, selectors[i]);
        List<Entry> entries = streams.get(i).entries();
        for (int j = 0; j < entries.size(); j++) {
          Entry e = entries.get(j);
          header(o, ENTRIES, e.encodedSize);
          hex = writeEntry(o, e, names, hex);
        }
      }
      o.checkNoSpaceLeft();
      byte[] compressed = buffers.compressed(Snappy.maxCompressedLength(total));
      return Arrays.copyOf(compressed, Snappy.rawCompress(out, 0, total, compressed, 0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the push request", e);
    }
  }

  private static int entrySize(Entry e, Map<String, byte[]> names) {
    int size = delimited(timestampSize(e.timeNanos));
    if (e.lineLength > 0) {
      size += delimited(e.lineLength);
    }
    for (int i = 0; i < e.metadataCount(); i++) {
      size += delimited(pairSize(name(names, e.metadataName(i)), e.metadataValue(i)));
    }
    return size;
  }

  /**
   * {@code name} as UTF-8, as {@code writeString} would encode it (an unpaired surrogate as
   * {@code '?'}), from {@code names} once it is there.
   */
  private static byte[] name(Map<String, byte[]> names, String name) {
    byte[] b = names.get(name);
    if (b == null) {
      b = name.getBytes(StandardCharsets.UTF_8);
      names.put(name, b);
    }
    return b;
  }

  private static byte[] writeEntry(CodedOutputStream o, Entry e, Map<String, byte[]> names, byte[] hex)
      throws IOException {
    long seconds = seconds(e.timeNanos);
    int nanos = nanos(e.timeNanos);
    header(o, TIMESTAMP, timestampSize(e.timeNanos));
    if (seconds != 0) {
      o.writeInt64(SECONDS, seconds);
    }
    if (nanos != 0) {
      o.writeInt32(NANOS, nanos);
    }
    if (e.lineLength > 0) {
      o.writeByteArray(LINE, e.lines().bytes(), e.lineStart, e.lineLength);
    }
    for (int i = 0; i < e.metadataCount(); i++) {
      byte[] name = name(names, e.metadataName(i));
      Object value = e.metadataValue(i);
      header(o, STRUCTURED_METADATA, pairSize(name, value));
      if (name.length > 0) {
        o.writeByteArray(NAME, name);
      }
      if (value instanceof ByteString id) {
        hex = hex(id, hex);
        header(o, VALUE, 2 * id.size());
        o.writeRawBytes(hex, 0, 2 * id.size());
      } else if (!((String) value).isEmpty()) {
        o.writeString(VALUE, (String) value);
      }
    }
    return hex;
  }

  private static void header(CodedOutputStream o, int field, int length) throws IOException {
    o.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    o.writeUInt32NoTag(length);
  }

  /** The size of a length-delimited field of {@code length} bytes, tag included. */
  private static int delimited(int length) {
    return TAG + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
  }

  private static int timestampSize(long timeNanos) {
    long seconds = seconds(timeNanos);
    int nanos = nanos(timeNanos);
    return (seconds != 0 ? TAG + CodedOutputStream.computeInt64SizeNoTag(seconds) : 0)
        + (nanos != 0 ? TAG + CodedOutputStream.computeInt32SizeNoTag(nanos) : 0);
  }

  private static int pairSize(byte[] name, Object value) {
    int size = name.length == 0 ? 0 : delimited(name.length);
    if (value instanceof ByteString id) {
      size += delimited(2 * id.size());
    } else if (!((String) value).isEmpty()) {
      size += TAG + CodedOutputStream.computeStringSizeNoTag((String) value);
    }
    return size;
  }

  private static long seconds(long timeNanos) {
    return Math.floorDiv(timeNanos, 1_000_000_000L);
  }

  private static int nanos(long timeNanos) {
    return (int) Math.floorMod(timeNanos, 1_000_000_000L);
  }

  /** Lower-case hex of {@code id} at the start of {@code into} (grown if too small). */
  private static byte[] hex(ByteString id, byte[] into) {
    byte[] out = into.length >= 2 * id.size() ? into : new byte[2 * id.size()];
    for (int i = 0; i < id.size(); i++) {
      int b = id.byteAt(i) & 0xFF;
      out[2 * i] = HEX_DIGITS[b >>> 4];
      out[2 * i + 1] = HEX_DIGITS[b & 0xF];
    }
    return out;
  }

  /**
   * Loki's JSON push format: {@code {"streams":[{"stream":{labels},"values":[["<ns>","line",
   * {metadata}]]}]}}.
   */
  static byte[] json(List<StreamBuilder.Stream> streams) {
    StringBuilder sb = new StringBuilder(256).append("{\"streams\":[");
    for (int i = 0; i < streams.size(); i++) {
      StreamBuilder.Stream s = streams.get(i);
      sb.append(i == 0 ? "" : ",").append("{\"stream\":{");
      Labels labels = s.labels();
      for (int j = 0; j < labels.size(); j++) {
        pair(sb, j, labels.name(j), labels.value(j));
      }
      sb.append("},\"values\":[");
      for (int j = 0; j < s.entries().size(); j++) {
        Entry e = s.entries().get(j);
        sb.append(j == 0 ? "[" : ",[").append('"').append(e.timeNanos).append("\",");
        Json.string(sb, e.line());
        if (e.metadataCount() > 0) {
          sb.append(",{");
          for (int k = 0; k < e.metadataCount(); k++) {
            pair(sb, k, e.metadataName(k), Entry.text(e.metadataValue(k)));
          }
          sb.append('}');
        }
        sb.append(']');
      }
      sb.append("]}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code index}th member of a JSON object of strings. */
  private static void pair(StringBuilder sb, int index, String name, String value) {
    if (index > 0) {
      sb.append(',');
    }
    Json.string(sb, name).append(':');
    Json.string(sb, value);
  }
}
