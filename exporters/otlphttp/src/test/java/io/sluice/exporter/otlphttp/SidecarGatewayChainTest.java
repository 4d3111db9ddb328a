package io.sluice.exporter.otlphttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.testing.junit5.server.SelfSignedCertificateExtension;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Exporter;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.otlp.ClientTls;
import io.sluice.exporter.otlp.Compression;
import io.sluice.exporter.otlp.OtlpExporterConfig;
import io.sluice.exporter.otlp.OtlpExporterFactory;
import io.sluice.receiver.otlp.OtlpReceiverConfig;
import io.sluice.receiver.otlp.RunningReceiver;
import io.sluice.receiver.otlp.SdkGolden;
import io.sluice.api.config.ServerTls;
import io.sluice.receiver.otlp.TestConfigs;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SDK → sidecar ({@code otlp} receiver → {@code otlp} exporter over TLS) → gateway ({@code otlp}
 * receiver with mTLS → {@code otlphttp} exporter) → a decoding back end (a third receiver):
 * nothing lost, nothing altered.
 */
class SidecarGatewayChainTest {
  @RegisterExtension static final SelfSignedCertificateExtension gatewayCert = new SelfSignedCertificateExtension("localhost");
  @RegisterExtension static final SelfSignedCertificateExtension sidecarCert = new SelfSignedCertificateExtension("sidecar");

  /** A consumer that pushes each signal to its own exporter. */
  private static DataConsumer exporting(Map<Signal, Exporter> exporters) {
    return data -> exporters.get(data.signal()).push(data);
  }

  @Test
  void everythingTheSdkSendsReachesTheBackEndUnchanged() throws Exception {
    CapturingConsumer backEnd = new CapturingConsumer();
    Map<Signal, Exporter> toBackEnd = new EnumMap<>(Signal.class);
    Map<Signal, Exporter> toGateway = new EnumMap<>(Signal.class);
    ServerTls mtls = new ServerTls(gatewayCert.certificateFile().getPath(), gatewayCert.privateKeyFile().getPath(),
        sidecarCert.certificateFile().getPath(), "1.2");
    try (RunningReceiver back = new RunningReceiver(backEnd)) {
      for (Signal s : Signal.values()) {
        toBackEnd.put(s, new OtlpHttpExporterFactory().createExporter(new TestContext("otlphttp", ComponentKind.EXPORTER),
            new OtlpHttpExporterConfig(back.httpUrl(), "", "", "", Map.of(), Compression.ZSTD,
                OtlpHttpExporterConfig.Encoding.PROTO, ClientTls.defaults()), s));
      }
      try (RunningReceiver gateway = new RunningReceiver(new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
          new OtlpReceiverConfig.Grpc("127.0.0.1:0", 4, mtls, null, false), null)), exporting(toBackEnd))) {
        for (Signal s : Signal.values()) {
          toGateway.put(s, new OtlpExporterFactory().createExporter(new TestContext("otlp", ComponentKind.EXPORTER),
              new OtlpExporterConfig("localhost:" + gateway.grpcPort(), Map.of(), Compression.GZIP,
                  new ClientTls(false, gatewayCert.certificateFile().getPath(), sidecarCert.certificateFile().getPath(),
                      sidecarCert.privateKeyFile().getPath(), false)), s));
        }
        try (RunningReceiver sidecar = new RunningReceiver(TestConfigs.ephemeral(), exporting(toGateway))) {
          List<SpanData> spans = SdkGolden.spans();
          List<MetricData> metrics = SdkGolden.metrics();
          List<LogRecordData> logs = SdkGolden.logs();
          var spanExporter = OtlpHttpSpanExporter.builder().setEndpoint(sidecar.httpUrl() + "/v1/traces").build();
          var metricExporter = OtlpGrpcMetricExporter.builder().setEndpoint(sidecar.grpcUrl()).build();
          var logExporter = OtlpGrpcLogRecordExporter.builder().setEndpoint(sidecar.grpcUrl()).setCompression("gzip").build();
          try {
            assertSuccess(spanExporter.export(spans));
            assertSuccess(metricExporter.export(metrics));
            assertSuccess(logExporter.export(logs));
          } finally {
            spanExporter.shutdown();
            metricExporter.shutdown();
            logExporter.shutdown();
          }
          List<TelemetryData> expected = List.of(
              io.sluice.api.Traces.of(SdkGolden.protoOfSpans(spans)),
              io.sluice.api.Metrics.of(SdkGolden.protoOfMetrics(metrics)),
              io.sluice.api.Logs.of(SdkGolden.protoOfLogs(logs)));
          SdkGolden.assertArrivedIntact(backEnd.received(), expected);
          // Nothing on the way parsed the spans: they reach the back end in the SDK's own encoding.
          assertThat(backEnd.received().get(0).toByteArray()).isEqualTo(SdkGolden.bytesOfSpans(spans));
          assertThat(sidecar.accepted(Signal.TRACES, "http")).isEqualTo(spans.size());
          assertThat(gateway.accepted(Signal.LOGS, "grpc")).isEqualTo(logs.size());
          assertThat(back.accepted(Signal.METRICS, "http")).isEqualTo(backEnd.received().get(1).itemCount());
        }
      } finally {
        toGateway.values().forEach(Exporter::shutdown);
        toBackEnd.values().forEach(Exporter::shutdown);
      }
    }
  }

  private static void assertSuccess(CompletableResultCode result) {
    result.join(30, TimeUnit.SECONDS);
    assertThat(result.isSuccess()).as("export failed: %s", result.getFailureThrowable()).isTrue();
  }
}
