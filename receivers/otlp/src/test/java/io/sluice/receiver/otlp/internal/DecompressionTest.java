package io.sluice.receiver.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

class DecompressionTest {
  private static final byte[] DATA = "the quick brown fox jumps over the lazy dog ".repeat(100).getBytes();

  @Test
  void roundTripsEveryEncodingUpToExactlyTheLimit() throws Exception {
    for (String enc : new String[] {"gzip", "zstd"}) {
      byte[] packed = Decompression.compress(enc, DATA);
      assertThat(packed.length).as(enc).isLessThan(DATA.length / 10);
      assertThat(Decompression.decompress(enc, packed, DATA.length)).as(enc).isEqualTo(DATA);
      assertThatThrownBy(() -> Decompression.decompress(enc, packed, DATA.length - 1))
          .as(enc).isInstanceOf(Decompression.TooLargeException.class)
          .hasMessage("decompressed body is larger than the limit of " + (DATA.length - 1) + " bytes");
    }
    ByteArrayOutputStream deflated = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(deflated)) {
      out.write(DATA);
    }
    assertThat(Decompression.decompress("deflate", deflated.toByteArray(), DATA.length)).isEqualTo(DATA);
    assertThat(Decompression.decompress(null, DATA, DATA.length)).isSameAs(DATA);
    assertThatThrownBy(() -> Decompression.decompress("identity", DATA, 10)).isInstanceOf(Decompression.TooLargeException.class);
  }

  @Test
  void zstdBombIsCutOffAtTheLimit() {
    byte[] bomb = Zstd.compress(new byte[64 * 1024 * 1024]);
    assertThat(bomb.length).isLessThan(16 * 1024);
    assertThatThrownBy(() -> Decompression.decompress("zstd", bomb, 1024 * 1024))
        .isInstanceOf(Decompression.TooLargeException.class);
  }

  @Test
  void corruptInputIsAnIoErrorAndUnknownEncodingsAreNamed() {
    byte[] gz = Decompression.compress("gzip", DATA);
    assertThatThrownBy(() -> Decompression.decompress("gzip", Arrays.copyOf(gz, gz.length / 2), DATA.length))
        .isInstanceOf(IOException.class).isNotInstanceOf(Decompression.TooLargeException.class)
        .hasMessage("invalid gzip body: Unexpected end of ZLIB input stream");
    assertThatThrownBy(() -> Decompression.decompress("gzip", Arrays.copyOf(gz, 4), DATA.length))
        .hasMessage("invalid gzip body: truncated");
    assertThat(Decompression.isSupported("br")).isFalse();
    assertThat(Decompression.isSupported("GZIP")).isTrue();
    assertThatThrownBy(() -> Decompression.decompress("br", DATA, DATA.length))
        .hasMessage("unsupported encoding \"br\" (expected: gzip, zstd, deflate or identity)");
  }
}
