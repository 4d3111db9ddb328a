package io.sluice.bench.loadgen;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.SplittableRandom;

/**
 * Builds OTLP export requests shaped like the OpenTelemetry Collector testbed's
 * {@code PerfTestDataProvider}: spans of about 150 bytes (16-byte trace id, 8-byte span id, the
 * 19-character name {@code load-generator-span}, start and end time, two int attributes), log
 * records of similar size, and int gauge data points. Deterministic for a given {@code batchIndex}.
 */
public final class TestbedData {
  /** The span name the collector testbed uses; 19 characters. */
  public static final String SPAN_NAME = "load-generator-span";

  private static final long START_NANOS = 1_700_000_000_000_000_000L;

  private TestbedData() {}

  /** A request for the signal with {@code items} items (spans, data points or log records). */
  public static MessageLite request(BenchSignal signal, int items, long batchIndex) {
    return switch (signal) {
      case TRACES -> traces(items, batchIndex);
      case METRICS -> metrics(items, batchIndex);
      case LOGS -> logs(items, batchIndex);
    };
  }

  /** {@code spans} testbed spans in one resource and scope. */
  public static ExportTraceServiceRequest traces(int spans, long batchIndex) {
    SplittableRandom random = new SplittableRandom(batchIndex);
    ScopeSpans.Builder scope = ScopeSpans.newBuilder().setScope(scope());
    for (int i = 0; i < spans; i++) {
      long start = START_NANOS + batchIndex * 1_000_000_000L + i * 1000L;
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(randomBytes(random, 16))
              .setSpanId(randomBytes(random, 8))
              .setName(SPAN_NAME)
              .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(start + 1_000_000L)
              .addAttributes(intAttribute("load_generator.span_seq_num", batchIndex * spans + i))
              .addAttributes(intAttribute("load_generator.trace_seq_num", batchIndex))
              .build());
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource()).addScopeSpans(scope))
        .build();
  }

  /** {@code points} int gauge data points, two per metric, in one resource and scope. */
  public static ExportMetricsServiceRequest metrics(int points, long batchIndex) {
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder().setScope(scope());
    long time = START_NANOS + batchIndex * 1_000_000_000L;
    int metricIndex = 0;
    for (int done = 0; done < points; metricIndex++) {
      Gauge.Builder gauge = Gauge.newBuilder();
      for (int p = 0; p < 2 && done < points; p++, done++) {
        gauge.addDataPoints(
            NumberDataPoint.newBuilder()
                .setStartTimeUnixNano(START_NANOS)
                .setTimeUnixNano(time)
                .setAsInt(batchIndex * points + done)
                .addAttributes(intAttribute("item_index", done))
                .addAttributes(intAttribute("batch_index", batchIndex)));
      }
      scope.addMetrics(
          Metric.newBuilder().setName("load_generator_" + metricIndex).setUnit("1").setGauge(gauge));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource()).addScopeMetrics(scope))
        .build();
  }

  /** {@code records} log records in one resource and scope. */
  public static ExportLogsServiceRequest logs(int records, long batchIndex) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(scope());
    for (int i = 0; i < records; i++) {
      long seq = batchIndex * records + i;
      scope.addLogRecords(
          LogRecord.newBuilder()
              .setTimeUnixNano(START_NANOS + seq * 1000L)
              .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
              .setSeverityText("INFO")
              .setBody(AnyValue.newBuilder().setStringValue("Load Generator Counter #" + seq))
              .addAttributes(intAttribute("load_generator.span_seq_num", seq))
              .addAttributes(intAttribute("load_generator.trace_seq_num", batchIndex)));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource()).addScopeLogs(scope))
        .build();
  }

  private static Resource resource() {
    return Resource.newBuilder()
        .addAttributes(
            KeyValue.newBuilder()
                .setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("sluice-loadgen")))
        .build();
  }

  private static InstrumentationScope scope() {
    return InstrumentationScope.newBuilder().setName("sluice-loadgen").build();
  }

  private static KeyValue intAttribute(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  /** An attribute; for benchmarks that build data of other shapes. */
  public static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  /** A string value. */
  public static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  /** {@code n} random bytes, e.g. a trace or span id. */
  public static ByteString randomBytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }
}
