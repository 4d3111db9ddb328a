package io.sluice.receiver.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

/** Hand-made request bodies for the bad-input and status tests. */
public final class Payloads {
  private Payloads() {}

  /** A request with {@code n} spans. */
  public static ExportTraceServiceRequest spans(int n) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) i}))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i}))
          .setName("span-" + i)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setEndTimeUnixNano(1_700_000_000_100_000_000L + i));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("payloads"))))
            .addScopeSpans(scope))
        .build();
  }

  /** Metrics with a summary and an exemplar, which the SDK does not produce. */
  public static io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest summaryMetrics() {
    var summary = io.opentelemetry.proto.metrics.v1.Metric.newBuilder().setName("rpc.duration").setUnit("s")
        .setSummary(io.opentelemetry.proto.metrics.v1.Summary.newBuilder().addDataPoints(
            io.opentelemetry.proto.metrics.v1.SummaryDataPoint.newBuilder()
                .setStartTimeUnixNano(1).setTimeUnixNano(2).setCount(10).setSum(12.5).setFlags(1)
                .addQuantileValues(io.opentelemetry.proto.metrics.v1.SummaryDataPoint.ValueAtQuantile.newBuilder()
                    .setQuantile(0.99).setValue(3.5))
                .addAttributes(KeyValue.newBuilder().setKey("rpc").setValue(AnyValue.newBuilder().setStringValue("get")))));
    var gauge = io.opentelemetry.proto.metrics.v1.Metric.newBuilder().setName("g")
        .setGauge(io.opentelemetry.proto.metrics.v1.Gauge.newBuilder().addDataPoints(
            io.opentelemetry.proto.metrics.v1.NumberDataPoint.newBuilder().setAsInt(-3).setTimeUnixNano(5)
                .addExemplars(io.opentelemetry.proto.metrics.v1.Exemplar.newBuilder().setAsDouble(1.5).setTimeUnixNano(4)
                    .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                    .addFilteredAttributes(KeyValue.newBuilder().setKey("f").setValue(AnyValue.newBuilder().setBoolValue(true))))));
    return io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder().setSchemaUrl("https://s")
            .addScopeMetrics(io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder().addMetrics(summary).addMetrics(gauge)))
        .build();
  }

  /** {@code size} zero bytes, gzipped: a few KiB that expand to {@code size}. */
  public static byte[] gzipBomb(int size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[64 * 1024];
      for (int written = 0; written < size; written += zeros.length) {
        gz.write(zeros);
      }
    }
    return out.toByteArray();
  }
}
