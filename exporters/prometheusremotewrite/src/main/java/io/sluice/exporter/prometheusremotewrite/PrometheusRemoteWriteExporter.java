package io.sluice.exporter.prometheusremotewrite;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.Metrics;
import io.sluice.api.PipelineException;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

/**
 * Sends one batch of metrics as Remote-Write 1.0 requests. The batch's series are sharded by the
 * hash of their labels over {@code remote_write_queue.num_consumers} shards sent in parallel; the
 * requests of one shard (each at most {@code max_batch_size_bytes} uncompressed) go one after the
 * other, so the samples of a series are never reordered.
 */
final class PrometheusRemoteWriteExporter implements Exporter {
  private static final Logger logger = LoggerFactory.getLogger(PrometheusRemoteWriteExporter.class);
  private static final String USER_AGENT = "sluice-prometheusremotewrite/" + version();
  private static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  private final PrometheusRemoteWriteConfig config;
  private final MetricTranslator translator;
  private final URI endpoint;
  private final ThrottledLogger rejectedLog = new ThrottledLogger(logger, Duration.ofMinutes(1));
  private final ThrottledLogger droppedLog = new ThrottledLogger(logger, Duration.ofMinutes(1));
  private final SelfTelemetry.Counter droppedDelta;
  private final SelfTelemetry.Counter droppedExponential;
  private final SelfTelemetry.Counter requests;
  private volatile ClientFactory clientFactory;
  private volatile WebClient client;

  PrometheusRemoteWriteExporter(ComponentContext context, PrometheusRemoteWriteConfig config) {
    this.config = config;
    this.translator = new MetricTranslator(config);
    this.endpoint = URI.create(config.endpoint());
    String help = "Metric points the exporter cannot represent in Prometheus and dropped";
    this.droppedDelta = context.telemetry().counter(
        "sluice_exporter_prometheusremotewrite_untranslatable_points", help, "reason", "delta_temporality");
    this.droppedExponential = context.telemetry().counter(
        "sluice_exporter_prometheusremotewrite_untranslatable_points", help, "reason", "exponential_histogram");
    this.requests = context.telemetry().counter(
        "sluice_exporter_prometheusremotewrite_requests", "Remote-write HTTP requests sent");
  }

  @Override
  public void start() {
    ClientFactoryBuilder b = ClientFactory.builder();
    PrometheusRemoteWriteConfig.Tls tls = config.tls();
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
    clientFactory = b.build();
    // HTTP/1.1 for http endpoints: remote-write receivers rarely speak h2c; https negotiates by ALPN.
    String scheme = endpoint.getScheme().equalsIgnoreCase("http") ? "h1c" : "https";
    client = WebClient.builder(scheme + "://" + endpoint.getRawAuthority())
        .factory(clientFactory)
        .responseTimeout(Duration.ofSeconds(30))
        .maxResponseLength(1024 * 1024)
        .build();
  }

  @Override
  public void shutdown() {
    ClientFactory f = clientFactory;
    clientFactory = null;
    if (f != null) {
      f.close();
    }
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData batch) {
    if (!(batch instanceof Metrics metrics)) {
      return CompletableFuture.failedFuture(PipelineException.permanent("prometheusremotewrite exports metrics only, got " + batch.signal()));
    }
    WebClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(PipelineException.retryable("exporter not started"));
    }
    MetricTranslator.Result r;
    try {
      r = translator.translate(metrics.toProto());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(PipelineException.permanent("cannot translate metrics: " + e, e));
    }
    countDropped(r);
    List<List<byte[]>> shards = shard(r);
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    List<byte[]> metadata = new ArrayList<>();
    r.metadata.values().forEach(m -> metadata.add(WriteRequestEncoder.metadata(m)));
    for (int i = 0; i < shards.size(); i++) {
      List<byte[]> bodies = split(shards.get(i), i == 0 ? metadata : List.of());
      shards.set(i, null);
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (byte[] body : bodies) {
        chain = chain.thenCompose(v -> send(c, body));
      }
      sends.add(chain);
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).handle((v, t) -> {
      if (t == null) {
        return null;
      }
      PipelineException worst = null;
      for (CompletableFuture<Void> f : sends) {
        if (f.isCompletedExceptionally()) {
          PipelineException pe = PipelineException.from(f.handle((x, e) -> e).join());
          if (worst == null || (worst.isRetryable() && !pe.isRetryable())) {
            worst = pe;
          }
        }
      }
      throw new CompletionException(worst);
    });
  }

  private void countDropped(MetricTranslator.Result r) {
    if (r.droppedDelta > 0) {
      droppedDelta.add(r.droppedDelta);
      droppedLog.warn("dropped {} metric points with delta temporality: Prometheus stores cumulative values "
          + "only (add a deltatocumulative processor before this exporter)", r.droppedDelta);
    }
    if (r.droppedExponential > 0) {
      droppedExponential.add(r.droppedExponential);
      droppedLog.warn("dropped {} exponential histogram points: native histograms over remote write are not "
          + "supported by this exporter (use explicit-bucket histograms)", r.droppedExponential);
    }
  }

  /** Encoded series of each shard; shard = label hash mod num_consumers. */
  private List<List<byte[]>> shard(MetricTranslator.Result r) {
    int n = config.remoteWriteQueue().numConsumers();
    List<List<byte[]>> shards = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      shards.add(new ArrayList<>());
    }
    // Each series is dropped once encoded, so a large batch is not held twice.
    for (int i = 0; i < r.series.size(); i++) {
      PromSeries s = r.series.get(i);
      r.series.set(i, null);
      shards.get(Math.floorMod(s.hash, n)).add(WriteRequestEncoder.series(s));
    }
    shards.removeIf(List::isEmpty);
    if (shards.isEmpty() && !r.metadata.isEmpty()) {
      shards.add(new ArrayList<>());
    }
    return shards;
  }

  /** Splits into request bodies of at most max_batch_size_bytes (a larger single series goes alone). */
  private List<byte[]> split(List<byte[]> series, List<byte[]> metadata) {
    List<byte[]> bodies = new ArrayList<>();
    List<byte[]> cur = new ArrayList<>();
    int size = 0;
    for (byte[] s : series) {
      int fs = WriteRequestEncoder.fieldSize(s);
      if (!cur.isEmpty() && size + fs > config.maxBatchSizeBytes()) {
        bodies.add(WriteRequestEncoder.request(cur, List.of()));
        cur = new ArrayList<>();
        size = 0;
      }
      cur.add(s);
      size += fs;
    }
    List<byte[]> metaCur = new ArrayList<>();
    for (byte[] m : metadata) {
      int fs = WriteRequestEncoder.fieldSize(m);
      if ((!cur.isEmpty() || !metaCur.isEmpty()) && size + fs > config.maxBatchSizeBytes()) {
        bodies.add(WriteRequestEncoder.request(cur, metaCur));
        cur = new ArrayList<>();
        metaCur = new ArrayList<>();
        size = 0;
      }
      metaCur.add(m);
      size += fs;
    }
    if (!cur.isEmpty() || !metaCur.isEmpty()) {
      bodies.add(WriteRequestEncoder.request(cur, metaCur));
    }
    return bodies;
  }

  private CompletableFuture<Void> send(WebClient c, byte[] body) {
    byte[] compressed;
    try {
      compressed = Snappy.compress(body);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(PipelineException.permanent("snappy compression failed: " + e, e));
    }
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, pathAndQuery())
        .contentType(PROTOBUF)
        .set("Content-Encoding", "snappy")
        .set("X-Prometheus-Remote-Write-Version", "0.1.0")
        .set("User-Agent", USER_AGENT);
    config.headers().forEach(h::set);
    if (!config.basicAuth().username().isEmpty()) {
      String cred = config.basicAuth().username() + ":" + config.basicAuth().password();
      h.set("Authorization", "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8)));
    } else if (!config.bearerToken().isEmpty()) {
      h.set("Authorization", "Bearer " + config.bearerToken());
    }
    requests.increment();
    return c.execute(HttpRequest.of(h.build(), HttpData.wrap(compressed))).aggregate()
        .handle((res, t) -> {
          if (t != null) {
            throw new CompletionException(PipelineException.retryable("remote write to " + config.endpoint() + " failed: " + t, t));
          }
          check(res);
          return null;
        });
  }

  private void check(AggregatedHttpResponse res) {
    int code = res.status().code();
    if (code >= 200 && code < 300) {
      return;
    }
    String msg = res.contentUtf8().strip();
    if (msg.length() > 512) {
      msg = msg.substring(0, 512) + "...";
    }
    String what = "remote write to " + config.endpoint() + " answered " + res.status() + ": " + msg;
    if (code == 429 || code >= 500) {
      throw new CompletionException(PipelineException.retryable(what, retryAfter(res.headers().get("Retry-After"))));
    }
    rejectedLog.warn("{} (not retried; the data is dropped)", what);
    throw new CompletionException(PipelineException.permanent(what));
  }

  /** Parses Retry-After as seconds or an HTTP date; null if absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }

  private String pathAndQuery() {
    String p = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    return endpoint.getRawQuery() == null ? p : p + "?" + endpoint.getRawQuery();
  }

  private static String version() {
    String v = PrometheusRemoteWriteExporter.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
