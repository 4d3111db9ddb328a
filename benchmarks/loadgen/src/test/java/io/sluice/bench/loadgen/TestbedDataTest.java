package io.sluice.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestbedDataTest {

  @Test
  void spansAreShapedLikeTheCollectorTestbed() {
    List<Span> spans = TestbedData.traces(100, 7).getResourceSpans(0).getScopeSpans(0).getSpansList();

    assertThat(spans).hasSize(100);
    double averageSize = spans.stream().mapToInt(Span::getSerializedSize).average().orElseThrow();
    assertThat(averageSize).isBetween(130.0, 170.0);
    Span span = spans.get(0);
    assertThat(span.getName()).hasSize(19);
    assertThat(span.getTraceId().size()).isEqualTo(16);
    assertThat(span.getSpanId().size()).isEqualTo(8);
    assertThat(span.getEndTimeUnixNano()).isGreaterThan(span.getStartTimeUnixNano());
    assertThat(span.getAttributesList()).hasSize(2).allSatisfy(a -> assertThat(a.getValue().hasIntValue()).isTrue());
  }

  @Test
  void batchesDifferInIdsButAreDeterministic() {
    assertThat(TestbedData.traces(10, 1)).isEqualTo(TestbedData.traces(10, 1));
    assertThat(TestbedData.traces(10, 1).getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId())
        .isNotEqualTo(TestbedData.traces(10, 2).getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId());
  }

  @Test
  void metricsAndLogsHoldExactlyTheRequestedItems() {
    var metrics = TestbedData.metrics(101, 3).getResourceMetrics(0).getScopeMetrics(0).getMetricsList();
    assertThat(metrics.stream().mapToInt(m -> m.getGauge().getDataPointsCount()).sum()).isEqualTo(101);
    assertThat(TestbedData.logs(100, 3).getResourceLogs(0).getScopeLogs(0).getLogRecordsCount()).isEqualTo(100);
  }

  @Test
  void grpcFrameCarriesTheMessageLength() {
    byte[] framed = Sender.grpcFrame(new byte[300], false);
    assertThat(framed).hasSize(305);
    assertThat(framed[0]).isZero();
    assertThat(((framed[3] & 0xff) << 8) | (framed[4] & 0xff)).isEqualTo(300);
    assertThat(Sender.grpcFrame(new byte[300], true)[0]).isEqualTo((byte) 1);
  }

  @Test
  void readsShortAndIsoDurations() {
    assertThat(DurationConverter.parse("500ms").toMillis()).isEqualTo(500);
    assertThat(DurationConverter.parse("60s").toSeconds()).isEqualTo(60);
    assertThat(DurationConverter.parse("2m").toSeconds()).isEqualTo(120);
    assertThat(DurationConverter.parse("PT3S").toSeconds()).isEqualTo(3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurationConverter.parse("soon"))
        .hasMessageContaining("\"soon\" (expected: a duration");
  }
}
