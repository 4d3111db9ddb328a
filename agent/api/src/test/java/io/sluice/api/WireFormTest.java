package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Exemplar;
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
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The wire form: data decoded with {@code parse} is refused exactly when protobuf-java refuses the
 * bytes, counts the items protobuf-java's message holds, and is forwarded byte for byte.
 */
class WireFormTest {

  @Test
  void resourceEntriesOneAtATimeAreTheParsedRequestsEntriesInOrder() throws Exception {
    // Two requests joined by concatenation, with a field the schema does not know in between (kept
    // by the wire form, skipped when walking the entries).
    ByteArrayOutputStream unknown = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(unknown);
    out.writeString(99, "not an entry");
    out.flush();
    byte[] t = traces().toByteArray();
    byte[] wire = concat(t, unknown.toByteArray(), t);
    Traces traces = Traces.parse(wire, 0, wire.length);
    List<ResourceSpans> spans = new ArrayList<>();
    traces.forEachResourceSpans(spans::add);
    assertThat(spans).hasSize(4).isEqualTo(ExportTraceServiceRequest.parseFrom(wire).getResourceSpansList());
    List<ResourceSpans> again = new ArrayList<>();
    traces.forEachResourceSpans(again::add);
    assertThat(again).isEqualTo(spans);
    // Once parsed, the message's entries are handed out.
    traces.toProto();
    List<ResourceSpans> fromMessage = new ArrayList<>();
    traces.forEachResourceSpans(fromMessage::add);
    assertThat(fromMessage).isEqualTo(spans);
    assertThat(fromMessage.get(0)).isSameAs(traces.resourceSpans().get(0));

    byte[] m = metrics().toByteArray();
    List<ResourceMetrics> metrics = new ArrayList<>();
    Metrics.parse(m, 0, m.length).forEachResourceMetrics(metrics::add);
    assertThat(metrics).isEqualTo(metrics().getResourceMetricsList());
    byte[] l = logs().toByteArray();
    List<ResourceLogs> logs = new ArrayList<>();
    Logs.parse(l, 0, l.length).forEachResourceLogs(logs::add);
    assertThat(logs).isEqualTo(logs().getResourceLogsList());
    List<ResourceLogs> fromBuilt = new ArrayList<>();
    Logs.of(logs()).forEachResourceLogs(fromBuilt::add);
    assertThat(fromBuilt).isEqualTo(logs);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void validRequestsKeepTheirBytesAndCountTheirItems() throws IOException {
    byte[] t = traces().toByteArray();
    Traces traces = Traces.parse(t);
    assertThat(traces.itemCount()).isEqualTo(3);
    assertThat(traces.toByteArray()).isEqualTo(t);
    assertThat(traces.serializedSize()).isEqualTo(t.length);
    assertThat(traces.toProto()).isEqualTo(traces());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    traces.writeTo(out);
    assertThat(out.toByteArray()).isEqualTo(t);

    assertThat(Metrics.parse(metrics().toByteArray()).itemCount()).isEqualTo(Metrics.of(metrics()).itemCount()).isEqualTo(9);
    assertThat(Logs.parse(logs().toByteArray()).itemCount()).isEqualTo(2);
  }

  @Test
  void aSliceOfALargerArrayIsTheMessageInTheSlice() throws InvalidProtocolBufferException {
    byte[] t = traces().toByteArray();
    byte[] framed = new byte[t.length + 7];
    System.arraycopy(t, 0, framed, 5, t.length);
    Traces traces = Traces.parse(framed, 5, t.length);
    assertThat(traces.toByteArray()).isEqualTo(t);
    assertThat(traces.toProto()).isEqualTo(traces());
  }

  @Test
  void concatenatingEncodingsJoinsTheResourceEntriesWithoutParsing() throws InvalidProtocolBufferException {
    Traces a = Traces.parse(traces().toByteArray());
    Traces b = Traces.parse(traces().toByteArray());
    ClientMetadata tenant = ClientMetadata.of(java.util.Map.of("x-tenant", List.of("a")), null);
    Traces joined = Traces.concat(List.of(a, b), tenant);
    assertThat(joined.hasWire()).isTrue();
    assertThat(joined.itemCount()).isEqualTo(6);
    assertThat(joined.metadata()).isEqualTo(tenant);
    assertThat(joined.resourceSpans()).containsExactlyElementsOf(
        concat(traces().getResourceSpansList(), traces().getResourceSpansList()));

    // A part in the message form only: the messages are merged instead, so nothing is parsed again.
    Traces mixed = Traces.concat(List.of(a, Traces.of(traces())), ClientMetadata.EMPTY);
    assertThat(mixed.hasWire()).isFalse();
    assertThat(mixed.toProto()).isEqualTo(joined.toProto());
    assertThat(mixed.itemCount()).isEqualTo(6);
  }

  @Test
  void metadataTravelsWithTheWireForm() throws InvalidProtocolBufferException {
    byte[] t = traces().toByteArray();
    ClientMetadata tenant = ClientMetadata.of(java.util.Map.of("x-tenant", List.of("a")), null);
    Traces traces = Traces.parse(t).withMetadata(tenant);
    assertThat(traces.hasWire()).isTrue();
    assertThat(traces.toByteArray()).isEqualTo(t);
    assertThat(traces).isEqualTo(Traces.of(traces()).withMetadata(tenant));
  }

  @Test
  void refusesWhatProtobufRefuses() {
    // Span.name (field 5) holding an encoded surrogate, which builders refuse to set.
    byte[] badUtf8 = {0x2a, 0x03, (byte) 0xed, (byte) 0xa0, (byte) 0x80};
    byte[] request = wrap(wrap(wrap(badUtf8, 2), 2), 1);
    assertThatThrownBy(() -> ExportTraceServiceRequest.parseFrom(request)).isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> Traces.parse(request)).isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("UTF-8");

    for (byte[] bad : List.of(
        new byte[] {0x00}, // field 0
        new byte[] {0x0c}, // end-group with no group
        new byte[] {0x0e}, // wire type 6
        new byte[] {0x0a, 0x05, 0x01}, // a length past the end
        new byte[] {0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, // 11-byte varint
        new byte[] {(byte) 0xab, 0x02, 0x08, 0x01}, // an unknown group (field 37) never closed
        new byte[] {(byte) 0xab, 0x02, (byte) 0xb4, 0x02})) { // ... closed by another field's end-group
      assertThat(verdict(bad)).as(Arrays.toString(bad)).isEqualTo(protobufVerdict(bad)).isFalse();
    }
    byte[] group = {(byte) 0xab, 0x02, 0x08, 0x01, (byte) 0xac, 0x02};
    assertThat(verdict(group)).isEqualTo(protobufVerdict(group)).isTrue();
  }

  @Test
  void refusesNestingProtobufRefuses() {
    for (int depth = 95; depth <= 105; depth++) {
      AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
      for (int i = 0; i < depth; i++) {
        v = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build();
      }
      Span span = Span.newBuilder().addAttributes(KeyValue.newBuilder().setKey("k").setValue(v)).build();
      byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(
          ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build().toByteArray();
      assertThat(verdict(bytes)).as("depth %d", depth).isEqualTo(protobufVerdict(bytes));
    }
  }

  @Test
  void aMetricThatChangesTypeHoldsOnlyTheLastTypesPoints() throws InvalidProtocolBufferException {
    byte[] gauge = Metric.newBuilder().setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.getDefaultInstance()).addDataPoints(NumberDataPoint.getDefaultInstance())).build().toByteArray();
    byte[] sum = Metric.newBuilder().setSum(Sum.newBuilder().addDataPoints(NumberDataPoint.getDefaultInstance())).build().toByteArray();
    // gauge(2), sum(1), sum(1) again (merged: 2), then gauge(2): protobuf keeps only the last gauge.
    for (byte[][] parts : List.of(new byte[][] {gauge, sum}, new byte[][] {gauge, sum, sum}, new byte[][] {gauge, sum, sum, gauge},
        new byte[][] {sum, sum})) {
      byte[] metric = join(parts);
      byte[] request = wrap(wrap(wrap(metric, 2), 2), 1);
      ExportMetricsServiceRequest parsed = ExportMetricsServiceRequest.parseFrom(request);
      assertThat(Metrics.parse(request).itemCount()).isEqualTo(Metrics.of(parsed).itemCount());
    }
  }

  /** Random damage to valid requests of every signal: the verdicts and counts always agree. */
  @Test
  void agreesWithProtobufOnDamagedRequests() throws InvalidProtocolBufferException {
    Random random = new Random(Long.getLong("wireform.seed", 20261121));
    List<byte[]> seeds = List.of(traces().toByteArray(), metrics().toByteArray(), logs().toByteArray());
    int refused = 0;
    int runs = Integer.getInteger("wireform.runs", 30_000);
    for (int i = 0; i < runs; i++) {
      byte[] b = seeds.get(i % 3).clone();
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        switch (random.nextInt(4)) {
          case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
          case 1 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
          case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
          default -> {
            int at = random.nextInt(b.length + 1);
            byte[] c = new byte[b.length + 1];
            System.arraycopy(b, 0, c, 0, at);
            c[at] = (byte) random.nextInt(256);
            System.arraycopy(b, at, c, at + 1, b.length - at);
            b = c;
          }
        }
        if (b.length == 0) {
          break;
        }
      }
      for (Signal signal : Signal.values()) {
        boolean ok = protobufVerdict(signal, b);
        assertThat(verdict(signal, b)).as("%s %s", signal, Arrays.toString(b)).isEqualTo(ok);
        if (ok) {
          TelemetryData data = parse(signal, b);
          assertThat(data.itemCount()).isEqualTo(parsedCount(signal, b));
          assertThat(data.toByteArray()).isEqualTo(b);
        } else {
          refused++;
        }
      }
    }
    assertThat(refused).as("the damage must produce refusals too").isGreaterThan(runs / 3);
  }

  private static boolean verdict(byte[] b) {
    return verdict(Signal.TRACES, b);
  }

  private static boolean protobufVerdict(byte[] b) {
    return protobufVerdict(Signal.TRACES, b);
  }

  private static boolean verdict(Signal signal, byte[] b) {
    try {
      parse(signal, b);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static TelemetryData parse(Signal signal, byte[] b) throws InvalidProtocolBufferException {
    return switch (signal) {
      case TRACES -> Traces.parse(b);
      case METRICS -> Metrics.parse(b);
      case LOGS -> Logs.parse(b);
    };
  }

  private static boolean protobufVerdict(Signal signal, byte[] b) {
    try {
      parsedCount(signal, b);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static int parsedCount(Signal signal, byte[] b) throws InvalidProtocolBufferException {
    return switch (signal) {
      case TRACES -> Traces.of(ExportTraceServiceRequest.parseFrom(b)).itemCount();
      case METRICS -> Metrics.of(ExportMetricsServiceRequest.parseFrom(b)).itemCount();
      case LOGS -> Logs.of(ExportLogsServiceRequest.parseFrom(b)).itemCount();
    };
  }

  /** {@code message} as field {@code field} (length-delimited) of an enclosing message. */
  private static byte[] wrap(byte[] message, int field) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(field, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] join(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static List<KeyValue> attributes() {
    return List.of(
        kv("string", AnyValue.newBuilder().setStringValue("värde").build()),
        kv("bool", AnyValue.newBuilder().setBoolValue(true).build()),
        kv("int", AnyValue.newBuilder().setIntValue(-42).build()),
        kv("double", AnyValue.newBuilder().setDoubleValue(1.5).build()),
        kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {(byte) 0xff, 0})).build()),
        kv("array", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
            .addValues(AnyValue.newBuilder().setIntValue(1)).addValues(AnyValue.newBuilder().setStringValue("x"))).build()),
        kv("kvlist", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(kv("inner", AnyValue.newBuilder().setStringValue("y").build()))).build()));
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static Resource resource() {
    return Resource.newBuilder().addAllAttributes(attributes()).setDroppedAttributesCount(1).build();
  }

  private static InstrumentationScope scope() {
    return InstrumentationScope.newBuilder().setName("scope").setVersion("1.0").addAllAttributes(attributes()).build();
  }

  static ExportTraceServiceRequest traces() {
    ByteString trace = ByteString.copyFrom(new byte[16]);
    Span.Builder span = Span.newBuilder().setTraceId(trace).setSpanId(ByteString.copyFrom(new byte[8])).setName("GET /")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1).setEndTimeUnixNano(2).setFlags(0x301)
        .setTraceState("k=v").addAllAttributes(attributes())
        .addEvents(Span.Event.newBuilder().setName("event").setTimeUnixNano(1).addAllAttributes(attributes()))
        .addLinks(Span.Link.newBuilder().setTraceId(trace).setSpanId(ByteString.copyFrom(new byte[8])).setTraceState("a=b"))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"));
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource()).setSchemaUrl("https://schema")
            .addScopeSpans(ScopeSpans.newBuilder().setScope(scope()).addSpans(span).addSpans(span))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource()))
        .build();
  }

  static ExportMetricsServiceRequest metrics() {
    Exemplar exemplar = Exemplar.newBuilder().setAsDouble(1).setTimeUnixNano(3)
        .setTraceId(ByteString.copyFrom(new byte[16])).addFilteredAttributes(kv("e", AnyValue.newBuilder().setBoolValue(false).build()))
        .build();
    NumberDataPoint point = NumberDataPoint.newBuilder().addAllAttributes(attributes()).setStartTimeUnixNano(1)
        .setTimeUnixNano(2).setAsInt(7).addExemplars(exemplar).setFlags(1).build();
    List<Metric> metrics = List.of(
        Metric.newBuilder().setName("gauge").setUnit("1").setGauge(Gauge.newBuilder().addDataPoints(point).addDataPoints(point)).build(),
        Metric.newBuilder().setName("sum").setSum(Sum.newBuilder().setIsMonotonic(true)
            .setAggregationTemporality(io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(point)).build(),
        Metric.newBuilder().setName("histogram").setHistogram(Histogram.newBuilder().addDataPoints(HistogramDataPoint.newBuilder()
            .addAllBucketCounts(List.of(1L, 2L, 3L)).addAllExplicitBounds(List.of(0.5, 1.0)).setSum(3).setCount(6).setMin(0.1).setMax(9)
            .addExemplars(exemplar)).addDataPoints(HistogramDataPoint.getDefaultInstance())).build(),
        Metric.newBuilder().setName("exp").setExponentialHistogram(ExponentialHistogram.newBuilder().addDataPoints(
            ExponentialHistogramDataPoint.newBuilder().setScale(3).setZeroCount(1).setPositive(
                ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-2).addAllBucketCounts(List.of(1L, 300L)))
                .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().addBucketCounts(5)))).build(),
        Metric.newBuilder().setName("summary").setSummary(Summary.newBuilder().addDataPoints(SummaryDataPoint.newBuilder()
            .setCount(2).setSum(3).addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(1)))
            .addDataPoints(SummaryDataPoint.getDefaultInstance()).addDataPoints(SummaryDataPoint.getDefaultInstance())).build(),
        Metric.newBuilder().setName("empty").build());
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource())
        .addScopeMetrics(ScopeMetrics.newBuilder().setScope(scope()).addAllMetrics(metrics))).build();
  }

  static ExportLogsServiceRequest logs() {
    LogRecord record = LogRecord.newBuilder().setTimeUnixNano(1).setObservedTimeUnixNano(2).setSeverityNumberValue(9)
        .setSeverityText("INFO").setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(attributes())))
        .addAllAttributes(attributes()).setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
        .setFlags(1).setEventName("event").build();
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource())
        .addScopeLogs(ScopeLogs.newBuilder().setScope(scope()).addLogRecords(record).addLogRecords(record))).build();
  }
}
