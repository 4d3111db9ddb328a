package io.sluice.exporter.prometheusremotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.sluice.api.ComponentKind;
import io.sluice.api.Metrics;
import io.sluice.api.PipelineException;
import io.sluice.core.testing.TestContext;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenTelemetry Java SDK metrics → this exporter → a real Prometheus → PromQL. */
class OtelSdkToPrometheusTest {
  private static PrometheusProcess prometheus;
  private static PrometheusRemoteWriteExporter exporter;

  @BeforeAll
  static void start() throws Exception {
    prometheus = PrometheusProcess.prometheus("");
    PrometheusRemoteWriteConfig d = PrometheusRemoteWriteConfig.defaults();
    exporter = new PrometheusRemoteWriteExporter(new TestContext("prometheusremotewrite", ComponentKind.EXPORTER),
        new PrometheusRemoteWriteConfig(prometheus.remoteWriteUrl(), d.headers(), d.namespace(),
            Map.of("cluster", "test"), d.resourceToTelemetryConversion(), d.targetInfo(), true,
            d.addMetricSuffixes(), d.maxBatchSizeBytes(), d.remoteWriteQueue(), d.basicAuth(), d.bearerToken(),
            d.tls()));
    exporter.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (exporter != null) {
      exporter.shutdown();
    }
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static Map<Map<String, String>, Double> values(String promql) throws Exception {
    JsonNode result = PrometheusProcess.await(promql, () -> {
      try {
        JsonNode r = prometheus.query(promql);
        return r.isEmpty() ? null : r;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Map<Map<String, String>, Double> out = new HashMap<>();
    for (JsonNode s : result) {
      Map<String, String> labels = new java.util.TreeMap<>();
      s.get("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.put(labels, s.get("value").get(1).asDouble());
    }
    return out;
  }

  @Test
  void sdkInstrumentsArriveWithSpecNamesLabelsAndValues() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    Resource resource = Resource.create(Attributes.builder().put("service.name", "checkout")
        .put("service.namespace", "shop").put("service.instance.id", "i-1").put("host.name", "h1").build());
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(reader).build()) {
      Meter meter = provider.get("test");
      var requests = meter.counterBuilder("http.server.requests").setUnit("{request}").build();
      requests.add(5, Attributes.of(AttributeKey.stringKey("http.method"), "GET"));
      requests.add(3, Attributes.of(AttributeKey.stringKey("http.method"), "POST"));
      var queue = meter.upDownCounterBuilder("queue.size").setUnit("{item}").build();
      queue.add(10);
      queue.add(-3);
      meter.gaugeBuilder("cpu.utilization").setUnit("1").build().set(0.5);
      var duration = meter.histogramBuilder("http.server.duration").setUnit("ms")
          .setExplicitBucketBoundariesAdvice(List.of(5.0, 10.0, 25.0)).build();
      for (double v : new double[] {3, 7, 7, 30}) {
        duration.record(v);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      MetricsRequestMarshaler.create(reader.collectAllMetrics()).writeBinaryTo(bytes);
      exporter.push(Metrics.of(ExportMetricsServiceRequest.parseFrom(bytes.toByteArray()))).join();
    }

    assertThat(values("http_server_requests_total")).containsExactlyInAnyOrderEntriesOf(Map.of(
        series("http_server_requests_total", "http_method", "GET"), 5.0,
        series("http_server_requests_total", "http_method", "POST"), 3.0));
    assertThat(values("queue_size")).containsExactlyEntriesOf(Map.of(series("queue_size"), 7.0));
    assertThat(values("cpu_utilization_ratio"))
        .containsExactlyEntriesOf(Map.of(series("cpu_utilization_ratio"), 0.5));
    assertThat(values("http_server_duration_milliseconds_bucket")).containsExactlyInAnyOrderEntriesOf(Map.of(
        series("http_server_duration_milliseconds_bucket", "le", "5"), 1.0,
        series("http_server_duration_milliseconds_bucket", "le", "10"), 3.0,
        series("http_server_duration_milliseconds_bucket", "le", "25"), 3.0,
        series("http_server_duration_milliseconds_bucket", "le", "+Inf"), 4.0));
    assertThat(values("http_server_duration_milliseconds_sum")).containsValue(47.0);
    assertThat(values("http_server_duration_milliseconds_count")).containsValue(4.0);
    assertThat(values("target_info"))
        .containsExactlyEntriesOf(Map.of(series("target_info", "host_name", "h1"), 1.0));
    assertThat(values("histogram_quantile(0.5, http_server_duration_milliseconds_bucket)")).hasSize(1);
  }

  @Test
  void noRecordedValueMakesTheSeriesStale() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000;
    exporter.push(gauge("stale_me", now - 2_000_000_000L, 1, 0)).join();
    assertThat(values("stale_me")).hasSize(1);
    exporter.push(gauge("stale_me", now, 0, 1)).join();
    assertThat(PrometheusProcess.await("stale_me to go stale", () -> {
      try {
        return prometheus.query("stale_me").isEmpty() ? Boolean.TRUE : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).isTrue();
  }

  @Test
  void outOfOrderSampleIsRejectedPermanentlyNotRetried() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000;
    exporter.push(gauge("ooo", now, 1, 0)).join();
    assertThatThrownBy(() -> exporter.push(gauge("ooo", now - 60_000_000_000L, 2, 0)).join())
        .cause().isInstanceOfSatisfying(PipelineException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("400").contains("out of order");
        });
  }

  private static Map<String, String> series(String name, String... labelPairs) {
    Map<String, String> m = new java.util.TreeMap<>(
        Map.of("__name__", name, "cluster", "test", "instance", "i-1", "job", "shop/checkout"));
    for (int i = 0; i < labelPairs.length; i += 2) {
      m.put(labelPairs[i], labelPairs[i + 1]);
    }
    return m;
  }

  private static Metrics gauge(String name, long timeNanos, double value, int flags) {
    return Metrics.of(MetricTranslatorTest.request(io.opentelemetry.proto.resource.v1.Resource.getDefaultInstance(),
        Metric.newBuilder().setName(name).setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
            .setTimeUnixNano(timeNanos).setAsDouble(value).setFlags(flags))).build()));
  }
}
