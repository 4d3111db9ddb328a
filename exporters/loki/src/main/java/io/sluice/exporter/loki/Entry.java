package io.sluice.exporter.loki;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One log line of a batch: its time, its place in the batch (ties in time keep it), its line in the
 * batch's {@link LineBuffer}, and its structured metadata in insertion order. A trace or span id is
 * kept as its bytes and written as hex only when encoded.
 */
final class Entry {
  private static final HexFormat HEX = HexFormat.of();

  final long timeNanos;
  final int seq;
  private final LineBuffer lines;
  final int lineStart;
  final int lineLength;
  /** Name, value, name, value…: a value is a {@code String} or a {@code ByteString} id. */
  private Object[] metadata;
  private int metadataSize;
  /** The size of this entry's protobuf encoding, noted by {@link PushEncoder} between its passes. */
  int encodedSize;

  Entry(long timeNanos, int seq, LineBuffer lines, int lineStart, int lineLength) {
    this.timeNanos = timeNanos;
    this.seq = seq;
    this.lines = lines;
    this.lineStart = lineStart;
    this.lineLength = lineLength;
  }

  LineBuffer lines() {
    return lines;
  }

  String line() {
    return lines.string(lineStart, lineLength);
  }

  /** Sets metadata {@code name} as a map would: a name already there keeps its place. */
  void putMetadata(String name, Object value) {
    for (int i = 0; i < metadataSize; i += 2) {
      if (metadata[i].equals(name)) {
        metadata[i + 1] = value;
        return;
      }
    }
    if (metadata == null) {
      metadata = new Object[4];
    } else if (metadataSize == metadata.length) {
      metadata = Arrays.copyOf(metadata, metadataSize * 2);
    }
    metadata[metadataSize++] = name;
    metadata[metadataSize++] = value;
  }

  /** The number of metadata pairs. */
  int metadataCount() {
    return metadataSize / 2;
  }

  String metadataName(int i) {
    return (String) metadata[2 * i];
  }

  /** The value of pair {@code i}: a {@code String}, or a {@code ByteString} id to write as hex. */
  Object metadataValue(int i) {
    return metadata[2 * i + 1];
  }

  /** The structured metadata as a map in insertion order, ids as hex, for tests. */
  Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < metadataCount(); i++) {
      m.put(metadataName(i), text(metadataValue(i)));
    }
    return m;
  }

  static String text(Object value) {
    return value instanceof ByteString id ? HEX.formatHex(id.toByteArray()) : (String) value;
  }
}
