package io.sluice.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The log lines of one batch, UTF-8 encoded one after another in a single growing array: a line
 * costs no object of its own, and the protobuf encoder copies its bytes without encoding again.
 * Lines are written into it piece by piece, strings encoded (and JSON-escaped) straight into the
 * array, so that a line is not first assembled as a {@code String}. Not thread-safe; one batch at
 * a time.
 *
 * <p>Each piece is encoded on its own, exactly as {@code String.getBytes(UTF_8)} would encode it
 * (an unpaired surrogate becomes {@code '?'}, as protobuf-java writes it). That is also how the
 * whole line would encode, because the line formats never put two pieces that may hold surrogates
 * next to each other: quotes, {@code =} or spaces stand between them.
 */
final class LineBuffer {
  private byte[] bytes;
  private int size;
  private char[] chars = new char[256];
  /** Non-string values are written by {@link Json#value} here first. */
  private final StringBuilder scratch = new StringBuilder(64);

  LineBuffer(int capacity) {
    bytes = new byte[Math.max(capacity, 64)];
  }

  /** Appends {@code s} as UTF-8 and returns where it starts. */
  int append(CharSequence s) {
    int start = size;
    encode(load(s), false);
    return start;
  }

  /** Appends {@code s} as a JSON string literal, escaped as {@link Json#string} escapes. */
  void appendJson(String s) {
    ensure(1);
    bytes[size++] = '"';
    encode(load(s), true);
    ensure(1);
    bytes[size++] = '"';
  }

  /** Appends an OTLP value as {@link Json#value} writes it. */
  void appendJson(AnyValue v) {
    // strings, the common case, go straight into the array
    if (v.hasStringValue()) {
      appendJson(v.getStringValue());
    } else {
      scratch.setLength(0);
      Json.value(scratch, v);
      append(scratch);
    }
  }

  /** Appends an ASCII character. */
  void append(char c) {
    ensure(1);
    bytes[size++] = (byte) c;
  }

  /** Appends bytes already encoded. */
  void append(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
  }

  /** The number of chars of {@code s}, copied into {@link #chars}. */
  private int load(CharSequence s) {
    int n = s.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    // the bulk copies of the two kinds the formatter passes, char by char for any other
    if (s instanceof String str) {
      str.getChars(0, n, chars, 0);
    } else if (s instanceof StringBuilder sb) {
      sb.getChars(0, n, chars, 0);
    } else {
      for (int i = 0; i < n; i++) {
        chars[i] = s.charAt(i);
      }
    }
    return n;
  }

  /** Encodes the first {@code n} of {@link #chars}, escaping as in a JSON string if {@code json}. */
  private void encode(int n, boolean json) {
    // an escape is at most 6 bytes (backslash-u and four digits), a UTF-8 char at most 3
    ensure(n * (json ? 6 : 3));
    int p = size;
    byte[] b = bytes;
    char[] c = chars;
    for (int i = 0; i < n; i++) {
      char ch = c[i];
      if (ch < 0x80) {
        if (json && (ch < 0x20 || ch == '"' || ch == '\\')) {
          String escape = Json.escape(ch);
          for (int k = 0; k < escape.length(); k++) {
            b[p++] = (byte) escape.charAt(k);
          }
        } else {
          b[p++] = (byte) ch;
        }
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

  /** The backing array; valid until the next append. */
  byte[] bytes() {
    return bytes;
  }

  String string(int start, int length) {
    return new String(bytes, start, length, StandardCharsets.UTF_8);
  }

  /** The bytes from {@code start} to the end, copied. */
  byte[] copy(int start) {
    return Arrays.copyOfRange(bytes, start, size);
  }

  private void ensure(int more) {
    if (bytes.length - size < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
