package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collector compatibility of {@code hash_seed} sampling through the real daemon, with the
 * OpenTelemetry Java SDK as the sender: behind memory_limiter, resource (env detector) and
 * attributes, the sampler keeps exactly the traces the OpenTelemetry Collector keeps with the same
 * seed, whole (both spans of each), batched; the decision_log bridge logs exactly the dropped ones.
 */
class HashSeedSamplingIT {
  @TempDir Path dir;

  /** otelcol's hash_seed rule, written out independently: FNV-1a-32(seed LE ‖ trace id) & 0x3fff < 1638. */
  private static boolean collectorKeeps(String traceIdHex, int seed) {
    int h = 0x811c9dc5;
    byte[] data = new byte[20];
    for (int i = 0; i < 4; i++) {
      data[i] = (byte) (seed >>> (8 * i));
    }
    System.arraycopy(HexFormat.of().parseHex(traceIdHex), 0, data, 4, 16);
    for (byte b : data) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    return (h & 0x3fff) < 1638;
  }

  private static String attribute(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue())
        .findFirst().orElse(null);
  }

  /** Trace ids of the dropped-decision log records the decision_log bridge delivered. */
  private static Set<String> decisionTraces(OtlpBackend backend) {
    Set<String> out = new HashSet<>();
    for (var request : backend.logs) {
      for (var rl : request.getResourceLogsList()) {
        assertThat(attribute(rl.getResource().getAttributesList(), "service.name")).isEqualTo("cart");
        for (var sl : rl.getScopeLogsList()) {
          for (var lr : sl.getLogRecordsList()) {
            assertThat(attribute(lr.getAttributesList(), "decision.result")).isEqualTo("dropped");
            assertThat(attribute(lr.getAttributesList(), "decision.policy")).isEqualTo("hash_seed 10%");
            out.add(HexFormat.of().formatHex(lr.getTraceId().toByteArray()));
          }
        }
      }
    }
    return out;
  }

  @Test
  void sdkTracesAreEnrichedSampledLikeTheCollectorBatchedAndEveryDropIsLogged() throws Exception {
    int grpc = SluiceProcess.freePort();
    int health = SluiceProcess.freePort();
    try (OtlpBackend backend = new OtlpBackend()) {
      Path conf = dir.resolve("sluice.conf");
      Files.writeString(conf, """
          receivers { otlp { protocols { grpc { endpoint = "127.0.0.1:%d" } } } }
          processors {
            memory_limiter { check_interval = 1s, limit_percentage = 90 }
            resource { detectors = [env], override = false }
            attributes { actions = [{ key = tier, value = edge, action = insert }] }
            probabilistic_sampler { sampling_percentage = 10, hash_seed = 22 }
            batch { send_batch_size = 100, timeout = 100ms }
            decision_log { pipelines = ["logs/decisions"] }
          }
          exporters { otlphttp { endpoint = "%s" } }
          extensions { health_check { endpoint = "127.0.0.1:%d" } }
          service {
            extensions = [health_check]
            pipelines.traces {
              receivers = [otlp]
              processors = [memory_limiter, resource, attributes, decision_log, probabilistic_sampler, batch]
              exporters = [otlphttp]
            }
            pipelines."logs/decisions" { receivers = [], exporters = [otlphttp] }
          }
          """.formatted(grpc, backend.endpoint(), health));
      try (SluiceProcess sluice = SluiceProcess.start(dir,
          Map.of("K8S_POD_NAME", "cart-7d9f", "K8S_NAMESPACE_NAME", "shop"), "run", "--config", conf.toString())) {
        sluice.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));

        InMemorySpanExporter sent = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
            .setResource(Resource.getDefault().toBuilder().put("service.name", "cart").build())
            .addSpanProcessor(BatchSpanProcessor.builder(
                OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc).build()).build())
            .addSpanProcessor(SimpleSpanProcessor.create(sent))
            .build();
        Tracer tracer = provider.get("io.sluice.it");
        for (int i = 0; i < 1000; i++) {
          Span root = tracer.spanBuilder("GET /cart/" + i).startSpan();
          tracer.spanBuilder("SELECT cart").setParent(Context.current().with(root)).startSpan().end();
          root.end();
        }
        assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        List<SpanData> finished = sent.getFinishedSpanItems();
        provider.shutdown().join(30, TimeUnit.SECONDS);
        assertThat(finished).hasSize(2000);

        Set<String> expectedTraces = new HashSet<>();
        Set<String> allTraces = new HashSet<>();
        for (SpanData s : finished) {
          allTraces.add(s.getTraceId());
          if (collectorKeeps(s.getTraceId(), 22)) {
            expectedTraces.add(s.getTraceId());
          }
        }
        Set<String> droppedTraces = new HashSet<>(allTraces);
        droppedTraces.removeAll(expectedTraces);
        assertThat(expectedTraces).hasSizeBetween(50, 160);
        sluice.awaitOutput(o -> backend.spanCount() >= 2 * expectedTraces.size()
            && decisionTraces(backend).size() >= droppedTraces.size(), Duration.ofSeconds(30));
        assertThat(sluice.stop()).isZero();

        Map<String, Integer> spansPerTrace = new HashMap<>();
        for (var request : backend.traces) {
          for (ResourceSpans rs : request.getResourceSpansList()) {
            List<KeyValue> resource = rs.getResource().getAttributesList();
            assertThat(attribute(resource, "service.name")).isEqualTo("cart");
            assertThat(attribute(resource, "k8s.pod.name")).isEqualTo("cart-7d9f");
            assertThat(attribute(resource, "k8s.namespace.name")).isEqualTo("shop");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
              for (var span : ss.getSpansList()) {
                String traceId = HexFormat.of().formatHex(span.getTraceId().toByteArray());
                spansPerTrace.merge(traceId, 1, Integer::sum);
                assertThat(attribute(span.getAttributesList(), "tier")).isEqualTo("edge");
                assertThat(span.getTraceState()).startsWith("ot=rv:").endsWith(";th:e668");
              }
            }
          }
        }
        assertThat(spansPerTrace.keySet()).as("exactly the traces otelcol keeps with hash_seed 22 at 10%%")
            .isEqualTo(expectedTraces);
        assertThat(spansPerTrace.values()).as("both spans of every kept trace").containsOnly(2);
        assertThat(backend.traces.size()).as("batched: fewer requests than kept spans")
            .isLessThan(2 * expectedTraces.size());
        assertThat(decisionTraces(backend)).as("one decision record per dropped trace, reported by the sampler")
            .isEqualTo(droppedTraces);
      }
    }
  }
}
