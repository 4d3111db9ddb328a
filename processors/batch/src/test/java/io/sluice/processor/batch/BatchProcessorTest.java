package io.sluice.processor.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.PipelineException;
import io.sluice.api.Processor;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
  private static final Duration LONG = Duration.ofHours(1);
  private final TestContext context = new TestContext("batch", ComponentKind.PROCESSOR, "traces");
  private final List<Processor> created = new ArrayList<>();

  @AfterEach
  void stop() {
    created.forEach(Processor::shutdown);
  }

  private Processor create(BatchConfig config, Signal signal, DataConsumer next) {
    Processor p = new BatchProcessorFactory().createProcessor(context, config, signal, next);
    created.add(p);
    return p;
  }

  private static BatchConfig config(int size, int max, Duration timeout) {
    return new BatchConfig(size, max, timeout, List.of(), 1000);
  }

  static Traces spans(String service, int n) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s"));
    for (int i = 0; i < n; i++) {
      ss.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(new byte[16]))
          .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) (i + 1)}))
          .setName(service + "-" + i));
    }
    return Traces.of(List.of(ResourceSpans.newBuilder().setResource(resource(service)).addScopeSpans(ss).build()));
  }

  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(service))).build();
  }

  @Test
  void sendsWhenSizeIsReachedAndAcknowledgesEveryRequestOfTheBatch() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(10, 0, LONG), Signal.TRACES, out);

    CompletableFuture<Void> a = p.consume(spans("a", 4));
    CompletableFuture<Void> b = p.consume(spans("b", 4));
    assertThat(out.received()).isEmpty();
    assertThat(a).isNotDone();
    assertThat(b).isNotDone();

    CompletableFuture<Void> c = p.consume(spans("c", 4));
    assertThat(out.received()).hasSize(1);
    assertThat(out.received().get(0).itemCount()).isEqualTo(12);
    assertThat(((Traces) out.received().get(0)).resourceSpans()).hasSize(3);
    assertThat(List.of(a, b, c)).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(context.metric("otelcol_processor_batch_batch_size_trigger_send", "processor", "batch"))
        .isEqualTo(1);
    assertThat(context.metricsText())
        .contains("otelcol_processor_batch_batch_send_size_count{processor=\"batch\"} 1")
        .contains("otelcol_processor_batch_batch_send_size_sum{processor=\"batch\"} 12.0");
  }

  @Test
  void splitsLargeRequestsAtMaxSizeKeepingResourceAndScope() throws IOException {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(3, 3, LONG), Signal.TRACES, out);

    CompletableFuture<Void> f = p.consume(Traces.of(traces("testdata/split-input.json")));

    assertThat(out.received()).hasSize(1);
    assertThat(((Traces) out.received().get(0)).toProto()).isEqualTo(traces("testdata/split-expected-1.json"));
    assertThat(f).as("two items of the request still wait in the buffer").isNotDone();

    p.shutdown();
    assertThat(out.received()).hasSize(2);
    assertThat(((Traces) out.received().get(1)).toProto()).isEqualTo(traces("testdata/split-expected-2.json"));
    assertThat(f).isCompleted();
  }

  @Test
  void requestSplitOverBatchesCompletesWhenAllPartsWereAccepted() {
    List<CompletableFuture<Void>> downstream = new CopyOnWriteArrayList<>();
    Processor p = create(config(5, 5, LONG), Signal.TRACES, data -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      downstream.add(f);
      return f;
    });

    CompletableFuture<Void> f = p.consume(spans("a", 10));
    assertThat(downstream).hasSize(2);
    downstream.get(0).complete(null);
    assertThat(f).as("backpressure: not acknowledged before the last part is accepted").isNotDone();
    downstream.get(1).complete(null);
    assertThat(f).isCompleted();
  }

  @Test
  void failureOfOnePartFailsTheRequestWithTheSameException() {
    AtomicInteger calls = new AtomicInteger();
    PipelineException refused = PipelineException.retryable("queue full", Duration.ofSeconds(3));
    Processor p = create(config(5, 5, LONG), Signal.TRACES, data ->
        calls.incrementAndGet() == 2
            ? CompletableFuture.failedFuture(refused)
            : CompletableFuture.completedFuture(null));

    CompletableFuture<Void> f = p.consume(spans("a", 10));

    assertThat(calls).hasValue(2);
    assertThat(f).isCompletedExceptionally();
    Throwable cause = f.handle((v, t) -> t).join();
    assertThat(PipelineException.from(cause)).isSameAs(refused);
  }

  @Test
  void aThrowingConsumerFailsTheRequestInsteadOfThrowing() {
    Processor p = create(config(1, 0, LONG), Signal.TRACES, data -> {
      throw new IllegalStateException("boom");
    });
    CompletableFuture<Void> f = p.consume(spans("a", 2));
    assertThat(f).isCompletedExceptionally();
    assertThat(PipelineException.from(f.handle((v, t) -> t).join()).isRetryable()).isTrue();
  }

  @Test
  void timeoutSendsAPartialBatch() throws Exception {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(100, 0, Duration.ofMillis(20)), Signal.TRACES, out);

    CompletableFuture<Void> f = p.consume(spans("a", 3));

    f.get(30, TimeUnit.SECONDS);
    assertThat(out.itemCount()).isEqualTo(3);
    assertThat(context.metric("otelcol_processor_batch_timeout_trigger_send", "processor", "batch"))
        .isEqualTo(1);
    assertThat(context.metric("otelcol_processor_batch_batch_size_trigger_send", "processor", "batch"))
        .isZero();
  }

  @Test
  void zeroTimeoutSendsAtOnceSplitByMaxSize() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(0, 4, Duration.ZERO), Signal.TRACES, out);
    CompletableFuture<Void> f = p.consume(spans("a", 10));
    assertThat(out.received()).extracting(TelemetryData::itemCount).containsExactly(4, 4, 2);
    assertThat(f).isCompleted();
  }

  @Test
  void separatesBatchesByMetadataKeysAndKeepsThoseKeysOnly() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(new BatchConfig(4, 0, LONG, List.of("X-Tenant"), 1000), Signal.TRACES, out);
    ClientMetadata acme = ClientMetadata.of(Map.of("x-tenant", List.of("acme"), "authorization", List.of("secret")), "10.0.0.1");
    ClientMetadata globex = ClientMetadata.of(Map.of("x-tenant", List.of("globex")), null);

    p.consume(spans("a", 2).withMetadata(acme));
    p.consume(spans("b", 2).withMetadata(globex));
    assertThat(out.received()).isEmpty();
    p.consume(spans("c", 2).withMetadata(acme));

    assertThat(out.received()).hasSize(1);
    TelemetryData batch = out.received().get(0);
    assertThat(batch.itemCount()).isEqualTo(4);
    assertThat(batch.metadata()).isEqualTo(ClientMetadata.of(Map.of("x-tenant", List.of("acme")), null));
    assertThat(context.metric("otelcol_processor_batch_metadata_cardinality", "processor", "batch"))
        .isEqualTo(2);
  }

  @Test
  void refusesMetadataCombinationsBeyondTheLimit() {
    Processor p = create(new BatchConfig(4, 0, LONG, List.of("x-tenant"), 1), Signal.TRACES, DataConsumer.DISCARD);
    p.consume(spans("a", 1).withMetadata(ClientMetadata.of(Map.of("x-tenant", List.of("acme")), null)));
    CompletableFuture<Void> f =
        p.consume(spans("a", 1).withMetadata(ClientMetadata.of(Map.of("x-tenant", List.of("other")), null)));
    assertThat(f).isCompletedExceptionally();
    PipelineException e = PipelineException.from(f.handle((v, t) -> t).join());
    assertThat(e.isRetryable()).isFalse();
    assertThat(e).hasMessageContaining("too many batcher metadata-value combinations");
  }

  @Test
  void shutdownFlushesAndLaterDataPassesStraightThrough() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(100, 0, LONG), Signal.TRACES, out);
    CompletableFuture<Void> f = p.consume(spans("a", 3));
    assertThat(out.received()).isEmpty();

    p.shutdown();
    assertThat(out.itemCount()).isEqualTo(3);
    assertThat(f).isCompleted();

    CompletableFuture<Void> late = p.consume(spans("b", 2));
    assertThat(late).isCompleted();
    assertThat(out.itemCount()).isEqualTo(5);
  }

  @Test
  void emptyRequestIsAcknowledgedAtOnce() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(10, 0, LONG), Signal.TRACES, out);
    assertThat(p.consume(Traces.empty())).isCompleted();
    assertThat(out.received()).isEmpty();
  }

  @Test
  void splitsMetricsByDataPointCopyingTheMetric() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(3, 3, LONG), Signal.METRICS, out);
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < 5; i++) {
      g.addDataPoints(NumberDataPoint.newBuilder().setAsInt(i));
    }
    Metric m = Metric.newBuilder().setName("queue_size").setUnit("1").setGauge(g).build();
    Metrics in = Metrics.of(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().setResource(resource("m"))
            .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(m))).build());

    CompletableFuture<Void> f = p.consume(in);
    p.shutdown();

    assertThat(out.received()).extracting(TelemetryData::itemCount).containsExactly(3, 2);
    Metric second = ((Metrics) out.received().get(1)).resourceMetrics().get(0).getScopeMetrics(0).getMetrics(0);
    assertThat(second.getName()).isEqualTo("queue_size");
    assertThat(second.getGauge().getDataPointsList()).extracting(NumberDataPoint::getAsInt).containsExactly(3L, 4L);
    assertThat(((Metrics) out.received().get(1)).resourceMetrics().get(0).getResource()).isEqualTo(resource("m"));
    assertThat(f).isCompleted();
  }

  @Test
  void splitsLogsByRecord() {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(2, 2, LONG), Signal.LOGS, out);
    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
    for (int i = 0; i < 3; i++) {
      sl.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("line " + i)));
    }
    Logs in = Logs.of(ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource("l")).addScopeLogs(sl)).build());

    p.consume(in);
    p.shutdown();

    assertThat(out.received()).extracting(TelemetryData::itemCount).containsExactly(2, 1);
    assertThat(((Logs) out.received().get(1)).resourceLogs().get(0).getScopeLogs(0).getLogRecords(0)
        .getBody().getStringValue()).isEqualTo("line 2");
  }

  @Test
  void concurrentProducersLoseNothing() throws Exception {
    CapturingConsumer out = new CapturingConsumer();
    Processor p = create(config(50, 64, Duration.ofMillis(5)), Signal.TRACES, out);
    List<CompletableFuture<Void>> futures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 500; i++) {
          futures.add(p.consume(spans("c", 1 + i % 7)));
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    int expected = 0;
    for (int i = 0; i < 500; i++) {
      expected += 1 + i % 7;
    }
    assertThat(out.itemCount()).isEqualTo(4 * expected);
    assertThat(out.received()).allMatch(d -> d.itemCount() <= 64);
  }

  private static ExportTraceServiceRequest traces(String resource) throws IOException {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    try (Reader r = new InputStreamReader(
        BatchProcessorTest.class.getClassLoader().getResourceAsStream(resource), StandardCharsets.UTF_8)) {
      JsonFormat.parser().merge(r, b);
    }
    return b.build();
  }

}
