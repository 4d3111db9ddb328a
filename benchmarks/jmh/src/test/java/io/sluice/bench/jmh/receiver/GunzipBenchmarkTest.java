package io.sluice.bench.jmh.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GunzipBenchmarkTest {

  @Test
  void bothWaysGiveBackTheRequest() throws Exception {
    GunzipBenchmark bench = new GunzipBenchmark();
    bench.setUp();
    assertThat(bench.gzipped.length).isLessThan(bench.plain.length);
    assertThat(bench.receiver()).isEqualTo(bench.plain);
    assertThat(bench.gzipInputStream()).isEqualTo(bench.plain);
  }
}
