package io.sluice.bench.jmh.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpCodecBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"traces", "metrics", "logs"})
  void decodesAndEncodesTheFullTestbedRequest(String signal) throws Exception {
    OtlpCodecBenchmark bench = new OtlpCodecBenchmark();
    bench.signal = signal;
    bench.setUp();

    assertThat(bench.decode().itemCount()).isEqualTo(OtlpCodecBenchmark.ITEMS);
    assertThat(bench.decode().signal().name()).isEqualToIgnoringCase(signal);
    assertThat(bench.encode()).isEqualTo(bench.encoded);
    assertThat(bench.forward()).isEqualTo(bench.encoded);
    assertThat(bench.parse()).isEqualTo(bench.changed.getClass().getMethod("toProto").invoke(bench.changed));
  }
}
