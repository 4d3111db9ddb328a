package io.sluice.receiver.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;

/**
 * Compressed request bodies from the network (HTTP {@code Content-Encoding}, {@code
 * grpc-encoding}): whatever the bytes, {@link Decompression} returns at most the limit, refuses a
 * body that inflates past it with {@link Decompression.TooLargeException}, and refuses a corrupt
 * one with an {@link IOException}. A reference reader that streams the same codec and counts bytes
 * without keeping them tells which of the three is due. Seeds: gzip, zstd and deflate bodies of SDK
 * requests, and 2 MiB of zeros as gzip and zstd bombs.
 */
class DecompressionFuzzTest {
  /** Limits around the edges of the growing buffer, and the 1 MiB a bomb seed exceeds. */
  private static final long[] LIMITS = {0, 1, 255, 256, 4096, 1 << 20};

  @FuzzTest(maxDuration = "30s")
  void staysWithinLimit(byte[] body) throws IOException {
    for (String encoding : new String[] {"gzip", "zstd", "deflate"}) {
      for (long limit : LIMITS) {
        check(encoding, body, limit);
      }
    }
    for (long limit : LIMITS) {
      if (body.length > limit) {
        assertThatThrownBy(() -> Decompression.decompress("identity", body, limit))
            .isInstanceOf(Decompression.TooLargeException.class);
      } else {
        assertThat(Decompression.decompress("identity", body, limit)).isSameAs(body);
      }
    }
  }

  /**
   * The same comparison, for gzip, on damaged variants of bodies built to reach every branch of
   * {@link Gunzip}: header flags (extra field, name, comment, header CRC), several members, long
   * bodies, and data after the last member that is short, long, junk or the
   * start of a header. {@code -Dgunzip.runs} and {@code -Dgunzip.seed} change how many and which.
   */
  @Test
  void gzipMatchesGzipInputStreamOnDamagedBodies() throws IOException {
    int runs = Integer.getInteger("gunzip.runs", 20_000);
    Random random = new Random(Long.getLong("gunzip.seed", 20261121L));
    for (int i = 0; i < runs; i++) {
      byte[] body = damage(random, gzipBody(random));
      for (long limit : new long[] {random.nextInt(300), 1 << 20}) {
        try {
          check("gzip", body, limit);
        } catch (AssertionError e) {
          throw new AssertionError("run " + i + ", limit " + limit + ", body " + HexFormat.of().formatHex(body), e);
        }
      }
    }
  }

  private static byte[] gzipBody(Random random) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int members = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
    for (int m = 0; m < members; m++) {
      int size = switch (random.nextInt(4)) {
        case 0 -> 0;
        case 1 -> random.nextInt(64);
        case 2 -> random.nextInt(4096);
        default -> 8192 + random.nextInt(3 * 8192);
      };
      byte[] data = new byte[size];
      // Half compressible text, half random bytes (which deflate stores, so the body is long).
      for (int i = 0; i < size; i++) {
        data[i] = random.nextBoolean() ? (byte) ('a' + random.nextInt(4)) : (byte) random.nextInt();
      }
      writeMember(body, random.nextInt(32), data);
    }
    return body.toByteArray();
  }

  private static void writeMember(ByteArrayOutputStream out, int flags, byte[] data) {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
    if ((flags & 4) != 0) {
      header.writeBytes(new byte[] {3, 0, 'x', 'y', 'z'});
    }
    if ((flags & 8) != 0) {
      header.writeBytes("name.pb\0".getBytes(StandardCharsets.ISO_8859_1));
    }
    if ((flags & 16) != 0) {
      header.writeBytes("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
    }
    byte[] h = header.toByteArray();
    out.writeBytes(h);
    if ((flags & 2) != 0) {
      CRC32 crc = new CRC32();
      crc.update(h);
      out.write((int) crc.getValue());
      out.write((int) crc.getValue() >>> 8);
    }
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    byte[] buf = new byte[data.length + 64];
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    writeIntLe(out, (int) crc.getValue());
    writeIntLe(out, data.length);
  }

  private static void writeIntLe(ByteArrayOutputStream out, int v) {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }

  private static byte[] damage(Random random, byte[] body) {
    byte[] b = body;
    switch (random.nextInt(6)) {
      case 0 -> { } // intact
      case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
      case 2 -> {
        b = b.clone();
        for (int k = 1 + random.nextInt(3); k > 0 && b.length > 0; k--) {
          b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      default -> {
        if (Runtime.version().feature() < 23) {
          // Before JDK-7036144 (JDK 23) GZIPInputStream decided by its buffer's fill whether to
          // look for a further member; Gunzip follows JDK 23 and later.
          break;
        }
        // After the last member: junk, or a header that may be cut short, of 1 to 40 bytes.
        byte[] tail = new byte[1 + random.nextInt(40)];
        random.nextBytes(tail);
        if (random.nextBoolean()) {
          byte[] start = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0};
          System.arraycopy(start, 0, tail, 0, Math.min(start.length, tail.length));
        }
        b = Arrays.copyOf(b, b.length + tail.length);
        System.arraycopy(tail, 0, b, body.length, tail.length);
      }
    }
    return b;
  }

  private static void check(String encoding, byte[] body, long limit) {
    Reference expected = Reference.read(encoding, body, limit);
    byte[] out;
    try {
      out = Decompression.decompress(encoding, body, limit);
    } catch (Decompression.TooLargeException e) {
      assertThat(expected.tooLarge()).as("%s limit %d: refused as too large, but the body inflates to %s bytes",
          encoding, limit, expected.bytes() == null ? "an error after fewer than " + (limit + 1) : expected.bytes().length)
          .isTrue();
      assertThat(e).hasMessage("decompressed body is larger than the limit of " + limit + " bytes");
      return;
    } catch (IOException e) {
      assertThat(e.getMessage()).startsWith("invalid " + encoding + " body: ");
      assertThat(expected.bytes()).as("%s limit %d: refused as corrupt (%s), but the body inflates to %s",
          encoding, limit, e, expected.tooLarge() ? "more than the limit" : "a valid result").isNull();
      assertThat(expected.tooLarge()).isFalse();
      return;
    }
    assertThat(out.length).as("%s limit %d", encoding, limit).isLessThanOrEqualTo((int) limit);
    if (expected.bytes() == null) {
      fail("%s limit %d: decompressed %d bytes, but the body is %s", encoding, limit, out.length,
          expected.tooLarge() ? "larger than the limit" : "corrupt");
    }
    assertThat(out).isEqualTo(expected.bytes());
  }

  /** What the codec gives when read to the end or to {@code limit + 1} bytes, whichever is first. */
  private record Reference(byte[] bytes, boolean tooLarge) {
    static Reference read(String encoding, byte[] body, long limit) {
      ByteArrayOutputStream kept = new ByteArrayOutputStream();
      long total = 0;
      try (InputStream in = open(encoding, new ByteArrayInputStream(body))) {
        byte[] buf = new byte[8192];
        // Never more than the limit's next byte at a time, as Decompression reads: a larger read
        // could reach a corrupt part that a bounded read stops before.
        for (int n; (n = in.read(buf, 0, (int) Math.min(buf.length, limit + 1 - total))) >= 0; ) {
          total += n;
          if (total > limit) {
            return new Reference(null, true);
          }
          kept.write(buf, 0, n);
        }
      } catch (IOException e) {
        return new Reference(null, false);
      }
      return new Reference(kept.toByteArray(), false);
    }

    private static InputStream open(String encoding, InputStream raw) throws IOException {
      return switch (encoding) {
        case "gzip" -> new GZIPInputStream(raw);
        case "zstd" -> new ZstdInputStream(raw);
        default -> new InflaterInputStream(raw);
      };
    }
  }
}
