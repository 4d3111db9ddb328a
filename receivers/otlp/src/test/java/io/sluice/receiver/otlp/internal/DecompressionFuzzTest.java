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
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

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
