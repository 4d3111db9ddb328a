package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.sluice.api.Metrics;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.config.DataSize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * A scrape body, as each content type and with and without {@code honor_labels}, through the whole
 * path to OTLP: parse, merge target labels, convert, convert again, then a scrape that finds
 * nothing. A body fails the scrape with a {@link ScrapeLoop.ScrapeFailure}, or gives at most one
 * point a sample that encodes and decodes unchanged; the repeat gives the same points, and the empty
 * scrape only stale markers for them. Seeds: the Prometheus Java client library's pages in the
 * three formats.
 */
class ScrapeConverterFuzzTest {
  private static final String[] CONTENT_TYPES = {"text/plain; version=0.0.4; charset=utf-8",
      "application/openmetrics-text; version=1.0.0; charset=utf-8",
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"};
  private static final long SCRAPE_MS = 1_700_000_000_000L;
  private static final ThrottledLogger LOG = new ThrottledLogger(LoggerFactory.getLogger("fuzz"), Duration.ofHours(1));
  private static final List<ScrapeJob> JOBS = new ArrayList<>();

  @BeforeAll
  static void jobs() {
    for (boolean honorLabels : new boolean[] {false, true}) {
      ScrapeConfig sc = new ScrapeConfig("fuzz", Duration.ofSeconds(15), Duration.ofSeconds(10), "/metrics", "http",
          Map.of(), List.of(new ScrapeConfig.StaticConfig(List.of("127.0.0.1:9"), Map.of("env", "fuzz"))), List.of(),
          honorLabels, true, List.of(), List.of(), ScrapeConfig.BasicAuth.defaults(),
          ScrapeConfig.Authorization.defaults(), ScrapeConfig.TlsConfig.defaults(), 0, 0, DataSize.ofBytes(0),
          ScrapeConfig.DEFAULT_PROTOCOLS);
      JOBS.add(new ScrapeJob(sc, PrometheusReceiverConfig.Global.defaults(), n -> { }, n -> { }, LOG));
    }
  }

  @AfterAll
  static void close() {
    JOBS.forEach(ScrapeJob::close);
    JOBS.clear();
  }

  @FuzzTest(maxDuration = "30s")
  void scrapeToOtlp(byte[] body) throws InvalidProtocolBufferException {
    for (String contentType : CONTENT_TYPES) {
      for (ScrapeJob job : JOBS) {
        ScrapeLoop loop = new ScrapeLoop(job, job.targets().get(0), d -> CompletableFuture.completedFuture(null), LOG);
        ScrapeLoop.ScrapeResult r;
        try {
          r = loop.process(body, contentType, SCRAPE_MS);
        } catch (ScrapeLoop.ScrapeFailure e) {
          assertThat(e.getMessage()).startsWith("invalid ");
          continue;
        }
        ScrapeConverter converter = new ScrapeConverter("http");
        Metrics first = converter.convert(new ArrayList<>(r.samples()), r.families(), SCRAPE_MS, List.of());
        assertThat(first.itemCount()).isLessThanOrEqualTo(r.samples().size());
        assertThat(Metrics.parse(first.toByteArray())).isEqualTo(first);

        Metrics again = converter.convert(new ArrayList<>(r.samples()), r.families(), SCRAPE_MS + 15_000, List.of());
        assertThat(again.itemCount()).isEqualTo(first.itemCount());

        Metrics gone = converter.convert(List.of(), Map.of(), SCRAPE_MS + 30_000, List.of());
        assertThat(gone.itemCount()).isBetween(first.itemCount() == 0 ? 0 : 1, first.itemCount());
        assertThat(flags(gone)).hasSize(gone.itemCount()).allMatch(f -> f == ScrapeConverter.NO_RECORDED_VALUE);
      }
    }
  }

  /** The flags of every data point. */
  private static List<Integer> flags(Metrics metrics) {
    List<Integer> out = new ArrayList<>();
    for (ResourceMetrics rm : metrics.resourceMetrics()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          switch (m.getDataCase()) {
            case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> out.add(p.getFlags()));
            case SUM -> m.getSum().getDataPointsList().forEach(p -> out.add(p.getFlags()));
            case HISTOGRAM -> m.getHistogram().getDataPointsList().forEach(p -> out.add(p.getFlags()));
            case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList().forEach(p -> out.add(p.getFlags()));
            case SUMMARY -> m.getSummary().getDataPointsList().forEach(p -> out.add(p.getFlags()));
            case DATA_NOT_SET -> out.add(-1);
          }
        }
      }
    }
    return out;
  }
}
