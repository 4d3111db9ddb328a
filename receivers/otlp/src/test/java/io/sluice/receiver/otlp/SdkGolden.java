package io.sluice.receiver.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Telemetry made with the OpenTelemetry Java SDK, covering every kind of field, and the SDK's own
 * protobuf and JSON encodings of it: the golden data the receiver's output is compared with.
 */
public final class SdkGolden {
  public static final Resource RESOURCE = Resource.create(Attributes.builder()
      .put("service.name", "golden")
      .put("service.instance.id", "i-1")
      .build());
  public static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("io.sluice.golden")
      .setVersion("1.2.3").setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
      .setAttributes(Attributes.of(AttributeKey.stringKey("scope.attr"), "s")).build();

  private SdkGolden() {}

  public static Attributes everyAttributeType() {
    return Attributes.builder()
        .put("str", "value")
        .put("bool", true)
        .put("long", Long.MIN_VALUE)
        .put("double", 3.25)
        .put(AttributeKey.stringArrayKey("str.array"), List.of("a", "", "c"))
        .put(AttributeKey.booleanArrayKey("bool.array"), List.of(true, false))
        .put(AttributeKey.longArrayKey("long.array"), List.of(1L, Long.MAX_VALUE))
        .put(AttributeKey.doubleArrayKey("double.array"), List.of(-0.5, 1e300))
        .put(AttributeKey.valueKey("bytes"), Value.of(new byte[] {0, 1, (byte) 0xff}))
        .put(AttributeKey.valueKey("kvlist"), Value.of(
            KeyValue.of("k1", Value.of("v")), KeyValue.of("k2", Value.of(Value.of(7L), Value.of(false)))))
        .build();
  }

  public static List<SpanData> spans() {
    List<SpanData> out = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(RESOURCE)
        .addSpanProcessor(SimpleSpanProcessor.create(new Recording(out)))
        .build();
    Tracer tracer = provider.tracerBuilder(SCOPE.getName()).setInstrumentationVersion(SCOPE.getVersion())
        .setSchemaUrl(SCOPE.getSchemaUrl()).build();
    SpanContext remoteParent = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.builder().put("vendor", "v1").put("other", "x").build());
    SpanContext linked = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7", TraceFlags.getDefault(), TraceState.builder().put("l", "1").build());
    Span server = tracer.spanBuilder("GET /orders")
        .setParent(Context.root().with(Span.wrap(remoteParent)))
        .setSpanKind(SpanKind.SERVER)
        .setAllAttributes(everyAttributeType())
        .addLink(linked, Attributes.of(AttributeKey.stringKey("link.attr"), "l"))
        .setStartTimestamp(1_700_000_000_123_456_789L, java.util.concurrent.TimeUnit.NANOSECONDS)
        .startSpan();
    try (Scope ignored = server.makeCurrent()) {
      Span child = tracer.spanBuilder("SELECT").setSpanKind(SpanKind.CLIENT).startSpan();
      child.addEvent("row", Attributes.of(AttributeKey.longKey("n"), 3L));
      child.recordException(new IllegalStateException("boom"));
      child.setStatus(StatusCode.ERROR, "db down");
      child.end();
      for (SpanKind kind : List.of(SpanKind.INTERNAL, SpanKind.PRODUCER, SpanKind.CONSUMER)) {
        tracer.spanBuilder(kind.name()).setSpanKind(kind).startSpan().end();
      }
    }
    server.setStatus(StatusCode.OK);
    server.end(1_700_000_001_000_000_000L, java.util.concurrent.TimeUnit.NANOSECONDS);
    provider.close();
    return new ArrayList<>(out);
  }

  public static List<MetricData> metrics() {
    Collector reader = new Collector();
    SdkMeterProvider provider = SdkMeterProvider.builder()
        .setResource(RESOURCE)
        .setExemplarFilter(io.opentelemetry.sdk.metrics.ExemplarFilter.alwaysOn())
        .registerMetricReader(reader)
        .registerView(InstrumentSelector.builder().setName("exp.histogram").build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
        .build();
    Meter meter = provider.meterBuilder(SCOPE.getName()).setInstrumentationVersion(SCOPE.getVersion()).build();
    SdkTracerProvider tracing = SdkTracerProvider.builder().build();
    Span span = tracing.get("x").spanBuilder("exemplar").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      meter.counterBuilder("requests").setUnit("1").setDescription("monotonic sum").build()
          .add(5, Attributes.of(AttributeKey.stringKey("route"), "/a"));
      meter.upDownCounterBuilder("in.flight").ofDoubles().build().add(-2.5);
      meter.gaugeBuilder("temperature").build().set(21.5, Attributes.of(AttributeKey.booleanKey("indoor"), true));
      meter.gaugeBuilder("queue.size").ofLongs().build().set(42);
      var h = meter.histogramBuilder("latency").setUnit("ms").build();
      for (double v : new double[] {0.5, 7, 250, 9000}) {
        h.record(v, Attributes.of(AttributeKey.stringKey("route"), "/a"));
      }
      var e = meter.histogramBuilder("exp.histogram").build();
      for (double v : new double[] {0, 0.001, 1, 2, 1000}) {
        e.record(v);
      }
    } finally {
      span.end();
    }
    Collection<MetricData> data = reader.collect();
    provider.close();
    tracing.close();
    return new ArrayList<>(data);
  }

  public static List<LogRecordData> logs() {
    List<LogRecordData> out = new CopyOnWriteArrayList<>();
    SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(RESOURCE)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(new RecordingLogs(out)))
        .build();
    Logger logger = provider.loggerBuilder(SCOPE.getName()).setInstrumentationVersion(SCOPE.getVersion()).build();
    SpanContext sc = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.getDefault());
    List<Value<?>> bodies = List.of(
        Value.of("plain text"), Value.of(true), Value.of(12L), Value.of(0.25), Value.of(new byte[] {9, 8}),
        Value.of(Value.of("a"), Value.of(1L)),
        Value.of(Map.of("nested", Value.of(KeyValue.of("deep", Value.of("x"))))),
        Value.empty());
    long t = 1_700_000_000_000_000_001L;
    for (Value<?> body : bodies) {
      logger.logRecordBuilder()
          .setTimestamp(t++, java.util.concurrent.TimeUnit.NANOSECONDS)
          .setObservedTimestamp(t++, java.util.concurrent.TimeUnit.NANOSECONDS)
          .setContext(Context.root().with(Span.wrap(sc)))
          .setSeverity(Severity.WARN2)
          .setSeverityText("WARN")
          .setEventName("golden.event")
          .setAllAttributes(everyAttributeType())
          .setBody(body)
          .emit();
    }
    provider.close();
    return new ArrayList<>(out);
  }

  /** Golden traces, metrics (with a hand-made summary) and logs, as pipeline data. */
  public static List<io.sluice.api.TelemetryData> pipelineData() throws IOException {
    return List.of(
        io.sluice.api.Traces.of(protoOfSpans(spans())),
        io.sluice.api.Metrics.of(protoOfMetrics(metrics()).toBuilder()
            .addAllResourceMetrics(Payloads.summaryMetrics().getResourceMetricsList()).build()),
        io.sluice.api.Logs.of(protoOfLogs(logs())));
  }

  /**
   * Asserts that {@code received} holds exactly {@code sent}, message for message (protobuf message
   * equality, unknown fields included) and, decoded again from the bytes that arrived, still equal.
   * Not byte for byte: data that nobody parsed travels in the sender's encoding, which need not be
   * protobuf-java's (the OpenTelemetry SDK's marshalers write fields in another order).
   */
  public static void assertArrivedIntact(List<io.sluice.api.TelemetryData> received, List<io.sluice.api.TelemetryData> sent) {
    org.assertj.core.api.Assertions.assertThat(received).hasSameSizeAs(sent);
    for (int i = 0; i < sent.size(); i++) {
      io.sluice.api.TelemetryData got = received.get(i);
      org.assertj.core.api.Assertions.assertThat(got.signal()).isEqualTo(sent.get(i).signal());
      org.assertj.core.api.Assertions.assertThat(got.withMetadata(io.sluice.api.ClientMetadata.EMPTY)).isEqualTo(sent.get(i));
      org.assertj.core.api.Assertions.assertThat(reparse(got)).isEqualTo(sent.get(i));
      org.assertj.core.api.Assertions.assertThat(got.itemCount()).isEqualTo(sent.get(i).itemCount());
    }
  }

  private static io.sluice.api.TelemetryData reparse(io.sluice.api.TelemetryData data) {
    try {
      byte[] bytes = data.toByteArray();
      return switch (data.signal()) {
        case TRACES -> io.sluice.api.Traces.of(ExportTraceServiceRequest.parseFrom(bytes));
        case METRICS -> io.sluice.api.Metrics.of(ExportMetricsServiceRequest.parseFrom(bytes));
        case LOGS -> io.sluice.api.Logs.of(io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.parseFrom(bytes));
      };
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError("arrived bytes do not parse: " + e.getMessage(), e);
    }
  }

  /** The OpenTelemetry SDK's own encoding of {@code spans}, as its exporters send it. */
  public static byte[] bytesOfSpans(Collection<SpanData> spans) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return out.toByteArray();
  }

  public static ExportTraceServiceRequest protoOfSpans(Collection<SpanData> spans) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return ExportTraceServiceRequest.parseFrom(out.toByteArray());
  }

  public static ExportMetricsServiceRequest protoOfMetrics(Collection<MetricData> metrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MetricsRequestMarshaler.create(metrics).writeBinaryTo(out);
    return ExportMetricsServiceRequest.parseFrom(out.toByteArray());
  }

  public static ExportLogsServiceRequest protoOfLogs(Collection<LogRecordData> logs) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogsRequestMarshaler.create(logs).writeBinaryTo(out);
    return ExportLogsServiceRequest.parseFrom(out.toByteArray());
  }

  /** The SDK's own OTLP JSON encoding of spans. */
  public static String jsonOfSpans(Collection<SpanData> spans) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeJsonTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String jsonOfMetrics(Collection<MetricData> metrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MetricsRequestMarshaler.create(metrics).writeJsonTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String jsonOfLogs(Collection<LogRecordData> logs) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogsRequestMarshaler.create(logs).writeJsonTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private record Recording(List<SpanData> out) implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      out.addAll(spans);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  private record RecordingLogs(List<LogRecordData> out) implements LogRecordExporter {
    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      out.addAll(logs);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** A pull reader the test collects from once. */
  private static final class Collector implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
