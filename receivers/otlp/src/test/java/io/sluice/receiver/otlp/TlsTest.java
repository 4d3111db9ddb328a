package io.sluice.receiver.otlp;

import io.sluice.api.config.ServerTls;
import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.testing.junit5.server.SelfSignedCertificateExtension;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sluice.core.testing.CapturingConsumer;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TLS and mTLS on both protocols, with the OpenTelemetry SDK as the client. */
class TlsTest {
  @RegisterExtension static final SelfSignedCertificateExtension server = new SelfSignedCertificateExtension("localhost");
  @RegisterExtension static final SelfSignedCertificateExtension client = new SelfSignedCertificateExtension("client");

  private static List<SpanData> spans;

  @BeforeAll
  static void spans() {
    spans = SdkGolden.spans();
  }

  private static OtlpReceiverConfig config(boolean mutual) {
    ServerTls tls = new ServerTls(server.certificateFile().getPath(), server.privateKeyFile().getPath(),
        mutual ? client.certificateFile().getPath() : "", "1.2");
    assertThat(tls.validate()).isEmpty();
    OtlpReceiverConfig.Http h = TestConfigs.http();
    return new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
        new OtlpReceiverConfig.Grpc("127.0.0.1:0", 4, tls, null, false),
        new OtlpReceiverConfig.Http(h.endpoint(), h.maxRequestBodySize(), tls, null, null, false,
            h.tracesUrlPath(), h.metricsUrlPath(), h.logsUrlPath())));
  }

  private static CompletableResultCode export(SpanExporter exporter) {
    try {
      return exporter.export(spans).join(30, TimeUnit.SECONDS);
    } finally {
      exporter.shutdown();
    }
  }

  @Test
  void sdkSendsOverTlsOnBothProtocols() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    byte[] trusted = Files.readAllBytes(server.certificateFile().toPath());
    try (RunningReceiver r = new RunningReceiver(config(false), capture)) {
      assertThat(export(OtlpGrpcSpanExporter.builder().setEndpoint("https://localhost:" + r.receiver.grpcPort())
          .setTrustedCertificates(trusted).build()).isSuccess()).isTrue();
      assertThat(export(OtlpHttpSpanExporter.builder().setEndpoint("https://localhost:" + r.receiver.httpPort() + "/v1/traces")
          .setTrustedCertificates(trusted).build()).isSuccess()).isTrue();
      assertThat(capture.itemCount()).isEqualTo(2 * spans.size());
    }
  }

  @Test
  void mutualTlsRefusesClientsWithoutCertificate() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    byte[] trusted = Files.readAllBytes(server.certificateFile().toPath());
    byte[] key = Files.readAllBytes(client.privateKeyFile().toPath());
    byte[] cert = Files.readAllBytes(client.certificateFile().toPath());
    try (RunningReceiver r = new RunningReceiver(config(true), capture)) {
      String grpc = "https://localhost:" + r.receiver.grpcPort();
      String http = "https://localhost:" + r.receiver.httpPort() + "/v1/traces";
      CompletableResultCode noCert = export(OtlpGrpcSpanExporter.builder().setEndpoint(grpc)
          .setTrustedCertificates(trusted).setRetryPolicy(null).build());
      assertThat(noCert.isSuccess()).isFalse();
      CompletableResultCode noCertHttp = export(OtlpHttpSpanExporter.builder().setEndpoint(http)
          .setTrustedCertificates(trusted).setRetryPolicy(null).build());
      assertThat(noCertHttp.isSuccess()).isFalse();
      assertThat(capture.received()).isEmpty();

      assertThat(export(OtlpGrpcSpanExporter.builder().setEndpoint(grpc)
          .setTrustedCertificates(trusted).setClientTls(key, cert).build()).isSuccess()).isTrue();
      assertThat(export(OtlpHttpSpanExporter.builder().setEndpoint(http)
          .setTrustedCertificates(trusted).setClientTls(key, cert).build()).isSuccess()).isTrue();
      assertThat(capture.itemCount()).isEqualTo(2 * spans.size());
    }
  }
}
