package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The everyday processors through the real daemon, with the OpenTelemetry SDK as the sender:
 * memory_limiter, resource detection from the (Kubernetes downward-API) environment, attribute
 * actions, sampling at 100% and batching — every span arrives, changed exactly as configured.
 */
class ProcessorsIT {
  @TempDir Path dir;

  @Test
  void enrichmentAndAttributeActionsApplyToEverySpan() throws Exception {
    int http = SluiceProcess.freePort();
    int health = SluiceProcess.freePort();
    Path conf = dir.resolve("processors.conf");
    try (OtlpBackend backend = new OtlpBackend()) {
      Files.writeString(conf, """
          receivers { otlp { protocols { http { endpoint = "127.0.0.1:%d" } } } }
          processors {
            memory_limiter { check_interval = 1s, limit_percentage = 90, spike_limit_percentage = 10 }
            resource { detectors = [env, host], override = false }
            attributes {
              actions = [
                { key = environment, value = production, action = insert }
                { key = user.email, action = hash }
                { key = password, action = delete }
                { key = http.status_code, converted_type = int, action = convert }
              ]
            }
            probabilistic_sampler { sampling_percentage = 100 }
            batch { send_batch_size = 50, timeout = 100ms }
          }
          exporters { otlphttp { endpoint = "%s", compression = none } }
          extensions { health_check { endpoint = "127.0.0.1:%d" } }
          service {
            extensions = [health_check]
            telemetry.metrics.level = none
            pipelines.traces {
              receivers = [otlp]
              processors = [memory_limiter, resource, attributes, probabilistic_sampler, batch]
              exporters = [otlphttp]
            }
          }
          """.formatted(http, backend.endpoint(), health));
      Map<String, String> env = Map.of("K8S_POD_NAME", "checkout-7d9f", "K8S_NAMESPACE_NAME", "shop",
          "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging,service.name=should-not-override");
      try (SluiceProcess sluice = SluiceProcess.start(dir, env, "run", "--config", conf.toString())) {
        sluice.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
        SdkTracerProvider provider = SdkTracerProvider.builder()
            .setResource(Resource.getDefault().toBuilder().put("service.name", "checkout").build())
            .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + http + "/v1/traces").build()).build())
            .build();
        Tracer tracer = provider.get("processors-it");
        for (int i = 0; i < 500; i++) {
          Span s = tracer.spanBuilder("op" + i).setAttribute("user.email", "ann@example.com")
              .setAttribute("password", "hunter2").setAttribute("http.status_code", "200").startSpan();
          s.end();
        }
        assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        provider.shutdown().join(30, TimeUnit.SECONDS);
        sluice.awaitOutput(o -> backend.spanCount() >= 500, Duration.ofSeconds(30));
        assertThat(sluice.stop()).isZero();
      }
      assertThat(backend.spanCount()).isEqualTo(500);
      List<ResourceSpans> all = backend.traces.stream().flatMap(r -> r.getResourceSpansList().stream()).toList();
      for (ResourceSpans rs : all) {
        Map<String, String> res = strings(rs.getResource().getAttributesList());
        assertThat(res).containsEntry("service.name", "checkout")
            .containsEntry("k8s.pod.name", "checkout-7d9f").containsEntry("k8s.namespace.name", "shop")
            .containsEntry("deployment.environment", "staging").containsKey("host.name");
        rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(span -> {
          Map<String, KeyValue> attrs = span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv));
          assertThat(attrs).containsKey("environment").doesNotContainKey("password");
          assertThat(attrs.get("environment").getValue().getStringValue()).isEqualTo("production");
          assertThat(attrs.get("user.email").getValue().getStringValue()).hasSize(64).doesNotContain("@");
          assertThat(attrs.get("http.status_code").getValue().getIntValue()).isEqualTo(200L);
        }));
      }
      int batches = backend.traces.size();
      assertThat(batches).as("batched into requests of up to 50").isLessThan(500);
    }
  }

  private static Map<String, String> strings(List<KeyValue> kvs) {
    return kvs.stream().filter(kv -> kv.getValue().hasStringValue())
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (a, b) -> b));
  }
}
