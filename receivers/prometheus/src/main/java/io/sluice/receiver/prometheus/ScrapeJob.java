package io.sluice.receiver.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.ThrottledLogger;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code scrape_configs} entry at run time: its HTTP client, relabel rules, effective interval
 * and timeout, and target discovery (static and file based).
 */
final class ScrapeJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScrapeConfig config;
  private final Duration interval;
  private final Duration timeout;
  private final Relabeler relabel;
  private final Relabeler metricRelabel;
  private final ClientFactory clientFactory;
  private final SelfTelemetry.Counter accepted;
  private final SelfTelemetry.Counter refused;
  private final ThrottledLogger sdLog;
  /** Last good groups per file, kept when a file becomes unreadable. */
  private final Map<Path, List<Map<String, String>>> fileGroups = new LinkedHashMap<>();
  private final Map<Path, String> fileStamps = new LinkedHashMap<>();
  private long lastFullRead;

  ScrapeJob(ScrapeConfig config, PrometheusReceiverConfig.Global global, SelfTelemetry.Counter accepted,
      SelfTelemetry.Counter refused, ThrottledLogger sdLog) {
    this.config = config;
    this.interval = config.scrapeInterval() != null ? config.scrapeInterval() : global.scrapeInterval();
    Duration t = config.scrapeTimeout() != null ? config.scrapeTimeout() : global.scrapeTimeout();
    this.timeout = t.compareTo(interval) > 0 ? interval : t;
    this.relabel = new Relabeler(config.relabelConfigs());
    this.metricRelabel = new Relabeler(config.metricRelabelConfigs());
    this.accepted = accepted;
    this.refused = refused;
    this.sdLog = sdLog;
    ClientFactoryBuilder b = ClientFactory.builder();
    ScrapeConfig.TlsConfig tls = config.tlsConfig();
    if (tls.insecureSkipVerify()) {
      b.tlsNoVerify();
    }
    if (!tls.caFile().isEmpty() || !tls.certFile().isEmpty()) {
      b.tlsCustomizer(ssl -> {
        if (!tls.caFile().isEmpty()) {
          ssl.trustManager(new File(tls.caFile()));
        }
        if (!tls.certFile().isEmpty()) {
          ssl.keyManager(new File(tls.certFile()), new File(tls.keyFile()));
        }
      });
    }
    this.clientFactory = b.build();
  }

  ScrapeConfig config() {
    return config;
  }

  Duration interval() {
    return interval;
  }

  Duration timeout() {
    return timeout;
  }

  Relabeler metricRelabel() {
    return metricRelabel;
  }

  ClientFactory clientFactory() {
    return clientFactory;
  }

  SelfTelemetry.Counter accepted() {
    return accepted;
  }

  SelfTelemetry.Counter refused() {
    return refused;
  }

  void close() {
    clientFactory.close();
  }

  /**
   * Whether file-based targets changed since the last call (a file's modification time or size, a
   * file appearing or vanishing, or refresh_interval elapsed); re-reads them if so.
   */
  boolean refreshFiles(long nowMs) {
    if (config.fileSdConfigs().isEmpty()) {
      return false;
    }
    boolean full = false;
    for (ScrapeConfig.FileSdConfig f : config.fileSdConfigs()) {
      full |= nowMs - lastFullRead >= f.refreshInterval().toMillis();
    }
    Map<Path, String> stamps = new LinkedHashMap<>();
    for (ScrapeConfig.FileSdConfig f : config.fileSdConfigs()) {
      for (String pattern : f.files()) {
        for (Path p : expand(pattern)) {
          try {
            stamps.put(p, Files.getLastModifiedTime(p).toMillis() + "/" + Files.size(p));
          } catch (IOException e) {
            // vanished between listing and reading: treated as absent
          }
        }
      }
    }
    if (!full && stamps.equals(fileStamps)) {
      return false;
    }
    if (full) {
      lastFullRead = nowMs;
    }
    fileGroups.keySet().retainAll(stamps.keySet());
    for (Path p : stamps.keySet()) {
      if (full || !stamps.get(p).equals(fileStamps.get(p))) {
        try {
          fileGroups.put(p, readTargets(p));
        } catch (IOException | RuntimeException e) {
          sdLog.warn("file_sd_configs of job {}: cannot read {}: {} (keeping its previous targets)",
              config.jobName(), p, e.getMessage());
        }
      }
    }
    fileStamps.clear();
    fileStamps.putAll(stamps);
    return true;
  }

  /** The targets of this job now, after relabel_configs. */
  List<ScrapeTarget> targets() {
    List<Map<String, String>> discovered = new ArrayList<>();
    for (ScrapeConfig.StaticConfig s : config.staticConfigs()) {
      for (String t : s.targets()) {
        Map<String, String> l = new TreeMap<>(s.labels());
        l.put("__address__", t);
        discovered.add(l);
      }
    }
    fileGroups.values().forEach(discovered::addAll);
    List<ScrapeTarget> out = new ArrayList<>();
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (Map<String, String> d : discovered) {
      ScrapeTarget t = ScrapeTarget.of(d, config, goDuration(interval), goDuration(timeout), relabel);
      if (t != null && keys.add(t.key())) {
        out.add(t);
      }
    }
    return out;
  }

  private static List<Path> expand(String pattern) {
    Path p = Path.of(pattern);
    String last = p.getFileName().toString();
    if (!last.contains("*") && !last.contains("?")) {
      return Files.isRegularFile(p) ? List.of(p) : List.of();
    }
    Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, last)) {
      ds.forEach(out::add);
    } catch (IOException e) {
      return List.of();
    }
    out.sort(null);
    return out;
  }

  /** Reads Prometheus's JSON file_sd format: [{"targets": [...], "labels": {...}}]. */
  private static List<Map<String, String>> readTargets(Path p) throws IOException {
    JsonNode root = JSON.readTree(p.toFile());
    if (root == null || !root.isArray()) {
      throw new IOException("expected a JSON array of {\"targets\": [...], \"labels\": {...}}");
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (JsonNode group : root) {
      Map<String, String> labels = new TreeMap<>();
      JsonNode ls = group.get("labels");
      if (ls != null) {
        ls.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      }
      labels.put("__meta_filepath", p.toString());
      JsonNode ts = group.get("targets");
      if (ts == null || !ts.isArray()) {
        throw new IOException("a group without a \"targets\" array");
      }
      for (JsonNode t : ts) {
        Map<String, String> l = new TreeMap<>(labels);
        l.put("__address__", t.asText());
        out.add(l);
      }
    }
    return out;
  }

  /** Prometheus's duration format for __scrape_interval__ (e.g. 1m, 15s, 1m30s). */
  static String goDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    StringBuilder sb = new StringBuilder();
    if (s >= 3600) {
      sb.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      sb.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0 || sb.isEmpty()) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }
}
