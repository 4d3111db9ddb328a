package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.testing.junit5.server.ServerExtension;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.sluice.api.Metrics;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.CapturingConsumer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class ScrapeLoopTest {
  static final AtomicReference<String> page = new AtomicReference<>("");
  static final AtomicReference<com.linecorp.armeria.common.RequestHeaders> lastHeaders = new AtomicReference<>();

  static final String TEXT = """
      # HELP http_requests_total Requests.
      # TYPE http_requests_total counter
      http_requests_total{code="200",job="app"} 10
      http_requests_total{code="500",job="app"} 2
      # TYPE temperature gauge
      temperature 21.5
      # TYPE latency_seconds histogram
      latency_seconds_bucket{le="0.1"} 3
      latency_seconds_bucket{le="1"} 5
      latency_seconds_bucket{le="+Inf"} 6
      latency_seconds_sum 4.2
      latency_seconds_count 6
      # TYPE gc_seconds summary
      gc_seconds{quantile="0.5"} 0.01
      gc_seconds{quantile="1"} 0.05
      gc_seconds_sum 0.3
      gc_seconds_count 12
      untyped_thing NaN
      """;

  @RegisterExtension
  static final ServerExtension server = new ServerExtension() {
    @Override
    protected void configure(ServerBuilder sb) {
      sb.service("/text", (ctx, req) -> {
        lastHeaders.set(req.headers());
        return HttpResponse.of(HttpStatus.OK, MediaType.parse("text/plain; version=0.0.4"), page.get());
      });
      sb.service("/om", (ctx, req) -> HttpResponse.of(HttpStatus.OK,
          MediaType.parse("application/openmetrics-text; version=1.0.0; charset=utf-8"), page.get()));
      sb.service("/bytes", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT,
          "ok 1\nbad{v=\"\u00ff\"} 1\n".getBytes(StandardCharsets.ISO_8859_1)));
      sb.service("/hang", (ctx, req) -> HttpResponse.streaming());
      sb.service("/gzip", (ctx, req) -> {
        lastHeaders.set(req.headers());
        try {
          java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
          try (var gz = new java.util.zip.GZIPOutputStream(bos)) {
            gz.write(page.get().getBytes(StandardCharsets.UTF_8));
          }
          return HttpResponse.of(com.linecorp.armeria.common.ResponseHeaders.builder(HttpStatus.OK)
              .contentType(MediaType.PLAIN_TEXT).set("content-encoding", "gzip").build(),
              com.linecorp.armeria.common.HttpData.wrap(bos.toByteArray()));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      sb.service("/missing", (ctx, req) -> HttpResponse.of(HttpStatus.NOT_FOUND));
      sb.requestTimeout(Duration.ofSeconds(30));
    }
  };

  private final CapturingConsumer consumer = new CapturingConsumer();

  static ScrapeConfig config(String job, String path, boolean honorLabels, List<RelabelConfig> metricRelabel,
      int sampleLimit, int labelLimit, DataSize bodyLimit) {
    return new ScrapeConfig(job, Duration.ofSeconds(2), Duration.ofSeconds(1), path, "http", Map.of(),
        List.of(new ScrapeConfig.StaticConfig(List.of("127.0.0.1:" + server.httpPort()), Map.of("env", "test"))),
        List.of(), honorLabels, true, List.of(), metricRelabel, ScrapeConfig.BasicAuth.defaults(),
        ScrapeConfig.Authorization.defaults(), ScrapeConfig.TlsConfig.defaults(), sampleLimit, labelLimit, bodyLimit, ScrapeConfig.DEFAULT_PROTOCOLS);
  }

  ScrapeLoop loop(ScrapeConfig sc) {
    ScrapeJob job = new ScrapeJob(sc, PrometheusReceiverConfig.Global.defaults(), n -> {}, n -> {},
        new ThrottledLogger(LoggerFactory.getLogger("test"), Duration.ofMinutes(1)));
    return new ScrapeLoop(job, job.targets().get(0), consumer, new ThrottledLogger(LoggerFactory.getLogger("test"), Duration.ZERO));
  }

  ScrapeLoop loop(String path) {
    return loop(config("app", path, false, List.of(), 0, 0, DataSize.ofBytes(0)));
  }

  /** Flattened points of the last consumed batch: "name{attrs}" → metric (one point). */
  static Map<String, Metric> points(Metrics m) {
    Map<String, Metric> out = new TreeMap<>();
    for (ResourceMetrics rm : m.resourceMetrics()) {
      for (var sm : rm.getScopeMetricsList()) {
        for (Metric metric : sm.getMetricsList()) {
          List<List<KeyValue>> attrs = new ArrayList<>();
          switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsList().forEach(p -> attrs.add(p.getAttributesList()));
            case SUM -> metric.getSum().getDataPointsList().forEach(p -> attrs.add(p.getAttributesList()));
            case HISTOGRAM -> metric.getHistogram().getDataPointsList().forEach(p -> attrs.add(p.getAttributesList()));
            case SUMMARY -> metric.getSummary().getDataPointsList().forEach(p -> attrs.add(p.getAttributesList()));
            case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsList()
                .forEach(p -> attrs.add(p.getAttributesList()));
            default -> { }
          }
          for (int i = 0; i < attrs.size(); i++) {
            Map<String, String> a = new TreeMap<>();
            attrs.get(i).forEach(kv -> a.put(kv.getKey(), kv.getValue().getStringValue()));
            Metric one = switch (metric.getDataCase()) {
              case GAUGE -> metric.toBuilder().setGauge(metric.getGauge().toBuilder().clearDataPoints()
                  .addDataPoints(metric.getGauge().getDataPoints(i))).build();
              case SUM -> metric.toBuilder().setSum(metric.getSum().toBuilder().clearDataPoints()
                  .addDataPoints(metric.getSum().getDataPoints(i))).build();
              case HISTOGRAM -> metric.toBuilder().setHistogram(metric.getHistogram().toBuilder().clearDataPoints()
                  .addDataPoints(metric.getHistogram().getDataPoints(i))).build();
              case SUMMARY -> metric.toBuilder().setSummary(metric.getSummary().toBuilder().clearDataPoints()
                  .addDataPoints(metric.getSummary().getDataPoints(i))).build();
              case EXPONENTIAL_HISTOGRAM -> metric.toBuilder().setExponentialHistogram(metric.getExponentialHistogram()
                  .toBuilder().clearDataPoints().addDataPoints(metric.getExponentialHistogram().getDataPoints(i))).build();
              default -> metric;
            };
            out.put(metric.getName() + a, one);
          }
        }
      }
    }
    return out;
  }

  Map<String, Metric> last() {
    return points((Metrics) consumer.received().get(consumer.received().size() - 1));
  }

  static double up(Map<String, Metric> points) {
    return points.get("up{env=test}").getGauge().getDataPoints(0).getAsDouble();
  }

  @Test
  void textPageBecomesOtlpPerCompatibilitySpec() {
    page.set(TEXT);
    loop("/text").scrapeOnce();
    Map<String, Metric> p = last();
    assertThat(up(p)).isEqualTo(1);
    assertThat(lastHeaders.get().get("accept")).isEqualTo("application/openmetrics-text;version=1.0.0;q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
    assertThat(lastHeaders.get().get("x-prometheus-scrape-timeout-seconds")).isEqualTo("1");
    Metric counter = p.get("http_requests_total{code=200, env=test, exported_job=app}");
    assertThat(counter.getSum().getIsMonotonic()).isTrue();
    assertThat(counter.getSum().getDataPoints(0).getAsDouble()).isEqualTo(10);
    assertThat(counter.getSum().getDataPoints(0).getStartTimeUnixNano()).isPositive();
    assertThat(counter.getDescription()).isEqualTo("Requests.");
    assertThat(p.get("temperature{env=test}").getGauge().getDataPoints(0).getAsDouble()).isEqualTo(21.5);
    var h = p.get("latency_seconds{env=test}").getHistogram().getDataPoints(0);
    assertThat(h.getExplicitBoundsList()).containsExactly(0.1, 1.0);
    assertThat(h.getBucketCountsList()).containsExactly(3L, 2L, 1L);
    assertThat(h.getSum()).isEqualTo(4.2);
    assertThat(h.getCount()).isEqualTo(6);
    var s = p.get("gc_seconds{env=test}").getSummary().getDataPoints(0);
    assertThat(s.getQuantileValuesList()).extracting(q -> q.getQuantile() + "=" + q.getValue())
        .containsExactly("0.5=0.01", "1.0=0.05");
    assertThat(s.getCount()).isEqualTo(12);
    assertThat(p.get("untyped_thing{env=test}").getGauge().getDataPoints(0).getAsDouble()).isNaN();
    assertThat(p.get("scrape_samples_scraped{env=test}").getGauge().getDataPoints(0).getAsDouble()).isEqualTo(13);
    assertThat(p.get("scrape_series_added{env=test}").getGauge().getDataPoints(0).getAsDouble()).isEqualTo(13);
    assertThat(p).containsKeys("scrape_duration_seconds{env=test}", "scrape_samples_post_metric_relabeling{env=test}");
    Map<String, String> res = new TreeMap<>();
    ((Metrics) consumer.received().get(0)).resourceMetrics().get(0).getResource().getAttributesList()
        .forEach(kv -> res.put(kv.getKey(), kv.getValue().hasIntValue()
            ? Long.toString(kv.getValue().getIntValue()) : kv.getValue().getStringValue()));
    assertThat(res).containsEntry("service.name", "app")
        .containsEntry("service.instance.id", "127.0.0.1:" + server.httpPort())
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("server.port", Integer.toString(server.httpPort()))
        .containsEntry("url.scheme", "http");
  }

  @Test
  void openMetricsCreatedIsTheStartTimeAndTargetInfoTheResource() {
    page.set("""
        # TYPE req counter
        # UNIT req seconds
        req_total 5
        req_created 1700000000.5
        # TYPE target info
        target_info{region="eu"} 1
        # EOF
        """);
    ScrapeLoop l = loop(config("shop/app", "/om", true, List.of(), 0, 0, DataSize.ofBytes(0)));
    l.scrapeOnce();
    Metric req = last().get("req_total{env=test}");
    assertThat(req.getSum().getDataPoints(0).getStartTimeUnixNano()).isEqualTo(1_700_000_000_500_000_000L);
    assertThat(req.getUnit()).isEqualTo("s");
    var res = ((Metrics) consumer.received().get(0)).resourceMetrics().stream()
        .filter(rm -> rm.getResource().getAttributesList().stream().anyMatch(kv -> kv.getKey().equals("region")))
        .findFirst().orElseThrow().getResource().getAttributesList();
    assertThat(res).extracting(KeyValue::getKey).contains("service.namespace", "service.name", "region");
  }

  @Test
  void vanishedSeriesAndFailedScrapesGetStaleMarkers() {
    page.set(TEXT);
    ScrapeLoop l = loop("/text");
    l.scrapeOnce();
    page.set(TEXT.replace("temperature 21.5\n", ""));
    l.scrapeOnce();
    var t = last().get("temperature{env=test}").getGauge().getDataPoints(0);
    assertThat(t.getFlags() & ScrapeConverter.NO_RECORDED_VALUE).isEqualTo(1);
    assertThat(last().get("http_requests_total{code=200, env=test, exported_job=app}").getSum().getDataPoints(0).getFlags()).isZero();
    page.set("<html>oops</html>");
    l.scrapeOnce();
    Map<String, Metric> down = last();
    assertThat(up(down)).isZero();
    assertThat(down.get("latency_seconds{env=test}").getHistogram().getDataPoints(0).getFlags()).isEqualTo(1);
    assertThat(down.get("latency_seconds{env=test}").getHistogram().getDataPoints(0).getExplicitBoundsList())
        .containsExactly(0.1, 1.0);
    assertThat(down).doesNotContainKey("temperature{env=test}");
    l.stop();
  }

  /** A page of {@code families} gauge families of 1000 series each, and one histogram family of 1000. */
  private static String bigPage(int families) {
    StringBuilder sb = new StringBuilder();
    for (int f = 0; f < families; f++) {
      sb.append("# TYPE g").append(f).append(" gauge\n");
      for (int i = 0; i < 1000; i++) {
        sb.append('g').append(f).append("{i=\"").append(i).append("\"} ").append(i).append('\n');
      }
      if (f == 3) {
        sb.append("# TYPE h histogram\n");
        for (int i = 0; i < 1000; i++) {
          sb.append("h_bucket{i=\"").append(i).append("\",le=\"1\"} 1\n");
          sb.append("h_bucket{i=\"").append(i).append("\",le=\"+Inf\"} ").append(2 + i).append('\n');
          sb.append("h_sum{i=\"").append(i).append("\"} 3\n");
          sb.append("h_count{i=\"").append(i).append("\"} ").append(2 + i).append('\n');
        }
      }
    }
    return sb.toString();
  }

  @Test
  void aLargePageGoesDownThePipelineInPartsThatKeepEachFamilyWhole() {
    page.set(bigPage(20));
    ScrapeLoop l = loop("/text");
    l.scrapeOnce();
    List<Object> parts = List.copyOf(consumer.received());
    // 21,000 points and 5 synthetic series: at least two parts of >= 8192 points and a rest.
    assertThat(parts).hasSizeGreaterThanOrEqualTo(3);
    Map<String, Metric> all = new TreeMap<>();
    Map<String, Integer> partOfMetric = new TreeMap<>();
    for (int i = 0; i < parts.size(); i++) {
      Map<String, Metric> p = points((Metrics) parts.get(i));
      for (Map.Entry<String, Metric> e : p.entrySet()) {
        assertThat(all.put(e.getKey(), e.getValue())).as("point %s in one part only", e.getKey()).isNull();
        Integer before = partOfMetric.put(e.getValue().getName(), i);
        assertThat(before == null || before == i).as("family %s in one part", e.getValue().getName()).isTrue();
      }
      if (i < parts.size() - 1) {
        assertThat(((Metrics) parts.get(i)).itemCount()).isGreaterThanOrEqualTo(ScrapeLoop.CHUNK_POINTS);
      }
    }
    assertThat(all).hasSize(21_005);
    var h = all.get("h{env=test, i=7}").getHistogram().getDataPoints(0);
    assertThat(h.getBucketCountsList()).containsExactly(1L, 8L);
    assertThat(h.getCount()).isEqualTo(9);
    assertThat(up(all)).isEqualTo(1);

    // The next scrape lacks g5 and h: their stale markers and the synthetic series come last.
    consumer.received().clear();
    page.set(bigPage(20).replaceAll("(?m)^(# TYPE )?(g5|h)[{_ ].*\n", ""));
    l.scrapeOnce();
    Map<String, Metric> lastPart = last();
    assertThat(lastPart.get("g5{env=test, i=999}").getGauge().getDataPoints(0).getFlags())
        .isEqualTo(ScrapeConverter.NO_RECORDED_VALUE);
    assertThat(lastPart.get("h{env=test, i=0}").getHistogram().getDataPoints(0).getFlags())
        .isEqualTo(ScrapeConverter.NO_RECORDED_VALUE);
    assertThat(up(lastPart)).isEqualTo(1);
    int fresh = 0;
    for (Object part : consumer.received()) {
      for (Metric m : points((Metrics) part).values()) {
        fresh += m.getGauge().getDataPointsCount() > 0 && m.getGauge().getDataPoints(0).getFlags() == 0
            && m.getName().startsWith("g") ? 1 : 0;
      }
    }
    assertThat(fresh).isEqualTo(19_000);

    // A failed scrape: up = 0 and a stale marker for each of the 19,000 series, also in parts.
    consumer.received().clear();
    page.set("<html>oops</html>");
    l.scrapeOnce();
    assertThat(consumer.received()).hasSizeGreaterThanOrEqualTo(3);
    Map<String, Metric> down = new TreeMap<>();
    consumer.received().forEach(part -> down.putAll(points((Metrics) part)));
    assertThat(up(down)).isZero();
    assertThat(down.values().stream().filter(m -> m.getName().startsWith("g"))
        .filter(m -> m.getGauge().getDataPoints(0).getFlags() == ScrapeConverter.NO_RECORDED_VALUE)).hasSize(19_000);
  }

  @Test
  void counterResetMovesTheStartTime() {
    page.set("# TYPE c counter\nc_total 10\n");
    ScrapeLoop l = loop("/text");
    l.scrapeOnce();
    long start1 = last().get("c_total{env=test}").getSum().getDataPoints(0).getStartTimeUnixNano();
    page.set("# TYPE c counter\nc_total 11\n");
    l.scrapeOnce();
    assertThat(last().get("c_total{env=test}").getSum().getDataPoints(0).getStartTimeUnixNano()).isEqualTo(start1);
    page.set("# TYPE c counter\nc_total 1\n");
    l.scrapeOnce();
    assertThat(last().get("c_total{env=test}").getSum().getDataPoints(0).getStartTimeUnixNano()).isGreaterThan(start1);
  }

  @Test
  void badPagesFailTheScrapeWithUpZero() {
    for (String path : List.of("/bytes", "/missing", "/hang")) {
      consumer.received().clear();
      loop(path).scrapeOnce();
      assertThat(up(last())).as(path).isZero();
    }
    page.set("ok 1\n" + "z".repeat(10 * 1024 * 1024) + "\n");
    loop("/text").scrapeOnce();
    assertThat(up(last())).as("a 10 MB garbage line").isZero();
    page.set("a 1\n" + "b{x=\"" + "y".repeat(2000) + "\"} 1\n");
    loop(config("app", "/text", false, List.of(), 0, 0, DataSize.ofBytes(1000))).scrapeOnce();
    assertThat(up(last())).as("body_size_limit").isZero();
    page.set("a{b=\"1\",c=\"2\"} 1\n");
    loop(config("app", "/text", false, List.of(), 0, 3, DataSize.ofBytes(0))).scrapeOnce();
    assertThat(up(last())).as("label_limit").isZero();
    page.set("a 1\nb 2\nc 3\n");
    loop(config("app", "/text", false, List.of(), 2, 0, DataSize.ofBytes(0))).scrapeOnce();
    assertThat(up(last())).as("sample_limit").isZero();
  }

  @Test
  void gzipBodiesAreDecodedAndTheLimitAppliesToTheDecodedSize() {
    page.set("a 1\n" + "b{x=\"" + "y".repeat(5000) + "\"} 1\n");
    loop("/gzip").scrapeOnce();
    assertThat(lastHeaders.get().get("accept-encoding")).contains("gzip");
    assertThat(up(last())).isEqualTo(1);
    assertThat(last()).containsKey("a{env=test}");
    loop(config("app", "/gzip", false, List.of(), 0, 0, DataSize.ofBytes(1000))).scrapeOnce();
    assertThat(up(last())).as("5 KB decoded, about 100 bytes compressed").isZero();
  }

  @Test
  void aTenMegabyteLabelValueIsAcceptedLikePrometheusDoes() {
    page.set("big{v=\"" + "y".repeat(10 * 1024 * 1024) + "\"} 1\n");
    loop("/text").scrapeOnce();
    assertThat(up(last())).isEqualTo(1);
    assertThat(last().keySet()).anyMatch(k -> k.startsWith("big{"));
  }

  @Test
  void duplicatesKeepTheFirstAndNanInfAreValues() {
    page.set("a 1\na 2\nb +Inf\nc -Inf\nd NaN\n");
    loop("/text").scrapeOnce();
    Map<String, Metric> p = last();
    assertThat(up(p)).isEqualTo(1);
    assertThat(p.get("a{env=test}").getGauge().getDataPoints(0).getAsDouble()).isEqualTo(1);
    assertThat(p.get("b{env=test}").getGauge().getDataPoints(0).getAsDouble()).isInfinite();
    assertThat(p.get("scrape_samples_post_metric_relabeling{env=test}").getGauge().getDataPoints(0).getAsDouble())
        .isEqualTo(4);
  }

  @Test
  void metricRelabelingDropsAndHonorLabelsKeepsExposedJob() {
    page.set(TEXT);
    loop(config("app2", "/text", true,
        List.of(new RelabelConfig(List.of("__name__"), ";", "", "gc_.*|latency_.*", 0, "$1", "drop")),
        0, 0, DataSize.ofBytes(0))).scrapeOnce();
    Map<String, Metric> p = last();
    assertThat(p.keySet()).noneMatch(k -> k.startsWith("gc_") || k.startsWith("latency_"));
    assertThat(p).containsKey("http_requests_total{code=200, env=test}");
    assertThat(((Metrics) consumer.received().get(0)).resourceMetrics()).extracting(
        rm -> rm.getResource().getAttributesList().get(0).getValue().getStringValue()).contains("app", "app2");
  }

  @Test
  void aHangingTargetDoesNotDelayAnother() throws Exception {
    page.set(TEXT);
    SelfTelemetry.Counter none = n -> {};
    ScrapeLoop hanging = loop(config("hang", "/hang", false, List.of(), 0, 0, DataSize.ofBytes(0)));
    ScrapeLoop good = loop("/text");
    hanging.start();
    good.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int goodUps = 0;
    while (goodUps < 3 && System.nanoTime() < deadline) {
      goodUps = (int) consumer.received().stream().map(m -> points((Metrics) m).get("up{env=test}"))
          .filter(u -> u != null && u.getGauge().getDataPoints(0).getAsDouble() == 1).count();
      Thread.sleep(100);
    }
    hanging.stop();
    good.stop();
    assertThat(goodUps).isGreaterThanOrEqualTo(3);
    assertThat(none).isNotNull();
  }
}
