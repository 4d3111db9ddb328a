package io.sluice.receiver.prometheus;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.DataSize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code scrape_configs}, in Prometheus's vocabulary and with its defaults.
 *
 * @param jobName required; the {@code job} label
 * @param scrapeInterval default: {@code global.scrape_interval} (1m)
 * @param scrapeTimeout default: {@code global.scrape_timeout} (10s), at most the interval
 * @param metricsPath default {@code /metrics}
 * @param scheme default {@code http}
 * @param params URL query parameters
 * @param staticConfigs targets with labels
 * @param fileSdConfigs JSON target files, re-read when they change
 * @param honorLabels default false: exposed labels that clash with target labels become {@code
 *     exported_<name>}; when true the exposed ones win
 * @param honorTimestamps default true: use timestamps the target exposes
 * @param relabelConfigs applied to target labels before scraping
 * @param metricRelabelConfigs applied to every scraped sample
 * @param basicAuth HTTP basic authentication
 * @param authorization {@code Authorization} header credentials
 * @param tlsConfig TLS settings for https targets
 * @param sampleLimit default 0 (none): more samples after metric relabeling fail the scrape
 * @param labelLimit default 0 (none): a sample with more labels fails the scrape
 * @param bodySizeLimit default 0 (none): a larger uncompressed body fails the scrape
 */
public record ScrapeConfig(
    String jobName,
    Duration scrapeInterval,
    Duration scrapeTimeout,
    String metricsPath,
    String scheme,
    Map<String, List<String>> params,
    List<StaticConfig> staticConfigs,
    List<FileSdConfig> fileSdConfigs,
    boolean honorLabels,
    boolean honorTimestamps,
    List<RelabelConfig> relabelConfigs,
    List<RelabelConfig> metricRelabelConfigs,
    BasicAuth basicAuth,
    Authorization authorization,
    TlsConfig tlsConfig,
    int sampleLimit,
    int labelLimit,
    DataSize bodySizeLimit)
    implements ComponentConfig {

  /** Prometheus's defaults; interval and timeout null mean "from {@code global}". */
  public static ScrapeConfig defaults() {
    return new ScrapeConfig("", null, null, "/metrics", "http", Map.of(), List.of(), List.of(), false, true,
        List.of(), List.of(), BasicAuth.defaults(), Authorization.defaults(), TlsConfig.defaults(), 0, 0,
        DataSize.ofBytes(0));
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.notBlank(out, "job_name", jobName, "a job name");
    if (scrapeInterval != null) {
      ConfigChecks.duration(out, "scrape_interval", scrapeInterval, true);
    }
    if (scrapeTimeout != null) {
      ConfigChecks.duration(out, "scrape_timeout", scrapeTimeout, true);
    }
    if (scrapeInterval != null && scrapeTimeout != null && scrapeTimeout.compareTo(scrapeInterval) > 0) {
      out.add(new ConfigProblem("scrape_timeout", scrapeTimeout + " is longer than scrape_interval "
          + scrapeInterval + " (expected: scrape_timeout <= scrape_interval)"));
    }
    if (metricsPath == null || !metricsPath.startsWith("/")) {
      out.add(new ConfigProblem("metrics_path", ConfigChecks.quote(metricsPath) + " (expected: a path starting with /)"));
    }
    ConfigChecks.oneOf(out, "scheme", scheme, List.of("http", "https"));
    for (int i = 0; i < staticConfigs.size(); i++) {
      for (String t : staticConfigs.get(i).targets()) {
        if (!ConfigChecks.isHostPort(t)) {
          out.add(new ConfigProblem("static_configs[" + i + "].targets",
              ConfigChecks.quote(t) + " (expected: host:port, e.g. localhost:9100)"));
        }
      }
    }
    for (int i = 0; i < fileSdConfigs.size(); i++) {
      String p = "file_sd_configs[" + i + "]";
      fileSdConfigs.get(i).validate().forEach(pr -> out.add(pr.under(p)));
    }
    for (int i = 0; i < relabelConfigs.size(); i++) {
      String p = "relabel_configs[" + i + "]";
      relabelConfigs.get(i).validate().forEach(pr -> out.add(pr.under(p)));
    }
    for (int i = 0; i < metricRelabelConfigs.size(); i++) {
      String p = "metric_relabel_configs[" + i + "]";
      metricRelabelConfigs.get(i).validate().forEach(pr -> out.add(pr.under(p)));
    }
    if (!basicAuth.username().isEmpty() && !authorization.credentials().isEmpty()) {
      out.add(new ConfigProblem("authorization",
          "set together with basic_auth (expected: at most one of basic_auth and authorization)"));
    }
    tlsConfig.validate().forEach(p -> out.add(p.under("tls_config")));
    ConfigChecks.atLeast(out, "sample_limit", sampleLimit, 0);
    ConfigChecks.atLeast(out, "label_limit", labelLimit, 0);
    return out;
  }

  /**
   * {@code static_configs} entry.
   *
   * @param targets {@code host:port} addresses
   * @param labels labels added to every target of this entry
   */
  public record StaticConfig(List<String> targets, Map<String, String> labels) implements ComponentConfig {}

  /**
   * {@code file_sd_configs} entry: files in Prometheus's JSON target format ({@code [{"targets":
   * [...], "labels": {...}}]}); names may use {@code *} in the last path element.
   *
   * @param files the files or patterns
   * @param refreshInterval default 5m: files are re-read at least this often, and within about a
   *     second of a change
   */
  public record FileSdConfig(List<String> files, Duration refreshInterval) implements ComponentConfig {
    /** Prometheus's defaults. */
    public static FileSdConfig defaults() {
      return new FileSdConfig(List.of(), Duration.ofMinutes(5));
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      if (files.isEmpty()) {
        out.add(new ConfigProblem("files", "[] (expected: at least one file)"));
      }
      for (String f : files) {
        if (!f.endsWith(".json")) {
          out.add(new ConfigProblem("files", ConfigChecks.quote(f) + " (expected: a .json file; YAML target files are not supported)"));
        }
      }
      ConfigChecks.duration(out, "refresh_interval", refreshInterval, true);
      return out;
    }
  }

  /**
   * {@code basic_auth}.
   *
   * @param username default empty: none
   * @param password default empty
   */
  public record BasicAuth(String username, String password) implements ComponentConfig {
    /** No basic authentication. */
    public static BasicAuth defaults() {
      return new BasicAuth("", "");
    }
  }

  /**
   * {@code authorization}.
   *
   * @param type default {@code Bearer}
   * @param credentials default empty: no header
   */
  public record Authorization(String type, String credentials) implements ComponentConfig {
    /** Prometheus's defaults. */
    public static Authorization defaults() {
      return new Authorization("Bearer", "");
    }
  }

  /**
   * {@code tls_config}.
   *
   * @param caFile PEM CA bundle; default: the JDK's trust store
   * @param certFile PEM client certificate, with {@code key_file}
   * @param keyFile PEM PKCS#8 key
   * @param insecureSkipVerify default false
   */
  public record TlsConfig(String caFile, String certFile, String keyFile, boolean insecureSkipVerify)
      implements ComponentConfig {
    /** No TLS customisation. */
    public static TlsConfig defaults() {
      return new TlsConfig("", "", "", false);
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      if (certFile.isEmpty() != keyFile.isEmpty()) {
        out.add(new ConfigProblem(certFile.isEmpty() ? "cert_file" : "key_file",
            "\"\" (expected: cert_file and key_file set together)"));
      }
      return out;
    }
  }
}
