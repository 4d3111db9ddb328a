package io.sluice.exporter.prometheusremotewrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.testing.Peers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A real peer process for tests (Debian's {@code prometheus} or {@code prometheus-node-exporter})
 * on a free loopback port with a temporary data directory; {@link #close()} stops it and deletes
 * the directory.
 */
public final class PrometheusProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path dir;
  private final int port;

  private PrometheusProcess(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts Prometheus with the remote-write receiver enabled.
   *
   * @param scrapeConfigsYaml the YAML list under {@code scrape_configs:} (may be empty), indented
   *     by two spaces
   */
  public static PrometheusProcess prometheus(String scrapeConfigsYaml, String... extraFlags) throws Exception {
    Path bin = Peers.require("prometheus", "prometheus");
    Path dir = Files.createTempDirectory("sluice-prometheus-");
    Files.writeString(dir.resolve("prometheus.yml"),
        "global:\n  scrape_interval: 2s\n  scrape_timeout: 1s\nscrape_configs:\n"
            + (scrapeConfigsYaml.isBlank() ? "  []\n" : scrapeConfigsYaml));
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of(bin.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--web.enable-remote-write-receiver",
        "--log.level=warn"));
    cmd.addAll(List.of(extraFlags));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusProcess pp = new PrometheusProcess(p, dir, port);
    pp.awaitHttp("/-/ready");
    return pp;
  }

  /** Starts node-exporter on a free loopback port. */
  public static PrometheusProcess nodeExporter() throws Exception {
    Path bin = Peers.require("prometheus-node-exporter", "prometheus-node-exporter");
    Path dir = Files.createTempDirectory("sluice-node-exporter-");
    int port = freePort();
    Process p = new ProcessBuilder(bin.toString(), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("node-exporter.log").toFile()).start();
    PrometheusProcess pp = new PrometheusProcess(p, dir, port);
    pp.awaitHttp("/metrics");
    return pp;
  }

  /** {@code 127.0.0.1:port}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** {@code http://127.0.0.1:port}. */
  public String url() {
    return "http://" + address();
  }

  /** The remote-write endpoint. */
  public String remoteWriteUrl() {
    return url() + "/api/v1/write";
  }

  /** The {@code data.result} of an instant PromQL query. */
  public JsonNode query(String promql) throws Exception {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("result");
  }

  /** The label sets of every series matching {@code match}. */
  public List<Map<String, String>> series(String match) throws Exception {
    JsonNode data = get("/api/v1/series?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8));
    List<Map<String, String>> out = new ArrayList<>();
    for (JsonNode s : data) {
      Map<String, String> labels = new TreeMap<>();
      s.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.add(labels);
    }
    return out;
  }

  /** Polls {@code check} every 250 ms until it returns a non-null value or 30 s pass. */
  public static <T> T await(String what, Supplier<T> check) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      T v = check.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 30s waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL) and deletes its directory. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private JsonNode get(String pathAndQuery) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
    }
    return body.get("data");
  }

  private void awaitHttp(String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("peer exited with " + process.exitValue() + ", log in " + dir);
      }
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + path))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("peer not ready after 30s, log in " + dir);
      }
      Thread.sleep(100);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
