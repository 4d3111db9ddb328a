package io.sluice.receiver.otlp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The gRPC-over-HTTP/2 wire details OTLP needs for unary calls: the 5-byte message prefix,
 * status codes, and the encodings of {@code grpc-message} and binary trailers.
 */
public final class GrpcWire {
  /** Compressed flag (1 byte) and message length (4 bytes, big-endian). */
  public static final int HEADER_LENGTH = 5;
  /** What Sluice accepts in {@code grpc-encoding}. */
  public static final String ACCEPT_ENCODING = "gzip,zstd,deflate,identity";

  public static final int OK = 0;
  public static final int CANCELLED = 1;
  public static final int UNKNOWN = 2;
  public static final int INVALID_ARGUMENT = 3;
  public static final int DEADLINE_EXCEEDED = 4;
  public static final int NOT_FOUND = 5;
  public static final int PERMISSION_DENIED = 7;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int ABORTED = 10;
  public static final int OUT_OF_RANGE = 11;
  public static final int UNIMPLEMENTED = 12;
  public static final int INTERNAL = 13;
  public static final int UNAVAILABLE = 14;
  public static final int DATA_LOSS = 15;
  public static final int UNAUTHENTICATED = 16;

  private GrpcWire() {}

  /** One length-prefixed message. */
  public record Frame(boolean compressed, byte[] message) {}

  /**
   * Reads the single message of a unary call.
   *
   * @throws IOException if the body is not exactly one well-formed frame
   */
  public static Frame unframe(ByteBuffer body) throws IOException {
    if (body.remaining() < HEADER_LENGTH) {
      throw new IOException("truncated gRPC frame: " + body.remaining() + " bytes (expected: at least 5)");
    }
    int flag = body.get() & 0xff;
    long length = body.getInt() & 0xffffffffL;
    if (flag > 1) {
      throw new IOException("invalid gRPC frame: compressed flag " + flag + " (expected: 0 or 1)");
    }
    if (length != body.remaining()) {
      throw new IOException(length > body.remaining()
          ? "truncated gRPC message: " + body.remaining() + " of " + length + " bytes"
          : "more than one gRPC message in a unary call");
    }
    byte[] message = new byte[(int) length];
    body.get(message);
    return new Frame(flag == 1, message);
  }

  /** Prefixes an uncompressed message. */
  public static byte[] frame(byte[] message) {
    return frame(message, false);
  }

  /** Prefixes a message, flagged as compressed or not. */
  public static byte[] frame(byte[] message, boolean compressed) {
    byte[] out = new byte[HEADER_LENGTH + message.length];
    out[0] = (byte) (compressed ? 1 : 0);
    ByteBuffer.wrap(out, 1, 4).putInt(message.length);
    System.arraycopy(message, 0, out, HEADER_LENGTH, message.length);
    return out;
  }

  /** {@code grpc-message} encoding: UTF-8, percent-encoding bytes outside printable ASCII and '%'. */
  public static String percentEncode(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** Decodes {@link #percentEncode}; malformed escapes are kept as they are. */
  public static String percentDecode(String value) {
    if (value == null || value.indexOf('%') < 0) {
      return value == null ? "" : value;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()
          && Character.digit(value.charAt(i + 1), 16) >= 0 && Character.digit(value.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Binary header encoding: base64 without padding. */
  public static String base64(byte[] bytes) {
    return Base64.getEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Decodes a binary header, padded or not. */
  public static byte[] unbase64(String value) {
    return Base64.getDecoder().decode(value.trim().replace("=", ""));
  }
}
