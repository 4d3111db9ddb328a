package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision-log bridge through the real daemon: the OpenTelemetry SDK sends traces, the sampler
 * keeps about 10%, kept traces go to an OTLP back end and every decision to Loki. The trace ids in
 * Loki must be exactly the dropped ones (or all, with record = [kept, dropped]).
 */
class DecisionLogIT {
  private static final int TRACES = 10_000;

  @TempDir Path dir;

  private Path config(int grpc, int health, int metrics, String traces, String loki, String record) throws Exception {
    Path conf = dir.resolve("decisions.conf");
    Files.writeString(conf, """
        receivers { otlp { protocols { grpc { endpoint = "127.0.0.1:%d" } } } }
        processors {
          "probabilistic_sampler/edge" { sampling_percentage = 10, hash_seed = 22 }
          decision_log { pipelines = ["logs/decisions"], record = %s }
          batch { timeout = 100ms }
        }
        exporters {
          otlphttp { endpoint = "%s", compression = none }
          loki {
            endpoint = "%s"
            labels { attributes { decision.result = decision } }
          }
        }
        extensions { health_check { endpoint = "127.0.0.1:%d" } }
        service {
          extensions = [health_check]
          telemetry.metrics.address = "127.0.0.1:%d"
          pipelines {
            traces { receivers = [otlp], processors = [decision_log, probabilistic_sampler/edge, batch], exporters = [otlphttp] }
            logs/decisions { processors = [batch], exporters = [loki] }
          }
        }
        """.formatted(grpc, record, traces, loki, health, metrics));
    return conf;
  }

  /** Sends TRACES one-span traces; returns their trace ids. One of them carries an application decision event. */
  private static Set<String> send(int grpc) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().toBuilder().put("service.name", "checkout").build())
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + grpc).build())
            .setMaxExportBatchSize(500).setMaxQueueSize(TRACES + 100).build())
        .build();
    Tracer tracer = provider.get("decision-it");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < TRACES; i++) {
      Span span = tracer.spanBuilder("GET /item/" + i).startSpan();
      if (i == 0) {
        span.addEvent("decision", Attributes.of(AttributeKey.stringKey("policy_id"), "allow-admins",
            AttributeKey.stringKey("decision_result"), "deny"));
      }
      ids.add(span.getSpanContext().getTraceId());
      span.end();
    }
    assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).as("SDK export").isTrue();
    provider.shutdown().join(30, TimeUnit.SECONDS);
    return ids;
  }

  private Run run(String record) throws Exception {
    int grpc = SluiceProcess.freePort();
    int health = SluiceProcess.freePort();
    int metrics = SluiceProcess.freePort();
    try (OtlpBackend traces = new OtlpBackend(); LokiBackend loki = new LokiBackend();
        SluiceProcess sluice = SluiceProcess.start(dir, Map.of(), "run", "--config",
            config(grpc, health, metrics, traces.endpoint(), loki.endpoint(), record).toString())) {
      sluice.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
      Set<String> sent = send(grpc);
      assertThat(sluice.stop()).as(sluice.output()).isZero();
      Set<String> kept = traces.traces.stream().flatMap(r -> r.getResourceSpansList().stream())
          .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
          .map(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray())).collect(Collectors.toSet());
      return new Run(sent, kept, loki);
    }
  }

  private record Run(Set<String> sent, Set<String> kept, LokiBackend loki) {
    Set<String> lokiTraceIds(String result) {
      return loki.entries().stream().filter(e -> e.labels().contains("decision=\"" + result + "\""))
          .map(e -> e.metadata("trace_id")).collect(Collectors.toSet());
    }
  }

  @Test
  void lokiHoldsExactlyTheDroppedTracesAndTheApplicationDecision() throws Exception {
    Run run = run("[dropped]");
    assertThat(run.sent()).hasSize(TRACES);
    assertThat(run.kept().size()).as("about 10%% kept").isBetween(TRACES / 10 - 300, TRACES / 10 + 300);
    Set<String> dropped = new HashSet<>(run.sent());
    dropped.removeAll(run.kept());
    assertThat(run.lokiTraceIds("dropped")).isEqualTo(dropped);
    assertThat(run.lokiTraceIds("kept")).isEmpty();

    var app = run.loki().entries().stream().filter(e -> e.entry().getLine().contains("allow-admins")).toList();
    assertThat(app).as("application decision event in Loki").isNotEmpty();
    assertThat(run.sent()).contains(app.get(0).metadata("trace_id"));
  }

  @Test
  void withKeptAndDroppedRecordedLokiAccountsForEveryTrace() throws Exception {
    Run run = run("[kept, dropped]");
    Set<String> keptInLoki = run.lokiTraceIds("kept");
    Set<String> droppedInLoki = run.lokiTraceIds("dropped");
    assertThat(keptInLoki).isEqualTo(run.kept());
    assertThat(keptInLoki).doesNotContainAnyElementsOf(droppedInLoki);
    Set<String> all = new HashSet<>(keptInLoki);
    all.addAll(droppedInLoki);
    assertThat(all).isEqualTo(run.sent());
  }
}
