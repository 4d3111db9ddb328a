package io.sluice.processor.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Test vectors of the Collector's algorithms, worked out independently from its source
 * (processor/probabilisticsamplerprocessor: fnvhasher.go, sampler_mode.go; pkg/sampling): FNV-1a
 * 32 over the seed's 4 little-endian bytes then the trace id; bucket = hash & 0x3fff; kept when
 * bucket < uint32(float32(pct) * 163.84).
 */
class SamplingTest {

  static ByteString hex(String s) {
    return ByteString.copyFrom(HexFormat.of().parseHex(s));
  }

  @ParameterizedTest
  @CsvSource({
    // seed, trace id, fnv1a32, bucket, rv written by hash_seed mode
    "0, 5b8efff798038103d269b633813fc60c, 245dd6df, 5855, a480091545d6df",
    "0, 0af7651916cd43dd8448eb211c80319c, 810d5de4, 7652, 886c204b10dde4",
    "0, 4bf92f3577b34da6a3ce929d0e0e4736, 3420408d, 141, fdc80d0b42008d",
    "0, 00000000000000000000000000000001, b8fee2c2, 8898, 74f42e348fe2c2",
    "22, 5b8efff798038103d269b633813fc60c, a2a64cc9, 3273, ccd828a32a4cc9",
    "22, 0af7651916cd43dd8448eb211c80319c, 1032c19e, 414, f984040d03019e",
    "22, 4bf92f3577b34da6a3ce929d0e0e4736, 5610306b, 12395, 3e50158161306b",
    "50479105, 4bf92f3577b34da6a3ce929d0e0e4736, 88d7446b, 1131, ee50223d8d446b",
    "50479105, 00000000000000000000000000000001, ac050130, 304, fb3c2b0bc04130",
  })
  void hashMatchesTheCollector(long seed, String traceId, String fnv, int bucket, String rv) {
    assertThat(Integer.toHexString(Sampling.fnv1a32(hex(traceId), seed))).isEqualTo(fnv);
    assertThat(Sampling.hashBucket(hex(traceId), seed)).isEqualTo(bucket);
    assertThat(Sampling.rvalue(Sampling.hashRandomness(hex(traceId), seed))).isEqualTo(rv);
  }

  @ParameterizedTest
  @CsvSource({"10, 1638", "33.3, 5455", "0.1, 16", "1, 163", "25, 4096", "50, 8192", "99.99, 16382", "100, 16384"})
  void scaledRateIsComputedInFloat32AndTruncated(double pct, long scaled) {
    assertThat(Sampling.hashScaledRate(pct)).isEqualTo(scaled);
  }

  @Test
  void hashThresholdKeepsExactlyTheBucketsBelowTheRate() {
    long th = Sampling.hashThreshold(1638);
    assertThat(Sampling.tvalue(th)).isEqualTo("e668");
    ByteString kept = hex("4bf92f3577b34da6a3ce929d0e0e4736");
    ByteString dropped = hex("5b8efff798038103d269b633813fc60c");
    assertThat(Sampling.shouldSample(th, Sampling.hashRandomness(kept, 0))).isTrue();
    assertThat(Sampling.shouldSample(th, Sampling.hashRandomness(dropped, 0))).isFalse();
    for (int i = 0; i < 20_000; i++) {
      ByteString id = ByteString.copyFromUtf8(String.format("%016d", i));
      assertThat(Sampling.shouldSample(th, Sampling.hashRandomness(id, 7)))
          .isEqualTo(Sampling.hashBucket(id, 7) < 1638);
    }
  }

  @ParameterizedTest
  @CsvSource({"1.0, 4, 0", "0.5, 4, 8", "0.25, 4, c", "0.1, 4, e666", "0.01, 4, fd70a", "0.333, 4, aac1",
      "0.1, 14, e6666666666666"})
  void probabilityToThreshold(double p, int precision, String tvalue) {
    assertThat(Sampling.tvalue(Sampling.thresholdFor(p, precision))).isEqualTo(tvalue);
  }

  @Test
  void thresholdEncoding() {
    assertThat(Sampling.parseTvalue("c")).isEqualTo(0xcL << 52);
    assertThat(Sampling.parseTvalue("0")).isEqualTo(Sampling.ALWAYS);
    assertThat(Sampling.parseTvalue("")).isEqualTo(-1);
    assertThat(Sampling.parseTvalue("fffffffffffffff")).isEqualTo(-1);
    assertThat(Sampling.tvalue(Sampling.NEVER)).isEmpty();
    assertThat(Sampling.probability(0xcL << 52)).isEqualTo(0.25);
    assertThat(Sampling.thresholdFor(0, 4)).isEqualTo(-1);
    assertThat(Sampling.traceIdRandomness(hex("4bf92f3577b34da6a3ce929d0e0e4736"))).isEqualTo(0xce929d0e0e4736L);
  }

  @Test
  void traceStatePutsOtFirstAndRvBeforeTh() {
    TraceState ts = TraceState.parse("vendor=x,ot=th:0;rv:9b8233f7e3a151;zz:1");
    assertThat(ts.rv).isEqualTo("9b8233f7e3a151");
    assertThat(ts.threshold).isZero();
    assertThat(ts.updateThreshold(0x8L << 52)).isTrue();
    assertThat(ts.serialize()).isEqualTo("ot=rv:9b8233f7e3a151;th:8;zz:1,vendor=x");
    assertThat(ts.updateThreshold(0)).as("may not raise the probability again").isFalse();
    assertThatThrownBy(() -> TraceState.parse("ot=rv:123")).hasMessageContaining("14 hex digits");
    assertThatThrownBy(() -> TraceState.parse("ot=th:0;")).hasMessageContaining("malformed ot");
    assertThatThrownBy(() -> TraceState.parse("no-equals")).hasMessageContaining("without '='");
    assertThat(TraceState.parse("").serialize()).isEmpty();
  }
}
