package io.sluice.exporter.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Log;
import io.jaegertracing.thriftjava.Span;
import io.jaegertracing.thriftjava.SpanRef;
import io.jaegertracing.thriftjava.SpanRefType;
import io.jaegertracing.thriftjava.Tag;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sluice.api.Traces;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Realistic spans from the OpenTelemetry Java SDK (every attribute type, events, links, an error),
 * serialized by the SDK's own OTLP marshaler, sent over both transports and compared field by
 * field with the SDK's {@link SpanData}.
 */
class SdkSpansTest {

  static List<SpanData> produce() {
    List<SpanData> finished = new CopyOnWriteArrayList<>();
    SpanExporter capture = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        finished.addAll(spans);
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
    };
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "shop",
            AttributeKey.stringKey("deployment.environment.name"), "test"))))
        .addSpanProcessor(SimpleSpanProcessor.create(capture))
        .build()) {
      Tracer tracer = provider.get("io.sluice.test", "9.9.9");
      io.opentelemetry.api.trace.Span other = tracer.spanBuilder("other").startSpan();
      other.end();
      io.opentelemetry.api.trace.Span root = tracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER)
          .setAttribute("http.response.status_code", 500L)
          .setAttribute("sampled.ratio", 0.25)
          .setAttribute("retry", true)
          .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
          .setAttribute(AttributeKey.longArrayKey("ports"), List.of(80L, 443L))
          .startSpan();
      io.opentelemetry.api.trace.Span child = tracer.spanBuilder("SELECT orders")
          .setParent(Context.root().with(root))
          .setSpanKind(SpanKind.CLIENT)
          .addLink(other.getSpanContext(), Attributes.of(AttributeKey.stringKey("why"), "batch"))
          .startSpan();
      child.addEvent("cache miss", Attributes.of(AttributeKey.longKey("attempt"), 2L));
      child.recordException(new IllegalStateException("db down"));
      child.setStatus(StatusCode.ERROR, "db down");
      child.end();
      root.setStatus(StatusCode.OK);
      root.end();
      provider.forceFlush().join(10, TimeUnit.SECONDS);
    }
    return new ArrayList<>(finished);
  }

  static Traces toOtlp(List<SpanData> spans) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return Traces.of(ExportTraceServiceRequest.parseFrom(out.toByteArray()));
  }

  @Test
  void sdkSpansSurviveHttpAndUdpFieldByField() throws Exception {
    List<SpanData> spans = produce();
    assertThat(spans).hasSize(3);
    Traces traces = toOtlp(spans);

    FakeCollector collector = new FakeCollector();
    try (FakeAgent agent = new FakeAgent()) {
      collector.start();
      var http = JaegerMappingTest.exporter(JaegerConfig.Protocol.THRIFT_HTTP, collector.endpoint(), 65000);
      var udp = JaegerMappingTest.exporter(JaegerConfig.Protocol.THRIFT_COMPACT_UDP, agent.endpoint(), 65000);
      try {
        http.push(traces).get();
        udp.push(traces).get();
        JaegerMappingTest.await(() -> agent.spans() >= 3);
        List<Batch> viaHttp = collector.accepted().stream().map(FakeCollector.Received::batch).toList();
        check(spans, viaHttp);
        check(spans, agent.batches());
      } finally {
        http.shutdown();
        udp.shutdown();
        collector.stop();
      }
    }
  }

  private static void check(List<SpanData> expected, List<Batch> batches) {
    assertThat(batches).hasSize(1);
    Batch batch = batches.get(0);
    assertThat(batch.getProcess().getServiceName()).isEqualTo("shop");
    assertThat(tagMap(batch.getProcess().getTags())).containsEntry("deployment.environment.name", "test")
        .containsKey("telemetry.sdk.language").doesNotContainKey("service.name");
    assertThat(batch.getSpans()).hasSameSizeAs(expected);
    Map<Long, Span> byId = new HashMap<>();
    batch.getSpans().forEach(s -> byId.put(s.getSpanId(), s));
    for (SpanData sd : expected) {
      Span j = byId.get(Long.parseUnsignedLong(sd.getSpanId(), 16));
      assertThat(j).as("span %s", sd.getName()).isNotNull();
      String traceId = sd.getTraceId();
      assertThat(j.getTraceIdHigh()).isEqualTo(Long.parseUnsignedLong(traceId.substring(0, 16), 16));
      assertThat(j.getTraceIdLow()).isEqualTo(Long.parseUnsignedLong(traceId.substring(16), 16));
      assertThat(j.getOperationName()).isEqualTo(sd.getName());
      assertThat(j.getStartTime()).isEqualTo(sd.getStartEpochNanos() / 1000);
      assertThat(j.getDuration()).isEqualTo((sd.getEndEpochNanos() - sd.getStartEpochNanos()) / 1000);
      assertThat(j.getFlags()).isEqualTo(1);
      Map<String, Object> tags = tagMap(j.getTags());
      assertThat(tags).containsEntry("otel.scope.name", "io.sluice.test").containsEntry("otel.scope.version", "9.9.9");
      sd.getAttributes().forEach((k, v) -> assertThat(tags).containsKey(k.getKey()));
      if (sd.getParentSpanContext().isValid()) {
        long parent = Long.parseUnsignedLong(sd.getParentSpanId(), 16);
        assertThat(j.getParentSpanId()).isEqualTo(parent);
        assertThat(j.getReferences().get(0)).isEqualTo(
            new SpanRef(SpanRefType.CHILD_OF, j.getTraceIdLow(), j.getTraceIdHigh(), parent));
      } else {
        assertThat(j.getParentSpanId()).isZero();
      }
      List<SpanRef> follows = j.getReferences() == null ? List.of()
          : j.getReferences().stream().filter(r -> r.getRefType() == SpanRefType.FOLLOWS_FROM).toList();
      assertThat(follows).hasSameSizeAs(sd.getLinks());
      for (LinkData link : sd.getLinks()) {
        assertThat(follows).extracting(SpanRef::getSpanId)
            .contains(Long.parseUnsignedLong(link.getSpanContext().getSpanId(), 16));
      }
      assertThat(j.getLogs() == null ? 0 : j.getLogs().size()).isEqualTo(sd.getEvents().size());
      for (int i = 0; i < sd.getEvents().size(); i++) {
        EventData e = sd.getEvents().get(i);
        Log log = j.getLogs().get(i);
        assertThat(log.getTimestamp()).isEqualTo(e.getEpochNanos() / 1000);
        assertThat(tagMap(log.getFields())).containsEntry("event", e.getName());
        e.getAttributes().forEach((k, v) -> assertThat(tagMap(log.getFields())).containsKey(k.getKey()));
      }
      switch (sd.getName()) {
        case "GET /checkout" -> assertThat(tags)
            .containsEntry("span.kind", "server")
            .containsEntry("otel.status_code", "OK")
            .containsEntry("http.response.status_code", 500L)
            .containsEntry("sampled.ratio", 0.25)
            .containsEntry("retry", true)
            .containsEntry("tags", "[\"a\",\"b\"]")
            .containsEntry("ports", "[80,443]")
            .doesNotContainKey("error");
        case "SELECT orders" -> assertThat(tags)
            .containsEntry("span.kind", "client")
            .containsEntry("otel.status_code", "ERROR")
            .containsEntry("otel.status_description", "db down")
            .containsEntry("error", true);
        default -> assertThat(tags).doesNotContainKey("span.kind").doesNotContainKey("otel.status_code");
      }
    }
  }

  private static Map<String, Object> tagMap(List<Tag> tags) {
    Map<String, Object> out = new HashMap<>();
    if (tags != null) {
      for (Tag t : tags) {
        out.put(t.getKey(), switch (t.getVType()) {
          case STRING -> t.getVStr();
          case BOOL -> t.isVBool();
          case LONG -> t.getVLong();
          case DOUBLE -> t.getVDouble();
          case BINARY -> t.getVBinary();
        });
      }
    }
    return out;
  }

}
