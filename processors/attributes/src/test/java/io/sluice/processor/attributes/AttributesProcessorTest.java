package io.sluice.processor.attributes;

import static io.sluice.processor.attributes.internal.Actions.kv;
import static io.sluice.processor.attributes.internal.Actions.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentKind;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import io.sluice.processor.attributes.internal.ActionConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributesProcessorTest {
  private final TestContext context = new TestContext("attributes", ComponentKind.PROCESSOR, "traces");

  private static final List<ActionConfig> ACTIONS = List.of(
      new ActionConfig("tenant", null, "upsert", null, null, "metadata.x-tenant", null),
      new ActionConfig(null, "^secret", "delete", null, null, null, null));

  private AttributesProcessor processor(MatchConfig include, MatchConfig exclude) {
    AttributesConfig config = new AttributesConfig(ACTIONS, include, exclude);
    assertThat(config.validate()).isEmpty();
    return (AttributesProcessor) new AttributesProcessorFactory()
        .createProcessor(context, config, Signal.TRACES, new CapturingConsumer());
  }

  private static MatchConfig match(String type, List<String> services, List<String> spanNames) {
    return new MatchConfig(type, services, spanNames, List.of(), List.of(), null, List.of(), List.of(), List.of());
  }

  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(kv("service.name", str(service))).build();
  }

  private static Span span(String name, KeyValue... attrs) {
    return Span.newBuilder().setName(name).setKind(Span.SpanKind.SPAN_KIND_SERVER).addAllAttributes(List.of(attrs)).build();
  }

  private static Traces traces(String service, Span... spans) {
    return Traces.of(List.of(ResourceSpans.newBuilder().setResource(resource(service))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))).build()));
  }

  private static final ClientMetadata ACME = ClientMetadata.of(Map.of("x-tenant", List.of("acme")), null);

  @Test
  void goldenSpansWithIncludeAndExclude() {
    AttributesProcessor p = processor(match("regexp", List.of("^check"), List.of()), match("strict", List.of(), List.of("healthz")));
    Traces in = traces("checkout",
        span("GET /cart", kv("secret.token", str("x")), kv("http.method", str("GET"))),
        span("healthz", kv("secret.token", str("y"))),
        span("GET /other", kv("http.method", str("GET"))));

    TelemetryData out = p.process(in.withMetadata(ACME));

    assertThat(((Traces) out).toProto()).isEqualTo(traces("checkout",
        span("GET /cart", kv("http.method", str("GET")), kv("tenant", str("acme"))),
        span("healthz", kv("secret.token", str("y"))),
        span("GET /other", kv("http.method", str("GET")), kv("tenant", str("acme")))).toProto());
    assertThat(out.metadata()).isEqualTo(ACME);
    Span untouched = ((Traces) out).resourceSpans().get(0).getScopeSpans(0).getSpans(1);
    assertThat(untouched).as("an excluded span is passed on as the same object")
        .isSameAs(in.resourceSpans().get(0).getScopeSpans(0).getSpans(1));

    Traces otherService = traces("billing", span("GET /cart", kv("secret.token", str("x"))));
    assertThat(p.process(otherService)).as("not included: the same request").isSameAs(otherService);
  }

  @Test
  void metricDataPointsOfEveryTypeAreProcessed() {
    AttributesProcessor p = processor(
        new MatchConfig("strict", List.of(), List.of(), List.of(), List.of(), null, List.of("http.duration", "requests"), List.of(), List.of()),
        null);
    Metric sum = Metric.newBuilder().setName("requests").setSum(Sum.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setAsInt(1).addAttributes(kv("secret", str("s"))))).build();
    Metric hist = Metric.newBuilder().setName("http.duration").setHistogram(Histogram.newBuilder()
        .addDataPoints(HistogramDataPoint.newBuilder().setCount(3))).build();
    Metric other = Metric.newBuilder().setName("up").setSum(Sum.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setAsInt(1).addAttributes(kv("secret", str("s"))))).build();
    Metrics in = Metrics.of(List.of(ResourceMetrics.newBuilder().setResource(resource("api"))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(sum).addMetrics(hist).addMetrics(other)).build()));

    Metrics out = (Metrics) p.process(in.withMetadata(ACME));

    List<Metric> metrics = out.resourceMetrics().get(0).getScopeMetrics(0).getMetricsList();
    assertThat(metrics.get(0).getSum().getDataPoints(0).getAttributesList()).containsExactly(kv("tenant", str("acme")));
    assertThat(metrics.get(1).getHistogram().getDataPoints(0).getAttributesList()).containsExactly(kv("tenant", str("acme")));
    assertThat(metrics.get(2)).as("metric_names does not include up").isSameAs(other);
  }

  @Test
  void logsAreSelectedBySeverity() {
    AttributesProcessor p = processor(new MatchConfig("strict", List.of(), List.of(), List.of(), List.of(),
        new MatchConfig.SeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN_VALUE, false), List.of(), List.of(), List.of()), null);
    LogRecord info = LogRecord.newBuilder().setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO).addAttributes(kv("secret", str("a"))).build();
    LogRecord error = LogRecord.newBuilder().setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR).addAttributes(kv("secret", str("b"))).build();
    Logs in = Logs.of(List.of(ResourceLogs.newBuilder().setResource(resource("api"))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(info).addLogRecords(error)).build()));

    Logs out = (Logs) p.process(in);

    List<LogRecord> records = out.resourceLogs().get(0).getScopeLogs(0).getLogRecordsList();
    assertThat(records.get(0)).isSameAs(info);
    assertThat(records.get(1).getAttributesList()).as("no tenant metadata: only the delete applies").isEmpty();
  }

  private AttributesProcessor processor(ActionConfig... actions) {
    AttributesConfig config = new AttributesConfig(List.of(actions), null, null);
    assertThat(config.validate()).isEmpty();
    return (AttributesProcessor) new AttributesProcessorFactory()
        .createProcessor(context, config, Signal.TRACES, new CapturingConsumer());
  }

  private static KeyValue intKv(String key, long value) {
    return kv(key, AnyValue.newBuilder().setIntValue(value).build());
  }

  @Test
  void requestTheActionsDoNotChangeIsPassedOnAsTheSameObjects() {
    AttributesProcessor p = processor(new ActionConfig("env", null, "insert", "prod", null, null, null),
        new ActionConfig("absent", null, "update", "x", null, null, null),
        new ActionConfig("absent", null, "hash", null, null, null, null));
    Traces in = traces("api", span("a", kv("env", str("dev"))), span("b", kv("env", str("test"))));

    assertThat(p.process(in)).isSameAs(in);
  }

  @Test
  void testbedShapedSpansGetTheInsertAndTheHash() {
    AttributesProcessor p = processor(new ActionConfig("environment", null, "insert", "production", null, null, null),
        new ActionConfig("load_generator.trace_seq_num", null, "hash", null, null, null, null));
    KeyValue seq = intKv("load_generator.span_seq_num", 7);
    Span changed = span("load-generator-span", seq, intKv("load_generator.trace_seq_num", 1));
    Span appendOnly = span("other", seq);
    Traces in = traces("api", changed, appendOnly);

    Traces out = (Traces) p.process(in);

    List<Span> spans = out.resourceSpans().get(0).getScopeSpans(0).getSpansList();
    assertThat(spans.get(0)).isEqualTo(span("load-generator-span", seq,
        kv("load_generator.trace_seq_num", str("7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8")),
        kv("environment", str("production"))));
    assertThat(spans.get(1)).isEqualTo(span("other", seq, kv("environment", str("production"))));
    assertThat(spans.get(1).getAttributes(0)).as("existing attributes are passed on as the same objects").isSameAs(seq);
    assertThat(out.resourceSpans().get(0).getResource()).isSameAs(in.resourceSpans().get(0).getResource());
  }

  @Test
  void deletingAndAppendingRebuildsTheWholeAttributeList() {
    AttributesProcessor p = processor(new ActionConfig("a", null, "delete", null, null, null, null),
        new ActionConfig("x", null, "insert", 1, null, null, null),
        new ActionConfig("y", null, "insert", 2, null, null, null));
    Traces in = traces("api", span("s", kv("a", str("1")), kv("b", str("2"))));

    Traces out = (Traces) p.process(in);

    assertThat(out.resourceSpans().get(0).getScopeSpans(0).getSpans(0).getAttributesList())
        .containsExactly(kv("b", str("2")), intKv("x", 1), intKv("y", 2));
  }
}
