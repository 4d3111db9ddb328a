package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Exporter;
import io.sluice.api.Receiver;
import io.sluice.api.Signal;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.prometheusremotewrite.PrometheusProcess;
import io.sluice.exporter.prometheusremotewrite.PrometheusRemoteWriteConfig;
import io.sluice.exporter.prometheusremotewrite.PrometheusRemoteWriteFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Debian's node-exporter scraped twice: by Debian's Prometheus itself (job {@code prom_direct}) and
 * by this receiver (job {@code sluice}) whose output goes through the {@code prometheusremotewrite}
 * exporter into the same Prometheus. The stored series must be the same.
 */
class PrometheusParityTest {

  @Test
  void sameSeriesAsPrometheusAndStaleWhenTargetStops() throws Exception {
    try (PrometheusProcess nodeExporter = PrometheusProcess.nodeExporter();
        PrometheusProcess prometheus = PrometheusProcess.prometheus(
            "  - job_name: prom_direct\n    static_configs:\n      - targets: ['" + nodeExporter.address() + "']\n")) {
      PrometheusRemoteWriteConfig d = PrometheusRemoteWriteConfig.defaults();
      Exporter exporter = new PrometheusRemoteWriteFactory().createExporter(
          new TestContext("prometheusremotewrite", ComponentKind.EXPORTER),
          new PrometheusRemoteWriteConfig(prometheus.remoteWriteUrl(), d.headers(), d.namespace(), d.externalLabels(),
              d.resourceToTelemetryConversion(), d.targetInfo(), d.sendMetadata(), d.addMetricSuffixes(),
              d.maxBatchSizeBytes(), d.remoteWriteQueue(), d.basicAuth(), d.bearerToken(), d.tls()),
          Signal.METRICS);
      exporter.start();
      ScrapeConfig sc = new ScrapeConfig("sluice", Duration.ofSeconds(2), Duration.ofSeconds(1), "/metrics", "http",
          Map.of(), List.of(new ScrapeConfig.StaticConfig(List.of(nodeExporter.address()), Map.of())), List.of(),
          false, true, List.of(), List.of(), ScrapeConfig.BasicAuth.defaults(), ScrapeConfig.Authorization.defaults(),
          ScrapeConfig.TlsConfig.defaults(), 0, 0, DataSize.ofBytes(0));
      Receiver receiver = new PrometheusReceiverFactory().createReceiver(
          new TestContext("prometheus", ComponentKind.RECEIVER),
          new PrometheusReceiverConfig(new PrometheusReceiverConfig.PromConfig(
              PrometheusReceiverConfig.Global.defaults(), List.of(sc))),
          Map.of(Signal.METRICS, (DataConsumer) exporter::push));
      receiver.start();
      try {
        // Both jobs have scraped a few times when both report up == 1 and the series sets agree.
        PrometheusProcess.await("up == 1 for both jobs", () -> upBoth(prometheus) ? Boolean.TRUE : null);
        Set<Map<String, String>>[] last = new Set[2];
        Boolean same = awaitOrNull(() -> {
          last[0] = series(prometheus, "prom_direct");
          last[1] = series(prometheus, "sluice");
          return last[0].equals(last[1]) && !last[0].isEmpty() ? Boolean.TRUE : null;
        });
        Set<Map<String, String>> onlyDirect = new HashSet<>(last[0]);
        onlyDirect.removeAll(last[1]);
        Set<Map<String, String>> onlySluice = new HashSet<>(last[1]);
        onlySluice.removeAll(last[0]);
        assertThat(onlyDirect).as("series only Prometheus stored").isEmpty();
        assertThat(onlySluice).as("series only sluice stored").isEmpty();
        assertThat(same).isTrue();
        assertThat(last[0].size()).isGreaterThan(200);
        assertThat(last[0]).anyMatch(l -> l.get("__name__").equals("go_gc_duration_seconds") && l.containsKey("quantile"));

        // Counters agree within one scrape interval; constant gauges agree exactly.
        Map<String, Double> direct = values(prometheus, "node_cpu_seconds_total{job=\"prom_direct\",mode=\"idle\"}");
        Map<String, Double> viaSluice = values(prometheus, "node_cpu_seconds_total{job=\"sluice\",mode=\"idle\"}");
        assertThat(viaSluice.keySet()).isEqualTo(direct.keySet()).isNotEmpty();
        direct.forEach((k, v) -> assertThat(Math.abs(viaSluice.get(k) - v)).as("idle seconds of %s", k)
            .isLessThanOrEqualTo(2 * 2.0));
        assertThat(values(prometheus, "node_memory_MemTotal_bytes{job=\"sluice\"}").values())
            .containsExactlyElementsOf(values(prometheus, "node_memory_MemTotal_bytes{job=\"prom_direct\"}").values());

        // Staleness: the target stops, its series vanish from instant queries at the next scrape.
        nodeExporter.stop();
        PrometheusProcess.await("series of job sluice to go stale", () -> {
          try {
            return prometheus.query("count({job=\"sluice\",__name__=~\"node_.*|go_.*\"})").isEmpty()
                && prometheus.query("up{job=\"sluice\"} == 0").size() == 1 ? Boolean.TRUE : null;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      } finally {
        receiver.shutdown();
        exporter.shutdown();
      }
    }
  }

  private static <T> T awaitOrNull(java.util.function.Supplier<T> check) throws InterruptedException {
    try {
      return PrometheusProcess.await("the same series for both jobs", check);
    } catch (AssertionError e) {
      return null;
    }
  }

  private static boolean upBoth(PrometheusProcess p) {
    try {
      return p.query("up{job=~\"prom_direct|sluice\"} == 1").size() == 2;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Label sets of a job, without job, instance and the exporter's own target_info. */
  private static Set<Map<String, String>> series(PrometheusProcess p, String job) {
    try {
      Set<Map<String, String>> out = new HashSet<>();
      for (Map<String, String> l : p.series("{job=\"" + job + "\"}")) {
        if (l.get("__name__").equals("target_info")) {
          continue;
        }
        Map<String, String> m = new TreeMap<>(l);
        m.remove("job");
        m.remove("instance");
        out.add(m);
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Double> values(PrometheusProcess p, String promql) throws Exception {
    Map<String, Double> out = new HashMap<>();
    for (JsonNode s : p.query(promql)) {
      Map<String, String> labels = new TreeMap<>();
      s.get("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      labels.remove("job");
      out.put(labels.toString(), s.get("value").get(1).asDouble());
    }
    return out;
  }
}
