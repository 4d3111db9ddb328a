package io.sluice.exporter.jaeger;

import static io.sluice.exporter.jaeger.Otlp.array;
import static io.sluice.exporter.jaeger.Otlp.bool;
import static io.sluice.exporter.jaeger.Otlp.bytes;
import static io.sluice.exporter.jaeger.Otlp.dbl;
import static io.sluice.exporter.jaeger.Otlp.hex;
import static io.sluice.exporter.jaeger.Otlp.integer;
import static io.sluice.exporter.jaeger.Otlp.kv;
import static io.sluice.exporter.jaeger.Otlp.kvlist;
import static io.sluice.exporter.jaeger.Otlp.resourceSpans;
import static io.sluice.exporter.jaeger.Otlp.scope;
import static io.sluice.exporter.jaeger.Otlp.str;
import static io.sluice.exporter.jaeger.Otlp.traces;
import static org.assertj.core.api.Assertions.assertThat;

import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Log;
import io.jaegertracing.thriftjava.Process;
import io.jaegertracing.thriftjava.Span;
import io.jaegertracing.thriftjava.SpanRef;
import io.jaegertracing.thriftjava.SpanRefType;
import io.jaegertracing.thriftjava.Tag;
import io.jaegertracing.thriftjava.TagType;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span.Event;
import io.opentelemetry.proto.trace.v1.Span.Link;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.sluice.api.ComponentKind;
import io.sluice.api.Exporter;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.jaeger.JaegerConfig.AuthConfig;
import io.sluice.exporter.jaeger.JaegerConfig.Protocol;
import io.sluice.exporter.jaeger.JaegerConfig.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The golden mapping table: every rule of the OpenTelemetry → Jaeger transformation, one OTLP
 * input and the Jaeger Thrift it must become, checked on the bytes actually sent over both
 * transports and decoded with the official jaeger-thrift classes (binary protocol from the HTTP
 * body, compact protocol from the UDP datagram).
 */
class JaegerMappingTest {
  @RegisterExtension static final FakeCollector collector = new FakeCollector();

  static final String TRACE_HEX = "ff00000000000001 8000000000000002";
  static final long TRACE_HIGH = 0xff00000000000001L;
  static final long TRACE_LOW = 0x8000000000000002L;
  static final String SPAN_HEX = "fedcba9876543210";
  static final long SPAN_ID = 0xfedcba9876543210L;
  static final String PARENT_HEX = "0000000000000abc";
  static final long PARENT_ID = 0xabcL;
  static final long START_NANOS = 1_700_000_000_123_456_789L;
  static final long START_MICROS = 1_700_000_000_123_456L;
  static final InstrumentationScope NO_SCOPE = InstrumentationScope.getDefaultInstance();
  static final List<KeyValue> SVC = List.of(kv("service.name", "svc"));

  static FakeAgent agent;
  static Exporter http;
  static Exporter udp;

  /** One rule: an OTLP resource and what the decoded Batch must equal. */
  record Case(String name, ResourceSpans input, Batch expected) {}

  @BeforeAll
  static void start() throws Exception {
    agent = new FakeAgent();
    http = exporter(Protocol.THRIFT_HTTP, collector.endpoint(), 65000);
    udp = exporter(Protocol.THRIFT_COMPACT_UDP, agent.endpoint(), 65000);
  }

  @AfterAll
  static void stop() throws Exception {
    http.shutdown();
    udp.shutdown();
    agent.close();
  }

  static Exporter exporter(Protocol protocol, String endpoint, int maxPacket) throws Exception {
    JaegerConfig config = new JaegerConfig(protocol, endpoint, Map.of(), AuthConfig.defaults(),
        TlsConfig.defaults(), DataSize.ofBytes(maxPacket));
    Exporter e = new JaegerExporterFactory().createExporter(
        new TestContext("jaeger", ComponentKind.EXPORTER), config, Signal.TRACES);
    e.start();
    return e;
  }

  // ---- the table ----

  static io.opentelemetry.proto.trace.v1.Span.Builder otlp() {
    return io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(hex(TRACE_HEX))
        .setSpanId(hex(SPAN_HEX))
        .setName("op")
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(START_NANOS + 1_500_999);
  }

  static Span jaeger() {
    return new Span(TRACE_LOW, TRACE_HIGH, SPAN_ID, 0, "op", 0, START_MICROS, 1500);
  }

  static Tag s(String key, String value) {
    return new Tag(key, TagType.STRING).setVStr(value);
  }

  static Tag l(String key, long value) {
    return new Tag(key, TagType.LONG).setVLong(value);
  }

  static Tag b(String key, boolean value) {
    return new Tag(key, TagType.BOOL).setVBool(value);
  }

  static Case span(String name, UnaryOperator<io.opentelemetry.proto.trace.v1.Span.Builder> in,
      UnaryOperator<Span> out) {
    return new Case(name, resourceSpans(SVC, NO_SCOPE, in.apply(otlp()).build()),
        new Batch(new Process("svc"), List.of(out.apply(jaeger()))));
  }

  static Case tagged(String name, UnaryOperator<io.opentelemetry.proto.trace.v1.Span.Builder> in, Tag... tags) {
    return span(name, in, j -> j.setTags(List.of(tags)));
  }

  static List<Case> table() {
    List<Case> t = new ArrayList<>();
    t.add(span("ids as big-endian signed i64, times in microseconds (truncated), no parent, no tags",
        x -> x, j -> j));
    t.add(span("parent id is parentSpanId and the first reference, CHILD_OF",
        x -> x.setParentSpanId(hex(PARENT_HEX)),
        j -> j.setParentSpanId(PARENT_ID)
            .setReferences(List.of(new SpanRef(SpanRefType.CHILD_OF, TRACE_LOW, TRACE_HIGH, PARENT_ID)))));
    t.add(span("links are FOLLOWS_FROM references after the parent; opentracing.ref_type=child_of is CHILD_OF",
        x -> x.setParentSpanId(hex(PARENT_HEX))
            .addLinks(Link.newBuilder().setTraceId(hex("00000000000000010000000000000002")).setSpanId(hex("0000000000000003"))
                .addAttributes(kv("k", "v")))
            .addLinks(Link.newBuilder().setTraceId(hex(TRACE_HEX)).setSpanId(hex("0000000000000004"))
                .addAttributes(kv("opentracing.ref_type", "child_of"))),
        j -> j.setParentSpanId(PARENT_ID).setReferences(List.of(
            new SpanRef(SpanRefType.CHILD_OF, TRACE_LOW, TRACE_HIGH, PARENT_ID),
            new SpanRef(SpanRefType.FOLLOWS_FROM, 2, 1, 3),
            new SpanRef(SpanRefType.CHILD_OF, TRACE_LOW, TRACE_HIGH, 4)))));
    t.add(span("a link to the parent sets the parent reference's type instead of adding one",
        x -> x.setParentSpanId(hex(PARENT_HEX))
            .addLinks(Link.newBuilder().setTraceId(hex(TRACE_HEX)).setSpanId(hex(PARENT_HEX))),
        j -> j.setParentSpanId(PARENT_ID)
            .setReferences(List.of(new SpanRef(SpanRefType.FOLLOWS_FROM, TRACE_LOW, TRACE_HIGH, PARENT_ID)))));
    t.add(tagged("kind CLIENT", x -> x.setKind(SpanKind.SPAN_KIND_CLIENT), s("span.kind", "client")));
    t.add(tagged("kind SERVER", x -> x.setKind(SpanKind.SPAN_KIND_SERVER), s("span.kind", "server")));
    t.add(tagged("kind PRODUCER", x -> x.setKind(SpanKind.SPAN_KIND_PRODUCER), s("span.kind", "producer")));
    t.add(tagged("kind CONSUMER", x -> x.setKind(SpanKind.SPAN_KIND_CONSUMER), s("span.kind", "consumer")));
    t.add(span("kind INTERNAL has no span.kind tag", x -> x.setKind(SpanKind.SPAN_KIND_INTERNAL), j -> j));
    t.add(tagged("status OK", x -> x.setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_OK)),
        s("otel.status_code", "OK")));
    t.add(tagged("status ERROR: code, error=true overriding an error attribute, description",
        x -> x.addAttributes(kv("a", "1")).addAttributes(kv("error", bool(false)))
            .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR).setMessage("boom")),
        s("a", "1"), s("otel.status_code", "ERROR"), b("error", true), s("otel.status_description", "boom")));
    t.add(span("status UNSET is not reported, even with a message",
        x -> x.setStatus(Status.newBuilder().setMessage("ignored")), j -> j));
    t.add(new Case("scope name and version (with the deprecated otel.library aliases) and scope attributes",
        resourceSpans(SVC, scope("io.sluice.test", "1.2.3", kv("scope.attr", "x")), otlp().build()),
        new Batch(new Process("svc"), List.of(jaeger().setTags(List.of(
            s("otel.scope.name", "io.sluice.test"), s("otel.library.name", "io.sluice.test"),
            s("otel.scope.version", "1.2.3"), s("otel.library.version", "1.2.3"), s("scope.attr", "x")))))));
    t.add(tagged("attributes by type; arrays and maps as JSON strings",
        x -> x.addAttributes(kv("str", "text"))
            .addAttributes(kv("bool", bool(true)))
            .addAttributes(kv("long", integer(-42)))
            .addAttributes(kv("double", dbl(2.5)))
            .addAttributes(kv("bytes", bytes((byte) 1, (byte) 0xff)))
            .addAttributes(kv("array", array(str("a\"b"), integer(1), bool(false), dbl(0.5),
                bytes((byte) 0xff), AnyValue.getDefaultInstance())))
            .addAttributes(kv("map", kvlist(kv("k", "v"), kv("n", kvlist(kv("x", array(integer(1), integer(2))))))))
            .addAttributes(kv("empty", AnyValue.getDefaultInstance())),
        s("str", "text"), b("bool", true), l("long", -42),
        new Tag("double", TagType.DOUBLE).setVDouble(2.5),
        new Tag("bytes", TagType.BINARY).setVBinary(new byte[] {1, (byte) 0xff}),
        s("array", "[\"a\\\"b\",1,false,0.5,\"/w==\",null]"),
        s("map", "{\"k\":\"v\",\"n\":{\"x\":[1,2]}}"),
        s("empty", "")));
    t.add(span("events are logs: timestamp in µs, name as the event field, attributes, dropped count; an event attribute wins",
        x -> x
            .addEvents(Event.newBuilder().setName("exception").setTimeUnixNano(START_NANOS + 2_000)
                .addAttributes(kv("exception.type", "IOException")).addAttributes(kv("n", integer(7))))
            .addEvents(Event.newBuilder().setName("ignored name").setTimeUnixNano(START_NANOS + 3_999)
                .addAttributes(kv("event", "from attribute")))
            .addEvents(Event.newBuilder().setTimeUnixNano(START_NANOS).setDroppedAttributesCount(2)),
        j -> j.setLogs(List.of(
            new Log(START_MICROS + 2, List.of(s("event", "exception"), s("exception.type", "IOException"), l("n", 7))),
            // 123_456_789 ns + 3_999 ns = 123_460_788 ns, truncated to 123_460 µs
            new Log(START_MICROS + 4, List.of(s("event", "from attribute"))),
            new Log(START_MICROS, List.of(l("otel.dropped_attributes_count", 2)))))));
    t.add(tagged("dropped attribute, event and link counts",
        x -> x.setDroppedAttributesCount(3).setDroppedEventsCount(4).setDroppedLinksCount(5),
        l("otel.dropped_attributes_count", 3), l("otel.dropped_events_count", 4), l("otel.dropped_links_count", 5)));
    t.add(tagged("trace state as w3c.tracestate", x -> x.setTraceState("vendor=a,other=b"),
        s("w3c.tracestate", "vendor=a,other=b")));
    t.add(span("the sampled trace flag becomes Jaeger's sampled flag; other bits are not copied",
        x -> x.setFlags(0x301), j -> j.setFlags(1)));
    t.add(span("an end before the start gives duration 0",
        x -> x.setEndTimeUnixNano(START_NANOS - 5_000), j -> j.setDuration(0)));
    t.add(new Case("service.name is the process's service name; other resource attributes are process tags",
        resourceSpans(List.of(kv("host.name", "h1"), kv("service.name", "checkout"), kv("pid", integer(12))),
            NO_SCOPE, otlp().build()),
        new Batch(new Process("checkout").setTags(List.of(s("host.name", "h1"), l("pid", 12))), List.of(jaeger()))));
    t.add(new Case("no service.name gives unknown_service",
        resourceSpans(List.of(kv("host.name", "h1")), NO_SCOPE, otlp().build()),
        new Batch(new Process("unknown_service").setTags(List.of(s("host.name", "h1"))), List.of(jaeger()))));
    t.add(new Case("a service.name that is not a string gives unknown_service and stays a tag",
        resourceSpans(List.of(kv("service.name", integer(5))), NO_SCOPE, otlp().build()),
        new Batch(new Process("unknown_service").setTags(List.of(l("service.name", 5))), List.of(jaeger()))));
    t.add(new Case("several scopes of one resource share one batch",
        ResourceSpans.newBuilder()
            .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder().addAllAttributes(SVC))
            .addScopeSpans(ScopeSpans.newBuilder().setScope(scope("a", "")).addSpans(otlp().setName("one")))
            .addScopeSpans(ScopeSpans.newBuilder().setScope(scope("b", "")).addSpans(otlp().setName("two")))
            .build(),
        new Batch(new Process("svc"), List.of(
            jaeger().setOperationName("one").setTags(List.of(s("otel.scope.name", "a"), s("otel.library.name", "a"))),
            jaeger().setOperationName("two").setTags(List.of(s("otel.scope.name", "b"), s("otel.library.name", "b")))))));
    return t;
  }

  @TestFactory
  Stream<DynamicContainer> everyRuleOverBothTransports() {
    return Stream.of(
        DynamicContainer.dynamicContainer("thrift_http", table().stream().map(c ->
            DynamicTest.dynamicTest(c.name(), () -> assertThat(viaHttp(c.input())).containsExactly(c.expected())))),
        DynamicContainer.dynamicContainer("thrift_compact_udp", table().stream().map(c ->
            DynamicTest.dynamicTest(c.name(), () -> assertThat(viaUdp(c.input())).containsExactly(c.expected())))));
  }

  @Test
  void oneBatchPerResourceAndNoneForAResourceWithoutSpans() throws Exception {
    Traces t = traces(
        resourceSpans(List.of(kv("service.name", "a")), NO_SCOPE, otlp().build()),
        resourceSpans(List.of(kv("service.name", "empty")), NO_SCOPE),
        resourceSpans(List.of(kv("service.name", "b")), NO_SCOPE, otlp().build(), otlp().setName("x").build()));
    collector.reset();
    http.push(t).get();
    assertThat(collector.accepted()).extracting(r -> r.batch().getProcess().getServiceName())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(collector.accepted()).extracting(r -> r.batch().getSpansSize()).containsExactlyInAnyOrder(1, 2);
    assertThat(collector.accepted()).allSatisfy(r -> assertThat(r.headers().contentType())
        .hasToString("application/vnd.apache.thrift.binary"));
  }

  static List<Batch> viaHttp(ResourceSpans rs) throws Exception {
    collector.reset();
    http.push(traces(rs)).get();
    return collector.accepted().stream().map(FakeCollector.Received::batch).toList();
  }

  static List<Batch> viaUdp(ResourceSpans rs) throws Exception {
    agent.reset();
    udp.push(traces(rs)).get();
    await(() -> !agent.batches().isEmpty());
    assertThat(agent.errors()).isEmpty();
    return agent.batches();
  }

  /** Polls up to 30 s. */
  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
