package io.sluice.it;

import io.sluice.core.testing.Certs;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP through the real daemon with the OpenTelemetry Java SDK as the sender: every field of every
 * span must arrive as sent (golden comparison against the SDK's own OTLP encoding).
 */
class OtlpIT {
  @TempDir Path dir;

  private record Ports(int grpc, int http, int health, int metrics) {
    static Ports free() {
      return new Ports(SluiceProcess.freePort(), SluiceProcess.freePort(), SluiceProcess.freePort(), SluiceProcess.freePort());
    }
  }

  private Path gatewayConfig(Ports p, String backend, String extraExporter) throws Exception {
    Path conf = dir.resolve("gateway.conf");
    Files.writeString(conf, """
        receivers {
          otlp {
            protocols {
              grpc { endpoint = "127.0.0.1:%d" }
              http { endpoint = "127.0.0.1:%d" }
            }
          }
        }
        processors { batch { timeout = 100ms } }
        exporters {
          otlphttp {
            endpoint = "%s"
            compression = gzip
            %s
          }
        }
        extensions { health_check { endpoint = "127.0.0.1:%d" } }
        service {
          extensions = [health_check]
          telemetry.metrics.address = "127.0.0.1:%d"
          pipelines.traces { receivers = [otlp], processors = [batch], exporters = [otlphttp] }
        }
        """.formatted(p.grpc(), p.http(), backend, extraExporter, p.health(), p.metrics()));
    return conf;
  }

  private static SluiceProcess startHealthy(Path dir, Path conf, Ports p) throws Exception {
    SluiceProcess proc = SluiceProcess.start(dir, Map.of(), "run", "--config", conf.toString());
    proc.awaitHttp(p.health(), "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
    return proc;
  }

  /** Spans using every field the SDK can set: attributes of each type, events, links, status, kind, trace state. */
  private static void emitSpans(Tracer tracer, int traces) {
    SpanContext remoteParent = SpanContext.createFromRemoteParent(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getSampled(),
        TraceState.builder().put("vendor", "abc").put("ot", "th:8").build());
    for (int i = 0; i < traces; i++) {
      Span root = tracer.spanBuilder("GET /checkout/" + i)
          .setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET")
          .setAttribute("http.response.status_code", 200L)
          .setAttribute("sampling.ratio", 0.25)
          .setAttribute("cache.hit", true)
          .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
          .setAttribute(AttributeKey.longArrayKey("ports"), List.of(80L, 443L))
          .setAttribute(AttributeKey.doubleArrayKey("weights"), List.of(0.5, 1.5))
          .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
          .addLink(remoteParent, Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
          .startSpan();
      root.addEvent("decision", Attributes.of(AttributeKey.stringKey("policy_id"), "p-" + i,
          AttributeKey.stringKey("decision_result"), i % 2 == 0 ? "allow" : "deny"));
      Span child = tracer.spanBuilder("SELECT orders").setParent(Context.current().with(root))
          .setSpanKind(SpanKind.CLIENT).startSpan();
      child.setStatus(StatusCode.ERROR, "timeout talking to db");
      child.recordException(new IllegalStateException("boom"));
      child.end();
      root.end();
    }
    Span remoteChild = tracer.spanBuilder("consume").setParent(Context.root().with(Span.wrap(remoteParent)))
        .setSpanKind(SpanKind.CONSUMER).startSpan();
    remoteChild.end();
  }

  /** What the SDK itself would send for these spans, decoded: span id → (resource, scope, span). */
  private static Map<String, ResourceSpans> expected(List<SpanData> spans) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return bySpanId(List.of(ExportTraceServiceRequest.parseFrom(out.toByteArray())));
  }

  /** Each span alone in its resource and scope, keyed by span id, so batching does not matter. */
  private static Map<String, ResourceSpans> bySpanId(List<ExportTraceServiceRequest> requests) {
    Map<String, ResourceSpans> out = new HashMap<>();
    for (ExportTraceServiceRequest r : requests) {
      for (ResourceSpans rs : r.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (var span : ss.getSpansList()) {
            ResourceSpans single = ResourceSpans.newBuilder(rs).clearScopeSpans()
                .addScopeSpans(ScopeSpans.newBuilder(ss).clearSpans().addSpans(span)).build();
            ResourceSpans previous = out.put(java.util.HexFormat.of().formatHex(span.getSpanId().toByteArray()), single);
            assertThat(previous).as("span %s delivered twice", span.getName()).isNull();
          }
        }
      }
    }
    return out;
  }

  /** Sends through {@code exporter}; returns what the SDK recorded (captured before shutdown clears it). */
  private static List<SpanData> sendWith(SpanExporter exporter, int traces, SluiceProcess sluice) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().toBuilder()
            .put("service.name", "checkout").put("deployment.environment", "test").build())
        // Batches of 16 make several requests; SimpleSpanProcessor's one request per span would
        // exceed the SDK's own OkHttp dispatcher ("executor rejected"), a client-side limit.
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxExportBatchSize(16)
            .setScheduleDelay(Duration.ofMillis(50)).build())
        .addSpanProcessor(SimpleSpanProcessor.create(memory))
        .build();
    emitSpans(provider.get("io.sluice.it", "1.2.3"), traces);
    CompletableResultCode flushed = provider.forceFlush().join(60, TimeUnit.SECONDS);
    assertThat(flushed.isSuccess()).as("SDK export succeeded; daemon output:%n%s", sluice.output()).isTrue();
    List<SpanData> sent = List.copyOf(memory.getFinishedSpanItems());
    provider.shutdown().join(30, TimeUnit.SECONDS);
    return sent;
  }

  @Test
  void sdkOverGrpcAndHttpArrivesFieldForField() throws Exception {
    Ports p = Ports.free();
    try (OtlpBackend backend = new OtlpBackend();
        SluiceProcess sluice = startHealthy(dir, gatewayConfig(p, backend.endpoint(), ""), p)) {
      List<SpanData> sent = new java.util.ArrayList<>();
      sent.addAll(sendWith(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + p.grpc()).build(), 20, sluice));
      sent.addAll(sendWith(OtlpHttpSpanExporter.builder().setEndpoint("http://127.0.0.1:" + p.http() + "/v1/traces").build(), 20, sluice));
      assertThat(sent).hasSize(2 * (20 * 2 + 1));
      sluice.awaitOutput(o -> backend.spanCount() >= sent.size(), Duration.ofSeconds(30));
      assertThat(sluice.stop()).isZero();

      Map<String, ResourceSpans> want = expected(sent);
      Map<String, ResourceSpans> got = bySpanId(backend.traces);
      assertThat(got.keySet()).isEqualTo(want.keySet());
      want.forEach((id, rs) -> assertThat(got.get(id)).as("span %s", id).isEqualTo(rs));
    }
  }

  @Test
  void handWrittenOtlpJsonArrivesWithEveryValueType() throws Exception {
    Ports p = Ports.free();
    try (OtlpBackend backend = new OtlpBackend();
        SluiceProcess sluice = startHealthy(dir, gatewayConfig(p, backend.endpoint(), ""), p)) {
      String json = """
          {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-svc"}}]},
            "scopeSpans":[{"scope":{"name":"manual","version":"0.1"},
              "spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
                "parentSpanId":"eee19b7ec3c1b173","traceState":"ot=th:c","name":"json span","kind":2,
                "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
                "attributes":[
                  {"key":"s","value":{"stringValue":"x"}},
                  {"key":"i","value":{"intValue":"9007199254740993"}},
                  {"key":"d","value":{"doubleValue":1.5}},
                  {"key":"b","value":{"boolValue":true}},
                  {"key":"raw","value":{"bytesValue":"AQID"}},
                  {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":2}]}}},
                  {"key":"kv","value":{"kvlistValue":{"values":[{"key":"inner","value":{"stringValue":"v"}}]}}}],
                "events":[{"timeUnixNano":"1544712660500000000","name":"decision","attributes":[{"key":"policy_id","value":{"stringValue":"p1"}}]}],
                "links":[{"traceId":"5b8efff798038103d269b633813fc60d","spanId":"eee19b7ec3c1b175"}],
                "status":{"code":2,"message":"failed"},"flags":257}]}]}]}
          """;
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + p.http() + "/v1/traces"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      sluice.awaitOutput(o -> backend.spanCount() >= 1, Duration.ofSeconds(30));
      var span = backend.traces.get(0).getResourceSpans(0).getScopeSpans(0).getSpans(0);
      assertThat(java.util.HexFormat.of().formatHex(span.getTraceId().toByteArray())).isEqualTo("5b8efff798038103d269b633813fc60c");
      assertThat(java.util.HexFormat.of().formatHex(span.getParentSpanId().toByteArray())).isEqualTo("eee19b7ec3c1b173");
      assertThat(span.getTraceState()).isEqualTo("ot=th:c");
      assertThat(span.getKindValue()).isEqualTo(2);
      assertThat(span.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
      assertThat(span.getEndTimeUnixNano()).isEqualTo(1544712661000000000L);
      assertThat(span.getFlags()).isEqualTo(257);
      assertThat(span.getAttributes(1).getValue().getIntValue()).isEqualTo(9007199254740993L);
      assertThat(span.getAttributes(4).getValue().getBytesValue().toByteArray()).containsExactly(1, 2, 3);
      assertThat(span.getAttributes(5).getValue().getArrayValue().getValues(1).getIntValue()).isEqualTo(2);
      assertThat(span.getAttributes(6).getValue().getKvlistValue().getValues(0).getValue().getStringValue()).isEqualTo("v");
      assertThat(span.getEvents(0).getAttributes(0).getValue().getStringValue()).isEqualTo("p1");
      assertThat(span.getStatus().getCodeValue()).isEqualTo(2);
      assertThat(backend.traces.get(0).getResourceSpans(0).getScopeSpans(0).getScope().getVersion()).isEqualTo("0.1");
    }
  }

  @Test
  void backendOutageWithFullQueueIsRetriedBySdkUntilEverythingArrivesOnce() throws Exception {
    Ports p = Ports.free();
    try (OtlpBackend backend = new OtlpBackend()) {
      Path conf = gatewayConfig(p, backend.endpoint(), """
              sending_queue { queue_size = 2, num_consumers = 1 }
              retry_on_failure { initial_interval = 1s, max_interval = 1s }
          """);
      try (SluiceProcess sluice = startHealthy(dir, conf, p)) {
        SpanExporter grpc = OtlpGrpcSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + p.grpc())
            .setRetryPolicy(RetryPolicy.builder().setMaxAttempts(5).setInitialBackoff(Duration.ofSeconds(1))
                .setMaxBackoff(Duration.ofSeconds(5)).setBackoffMultiplier(2).build())
            .build();
        backend.refuseFor(Duration.ofSeconds(4));
        int sent = sendWith(grpc, 30, sluice).size();
        sluice.awaitOutput(o -> backend.spanCount() >= sent, Duration.ofSeconds(60));
        assertThat(backend.refused.get()).as("the back end refused some requests").isPositive();
        var metrics = sluice.awaitHttp(p.metrics(), "/metrics", r -> r.statusCode() == 200, Duration.ofSeconds(10)).body();
        assertThat(metrics).containsPattern("otelcol_exporter_enqueue_failed_spans_total\\{exporter=\"otlphttp\"} [1-9]");
        assertThat(sluice.stop()).isZero();
        assertThat(bySpanId(backend.traces)).hasSize(sent);
      }
    }
  }

  @Test
  void sidecarToGatewayOverTlsAndMutualTlsLosesAndAltersNothing() throws Exception {
    Certs certs = Certs.create(Files.createDirectories(dir.resolve("certs")));
    Ports gw = Ports.free();
    Ports sc = Ports.free();
    try (OtlpBackend backend = new OtlpBackend()) {
      Path gatewayConf = dir.resolve("gw.conf");
      Files.writeString(gatewayConf, """
          receivers {
            otlp {
              protocols {
                grpc {
                  endpoint = "127.0.0.1:%d"
                  tls { cert_file = "%s", key_file = "%s", client_ca_file = "%s" }
                }
              }
            }
          }
          exporters { otlphttp { endpoint = "%s" } }
          extensions { health_check { endpoint = "127.0.0.1:%d" } }
          service {
            extensions = [health_check]
            telemetry.metrics.address = "127.0.0.1:%d"
            pipelines.traces { receivers = [otlp], exporters = [otlphttp] }
          }
          """.formatted(gw.grpc(), certs.cert("server"), certs.key("server"), certs.caCert(), backend.endpoint(),
          gw.health(), gw.metrics()));
      Path sidecarConf = dir.resolve("sidecar.conf");
      Files.writeString(sidecarConf, """
          receivers { otlp { protocols { grpc { endpoint = "127.0.0.1:%d" } } } }
          processors { batch { timeout = 100ms } }
          exporters {
            otlp {
              endpoint = "localhost:%d"
              tls { ca_file = "%s", cert_file = "%s", key_file = "%s" }
            }
          }
          extensions { health_check { endpoint = "127.0.0.1:%d" } }
          service {
            extensions = [health_check]
            telemetry.metrics.address = "127.0.0.1:%d"
            pipelines.traces { receivers = [otlp], processors = [batch], exporters = [otlp] }
          }
          """.formatted(sc.grpc(), gw.grpc(), certs.caCert(), certs.cert("client"), certs.key("client"),
          sc.health(), sc.metrics()));
      try (SluiceProcess gateway = startHealthy(dir, gatewayConf, gw);
          SluiceProcess sidecar = startHealthy(dir, sidecarConf, sc)) {
        List<SpanData> sent = sendWith(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + sc.grpc()).build(), 25, sidecar);
        gateway.awaitOutput(o -> backend.spanCount() >= sent.size(), Duration.ofSeconds(30));
        assertThat(sidecar.stop()).isZero();
        assertThat(gateway.stop()).isZero();
        Map<String, ResourceSpans> want = expected(sent);
        Map<String, ResourceSpans> got = bySpanId(backend.traces);
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((id, rs) -> assertThat(got.get(id)).as("span %s", id).isEqualTo(rs));
      }
    }
  }
}
