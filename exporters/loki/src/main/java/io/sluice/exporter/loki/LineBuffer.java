package io.sluice.exporter.loki;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The log lines of one batch, UTF-8 encoded one after another in a single growing array: a line
 * costs no object of its own, and the protobuf encoder copies its bytes without encoding again.
 * Not thread-safe; one batch at a time.
 */
final class LineBuffer {
  private byte[] bytes;
  private int size;
  private char[] chars = new char[256];

  LineBuffer(int capacity) {
    bytes = new byte[Math.max(capacity, 64)];
  }

  /**
   * Appends {@code line} as UTF-8, exactly as {@code String.getBytes(UTF_8)} would encode it (an
   * unpaired surrogate becomes {@code '?'}, as protobuf-java writes it), and returns its start.
   */
  int append(StringBuilder line) {
    int n = line.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    line.getChars(0, n, chars, 0);
    ensure(n * 3);
    int start = size;
    int p = size;
    byte[] b = bytes;
    char[] c = chars;
    for (int i = 0; i < n; i++) {
      char ch = c[i];
      if (ch < 0x80) {
        b[p++] = (byte) ch;
      } else if (ch < 0x800) {
        b[p++] = (byte) (0xC0 | (ch >> 6));
        b[p++] = (byte) (0x80 | (ch & 0x3F));
      } else if (Character.isSurrogate(ch)) {
        if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(c[i + 1])) {
          int cp = Character.toCodePoint(ch, c[++i]);
          b[p++] = (byte) (0xF0 | (cp >> 18));
          b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          b[p++] = '?';
        }
      } else {
        b[p++] = (byte) (0xE0 | (ch >> 12));
        b[p++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (ch & 0x3F));
      }
    }
    size = p;
    return start;
  }

  /** Forgets every line, keeping the array for the next batch. */
  void clear() {
    size = 0;
  }

  int capacity() {
    return bytes.length;
  }

  /** The end of the last line appended. */
  int size() {
    return size;
  }

  /** The backing array; valid until the next {@link #append}. */
  byte[] bytes() {
    return bytes;
  }

  String string(int start, int length) {
    return new String(bytes, start, length, StandardCharsets.UTF_8);
  }

  private void ensure(int more) {
    if (bytes.length - size < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
