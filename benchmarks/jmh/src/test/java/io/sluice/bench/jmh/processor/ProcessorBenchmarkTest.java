package io.sluice.bench.jmh.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Processor;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.bench.loadgen.TestbedData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProcessorBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"probabilistic_sampler", "attributes", "resource", "batch"})
  void everyMeasuredProcessorIsCreatedThroughTheSpiAndAcceptsATestbedRequest(String type) throws Exception {
    ProcessorBenchmark bench = new ProcessorBenchmark();
    bench.processor = type;
    bench.setUp();
    try {
      assertThat(bench.requests).hasSize(16).allSatisfy(r -> assertThat(r.itemCount()).isEqualTo(ProcessorBenchmark.ITEMS));
      Object answer = bench.consume();
      if (type.equals("batch")) {
        // batch answers when the batch is exported: the benchmark hands back the pending future.
        assertThat(answer).isInstanceOf(CompletableFuture.class);
      } else {
        // joined: the processor accepted the request and the next consumer answered.
        assertThat(answer).isNull();
      }
    } finally {
      bench.tearDown();
    }
  }

  @Test
  void theMeasuredConfigsDoTheirWork() throws Exception {
    List<TelemetryData> out = new CopyOnWriteArrayList<>();
    Traces request = Traces.of(TestbedData.traces(1000, 1));

    Processor attributes = ProcessorBenchmark.create("attributes", d -> add(out, d));
    attributes.start();
    attributes.consume(request).join();
    attributes.shutdown();
    Processor sampler = ProcessorBenchmark.create("probabilistic_sampler", d -> add(out, d));
    sampler.start();
    sampler.consume(request).join();
    sampler.shutdown();

    var span = ((Traces) out.get(0)).resourceSpans().get(0).getScopeSpans(0).getSpans(0);
    assertThat(span.getAttributesList()).anySatisfy(a -> assertThat(a.getKey()).isEqualTo("environment"));
    int sampled = out.size() > 1 ? out.get(1).itemCount() : 0;
    assertThat(sampled).as("about 10%% of 1000 spans kept").isBetween(40, 200);
  }

  private static CompletableFuture<Void> add(List<TelemetryData> out, TelemetryData data) {
    out.add(data);
    return CompletableFuture.completedFuture(null);
  }
}
