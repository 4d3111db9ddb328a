package io.sluice.bench.jmh.processor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecisionLogBenchmarkTest {

  @Test
  void withTheBridgeTheSamplersDropsBecomeRecordsInTheLogsPipeline() throws Exception {
    DecisionLogBenchmark bench = new DecisionLogBenchmark();
    bench.bridge = "dropped";
    bench.setUp();
    for (int i = 0; i < 16; i++) {
      bench.consume();
    }
    bench.tearDown(); // the bridge flushes what it holds as it stops

    // 1600 spans, each its own trace, 10% kept: about 1440 drops, each one record.
    assertThat(bench.records.sum()).isBetween(1300L, 1560L);
  }

  @Test
  void withoutTheBridgeNothingIsRecorded() throws Exception {
    DecisionLogBenchmark bench = new DecisionLogBenchmark();
    bench.bridge = "none";
    bench.setUp();
    try {
      bench.consume();
      assertThat(bench.decisionLog).isNull();
      assertThat(bench.records.sum()).isZero();
    } finally {
      bench.tearDown();
    }
  }
}
