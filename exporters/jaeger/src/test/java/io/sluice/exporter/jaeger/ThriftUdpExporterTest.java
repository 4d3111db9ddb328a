package io.sluice.exporter.jaeger;

import static io.sluice.exporter.jaeger.Otlp.hex;
import static io.sluice.exporter.jaeger.Otlp.integer;
import static io.sluice.exporter.jaeger.Otlp.kv;
import static io.sluice.exporter.jaeger.Otlp.resourceSpans;
import static io.sluice.exporter.jaeger.Otlp.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.jaegertracing.thriftjava.Batch;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentKind;
import io.sluice.api.Exporter;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.jaeger.JaegerConfig.AuthConfig;
import io.sluice.exporter.jaeger.JaegerConfig.Protocol;
import io.sluice.exporter.jaeger.JaegerConfig.TlsConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Compact Thrift over UDP to a real socket: packing, the size limit, oversized spans, a burst. */
class ThriftUdpExporterTest {
  private FakeAgent agent;
  private Exporter exporter;
  private TestContext context;

  @BeforeEach
  void startAgent() throws Exception {
    agent = new FakeAgent();
  }

  @AfterEach
  void stop() throws Exception {
    if (exporter != null) {
      exporter.shutdown();
    }
    agent.close();
  }

  private Exporter start(String endpoint, long maxPacketSize) throws Exception {
    JaegerConfig config = new JaegerConfig(Protocol.THRIFT_COMPACT_UDP, endpoint, Map.of(),
        AuthConfig.defaults(), TlsConfig.defaults(), DataSize.ofBytes(maxPacketSize));
    context = new TestContext("jaeger/agent", ComponentKind.EXPORTER);
    exporter = new JaegerExporterFactory().createExporter(context, config, Signal.TRACES);
    exporter.start();
    return exporter;
  }

  /** A span of a realistic size (about 200 bytes encoded) whose span id is {@code n}. */
  static Span span(long n) {
    return Span.newBuilder()
        .setTraceId(hex("4bf92f3577b34da6a3ce929d0e0e4736"))
        .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(n).array()))
        .setParentSpanId(hex("00f067aa0ba902b7"))
        .setName("GET /api/orders/{id}")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1_700_000_000_000_000_000L + n)
        .setEndTimeUnixNano(1_700_000_000_005_000_000L + n)
        .addAttributes(kv("http.request.method", "GET"))
        .addAttributes(kv("url.path", "/api/orders/" + n))
        .addAttributes(kv("http.response.status_code", integer(200)))
        .addAttributes(kv("server.address", "orders.internal"))
        .build();
  }

  static Traces batchOf(long from, int count) {
    Span[] spans = new Span[count];
    for (int i = 0; i < count; i++) {
      spans[i] = span(from + i);
    }
    return traces(resourceSpans(List.of(kv("service.name", "orders"), kv("host.name", "node-1")),
        InstrumentationScope.newBuilder().setName("io.opentelemetry.armeria").build(), spans));
  }

  static Set<Long> spanIds(List<Batch> batches) {
    Set<Long> ids = new HashSet<>();
    batches.forEach(b -> b.getSpans().forEach(s -> ids.add(s.getSpanId())));
    return ids;
  }

  @Test
  void splitsABatchIntoDatagramsWithinTheLimitKeepingOrder() throws Exception {
    start(agent.endpoint(), 1000);
    exporter.push(batchOf(0, 50)).get();
    JaegerMappingTest.await(() -> agent.spans() >= 50);
    assertThat(agent.errors()).isEmpty();
    assertThat(agent.spans()).isEqualTo(50);
    assertThat(agent.batches().size()).isGreaterThan(5);
    assertThat(agent.sizes()).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(1000));
    List<Long> order = new ArrayList<>();
    agent.batches().forEach(b -> {
      assertThat(b.getProcess().getServiceName()).isEqualTo("orders");
      b.getSpans().forEach(s -> order.add(s.getSpanId()));
    });
    assertThat(order).isSorted().hasSize(50);
    assertThat(context.metric(ThriftUdpExporter.DATAGRAMS_METRIC)).isEqualTo(agent.batches().size());
  }

  @Test
  void dropsAndCountsASpanLargerThanTheLimitAndSendsTheRest() throws Exception {
    start(agent.endpoint(), 2000);
    Span huge = span(99).toBuilder().addAttributes(kv("big", "x".repeat(5000))).build();
    Traces t = traces(resourceSpans(List.of(kv("service.name", "orders")), InstrumentationScope.getDefaultInstance(),
        span(1), huge, span(2), span(3)));
    Throwable thrown = catchThrowable(() -> exporter.push(t).get());
    assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(PipelineException.class);
    PipelineException e = (PipelineException) thrown.getCause();
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.rejectedItems()).isEqualTo(1);
    assertThat(e.getMessage()).contains("max_packet_size = 2000");
    JaegerMappingTest.await(() -> agent.spans() >= 3);
    assertThat(spanIds(agent.batches())).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(context.metric(ThriftUdpExporter.OVERSIZED_METRIC)).isEqualTo(1.0);
  }

  @Test
  void burstOfOneHundredThousandSpansArrivesWhole() throws Exception {
    start(agent.endpoint(), 65000);
    int waves = 5;
    int pushesPerWave = 4;
    int perPush = 5000;
    // Each wave (20k spans, about 4 MB of datagrams) is sent at once, as fast as the sender
    // thread goes; between waves the test waits for the agent to catch up, so that on a loaded
    // machine the receiving socket's buffer (4 MiB asked) is not what limits the test.
    for (int w = 0; w < waves; w++) {
      List<CompletableFuture<Void>> results = new ArrayList<>();
      for (int p = 0; p < pushesPerWave; p++) {
        results.add(exporter.push(batchOf((long) (w * pushesPerWave + p) * perPush, perPush)));
      }
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get();
      int expected = (w + 1) * pushesPerWave * perPush;
      JaegerMappingTest.await(() -> agent.spans() >= expected);
    }
    assertThat(agent.errors()).isEmpty();
    assertThat(agent.sizes()).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(65000));
    assertThat(agent.spans()).isEqualTo(100_000);
    assertThat(spanIds(agent.batches())).hasSize(100_000);
    assertThat(context.metric(ThriftUdpExporter.DATAGRAMS_METRIC)).isEqualTo(agent.sizes().size());
    assertThat(context.metric(ThriftUdpExporter.OVERSIZED_METRIC)).isZero();
  }

  @Test
  void unresolvableAgentIsRetryable() throws Exception {
    start("no-such-host.invalid:6831", 65000);
    Throwable thrown = catchThrowable(() -> exporter.push(batchOf(0, 1)).get());
    assertThat(thrown.getCause()).isInstanceOf(PipelineException.class);
    PipelineException e = (PipelineException) thrown.getCause();
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("no-such-host.invalid");
  }

  @Test
  void shutdownSendsWhatIsQueued() throws Exception {
    start(agent.endpoint(), 65000);
    List<CompletableFuture<Void>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(exporter.push(batchOf(i * 100L, 100)));
    }
    exporter.shutdown();
    assertThat(results).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
    JaegerMappingTest.await(() -> agent.spans() >= 1000);
    assertThat(agent.spans()).isEqualTo(1000);
  }
}
