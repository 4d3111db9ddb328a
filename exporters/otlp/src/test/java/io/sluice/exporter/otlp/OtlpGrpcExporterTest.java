package io.sluice.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import io.sluice.receiver.otlp.OtlpReceiverConfig;
import io.sluice.receiver.otlp.RunningReceiver;
import io.sluice.receiver.otlp.SdkGolden;
import io.sluice.api.config.ServerTls;
import io.sluice.receiver.otlp.internal.GrpcWire;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** The gRPC exporter against the real receiver, and against a stub answering every gRPC status. */
class OtlpGrpcExporterTest {
  @RegisterExtension static final SelfSignedCertificateExtension serverCert = new SelfSignedCertificateExtension("localhost");
  @RegisterExtension static final SelfSignedCertificateExtension clientCert = new SelfSignedCertificateExtension("client");

  /** Answers with the gRPC status in the request's x-answer header: {@code code[:retryDelaySeconds]}. */
  @RegisterExtension
  static final ServerExtension stub = new ServerExtension() {
    @Override
    protected void configure(ServerBuilder sb) {
      sb.service("prefix:/", (ctx, req) -> {
        String answer = req.headers().get("x-answer", "0");
        if (answer.startsWith("http")) {
          return HttpResponse.of(HttpStatus.valueOf(Integer.parseInt(answer.substring(5))));
        }
        String[] parts = answer.split(":");
        int code = Integer.parseInt(parts[0]);
        Duration delay = parts.length > 1 ? Duration.ofSeconds(Long.parseLong(parts[1])) : null;
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.parse("application/grpc"))
            .add("grpc-status", Integer.toString(code))
            .add("grpc-message", GrpcWire.percentEncode("stub says " + code + " 100%"))
            .add("grpc-status-details-bin", GrpcWire.base64(new RpcStatus(code, "x", delay).toByteArray()))
            .endOfStream(true).build());
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

  private static Exporter exporter(String endpoint, Compression compression, ClientTls tls, Map<String, String> headers, Signal signal) {
    OtlpExporterConfig config = new OtlpExporterConfig(endpoint, headers, compression, tls);
    assertThat(config.validate()).isEmpty();
    return new OtlpExporterFactory().createExporter(new TestContext("otlp", ComponentKind.EXPORTER), config, signal);
  }

  private static Exporter plain(String endpoint, Signal signal) {
    return exporter(endpoint, Compression.GZIP, ClientTls.defaults(), Map.of(), signal);
  }

  private static PipelineException failure(CompletableFuture<Void> f) {
    Throwable t = catchThrowable(f::join);
    assertThat(t).as("push must fail").isNotNull();
    return PipelineException.from(t);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void chainToTheReceiverPreservesEveryByte(Compression compression) throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      for (TelemetryData data : List.<TelemetryData>of(traces, metrics, logs)) {
        Exporter e = exporter(r.grpcUrl(), compression, ClientTls.defaults(), Map.of(), data.signal());
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
  void mutualTlsChainNeedsTheClientCertificate() throws Exception {
    ServerTls tls = new ServerTls(serverCert.certificateFile().getPath(), serverCert.privateKeyFile().getPath(),
        clientCert.certificateFile().getPath(), "1.3");
    var config = new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
        new OtlpReceiverConfig.Grpc("127.0.0.1:0", 4, tls, null, false), null));
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config, capture)) {
      String endpoint = "localhost:" + r.grpcPort();
      String ca = serverCert.certificateFile().getPath();
      Exporter withCert = exporter(endpoint, Compression.ZSTD, new ClientTls(false, ca,
          clientCert.certificateFile().getPath(), clientCert.privateKeyFile().getPath(), false), Map.of(), Signal.TRACES);
      Exporter without = exporter(endpoint, Compression.ZSTD, new ClientTls(false, ca, "", "", false), Map.of(), Signal.TRACES);
      try {
        withCert.push(traces).join();
        assertThat(((Traces) capture.received().get(0)).toProto()).isEqualTo(traces.toProto());
        PipelineException e = failure(without.push(traces));
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).startsWith("otlp: cannot send to " + endpoint + ": ");
        assertThat(capture.received()).hasSize(1);
      } finally {
        withCert.shutdown();
        without.shutdown();
      }
    }
  }

  @Test
  void untrustedServerIsRefusedUnlessVerificationIsSkipped() throws Exception {
    ServerTls tls = new ServerTls(serverCert.certificateFile().getPath(), serverCert.privateKeyFile().getPath(), "", "1.2");
    var config = new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
        new OtlpReceiverConfig.Grpc("127.0.0.1:0", 4, tls, null, false), null));
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config, capture)) {
      String endpoint = "https://localhost:" + r.grpcPort();
      Exporter verifying = exporter(endpoint, Compression.GZIP, ClientTls.defaults(), Map.of(), Signal.TRACES);
      Exporter skipping = exporter(endpoint, Compression.GZIP, new ClientTls(false, "", "", "", true), Map.of(), Signal.TRACES);
      try {
        assertThat(failure(verifying.push(traces)).isRetryable()).isTrue();
        assertThat(capture.received()).isEmpty();
        skipping.push(traces).join();
        assertThat(capture.itemCount()).isEqualTo(traces.itemCount());
      } finally {
        verifying.shutdown();
        skipping.shutdown();
      }
    }
  }

  @Test
  void receiverRefusalsKeepTheirRetryability() throws Exception {
    DataConsumer full = d -> CompletableFuture.failedFuture(PipelineException.retryable("queue is full", Duration.ofSeconds(3)));
    try (RunningReceiver r = new RunningReceiver(full)) {
      Exporter e = plain(r.grpcUrl(), Signal.LOGS);
      PipelineException pe = failure(e.push(logs));
      e.shutdown();
      assertThat(pe.isRetryable()).isTrue();
      assertThat(pe.retryAfter()).isEqualTo(Duration.ofSeconds(3));
      assertThat(pe.getMessage()).isEqualTo("otlp: " + r.grpcUrl() + " answered UNAVAILABLE: queue is full");
    }
    DataConsumer bad = d -> CompletableFuture.failedFuture(PipelineException.permanent("malformed"));
    try (RunningReceiver r = new RunningReceiver(bad)) {
      Exporter e = plain(r.grpcUrl(), Signal.LOGS);
      PipelineException pe = failure(e.push(logs));
      e.shutdown();
      assertThat(pe.isRetryable()).isFalse();
      assertThat(pe.getMessage()).endsWith("answered INVALID_ARGUMENT: malformed");
    }
  }

  @Test
  void headersAreSentAndPartialSuccessIsAWarningWithCounts() throws Exception {
    DataConsumer partial = d -> d.metadata().first("x-tenant").equals("acme")
        ? CompletableFuture.failedFuture(PipelineException.permanent("2 spans too old").withRejectedItems(2))
        : CompletableFuture.failedFuture(PipelineException.permanent("no tenant"));
    var config = new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
        new OtlpReceiverConfig.Grpc("127.0.0.1:0", 4, null, new OtlpReceiverConfig.Auth("tok"), true), null));
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(OtlpGrpcExporter.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (RunningReceiver r = new RunningReceiver(config, partial)) {
      Exporter e = exporter(r.grpcUrl(), Compression.GZIP, ClientTls.defaults(),
          Map.of("authorization", "Bearer tok", "x-tenant", "acme"), Signal.TRACES);
      e.push(traces).join();
      e.shutdown();
      assertThat(appender.list).singleElement().satisfies(ev -> {
        assertThat(ev.getLevel()).isEqualTo(Level.WARN);
        assertThat(ev.getFormattedMessage()).isEqualTo(
            "otlp: partial success from " + r.grpcUrl() + ": 2 spans rejected: 2 spans too old");
      });
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void connectionRefusedIsRetryable() {
    Exporter e = plain("http://127.0.0.1:1", Signal.TRACES);
    PipelineException pe = failure(e.push(traces));
    e.shutdown();
    assertThat(pe.isRetryable()).isTrue();
    assertThat(pe.getMessage()).startsWith("otlp: cannot send to http://127.0.0.1:1: ");
  }

  @TestFactory
  Stream<DynamicTest> everyGrpcStatusIsClassifiedAsTheOtlpSpecSays() {
    Set<Integer> retryable = Set.of(1, 4, 10, 11, 14, 15);
    return IntStream.rangeClosed(1, 16).mapToObj(code -> DynamicTest.dynamicTest("status " + code, () -> {
      Exporter e = exporter(stub.httpUri().toString(), Compression.NONE, ClientTls.defaults(),
          Map.of("x-answer", Integer.toString(code)), Signal.TRACES);
      PipelineException pe = failure(e.push(traces));
      e.shutdown();
      assertThat(pe.isRetryable()).as("retryable").isEqualTo(retryable.contains(code));
      assertThat(pe.getMessage()).endsWith(": stub says " + code + " 100%");
    }));
  }

  @Test
  void resourceExhaustedIsRetryableOnlyWithRetryInfo() {
    Exporter e = exporter(stub.httpUri().toString(), Compression.NONE, ClientTls.defaults(),
        Map.of("x-answer", "8:4"), Signal.TRACES);
    PipelineException pe = failure(e.push(traces));
    e.shutdown();
    assertThat(pe.isRetryable()).isTrue();
    assertThat(pe.retryAfter()).isEqualTo(Duration.ofSeconds(4));
    assertThat(pe.getMessage()).contains("answered RESOURCE_EXHAUSTED");
  }

  @Test
  void httpErrorsWithoutGrpcStatusMapAsGrpcSays() {
    for (var c : Map.of("http:503", true, "http:429", true, "http:404", false, "http:400", false).entrySet()) {
      Exporter e = exporter(stub.httpUri().toString(), Compression.NONE, ClientTls.defaults(),
          Map.of("x-answer", c.getKey()), Signal.TRACES);
      PipelineException pe = failure(e.push(traces));
      e.shutdown();
      assertThat(pe.isRetryable()).as(c.getKey() + " " + pe.getMessage()).isEqualTo(c.getValue());
    }
  }
}
