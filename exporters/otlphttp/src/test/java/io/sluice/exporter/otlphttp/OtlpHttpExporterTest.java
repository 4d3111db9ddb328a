package io.sluice.exporter.otlphttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.testing.junit5.server.SelfSignedCertificateExtension;
import com.linecorp.armeria.testing.junit5.server.ServerExtension;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Exporter;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.otlp.ClientTls;
import io.sluice.exporter.otlp.Compression;
import io.sluice.receiver.otlp.OtlpReceiverConfig;
import io.sluice.receiver.otlp.RunningReceiver;
import io.sluice.receiver.otlp.SdkGolden;
import io.sluice.api.config.ServerTls;
import io.sluice.receiver.otlp.TestConfigs;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** The HTTP exporter against the real receiver, and against a stub answering every class of status. */
class OtlpHttpExporterTest {
  @RegisterExtension static final SelfSignedCertificateExtension serverCert = new SelfSignedCertificateExtension("localhost");
  @RegisterExtension static final SelfSignedCertificateExtension clientCert = new SelfSignedCertificateExtension("client");

  /** Answers {@code /status/<code>} with that status, a Status body and Retry-After from x-retry-after. */
  @RegisterExtension
  static final ServerExtension stub = new ServerExtension() {
    @Override
    protected void configure(ServerBuilder sb) {
      sb.service("/status/{code}/v1/{signal}", (ctx, req) -> {
        int code = Integer.parseInt(ctx.pathParam("code"));
        var headers = ResponseHeaders.builder(HttpStatus.valueOf(code))
            .contentType(MediaType.create("application", "x-protobuf"));
        String after = req.headers().get("x-retry-after");
        if (after != null) {
          headers.add(HttpHeaderNames.RETRY_AFTER, after);
        }
        return HttpResponse.of(headers.build(),
            com.linecorp.armeria.common.HttpData.wrap(new RpcStatus(code == 400 ? 3 : 14, "stub " + code, null).toByteArray()));
      });
    }
  };

  private static Traces traces;
  private static Metrics metrics;
  private static Logs logs;

  @BeforeAll
  static void golden() throws Exception {
    List<TelemetryData> data = SdkGolden.pipelineData();
    traces = (Traces) data.get(0);
    metrics = (Metrics) data.get(1);
    logs = (Logs) data.get(2);
  }

  private static OtlpHttpExporterConfig config(String endpoint, String tracesEndpoint, Compression compression,
      OtlpHttpExporterConfig.Encoding encoding, ClientTls tls, Map<String, String> headers) {
    OtlpHttpExporterConfig c = new OtlpHttpExporterConfig(endpoint, tracesEndpoint, "", "", headers, compression, encoding, tls);
    assertThat(c.validate()).isEmpty();
    return c;
  }

  private static Exporter exporter(OtlpHttpExporterConfig config, Signal signal) {
    return new OtlpHttpExporterFactory().createExporter(new TestContext("otlphttp", ComponentKind.EXPORTER), config, signal);
  }

  private static Exporter simple(String endpoint, Signal signal, Map<String, String> headers) {
    return exporter(config(endpoint, "", Compression.GZIP, OtlpHttpExporterConfig.Encoding.PROTO,
        ClientTls.defaults(), headers), signal);
  }

  private static PipelineException failure(CompletableFuture<Void> f) {
    Throwable t = catchThrowable(f::join);
    assertThat(t).as("push must fail").isNotNull();
    return PipelineException.from(t);
  }

  @ParameterizedTest
  @CsvSource({"PROTO,GZIP", "PROTO,ZSTD", "PROTO,NONE", "JSON,GZIP", "JSON,NONE"})
  void chainToTheReceiverPreservesEveryField(OtlpHttpExporterConfig.Encoding encoding, Compression compression) throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      for (TelemetryData data : List.<TelemetryData>of(traces, metrics, logs)) {
        Exporter e = exporter(config(r.httpUrl(), "", compression, encoding, ClientTls.defaults(), Map.of()), data.signal());
        try {
          e.push(data).join();
        } finally {
          e.shutdown();
        }
      }
      SdkGolden.assertArrivedIntact(capture.received(), List.of(traces, metrics, logs));
    }
  }

  @Test
  void signalEndpointOverridesTheBaseAndTlsWithClientCertificateWorks() throws Exception {
    ServerTls tls = new ServerTls(serverCert.certificateFile().getPath(), serverCert.privateKeyFile().getPath(),
        clientCert.certificateFile().getPath(), "1.2");
    OtlpReceiverConfig.Http h = TestConfigs.http();
    var receiverConfig = new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(null, new OtlpReceiverConfig.Http(
        h.endpoint(), h.maxRequestBodySize(), tls, null, null, false, "/custom/spans", h.metricsUrlPath(), h.logsUrlPath())));
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(receiverConfig, capture)) {
      String base = "https://localhost:" + r.httpPort();
      Exporter e = exporter(config(base, base + "/custom/spans", Compression.GZIP, OtlpHttpExporterConfig.Encoding.PROTO,
          new ClientTls(false, serverCert.certificateFile().getPath(), clientCert.certificateFile().getPath(),
              clientCert.privateKeyFile().getPath(), false), Map.of()), Signal.TRACES);
      Exporter noCert = exporter(config(base, base + "/custom/spans", Compression.GZIP, OtlpHttpExporterConfig.Encoding.PROTO,
          new ClientTls(false, serverCert.certificateFile().getPath(), "", "", false), Map.of()), Signal.TRACES);
      try {
        e.push(traces).join();
        assertThat(((Traces) capture.received().get(0)).toProto()).isEqualTo(traces.toProto());
        assertThat(failure(noCert.push(traces)).isRetryable()).isTrue();
      } finally {
        e.shutdown();
        noCert.shutdown();
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"429,true", "502,true", "503,true", "504,true", "500,false", "400,false", "401,false", "404,false", "413,false"})
  void statusesAreClassifiedAsTheOtlpSpecSays(int status, boolean retryable) {
    Exporter e = simple(stub.httpUri() + "/status/" + status, Signal.LOGS, Map.of());
    PipelineException pe = failure(e.push(logs));
    e.shutdown();
    assertThat(pe.isRetryable()).isEqualTo(retryable);
    assertThat(pe.getMessage()).isEqualTo("otlphttp: " + stub.httpUri() + "/status/" + status
        + "/v1/logs answered HTTP " + status + ": stub " + status);
  }

  @Test
  void retryAfterInSecondsOrAsADateIsHonoured() {
    Exporter e = simple(stub.httpUri() + "/status/503", Signal.TRACES, Map.of("x-retry-after", "12"));
    assertThat(failure(e.push(traces)).retryAfter()).isEqualTo(Duration.ofSeconds(12));
    e.shutdown();
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusMinutes(10));
    Exporter d = simple(stub.httpUri() + "/status/429", Signal.TRACES, Map.of("x-retry-after", date));
    assertThat(failure(d.push(traces)).retryAfter()).isBetween(Duration.ofMinutes(8), Duration.ofMinutes(10));
    d.shutdown();
  }

  @Test
  void receiverRetryableRefusalCarriesRetryAfter() throws Exception {
    DataConsumer full = x -> CompletableFuture.failedFuture(PipelineException.retryable("queue is full", Duration.ofSeconds(5)));
    try (RunningReceiver r = new RunningReceiver(full)) {
      for (var encoding : OtlpHttpExporterConfig.Encoding.values()) {
        Exporter e = exporter(config(r.httpUrl(), "", Compression.NONE, encoding, ClientTls.defaults(), Map.of()), Signal.METRICS);
        PipelineException pe = failure(e.push(metrics));
        e.shutdown();
        assertThat(pe.isRetryable()).isTrue();
        assertThat(pe.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(pe.getMessage()).isEqualTo("otlphttp: " + r.httpUrl() + "/v1/metrics answered HTTP 503: queue is full");
      }
    }
  }

  @Test
  void partialSuccessIsAWarningWithCountsInBothEncodings() throws Exception {
    DataConsumer partial = x -> CompletableFuture.failedFuture(PipelineException.permanent("too old").withRejectedItems(3));
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(OtlpHttpExporter.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (RunningReceiver r = new RunningReceiver(partial)) {
      for (var encoding : OtlpHttpExporterConfig.Encoding.values()) {
        Exporter e = exporter(config(r.httpUrl(), "", Compression.GZIP, encoding, ClientTls.defaults(), Map.of()), Signal.LOGS);
        e.push(logs).join();
        e.shutdown();
      }
      assertThat(appender.list).hasSize(2).allSatisfy(ev -> {
        assertThat(ev.getLevel()).isEqualTo(Level.WARN);
        assertThat(ev.getFormattedMessage()).isEqualTo(
            "otlphttp: partial success from " + r.httpUrl() + "/v1/logs: 3 log_records rejected: too old");
      });
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void connectionRefusedIsRetryable() {
    Exporter e = simple("http://127.0.0.1:1", Signal.TRACES, Map.of());
    PipelineException pe = failure(e.push(traces));
    e.shutdown();
    assertThat(pe.isRetryable()).isTrue();
    assertThat(pe.getMessage()).startsWith("otlphttp: cannot send to http://127.0.0.1:1/v1/traces: ");
  }
}
