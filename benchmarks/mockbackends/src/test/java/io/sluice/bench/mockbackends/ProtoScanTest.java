package io.sluice.bench.mockbackends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.loki4j.pkg.loki.protobuf.Push;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.sluice.bench.loadgen.TestbedData;
import org.junit.jupiter.api.Test;

class ProtoScanTest {

  @Test
  void countsSpansAcrossResourcesAndScopes() {
    ExportTraceServiceRequest a = TestbedData.traces(100, 1);
    ExportTraceServiceRequest b = TestbedData.traces(37, 2);
    ExportTraceServiceRequest merged = a.toBuilder().addAllResourceSpans(b.getResourceSpansList()).build();

    assertThat(ProtoScan.count(merged.toByteArray(), ProtoScan.SPANS)).isEqualTo(137);
    assertThat(ProtoScan.count(TestbedData.logs(42, 1).toByteArray(), ProtoScan.LOG_RECORDS)).isEqualTo(42);
  }

  @Test
  void countsDataPointsOfEveryMetricType() {
    ExportMetricsServiceRequest request =
        TestbedData.metrics(10, 1).toBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder()
                            .addMetrics(Metric.newBuilder().setName("s").setSum(Sum.newBuilder()
                                .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(1))
                                .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(2))))
                            .addMetrics(Metric.newBuilder().setName("h").setHistogram(Histogram.newBuilder()
                                .addDataPoints(HistogramDataPoint.newBuilder().setCount(3).addBucketCounts(3))))))
            .build();

    assertThat(ProtoScan.count(request.toByteArray(), ProtoScan.METRIC_POINTS)).isEqualTo(13);
  }

  @Test
  void countsLokiEntriesOfAPushRequestBuiltWithTheOfficialClasses() {
    Push.PushRequest.Builder request = Push.PushRequest.newBuilder();
    for (int s = 0; s < 3; s++) {
      Push.StreamAdapter.Builder stream = Push.StreamAdapter.newBuilder().setLabels("{job=\"bench\",n=\"" + s + "\"}");
      for (int e = 0; e <= s; e++) {
        stream.addEntries(Push.EntryAdapter.newBuilder()
            .setTimestamp(com.github.loki4j.pkg.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_000L + e))
            .setLine("line " + e)
            .addStructuredMetadata(Push.LabelPairAdapter.newBuilder().setName("trace_id").setValue("abc")));
      }
      request.addStreams(stream);
    }

    assertThat(ProtoScan.count(request.build().toByteArray(), ProtoScan.LOKI_ENTRIES)).isEqualTo(6);
  }

  @Test
  void rejectsTruncatedMessages() {
    byte[] bytes = TestbedData.traces(3, 1).toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);

    assertThatThrownBy(() -> ProtoScan.count(truncated, ProtoScan.SPANS)).isInstanceOf(IllegalArgumentException.class);
  }
}
