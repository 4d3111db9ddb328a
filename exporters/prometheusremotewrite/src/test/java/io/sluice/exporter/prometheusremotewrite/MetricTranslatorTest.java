package io.sluice.exporter.prometheusremotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MetricTranslatorTest {
  private static final long T = 1_700_000_000_000_000_000L;
  private static final long MS = T / 1_000_000;

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static ExportMetricsServiceRequest request(Resource resource, Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(resource)
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
  }

  static Resource service() {
    return Resource.newBuilder().addAttributes(kv("service.name", "checkout"))
        .addAttributes(kv("service.namespace", "shop")).addAttributes(kv("service.instance.id", "i-1"))
        .addAttributes(kv("host.name", "h1")).build();
  }

  private static Map<String, Double> byLabels(MetricTranslator.Result r) {
    Map<String, Double> out = new TreeMap<>();
    for (PromSeries s : r.series) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < s.labels.length; i += 2) {
        sb.append(s.labels[i]).append('=').append(s.labels[i + 1]).append(',');
      }
      out.put(sb.toString(), s.value(s.size() - 1));
    }
    return out;
  }

  private static PrometheusRemoteWriteConfig config() {
    return PrometheusRemoteWriteConfig.defaults();
  }

  @Test
  void counterGetsTotalJobInstanceAndTargetInfo() {
    Metric m = Metric.newBuilder().setName("http.server.requests").setUnit("{request}")
        .setSum(Sum.newBuilder().setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setAsInt(42)
                .addAttributes(kv("http.method", "GET")))).build();
    var r = new MetricTranslator(config()).translate(request(service(), m));
    assertThat(byLabels(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "__name__=http_server_requests_total,http_method=GET,instance=i-1,job=shop/checkout,", 42.0,
        "__name__=target_info,host_name=h1,instance=i-1,job=shop/checkout,", 1.0));
    assertThat(r.series).allSatisfy(s -> assertThat(s.timestamp(0)).isEqualTo(MS));
  }

  @Test
  void histogramBecomesCumulativeBucketsSumAndCount() {
    Metric m = Metric.newBuilder().setName("http.server.duration").setUnit("ms")
        .setHistogram(Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T).setCount(10).setSum(123.5)
                .addAllExplicitBounds(List.of(5.0, 10.0, 25.0)).addAllBucketCounts(List.of(1L, 2L, 3L, 4L))))
        .build();
    var r = new MetricTranslator(config()).translate(request(Resource.getDefaultInstance(), m));
    assertThat(byLabels(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "__name__=http_server_duration_milliseconds_bucket,le=5,", 1.0,
        "__name__=http_server_duration_milliseconds_bucket,le=10,", 3.0,
        "__name__=http_server_duration_milliseconds_bucket,le=25,", 6.0,
        "__name__=http_server_duration_milliseconds_bucket,le=+Inf,", 10.0,
        "__name__=http_server_duration_milliseconds_sum,", 123.5,
        "__name__=http_server_duration_milliseconds_count,", 10.0));
  }

  @Test
  void summaryQuantilesAreFormattedLikePrometheusClients() {
    Metric m = Metric.newBuilder().setName("go_gc_duration_seconds")
        .setSummary(Summary.newBuilder().addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(T)
            .setCount(3).setSum(0.5)
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0).setValue(0.1))
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.25).setValue(0.2))
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(1).setValue(0.3))))
        .build();
    var r = new MetricTranslator(config()).translate(request(Resource.getDefaultInstance(), m));
    assertThat(byLabels(r)).containsOnlyKeys(
        "__name__=go_gc_duration_seconds,quantile=0,", "__name__=go_gc_duration_seconds,quantile=0.25,",
        "__name__=go_gc_duration_seconds,quantile=1,", "__name__=go_gc_duration_seconds_sum,",
        "__name__=go_gc_duration_seconds_count,");
  }

  @Test
  void noRecordedValueBecomesStaleNaN() {
    Metric m = Metric.newBuilder().setName("up").setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setFlags(1))).build();
    var r = new MetricTranslator(config()).translate(request(Resource.getDefaultInstance(), m));
    PromSeries s = r.series.iterator().next();
    assertThat(Double.doubleToRawLongBits(s.value(0))).isEqualTo(0x7ff0000000000002L);
  }

  @Test
  void deltaAndExponentialAreDroppedAndCounted() {
    Metric delta = Metric.newBuilder().setName("d").setSum(Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
        .addDataPoints(NumberDataPoint.newBuilder().setAsInt(1))).build();
    Metric exp = Metric.newBuilder().setName("e").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .addDataPoints(ExponentialHistogramDataPoint.getDefaultInstance())
        .addDataPoints(ExponentialHistogramDataPoint.getDefaultInstance())).build();
    var r = new MetricTranslator(config()).translate(request(Resource.getDefaultInstance(), delta, exp));
    assertThat(r.series).isEmpty();
    assertThat(r.droppedDelta).isEqualTo(1);
    assertThat(r.droppedExponential).isEqualTo(2);
  }

  @Test
  void exponentialHistogramsBecomeNativeHistogramsWhenEnabled() {
    var d = PrometheusRemoteWriteConfig.defaults();
    var c = new PrometheusRemoteWriteConfig(d.endpoint(), d.headers(), d.namespace(), d.externalLabels(),
        d.resourceToTelemetryConversion(), d.targetInfo(), d.sendMetadata(), d.addMetricSuffixes(), true,
        d.maxBatchSizeBytes(), d.remoteWriteQueue(), d.basicAuth(), d.bearerToken(), d.tls());
    Metric m = Metric.newBuilder().setName("payload.size").setUnit("By").setExponentialHistogram(
        ExponentialHistogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T).setScale(0).setCount(7)
                .setSum(20).setZeroCount(1).setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder()
                    .setOffset(-1).addAllBucketCounts(List.of(1L, 2L, 0L, 3L))))
            .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T).setScale(10).setCount(5)
                .addAttributes(kv("fine", "yes")).setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder()
                    .setOffset(5).addAllBucketCounts(List.of(1L, 1L, 1L, 1L, 1L))))
            .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setScale(-5).addAttributes(kv("coarse", "yes"))))
        .build();
    var r = new MetricTranslator(c).translate(request(Resource.getDefaultInstance(), m));
    assertThat(r.droppedExponential).as("scale -5 is below schema -4").isEqualTo(1);
    var byName = r.series.stream().collect(Collectors.toMap(s -> String.join(",", s.labels), s -> s));
    var plain = byName.get("__name__,payload_size_bytes").histograms().get(0);
    assertThat(plain.schema()).isZero();
    assertThat(plain.count()).isEqualTo(7);
    assertThat(plain.zeroCount()).isEqualTo(1);
    assertThat(plain.positiveOffset()).isZero();
    assertThat(plain.positiveDeltas()).containsExactly(1, 1, -2, 3);
    var merged = byName.get("__name__,payload_size_bytes,fine,yes").histograms().get(0);
    assertThat(merged.schema()).isEqualTo(8);
    assertThat(merged.positiveOffset()).isEqualTo(2);
    assertThat(merged.positiveDeltas()).containsExactly(3, -1);
    assertThat(new MetricTranslator(config()).translate(request(Resource.getDefaultInstance(), m)).droppedExponential)
        .as("disabled by default").isEqualTo(3);
  }

  @Test
  void namespaceExternalLabelsAndResourceConversion() {
    var c = new PrometheusRemoteWriteConfig("http://x:1/w", Map.of(), "edge", Map.of("cluster", "eu", "host_name", "ext"),
        new PrometheusRemoteWriteConfig.ResourceToTelemetryConversion(true),
        new PrometheusRemoteWriteConfig.TargetInfo(false), true, true, false, 3_000_000,
        PrometheusRemoteWriteConfig.RemoteWriteQueue.defaults(), PrometheusRemoteWriteConfig.BasicAuth.defaults(),
        "", PrometheusRemoteWriteConfig.Tls.defaults());
    Metric m = Metric.newBuilder().setName("queue.size").setDescription("items").setUnit("{item}")
        .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setAsDouble(3)
            .addAttributes(kv("a.b", "1")).addAttributes(kv("a_b", "2")))).build();
    var r = new MetricTranslator(c).translate(request(service(), m));
    assertThat(byLabels(r)).containsOnlyKeys(
        "__name__=edge_queue_size,a_b=1;2,cluster=eu,host_name=h1,instance=i-1,job=shop/checkout,"
            + "service_instance_id=i-1,service_name=checkout,service_namespace=shop,");
    assertThat(r.metadata.values().stream().map(WriteRequestEncoder.Metadata::family).collect(Collectors.toList()))
        .containsExactly("edge_queue_size");
  }

  @Test
  void samplesOfOneSeriesAreSortedByTime() {
    Metric m = Metric.newBuilder().setName("g").setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T + 2_000_000).setAsDouble(2))
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setAsDouble(1))).build();
    var r = new MetricTranslator(config()).translate(request(Resource.getDefaultInstance(), m));
    PromSeries s = r.series.iterator().next();
    assertThat(s.size()).isEqualTo(2);
    assertThat(s.timestamp(0)).isEqualTo(MS);
    assertThat(s.value(0)).isEqualTo(1.0);
    assertThat(s.timestamp(1)).isEqualTo(MS + 2);
  }
}
