package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.testing.junit5.server.ServerExtension;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.sluice.exporter.prometheusremotewrite.PrometheusProcess;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.api.Metrics;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.CapturingConsumer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The Prometheus Java client library as a target serving the protobuf format with native histograms. */
class ProtobufScrapeTest {
  static final PrometheusRegistry registry = new PrometheusRegistry();
  static final AtomicReference<RequestHeaders> lastHeaders = new AtomicReference<>();

  @RegisterExtension
  static final ServerExtension server = new ServerExtension() {
    @Override
    protected void configure(ServerBuilder sb) {
      sb.service("/metrics", (ctx, req) -> {
        lastHeaders.set(req.headers());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusProtobufWriter w = new PrometheusProtobufWriter();
        w.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        return HttpResponse.of(HttpStatus.OK, MediaType.parse(w.getContentType()), out.toByteArray());
      });
    }
  };

  @Test
  void nativeHistogramsBecomeExponentialHistograms() throws Exception {
    Counter requests = Counter.builder().name("requests_total").labelNames("path").register(registry);
    requests.labelValues("/a").inc(3);
    Histogram latency = Histogram.builder().name("latency_seconds").nativeOnly().register(registry);
    for (double v : new double[] {0.001, 0.01, 0.01, 0.1, 1, 10}) {
      latency.observe(v);
    }
    Histogram classic = Histogram.builder().name("size_bytes").classicOnly().classicUpperBounds(10, 100)
        .register(registry);
    classic.observe(5);
    classic.observe(50);
    classic.observe(500);
    Summary gc = Summary.builder().name("gc_seconds").quantile(0.5, 0.01).register(registry);
    gc.observe(0.2);

    CapturingConsumer consumer = new CapturingConsumer();
    ScrapeConfig sc = new ScrapeConfig("proto", Duration.ofSeconds(2), Duration.ofSeconds(1), "/metrics", "http",
        Map.of(), List.of(new ScrapeConfig.StaticConfig(List.of("127.0.0.1:" + server.httpPort()), Map.of())),
        List.of(), false, true, List.of(), List.of(), ScrapeConfig.BasicAuth.defaults(),
        ScrapeConfig.Authorization.defaults(), ScrapeConfig.TlsConfig.defaults(), 0, 0, DataSize.ofBytes(0),
        List.of("PrometheusProto", "OpenMetricsText1.0.0", "PrometheusText0.0.4"));
    ThrottledLogger log = new ThrottledLogger(LoggerFactory.getLogger("test"), Duration.ZERO);
    ScrapeJob job = new ScrapeJob(sc, PrometheusReceiverConfig.Global.defaults(), n -> { }, n -> { }, log);
    ScrapeLoop loop = new ScrapeLoop(job, job.targets().get(0), consumer, log);
    loop.scrapeOnce();

    assertThat(lastHeaders.get().get("accept")).startsWith(
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,");
    assertThat(lastHeaders.get().get("accept-encoding")).isEqualTo("gzip,deflate");
    Map<String, Metric> p = ScrapeLoopTest.points((Metrics) consumer.received().get(0));
    assertThat(p.get("up{}").getGauge().getDataPoints(0).getAsDouble()).isEqualTo(1);
    assertThat(p.get("requests_total{path=/a}").getSum().getDataPoints(0).getAsDouble()).isEqualTo(3);
    var eh = p.get("latency_seconds{}").getExponentialHistogram();
    assertThat(eh.getAggregationTemporality().getNumber()).isEqualTo(2);
    var point = eh.getDataPoints(0);
    assertThat(point.getCount()).isEqualTo(6);
    assertThat(point.getSum()).isCloseTo(11.121, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(point.getScale()).isBetween(-4, 8);
    long inBuckets = point.getZeroCount() + point.getPositive().getBucketCountsList().stream().mapToLong(Long::longValue).sum();
    assertThat(inBuckets).isEqualTo(6);
    // 0.01 twice lands in one bucket: (base^i, base^(i+1)] with base = 2^(2^-scale)
    double base = Math.pow(2, Math.pow(2, -point.getScale()));
    int idx = (int) Math.ceil(Math.log(0.01) / Math.log(base)) - 1;
    assertThat(point.getPositive().getBucketCounts(idx - point.getPositive().getOffset())).isEqualTo(2);
    var h = p.get("size_bytes{}").getHistogram().getDataPoints(0);
    assertThat(h.getExplicitBoundsList()).containsExactly(10.0, 100.0);
    assertThat(h.getBucketCountsList()).containsExactly(1L, 1L, 1L);
    assertThat(p.get("gc_seconds{}").getSummary().getDataPoints(0).getCount()).isEqualTo(1);
  }

  /** Native histogram round trip: Prometheus's own scrape and receiver → exporter agree in PromQL. */
  @Test
  void nativeHistogramsReachPrometheusLikeItsOwnScrape() throws Exception {
    Histogram h = Histogram.builder().name("rt_latency_seconds").nativeOnly().register(registry);
    for (double v : new double[] {0.002, 0.02, 0.02, 0.2, 2, 20, 200}) {
      h.observe(v);
    }
    String target = "127.0.0.1:" + server.httpPort();
    try (PrometheusProcess prometheus = PrometheusProcess.prometheus(
        "  - job_name: prom_direct\n    static_configs:\n      - targets: ['" + target + "']\n",
        "--enable-feature=native-histograms")) {
      ScrapeConfig sc = new ScrapeConfig("sluice", Duration.ofSeconds(2), Duration.ofSeconds(1), "/metrics", "http",
          Map.of(), List.of(new ScrapeConfig.StaticConfig(List.of(target), Map.of())), List.of(), false, true,
          List.of(), List.of(), ScrapeConfig.BasicAuth.defaults(), ScrapeConfig.Authorization.defaults(),
          ScrapeConfig.TlsConfig.defaults(), 0, 0, DataSize.ofBytes(0),
          List.of("PrometheusProto", "OpenMetricsText1.0.0", "PrometheusText0.0.4"));
      SluiceToPrometheus pipeline = SluiceToPrometheus.start(prometheus, sc, true);
      try {
        for (String fn : List.of("histogram_count", "histogram_sum")) {
          String q = fn + "(rt_latency_seconds)";
          var both = PrometheusProcess.await(q + " for both jobs", () -> {
            try {
              var r = prometheus.query(q);
              return r.size() == 2 ? r : null;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          assertThat(both.get(0).get("value").get(1).asDouble())
              .as(q).isEqualTo(both.get(1).get("value").get(1).asDouble());
        }
        var count = prometheus.query("histogram_count(rt_latency_seconds{job=\"sluice\"})");
        assertThat(count.get(0).get("value").get(1).asDouble()).isEqualTo(7);
        var quantiles = prometheus.query("histogram_quantile(0.5, rt_latency_seconds)");
        assertThat(quantiles.get(0).get("value").get(1).asDouble())
            .isEqualTo(quantiles.get(1).get("value").get(1).asDouble());
      } finally {
        pipeline.close();
      }
    }
  }
}
