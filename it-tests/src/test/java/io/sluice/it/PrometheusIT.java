package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.exporter.prometheusremotewrite.PrometheusProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus-agent use case through the real daemon: Debian's node-exporter is scraped by
 * Debian's Prometheus itself (job {@code prom_direct}) and by the Sluice daemon (job {@code sluice},
 * {@code prometheus} receiver → {@code batch} → {@code prometheusremotewrite} into the same
 * Prometheus). The series Prometheus stores for both jobs must be the same, and go stale when the
 * target stops.
 */
class PrometheusIT {
  @TempDir Path dir;

  @Test
  void daemonStoresTheSameSeriesAsPrometheusAndMarksThemStale() throws Exception {
    try (PrometheusProcess node = PrometheusProcess.nodeExporter();
        PrometheusProcess prometheus = PrometheusProcess.prometheus(
            "  - job_name: prom_direct\n    scrape_interval: 2s\n    static_configs:\n      - targets: ['" + node.address() + "']\n")) {
      int health = SluiceProcess.freePort();
      Path conf = dir.resolve("agent.conf");
      Files.writeString(conf, """
          receivers {
            prometheus {
              config {
                scrape_configs = [
                  { job_name = "sluice", scrape_interval = 2s, scrape_timeout = 1s, static_configs = [ { targets = ["%s"] } ] }
                ]
              }
            }
          }
          processors { batch { timeout = 200ms } }
          exporters { prometheusremotewrite { endpoint = "%s" } }
          extensions { health_check { endpoint = "127.0.0.1:%d" } }
          service {
            extensions = [health_check]
            telemetry.metrics.level = none
            pipelines.metrics { receivers = [prometheus], processors = [batch], exporters = [prometheusremotewrite] }
          }
          """.formatted(node.address(), prometheus.remoteWriteUrl(), health));
      try (SluiceProcess sluice = SluiceProcess.start(dir, Map.of(), "run", "--config", conf.toString())) {
        sluice.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
        PrometheusProcess.await("up == 1 for both jobs", () -> count(prometheus, "up{job=~\"prom_direct|sluice\"} == 1") == 2 ? true : null);
        Set<Map<String, String>>[] last = new Set[2];
        try {
          PrometheusProcess.await("the same series for both jobs", () -> {
            last[0] = series(prometheus, "prom_direct");
            last[1] = series(prometheus, "sluice");
            return last[0].equals(last[1]) && last[0].size() > 200 ? true : null;
          });
        } catch (AssertionError e) {
          Set<Map<String, String>> onlyDirect = new HashSet<>(last[0]);
          onlyDirect.removeAll(last[1]);
          Set<Map<String, String>> onlySluice = new HashSet<>(last[1]);
          onlySluice.removeAll(last[0]);
          assertThat(onlyDirect).as("series only Prometheus stored").isEmpty();
          assertThat(onlySluice).as("series only Sluice stored").isEmpty();
          throw e;
        }
        assertThat(last[0]).anyMatch(l -> l.get("__name__").equals("go_gc_duration_seconds") && l.containsKey("quantile"));

        node.stop();
        PrometheusProcess.await("series of job sluice to go stale",
            () -> count(prometheus, "count({job=\"sluice\",__name__=~\"node_.*|go_.*\"})") == 0 ? true : null);
        assertThat(sluice.stop()).isZero();
      }
    }
  }

  private static int count(PrometheusProcess p, String promql) {
    try {
      return p.query(promql).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Label sets of a job without job, instance and target_info. */
  private static Set<Map<String, String>> series(PrometheusProcess p, String job) {
    try {
      Set<Map<String, String>> out = new HashSet<>();
      for (Map<String, String> l : p.series("{job=\"" + job + "\"}")) {
        if (!l.get("__name__").equals("target_info")) {
          Map<String, String> m = new TreeMap<>(l);
          m.remove("job");
          m.remove("instance");
          out.add(m);
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
