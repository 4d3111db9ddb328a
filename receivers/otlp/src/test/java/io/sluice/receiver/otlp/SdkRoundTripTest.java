package io.sluice.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.MediaType;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenTelemetry Java SDK's exporters as real clients: everything they send arrives intact. */
class SdkRoundTripTest {
  private static List<SpanData> spans;
  private static List<MetricData> metrics;
  private static List<LogRecordData> logs;

  @BeforeAll
  static void makeGoldenData() {
    spans = SdkGolden.spans();
    metrics = SdkGolden.metrics();
    logs = SdkGolden.logs();
  }

  @ParameterizedTest
  @CsvSource({"grpc,none", "grpc,gzip", "http,none", "http,gzip"})
  void spansArriveExactlyAsTheSdkEncodedThem(String transport, String compression) throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      var exporter = transport.equals("grpc")
          ? OtlpGrpcSpanExporter.builder().setEndpoint(r.grpcUrl()).setCompression(compression).build()
          : OtlpHttpSpanExporter.builder().setEndpoint(r.httpUrl() + "/v1/traces").setCompression(compression).build();
      try {
        assertSuccess(exporter.export(spans));
      } finally {
        exporter.shutdown();
      }
      ExportTraceServiceRequest got = traces(capture);
      assertThat(got).isEqualTo(SdkGolden.protoOfSpans(spans));
      assertThat(r.accepted(Signal.TRACES, transport)).isEqualTo(spans.size());
      assertThat(r.refused(Signal.TRACES, transport)).isZero();
      assertTraceDetails(got);
    }
  }

  @ParameterizedTest
  @CsvSource({"grpc,gzip", "http,none"})
  void metricsOfEveryTypeArriveExactly(String transport, String compression) throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      var exporter = transport.equals("grpc")
          ? OtlpGrpcMetricExporter.builder().setEndpoint(r.grpcUrl()).setCompression(compression).build()
          : OtlpHttpMetricExporter.builder().setEndpoint(r.httpUrl() + "/v1/metrics").setCompression(compression).build();
      try {
        assertSuccess(exporter.export(metrics));
      } finally {
        exporter.shutdown();
      }
      ExportMetricsServiceRequest got = ExportMetricsServiceRequest.newBuilder()
          .addAllResourceMetrics(capture.received().stream()
              .flatMap(d -> ((Metrics) d).toProto().getResourceMetricsList().stream()).toList())
          .build();
      assertThat(got).isEqualTo(SdkGolden.protoOfMetrics(metrics));
      List<Metric.DataCase> types = got.getResourceMetrics(0).getScopeMetrics(0).getMetricsList().stream()
          .map(Metric::getDataCase).distinct().sorted().toList();
      assertThat(types).containsExactlyInAnyOrder(Metric.DataCase.SUM, Metric.DataCase.GAUGE,
          Metric.DataCase.HISTOGRAM, Metric.DataCase.EXPONENTIAL_HISTOGRAM);
      assertThat(got.toString()).contains("exemplars");
      assertThat(r.accepted(Signal.METRICS, transport)).isEqualTo(capture.itemCount()).isGreaterThanOrEqualTo(6);
    }
  }

  @ParameterizedTest
  @CsvSource({"grpc,gzip", "http,gzip"})
  void logBodiesOfEveryTypeArriveExactly(String transport, String compression) throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      var exporter = transport.equals("grpc")
          ? OtlpGrpcLogRecordExporter.builder().setEndpoint(r.grpcUrl()).setCompression(compression).build()
          : OtlpHttpLogRecordExporter.builder().setEndpoint(r.httpUrl() + "/v1/logs").setCompression(compression).build();
      try {
        assertSuccess(exporter.export(logs));
      } finally {
        exporter.shutdown();
      }
      ExportLogsServiceRequest got = ExportLogsServiceRequest.newBuilder()
          .addAllResourceLogs(capture.received().stream()
              .flatMap(d -> ((Logs) d).toProto().getResourceLogsList().stream()).toList())
          .build();
      assertThat(got).isEqualTo(SdkGolden.protoOfLogs(logs));
      List<AnyValue.ValueCase> bodies = got.getResourceLogs(0).getScopeLogs(0).getLogRecordsList().stream()
          .map(l -> l.getBody().getValueCase()).toList();
      assertThat(bodies).contains(AnyValue.ValueCase.STRING_VALUE, AnyValue.ValueCase.BOOL_VALUE,
          AnyValue.ValueCase.INT_VALUE, AnyValue.ValueCase.DOUBLE_VALUE, AnyValue.ValueCase.BYTES_VALUE,
          AnyValue.ValueCase.ARRAY_VALUE, AnyValue.ValueCase.KVLIST_VALUE);
      assertThat(r.accepted(Signal.LOGS, transport)).isEqualTo(logs.size());
    }
  }

  @Test
  void sdkJsonEncodingDecodesToTheSameMessagesAsProtobuf() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      WebClient client = WebClient.of(r.httpUrl());
      post(client, "/v1/traces", SdkGolden.jsonOfSpans(spans));
      post(client, "/v1/metrics", SdkGolden.jsonOfMetrics(metrics));
      post(client, "/v1/logs", SdkGolden.jsonOfLogs(logs));
      assertThat(capture.received()).hasSize(3);
      assertThat(((Traces) capture.received().get(0)).toProto()).isEqualTo(SdkGolden.protoOfSpans(spans));
      assertThat(((Metrics) capture.received().get(1)).toProto()).isEqualTo(SdkGolden.protoOfMetrics(metrics));
      assertThat(((Logs) capture.received().get(2)).toProto()).isEqualTo(SdkGolden.protoOfLogs(logs));
    }
  }

  private static void post(WebClient client, String path, String json) {
    AggregatedHttpResponse res = client.prepare().post(path).content(MediaType.JSON, json).execute()
        .aggregate().join();
    assertThat(res.status().code()).as(res.contentUtf8()).isEqualTo(200);
    assertThat(res.contentType()).isEqualTo(MediaType.JSON);
  }

  private static void assertTraceDetails(ExportTraceServiceRequest got) {
    List<Span> all = got.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream()).toList();
    Span server = all.stream().filter(s -> s.getName().equals("GET /orders")).findFirst().orElseThrow();
    assertThat(server.getTraceState()).isEqualTo("other=x,vendor=v1");
    assertThat(server.getParentSpanId().size()).isEqualTo(8);
    assertThat(server.getAttributesList()).extracting(kv -> kv.getValue().getValueCase())
        .contains(AnyValue.ValueCase.BYTES_VALUE, AnyValue.ValueCase.KVLIST_VALUE, AnyValue.ValueCase.ARRAY_VALUE);
    assertThat(server.getLinks(0).getTraceState()).isEqualTo("l=1");
    Span child = all.stream().filter(s -> s.getName().equals("SELECT")).findFirst().orElseThrow();
    assertThat(child.getEventsList()).extracting(Span.Event::getName).containsExactly("row", "exception");
    assertThat(child.getStatus().getMessage()).isEqualTo("db down");
    assertThat(child.getFlags() & 0xff).isEqualTo(1);
  }

  private static ExportTraceServiceRequest traces(CapturingConsumer capture) {
    return ExportTraceServiceRequest.newBuilder()
        .addAllResourceSpans(capture.received().stream()
            .map(TelemetryData.class::cast)
            .flatMap(d -> ((Traces) d).resourceSpans().stream()).toList())
        .build();
  }

  private static void assertSuccess(CompletableResultCode result) {
    result.join(30, TimeUnit.SECONDS);
    assertThat(result.isSuccess()).as("export result, failure: %s", result.getFailureThrowable()).isTrue();
  }
}
