package io.sluice.receiver.prometheus;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Configuration of the {@code prometheus} receiver: like the OpenTelemetry Collector's, a
 * Prometheus configuration under {@code config}.
 *
 * @param config the Prometheus configuration (global and scrape_configs)
 */
public record PrometheusReceiverConfig(PromConfig config) implements ComponentConfig {

  /** No scrape configs: the receiver starts and scrapes nothing. */
  public static PrometheusReceiverConfig defaults() {
    return new PrometheusReceiverConfig(PromConfig.defaults());
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    config.validate().forEach(p -> out.add(p.under("config")));
    return out;
  }

  /**
   * The Prometheus configuration subset the receiver understands.
   *
   * @param global defaults for every scrape config
   * @param scrapeConfigs the jobs
   */
  public record PromConfig(Global global, List<ScrapeConfig> scrapeConfigs) implements ComponentConfig {
    /** Defaults. */
    public static PromConfig defaults() {
      return new PromConfig(Global.defaults(), List.of());
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      global.validate().forEach(p -> out.add(p.under("global")));
      Set<String> jobs = new HashSet<>();
      for (int i = 0; i < scrapeConfigs.size(); i++) {
        ScrapeConfig sc = scrapeConfigs.get(i);
        String p = "scrape_configs[" + i + "]";
        sc.validate().forEach(pr -> out.add(pr.under(p)));
        if (!sc.jobName().isEmpty() && !jobs.add(sc.jobName())) {
          out.add(new ConfigProblem(p + ".job_name", ConfigChecks.quote(sc.jobName())
              + " (expected: a job name not used by another scrape config)"));
        }
        Duration interval = sc.scrapeInterval() != null ? sc.scrapeInterval() : global.scrapeInterval();
        if (sc.scrapeTimeout() != null && sc.scrapeInterval() == null && sc.scrapeTimeout().compareTo(interval) > 0) {
          out.add(new ConfigProblem(p + ".scrape_timeout", sc.scrapeTimeout()
              + " is longer than scrape_interval " + interval + " (expected: scrape_timeout <= scrape_interval)"));
        }
      }
      return out;
    }
  }

  /**
   * {@code global}.
   *
   * @param scrapeInterval default 1m
   * @param scrapeTimeout default 10s; a job's timeout is at most its interval
   */
  public record Global(Duration scrapeInterval, Duration scrapeTimeout) implements ComponentConfig {
    /** Prometheus's defaults. */
    public static Global defaults() {
      return new Global(Duration.ofMinutes(1), Duration.ofSeconds(10));
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.duration(out, "scrape_interval", scrapeInterval, true);
      ConfigChecks.duration(out, "scrape_timeout", scrapeTimeout, true);
      return out;
    }
  }
}
