package io.sluice.bench.jmh.processor;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.DecisionSink;
import io.sluice.api.Processor;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.bench.loadgen.TestbedData;
import io.sluice.core.testing.TestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the decision-log bridge adds to a sampled traces pipeline: {@code probabilistic_sampler}
 * (10%, from {@code bench-processors.conf}) alone ({@code bridge = none}: no bridge in the
 * pipeline, so the sampler reports nothing), against the sampler reporting to a {@code
 * decision_log} bridge that sits behind it and records only drops, its default ({@code bridge =
 * dropped}). Both are created through the plugin SPI and wired as the daemon wires a pipeline:
 * the sampler's decision sink is the bridge, the bridge's logs pipeline is a consumer that accepts
 * at once. Scores are per span of testbed-shaped requests. With {@code spansPerTrace = 1}, as the
 * testbed sends them, every span is a trace of its own, so about 90 of every 100 spans become a
 * decision record: the most records a span can cost.
 *
 * <p>The score is the calling thread's time: the bridge builds its records there. It sends them
 * from a timer thread, grouped by resource into one batch per flush; that work (about a tenth of
 * the caller's, by async-profiler) is not in the score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecisionLogBenchmark {
  private static final int REQUESTS = 16;

  @Param({"none", "dropped"})
  public String bridge;

  /**
   * 1: testbed requests as they are, every span a trace of its own (the target's shape); 10: the
   * same spans, ten to a trace, closer to an instrumented service's traces.
   */
  @Param({"1", "10"})
  public int spansPerTrace;

  Processor sampler;
  Processor decisionLog;
  Traces[] requests;
  /** Decision log records the bridge handed to its logs pipeline. */
  final LongAdder records = new LongAdder();
  private int next;

  /** Creates and starts the processors and builds the requests. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    DataConsumer last = DataConsumer.DISCARD;
    TestContext samplerContext = new TestContext("probabilistic_sampler", ComponentKind.PROCESSOR, "traces");
    if (bridge.equals("dropped")) {
      TestContext bridgeContext = new TestContext("decision_log", ComponentKind.PROCESSOR, "traces")
          .withPipeline("logs/decisions", this::count);
      decisionLog = ProcessorBenchmark.create("decision_log", bridgeContext, DataConsumer.DISCARD);
      decisionLog.start();
      samplerContext.forwardDecisions((DecisionSink) decisionLog);
      last = decisionLog;
    } else if (!bridge.equals("none")) {
      throw new IllegalArgumentException("bridge = " + bridge + " (expected: none or dropped)");
    }
    sampler = ProcessorBenchmark.create("probabilistic_sampler", samplerContext, last);
    sampler.start();
    requests = new Traces[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
      requests[i] = Traces.of(groupIntoTraces(TestbedData.traces(ProcessorBenchmark.ITEMS, i), spansPerTrace));
    }
  }

  /** Stops the processors, the bridge last so that it flushes what it holds. */
  @TearDown(Level.Trial)
  public void tearDown() {
    sampler.shutdown();
    if (decisionLog != null) {
      decisionLog.shutdown();
    }
  }

  /** Hands one request to the sampler and waits for the pipeline's answer. */
  @Benchmark
  @OperationsPerInvocation(ProcessorBenchmark.ITEMS)
  public Object consume() {
    return sampler.consume(requests[next++ & (REQUESTS - 1)]).join();
  }

  /** The request with each run of {@code n} spans sharing the first one's trace id. */
  static ExportTraceServiceRequest groupIntoTraces(ExportTraceServiceRequest request, int n) {
    if (n == 1) {
      return request;
    }
    ExportTraceServiceRequest.Builder b = request.toBuilder();
    for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        for (int i = 0; i < ss.getSpansCount(); i++) {
          ss.getSpansBuilder(i).setTraceId(ss.getSpans(i - i % n).getTraceId());
        }
      }
    }
    return b.build();
  }

  private CompletableFuture<Void> count(TelemetryData logs) {
    records.add(logs.itemCount());
    return CompletableFuture.completedFuture(null);
  }
}
