package io.sluice.receiver.prometheus;

import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.encoding.DecodingClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.encoding.StreamDecoderFactory;
import io.sluice.api.DataConsumer;
import io.sluice.api.Metrics;
import io.sluice.api.ThrottledLogger;
import io.sluice.receiver.prometheus.ScrapeConverter.ScrapedSample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target every interval on its own virtual thread, so a slow or hanging target never
 * delays another. The first scrape is offset within the interval by a hash of the target, which
 * spreads the targets of a job over the interval like Prometheus does.
 */
final class ScrapeLoop {
  private static final Logger logger = LoggerFactory.getLogger(ScrapeLoop.class);
  /** A scrape goes down the pipeline in parts of about this many points (the batch default). */
  static final int CHUNK_POINTS = 8192;
  /**
   * Parts of one scrape in the pipeline at once (about 130k points): a {@code batch} processor
   * answers a part only when it sends the batch holding it, so the window must exceed the largest
   * {@code send_batch_size} in common use, or each window would wait for the batch's timeout.
   */
  private static final int MAX_IN_FLIGHT = 16;

  private final ScrapeJob job;
  private final ScrapeTarget target;
  private final DataConsumer consumer;
  private final WebClient client;
  private final ScrapeConverter converter;
  private final ThrottledLogger failures;
  /** Sorted 64-bit hashes of the previous scrape's series, for scrape_series_added (8 bytes a series). */
  private long[] lastSeries = new long[0];
  private volatile boolean stopped;
  private Thread thread;

  ScrapeLoop(ScrapeJob job, ScrapeTarget target, DataConsumer consumer, ThrottledLogger failures) {
    this.job = job;
    this.target = target;
    this.consumer = consumer;
    this.failures = failures;
    // Plain HTTP/1.1 for http targets (as Prometheus): no h2c attempt that most exporters refuse.
    this.client = WebClient.builder((target.scheme().equals("http") ? "h1c" : "https") + "://" + target.address())
        .factory(job.clientFactory())
        .responseTimeout(job.timeout())
        .maxResponseLength(job.config().bodySizeLimit().bytes())
        // gzip and deflate only, as Prometheus (gzip): Armeria's default also asks for br and
        // x-snappy-framed, and Netty's snappy decoder fails on a corrupt frame with an
        // IndexOutOfBoundsException (found by ResponseDecodingFuzzTest).
        .decorator(DecodingClient.builder()
            .decoderFactories(StreamDecoderFactory.gzip(), StreamDecoderFactory.deflate()).newDecorator())
        .build();
    this.converter = new ScrapeConverter(target.scheme(), target.labels());
  }

  ScrapeTarget target() {
    return target;
  }

  void start() {
    thread = Thread.ofVirtual().name("scrape " + job.config().jobName() + " " + target.address()).start(this::run);
  }

  /** Stops the loop and marks every series of the target stale. */
  void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Delivery d = new Delivery();
      converter.down(System.currentTimeMillis(), List.of(), true, CHUNK_POINTS, d::send);
      d.awaitAll();
    }
  }

  private void run() {
    long interval = job.interval().toMillis();
    long now = System.currentTimeMillis();
    long offset = Math.floorMod((long) target.key().hashCode() * 2654435761L, interval);
    long next = now - Math.floorMod(now, interval) + offset;
    if (next < now) {
      next += interval;
    }
    while (!stopped) {
      long wait = next - System.currentTimeMillis();
      if (wait > 0) {
        try {
          Thread.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      if (stopped) {
        return;
      }
      scrapeOnce();
      next += interval;
      long behind = System.currentTimeMillis() - next;
      if (behind > 0) {
        next += (behind / interval + 1) * interval;
      }
    }
  }

  /** One scrape: fetch, parse, relabel, limit, convert, hand on; failures give up=0. */
  void scrapeOnce() {
    long startMs = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Delivery delivery = new Delivery();
    try {
      scrapeAndConvert(startMs, t0, delivery);
    } catch (ScrapeFailure | RuntimeException e) {
      // A RuntimeException is a bug in a parser or the converter: failing this scrape keeps the
      // loop, and the target's later scrapes, alive.
      failures.warn("scrape of {} (job {}) failed: {}", target.scheme() + "://" + target.address()
          + target.pathAndQuery(), job.config().jobName(), e instanceof ScrapeFailure ? e.getMessage() : e.toString());
      double seconds = (System.nanoTime() - t0) / 1e9;
      lastSeries = new long[0];
      converter.down(startMs, synthetic(startMs, 0, seconds, 0, 0, 0), false, CHUNK_POINTS, delivery::send);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    delivery.awaitAll();
  }

  /**
   * Fetches, processes and converts, handing the OTLP points on in parts while the rest of the
   * page is converted: a scrape of a million series then holds a few parts of OTLP points, not a
   * million, and the exporter encodes a part at a time. Nothing is handed on before the whole page
   * has been parsed and checked against the limits, so a page that fails does so as a whole, as in
   * Prometheus.
   */
  private void scrapeAndConvert(long startMs, long t0, Delivery delivery) throws ScrapeFailure, InterruptedException {
    ScrapeResult r = process(fetch(), contentType, startMs);
    double seconds = (System.nanoTime() - t0) / 1e9;
    converter.convert(r.samples(), r.families(), startMs,
        synthetic(startMs, 1, seconds, r.scraped(), r.samples().size(), r.added()), CHUNK_POINTS, delivery::send);
  }

  private String contentType = "";

  private byte[] fetch() throws ScrapeFailure, InterruptedException {
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.GET, target.pathAndQuery())
        .set("Accept", job.accept())
        .set("User-Agent", "sluice-prometheus-receiver")
        .set("X-Prometheus-Scrape-Timeout-Seconds",
            java.math.BigDecimal.valueOf(job.timeout().toMillis(), 3).stripTrailingZeros().toPlainString());
    ScrapeConfig sc = job.config();
    if (!sc.basicAuth().username().isEmpty()) {
      String cred = sc.basicAuth().username() + ":" + sc.basicAuth().password();
      h.set("Authorization", "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8)));
    } else if (!sc.authorization().credentials().isEmpty()) {
      h.set("Authorization", sc.authorization().type() + " " + sc.authorization().credentials());
    }
    AggregatedHttpResponse res;
    try {
      res = client.execute(HttpRequest.of(h.build())).aggregate()
          .get(job.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ResponseTimeoutException) {
        throw new ScrapeFailure("no answer within scrape_timeout " + ScrapeJob.goDuration(job.timeout()));
      }
      if (c instanceof ContentTooLargeException) {
        throw new ScrapeFailure("body larger than body_size_limit " + sc.bodySizeLimit());
      }
      if (c instanceof UnprocessedRequestException && c.getCause() != null) {
        c = c.getCause();
      }
      throw new ScrapeFailure(c.getMessage() != null ? c.getMessage() : c.toString());
    } catch (TimeoutException e) {
      throw new ScrapeFailure("no answer within scrape_timeout " + ScrapeJob.goDuration(job.timeout()));
    }
    if (res.status().code() != 200) {
      throw new ScrapeFailure("server returned HTTP status " + res.status());
    }
    contentType = res.contentType() == null ? "" : res.contentType().toString();
    byte[] body = res.content().array();
    long limit = sc.bodySizeLimit().bytes();
    if (limit > 0 && body.length > limit) {
      throw new ScrapeFailure("body larger than body_size_limit " + sc.bodySizeLimit() + " after decompression");
    }
    return body;
  }

  /** The samples of one page after label merging, metric relabeling and limits. */
  record ScrapeResult(List<ScrapedSample> samples, Map<String, ExpositionParser.Family> families, int scraped,
      int added) {}

  ScrapeResult process(byte[] body, String contentType, long scrapeMs) throws ScrapeFailure {
    boolean openMetrics = contentType.startsWith("application/openmetrics-text");
    boolean protobuf = contentType.startsWith("application/vnd.google.protobuf");
    ExpositionParser.Page page;
    try {
      if (protobuf) {
        page = ProtobufParser.parse(body);
      } else {
        String text = ExpositionParser.decode(body);
        // The bytes are garbage from here on, while the page is parsed from the text: at a
        // million series that is tens of MiB less at the scrape's peak.
        body = null;
        page = ExpositionParser.parse(text, openMetrics);
      }
    } catch (ExpositionParser.ParseException e) {
      throw new ScrapeFailure((protobuf ? "invalid protobuf page: " : openMetrics ? "invalid OpenMetrics page: "
          : "invalid text format page: ") + e.getMessage());
    }
    ScrapeConfig sc = job.config();
    List<ExpositionParser.Sample> in = page.samples();
    List<ScrapedSample> out = new ArrayList<>(in.size());
    long[] hashes = new long[in.size()];
    // Open addressing over the kept samples (index + 1) by hash, to find duplicates without a
    // String key per sample.
    int[] table = new int[Integer.highestOneBit(Math.max(1, in.size()) * 2) * 2];
    int duplicates = 0;
    for (int i = 0; i < in.size(); i++) {
      ExpositionParser.Sample s = in.get(i);
      // The page's sample is not needed any more: let the collector take it while the rest of a
      // large page is processed.
      in.set(i, null);
      String name = s.name();
      SortedLabels sorted = merged(s.labels(), sc.honorLabels());
      if (!job.metricRelabel().isEmpty()) {
        TreeMap<String, String> labels = new TreeMap<>(sorted);
        labels.put("__name__", name);
        if (!job.metricRelabel().apply(labels)) {
          continue;
        }
        labels.values().removeIf(String::isEmpty);
        name = labels.remove("__name__");
        sorted = SortedLabels.of(labels);
      }
      if (name == null || name.isEmpty()) {
        continue;
      }
      if (sc.labelLimit() > 0 && sorted.size() + 1 > sc.labelLimit()) {
        throw new ScrapeFailure("label_limit exceeded (metric: " + name + ", number of labels: "
            + (sorted.size() + 1) + ", limit: " + sc.labelLimit() + ")");
      }
      long ts = sc.honorTimestamps() ? s.timestampMs() : ExpositionParser.NO_TIMESTAMP;
      ScrapedSample sample = new ScrapedSample(name, sorted, s.value(), ts, s.exemplar(), s.nativeHistogram());
      long h = hash64(name, sorted);
      int slot = (int) (h ^ (h >>> 32)) & (table.length - 1);
      boolean duplicate = false;
      while (table[slot] != 0) {
        int other = table[slot] - 1;
        if (hashes[other] == h && out.get(other).name().equals(name) && out.get(other).labels().equals(sample.labels())) {
          duplicate = true;
          break;
        }
        slot = (slot + 1) & (table.length - 1);
      }
      if (duplicate) {
        duplicates++;
        continue;
      }
      hashes[out.size()] = h;
      table[slot] = out.size() + 1;
      out.add(sample);
    }
    if (sc.sampleLimit() > 0 && out.size() > sc.sampleLimit()) {
      throw new ScrapeFailure("sample_limit exceeded (" + out.size() + " samples, limit: " + sc.sampleLimit() + ")");
    }
    if (duplicates > 0) {
      failures.warn("scrape of {} (job {}): {} duplicate series ignored (the first sample of each was kept)",
          target.address(), sc.jobName(), duplicates);
    }
    hashes = java.util.Arrays.copyOf(hashes, out.size());
    java.util.Arrays.sort(hashes);
    int added = 0;
    for (long h : hashes) {
      if (java.util.Arrays.binarySearch(lastSeries, h) < 0) {
        added++;
      }
    }
    lastSeries = hashes;
    return new ScrapeResult(out, page.families(), in.size(), added);
  }

  /** FNV-1a over the name and the label names and values; collisions only skew scrape_series_added. */
  private static long hash64(String name, SortedLabels labels) {
    long h = fnv(0xcbf29ce484222325L, name);
    for (int i = 0; i < labels.size(); i++) {
      h = fnv(fnv(h * 31 + 1, labels.name(i)) * 31 + 2, labels.value(i));
    }
    return h;
  }

  private static long fnv(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  /**
   * The page's labels merged with the target's, without {@code __name__} (the sample's name
   * replaces it) and empty values, in a small array rather than a TreeMap per sample. Target labels
   * win unless honor_labels; clashing exposed labels become exported_<name>.
   */
  private SortedLabels merged(String[] page, boolean honor) {
    Map<String, String> targetLabels = target.labels();
    String[] a = new String[page.length + 4 * targetLabels.size()];
    int n = 0;
    for (int j = 0; j < page.length; j += 2) {
      if (!page[j + 1].isEmpty() && !page[j].equals("__name__")) {
        int i = indexOf(a, n, page[j]);
        if (i >= 0) {
          a[i + 1] = page[j + 1];
        } else {
          a[n++] = page[j];
          a[n++] = page[j + 1];
        }
      }
    }
    for (Map.Entry<String, String> t : targetLabels.entrySet()) {
      String name = t.getKey();
      int i = indexOf(a, n, name);
      if (i < 0) {
        a[n++] = name;
        a[n++] = t.getValue();
      } else if (!honor) {
        String renamed = "exported_" + name;
        while (indexOf(a, n, renamed) >= 0) {
          renamed = "exported_" + renamed;
        }
        a[n++] = renamed;
        a[n++] = a[i + 1];
        a[i + 1] = t.getValue();
      }
    }
    return SortedLabels.sort(a, n);
  }

  private static int indexOf(String[] pairs, int length, String name) {
    for (int i = 0; i < length; i += 2) {
      if (pairs[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private List<ScrapedSample> synthetic(long ms, double up, double seconds, int scraped, int post, int added) {
    Map<String, String> labels = new TreeMap<>(target.labels());
    return List.of(
        new ScrapedSample("up", labels, up, ExpositionParser.NO_TIMESTAMP, null),
        new ScrapedSample("scrape_duration_seconds", labels, seconds, ExpositionParser.NO_TIMESTAMP, null),
        new ScrapedSample("scrape_samples_scraped", labels, scraped, ExpositionParser.NO_TIMESTAMP, null),
        new ScrapedSample("scrape_samples_post_metric_relabeling", labels, post, ExpositionParser.NO_TIMESTAMP, null),
        new ScrapedSample("scrape_series_added", labels, added, ExpositionParser.NO_TIMESTAMP, null));
  }

  /**
   * The parts of one scrape in the pipeline: at most {@link #MAX_IN_FLIGHT} at once, each counted
   * as accepted or refused once the pipeline answers.
   */
  private final class Delivery {
    private final ArrayDeque<CompletableFuture<Void>> futures = new ArrayDeque<>();
    private final ArrayDeque<Integer> counts = new ArrayDeque<>();

    void send(Metrics metrics) {
      if (metrics.isEmpty()) {
        return;
      }
      if (futures.size() >= MAX_IN_FLIGHT) {
        awaitOldest();
      }
      counts.add(metrics.itemCount());
      futures.add(consumer.consume(metrics));
    }

    void awaitAll() {
      while (!futures.isEmpty()) {
        awaitOldest();
      }
    }

    private void awaitOldest() {
      CompletableFuture<Void> f = futures.poll();
      int n = counts.poll();
      try {
        f.get(job.interval().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        job.accepted().add(n);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        job.refused().add(n);
      } catch (ExecutionException | TimeoutException e) {
        job.refused().add(n);
        failures.warn("pipeline refused {} metric points from job {}: {}", n, job.config().jobName(),
            e instanceof ExecutionException ? e.getCause() : "no answer in time");
      }
    }
  }

  /** Why one scrape failed; the message is logged (throttled). */
  static final class ScrapeFailure extends Exception {
    private static final long serialVersionUID = 1L;

    ScrapeFailure(String message) {
      super(message, null, false, false);
    }
  }
}
