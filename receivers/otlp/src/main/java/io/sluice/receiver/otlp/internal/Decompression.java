package io.sluice.receiver.otlp.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Request body compression for OTLP over HTTP ({@code Content-Encoding}) and gRPC ({@code
 * grpc-encoding}): gzip, zstd and deflate, decompressed with a cap on the <em>decompressed</em>
 * size so that a small "zip bomb" cannot make the receiver allocate gigabytes.
 */
public final class Decompression {
  private Decompression() {}

  /** The body decompresses to more than the allowed size. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** Whether {@code encoding} (lower-case, e.g. {@code gzip}) can be decompressed. */
  public static boolean isSupported(String encoding) {
    return switch (normalize(encoding)) {
      case "", "identity", "gzip", "x-gzip", "zstd", "deflate" -> true;
      default -> false;
    };
  }

  /**
   * Decompresses {@code body} encoded with {@code encoding} (null or {@code identity}: returned as
   * is), refusing to produce more than {@code maxBytes}.
   *
   * @throws TooLargeException if the result would exceed {@code maxBytes}
   * @throws IOException if the body is not valid for its encoding
   */
  public static byte[] decompress(String encoding, byte[] body, long maxBytes) throws IOException {
    String enc = normalize(encoding);
    if (enc.isEmpty() || enc.equals("identity")) {
      if (body.length > maxBytes) {
        throw tooLarge(maxBytes);
      }
      return body;
    }
    return decompress(enc, body, 0, body.length, maxBytes);
  }

  /**
   * Decompresses {@code length} bytes of {@code body} from {@code offset}, encoded with a
   * compressing {@code encoding}, refusing to produce more than {@code maxBytes}.
   *
   * @throws TooLargeException if the result would exceed {@code maxBytes}
   * @throws IOException if the bytes are not valid for their encoding
   */
  public static byte[] decompress(String encoding, byte[] body, int offset, int length, long maxBytes)
      throws IOException {
    String enc = normalize(encoding);
    try {
      if (enc.equals("gzip") || enc.equals("x-gzip")) {
        return Gunzip.decode(body, offset, length, maxBytes);
      }
      try (InputStream in = open(enc, new ByteArrayInputStream(body, offset, length))) {
        return readBounded(in, maxBytes, length);
      }
    } catch (IOException e) {
      if (e instanceof TooLargeException || !isSupported(enc)) {
        throw e;
      }
      // The codecs' own messages can be null (EOFException of a truncated gzip header) and go
      // back to the client as they are.
      throw new IOException("invalid " + enc + " body: "
          + (e.getMessage() != null ? e.getMessage() : e instanceof EOFException ? "truncated" : e.toString()), e);
    }
  }

  /**
   * Compresses {@code body} with {@code encoding} ({@code gzip} at level 1, {@code zstd} at level
   * 3; anything else: returned as is).
   */
  public static byte[] compress(String encoding, byte[] body) {
    return switch (normalize(encoding)) {
      case "gzip" -> gzip(body);
      case "zstd" -> Zstd.compress(body);
      default -> body;
    };
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    // Level 1: about three times faster than the default level 6 for a few percent more bytes;
    // compression is the largest CPU cost of an exporter.
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192) {
      {
        def.setLevel(java.util.zip.Deflater.BEST_SPEED);
      }
    }) {
      gz.write(body);
    } catch (IOException e) {
      throw new IllegalStateException("gzip into memory failed", e);
    }
    return out.toByteArray();
  }

  private static InputStream open(String enc, InputStream raw) throws IOException {
    return switch (enc) {
      case "zstd" -> new ZstdInputStream(raw);
      case "deflate" -> new InflaterInputStream(raw);
      default -> throw new IOException("unsupported encoding \"" + enc + "\" (expected: gzip, zstd, deflate or identity)");
    };
  }

  private static byte[] readBounded(InputStream in, long maxBytes, int hint) throws IOException {
    int cap = (int) Math.min(Math.max(256L, hint * 4L), Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
    byte[] buf = new byte[cap];
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (len > maxBytes) {
          throw tooLarge(maxBytes);
        }
        long next = Math.min((long) buf.length * 2, Math.min(maxBytes + 1, Integer.MAX_VALUE - 8L));
        buf = Arrays.copyOf(buf, (int) next);
      }
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) {
        break;
      }
      len += n;
      if (len > maxBytes) {
        throw tooLarge(maxBytes);
      }
    }
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }

  static TooLargeException tooLarge(long maxBytes) {
    return new TooLargeException("decompressed body is larger than the limit of " + maxBytes + " bytes");
  }

  private static String normalize(String encoding) {
    return encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
  }
}
