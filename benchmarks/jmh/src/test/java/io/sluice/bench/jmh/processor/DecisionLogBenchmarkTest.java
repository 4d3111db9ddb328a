package io.sluice.bench.jmh.processor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecisionLogBenchmarkTest {

  @Test
  void withTheBridgeTheSamplersDropsBecomeRecordsInTheLogsPipeline() throws Exception {
    DecisionLogBenchmark bench = run("dropped", 1);

    // 1600 spans, each its own trace, 10% kept: about 1440 drops, each one record.
    assertThat(bench.records.sum()).isBetween(1300L, 1560L);
  }

  @Test
  void tenSpansToATraceMakeOneRecordPerDroppedTrace() throws Exception {
    DecisionLogBenchmark bench = run("dropped", 10);

    // 160 traces of 10 spans, 10% kept: about 144 dropped traces, one record each.
    assertThat(bench.records.sum()).isBetween(120L, 160L);
  }

  @Test
  void withoutTheBridgeNothingIsRecorded() throws Exception {
    DecisionLogBenchmark bench = run("none", 1);

    assertThat(bench.decisionLog).isNull();
    assertThat(bench.records.sum()).isZero();
  }

  /** Runs each of the benchmark's 16 requests once; the bridge flushes what it holds as it stops. */
  private static DecisionLogBenchmark run(String bridge, int spansPerTrace) throws Exception {
    DecisionLogBenchmark bench = new DecisionLogBenchmark();
    bench.bridge = bridge;
    bench.spansPerTrace = spansPerTrace;
    bench.setUp();
    try {
      for (int i = 0; i < 16; i++) {
        assertThat(bench.consume()).isNull();
      }
    } finally {
      bench.tearDown();
    }
    return bench;
  }
}
