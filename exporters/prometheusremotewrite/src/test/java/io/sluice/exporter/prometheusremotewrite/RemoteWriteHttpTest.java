package io.sluice.exporter.prometheusremotewrite;

import static io.sluice.exporter.prometheusremotewrite.MetricTranslatorTest.kv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.testing.junit5.server.ServerExtension;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.api.ComponentKind;
import io.sluice.api.Metrics;
import io.sluice.api.PipelineException;
import io.sluice.core.testing.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xerial.snappy.Snappy;

class RemoteWriteHttpTest {
  private static final Queue<AggregatedHttpRequest> requests = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger answer = new AtomicInteger(204);

  @RegisterExtension
  static final ServerExtension server = new ServerExtension() {
    @Override
    protected void configure(ServerBuilder sb) {
      sb.service("/api/v1/write", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
        requests.add(agg);
        int code = answer.get();
        if (code == 503) {
          return HttpResponse.of(ResponseHeaders.of(HttpStatus.SERVICE_UNAVAILABLE, "Retry-After", "7"));
        }
        if (code == 400) {
          return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "out of order sample");
        }
        return HttpResponse.of(HttpStatus.NO_CONTENT);
      })));
    }
  };

  private PrometheusRemoteWriteExporter exporter;
  private final TestContext context = new TestContext("prometheusremotewrite", ComponentKind.EXPORTER);

  @BeforeEach
  void reset() {
    requests.clear();
    answer.set(204);
  }

  @AfterEach
  void stop() {
    if (exporter != null) {
      exporter.shutdown();
    }
  }

  private PrometheusRemoteWriteExporter start(int maxBatch, Map<String, String> headers, String bearer) {
    var c = new PrometheusRemoteWriteConfig(server.httpUri().resolve("/api/v1/write").toString(), headers, "",
        Map.of(), PrometheusRemoteWriteConfig.ResourceToTelemetryConversion.defaults(),
        PrometheusRemoteWriteConfig.TargetInfo.defaults(), true, true, maxBatch,
        new PrometheusRemoteWriteConfig.RemoteWriteQueue(3), PrometheusRemoteWriteConfig.BasicAuth.defaults(),
        bearer, PrometheusRemoteWriteConfig.Tls.defaults());
    exporter = new PrometheusRemoteWriteExporter(context, c);
    exporter.start();
    return exporter;
  }

  private static Metrics gauges(int series, int pointsEach) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int s = 0; s < series; s++) {
      for (int p = pointsEach - 1; p >= 0; p--) {
        g.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano((1_000L + p) * 1_000_000)
            .setAsDouble(p).addAttributes(kv("series", "s" + s)));
      }
    }
    return Metrics.of(MetricTranslatorTest.request(Resource.getDefaultInstance(),
        Metric.newBuilder().setName("load").setDescription("the load").setGauge(g).build()));
  }

  private static List<WriteRequestDecoder.Request> decoded() throws Exception {
    List<WriteRequestDecoder.Request> out = new ArrayList<>();
    for (AggregatedHttpRequest r : requests) {
      out.add(WriteRequestDecoder.decode(Snappy.uncompress(r.content().array())));
    }
    return out;
  }

  @Test
  void sendsSnappyProtobufWithRemoteWriteHeaders() throws Exception {
    start(3_000_000, Map.of("X-Scope-OrgID", "team-a"), "tok").push(gauges(1, 3)).join();
    assertThat(requests).hasSize(1);
    AggregatedHttpRequest r = requests.peek();
    assertThat(r.headers().get("content-encoding")).isEqualTo("snappy");
    assertThat(r.headers().get("content-type")).isEqualTo("application/x-protobuf");
    assertThat(r.headers().get("x-prometheus-remote-write-version")).isEqualTo("0.1.0");
    assertThat(r.headers().get("user-agent")).startsWith("sluice-prometheusremotewrite/");
    assertThat(r.headers().get("x-scope-orgid")).isEqualTo("team-a");
    assertThat(r.headers().get("authorization")).isEqualTo("Bearer tok");
    var req = decoded().get(0);
    assertThat(req.series()).hasSize(1);
    assertThat(req.series().get(0).labels()).containsExactly(Map.entry("__name__", "load"), Map.entry("series", "s0"));
    assertThat(req.series().get(0).samples()).extracting(WriteRequestDecoder.Sample::timestamp)
        .containsExactly(1000L, 1001L, 1002L);
    assertThat(req.metadata()).containsExactly(new WriteRequestDecoder.Meta(2, "load", "the load", ""));
  }

  @Test
  void splitsByMaxBatchSizeAndShardsBySeriesWithoutLosingAny() throws Exception {
    start(2048, Map.of(), "").push(gauges(200, 2)).join();
    List<WriteRequestDecoder.Request> reqs = decoded();
    assertThat(reqs.size()).isGreaterThan(3);
    for (AggregatedHttpRequest r : requests) {
      assertThat(Snappy.uncompress(r.content().array()).length).isLessThanOrEqualTo(2048);
    }
    List<String> names = new ArrayList<>();
    reqs.forEach(q -> q.series().forEach(s -> {
      names.add(s.labels().get("series"));
      assertThat(s.samples()).extracting(WriteRequestDecoder.Sample::timestamp).containsExactly(1000L, 1001L);
    }));
    assertThat(names).hasSize(200).doesNotHaveDuplicates();
  }

  @Test
  void badRequestIsPermanentWithServerMessage() {
    answer.set(400);
    assertThatThrownBy(() -> start(3_000_000, Map.of(), "").push(gauges(1, 1)).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(PipelineException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("400 Bad Request").contains("out of order sample");
        });
    assertThat(requests).hasSize(1);
  }

  @Test
  void unavailableIsRetryableWithRetryAfter() {
    answer.set(503);
    assertThatThrownBy(() -> start(3_000_000, Map.of(), "").push(gauges(1, 1)).join())
        .cause().isInstanceOfSatisfying(PipelineException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        });
  }

  @Test
  void connectionRefusedIsRetryable() {
    var c = new PrometheusRemoteWriteConfig("http://127.0.0.1:1/api/v1/write", Map.of(), "", Map.of(),
        PrometheusRemoteWriteConfig.ResourceToTelemetryConversion.defaults(),
        PrometheusRemoteWriteConfig.TargetInfo.defaults(), false, true, 3_000_000,
        PrometheusRemoteWriteConfig.RemoteWriteQueue.defaults(), PrometheusRemoteWriteConfig.BasicAuth.defaults(),
        "", PrometheusRemoteWriteConfig.Tls.defaults());
    exporter = new PrometheusRemoteWriteExporter(context, c);
    exporter.start();
    assertThatThrownBy(() -> exporter.push(gauges(1, 1)).join())
        .cause().isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.isRetryable()).isTrue());
  }

  @Test
  void countsUntranslatablePoints() {
    start(3_000_000, Map.of(), "");
    Metric exp = Metric.newBuilder().setName("e").setExponentialHistogram(
        io.opentelemetry.proto.metrics.v1.ExponentialHistogram.newBuilder()
            .addDataPoints(io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.getDefaultInstance()))
        .build();
    exporter.push(Metrics.of(MetricTranslatorTest.request(Resource.getDefaultInstance(), exp))).join();
    assertThat(context.metric("sluice_exporter_prometheusremotewrite_untranslatable_points",
        "reason", "exponential_histogram")).isEqualTo(1.0);
    assertThat(requests).isEmpty();
  }
}
