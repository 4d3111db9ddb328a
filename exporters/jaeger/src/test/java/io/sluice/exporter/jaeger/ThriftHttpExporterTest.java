package io.sluice.exporter.jaeger;

import static io.sluice.exporter.jaeger.Otlp.hex;
import static io.sluice.exporter.jaeger.Otlp.kv;
import static io.sluice.exporter.jaeger.Otlp.resourceSpans;
import static io.sluice.exporter.jaeger.Otlp.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.linecorp.armeria.common.HttpStatus;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentKind;
import io.sluice.api.Exporter;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.jaeger.FakeCollector.Answer;
import io.sluice.exporter.jaeger.JaegerConfig.AuthConfig;
import io.sluice.exporter.jaeger.JaegerConfig.BasicAuth;
import io.sluice.exporter.jaeger.JaegerConfig.Protocol;
import io.sluice.exporter.jaeger.JaegerConfig.TlsConfig;
import com.linecorp.armeria.common.TlsKeyPair;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Thrift over HTTP against a real (Armeria) server: headers, auth, TLS and every failure class. */
class ThriftHttpExporterTest {
  @RegisterExtension static final FakeCollector collector = new FakeCollector();

  static final TlsKeyPair SELF_SIGNED = TlsKeyPair.ofSelfSigned("localhost");

  @RegisterExtension
  static final FakeCollector tlsCollector = new FakeCollector(SELF_SIGNED);

  @TempDir static Path tmp;

  private Exporter exporter;

  @AfterEach
  void stop() {
    if (exporter != null) {
      exporter.shutdown();
    }
    collector.reset();
    tlsCollector.reset();
  }

  private Exporter start(String endpoint, Map<String, String> headers, AuthConfig auth, TlsConfig tls)
      throws Exception {
    JaegerConfig config = new JaegerConfig(Protocol.THRIFT_HTTP, endpoint, headers, auth, tls,
        DataSize.ofBytes(65000));
    exporter = new JaegerExporterFactory().createExporter(
        new TestContext("jaeger", ComponentKind.EXPORTER), config, Signal.TRACES);
    exporter.start();
    return exporter;
  }

  private Exporter start() throws Exception {
    return start(collector.endpoint(), Map.of(), AuthConfig.defaults(), TlsConfig.defaults());
  }

  static Span span(String id) {
    return Span.newBuilder().setTraceId(hex("0102030405060708090a0b0c0d0e0f10")).setSpanId(hex(id))
        .setName("op").setStartTimeUnixNano(1_000_000).setEndTimeUnixNano(2_000_000).build();
  }

  static Traces twoServices() {
    return traces(
        resourceSpans(List.of(kv("service.name", "a")), InstrumentationScope.getDefaultInstance(), span("00000000000000a1")),
        resourceSpans(List.of(kv("service.name", "b")), InstrumentationScope.getDefaultInstance(),
            span("00000000000000b1"), span("00000000000000b2")));
  }

  static PipelineException failure(Exporter e, Traces t) {
    Throwable thrown = catchThrowable(() -> e.push(t).get());
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    assertThat(thrown.getCause()).isInstanceOf(PipelineException.class);
    return (PipelineException) thrown.getCause();
  }

  @Test
  void sendsHeadersBasicAuthAndContentType() throws Exception {
    start(collector.endpoint(), Map.of("X-Scope-OrgID", "tenant-a"),
        new AuthConfig(new BasicAuth("sluice", "pw"), ""), TlsConfig.defaults());
    exporter.push(twoServices()).get();
    assertThat(collector.accepted()).hasSize(2).allSatisfy(r -> {
      assertThat(r.headers().get("x-scope-orgid")).isEqualTo("tenant-a");
      assertThat(r.headers().get("authorization")).isEqualTo("Basic c2x1aWNlOnB3");
      assertThat(r.headers().get("content-type")).isEqualTo("application/vnd.apache.thrift.binary");
      assertThat(r.headers().path()).isEqualTo("/api/traces");
    });
  }

  @Test
  void sendsBearerToken() throws Exception {
    start(collector.endpoint(), Map.of(), new AuthConfig(BasicAuth.defaults(), "tok"), TlsConfig.defaults());
    exporter.push(twoServices()).get();
    assertThat(collector.accepted()).extracting(r -> r.headers().get("authorization"))
        .containsOnly("Bearer tok");
  }

  @Test
  void unavailableThenOkDeliversEverySpanOnce() throws Exception {
    start();
    // Of the two resources' requests, one is accepted and one refused with 503 and Retry-After.
    collector.answer(new Answer(HttpStatus.OK, null, ""),
        new Answer(HttpStatus.SERVICE_UNAVAILABLE, "7", "collector queue is full"));
    Traces t = twoServices();
    PipelineException first = failure(exporter, t);
    assertThat(first.isRetryable()).isTrue();
    assertThat(first.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(first.getMessage()).contains("HTTP 503").contains("collector queue is full");
    assertThat(collector.accepted()).hasSize(1);

    // The exporter helper's retry pushes the same batch: only the refused resource is sent again.
    exporter.push(t).get();
    assertThat(collector.all()).hasSize(3);
    assertThat(collector.accepted()).extracting(r -> r.batch().getProcess().getServiceName())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(collector.accepted().stream().mapToInt(r -> r.batch().getSpansSize()).sum()).isEqualTo(3);
  }

  @Test
  void consecutiveResourcesWithEqualAttributesShareOneBatchAlsoOnRetry() throws Exception {
    start();
    // As the batch processor joins three requests of service a and one of b: a, a, b, a.
    Traces t = traces(
        resourceSpans(List.of(kv("service.name", "a")), InstrumentationScope.getDefaultInstance(), span("00000000000000a1")),
        resourceSpans(List.of(kv("service.name", "a")), InstrumentationScope.getDefaultInstance(),
            span("00000000000000a2"), span("00000000000000a3")),
        resourceSpans(List.of(kv("service.name", "b")), InstrumentationScope.getDefaultInstance(), span("00000000000000b1")),
        resourceSpans(List.of(kv("service.name", "a")), InstrumentationScope.getDefaultInstance(), span("00000000000000a4")));
    collector.answer(new Answer(HttpStatus.OK, null, ""), new Answer(HttpStatus.SERVICE_UNAVAILABLE, null, "busy"),
        new Answer(HttpStatus.OK, null, ""));
    assertThat(failure(exporter, t).isRetryable()).isTrue();
    assertThat(collector.all()).hasSize(3);

    exporter.push(t).get();
    assertThat(collector.all()).hasSize(4);
    assertThat(collector.accepted()).extracting(r -> r.batch().getProcess().getServiceName() + r.batch().getSpansSize())
        .containsExactlyInAnyOrder("a3", "b1", "a1");
  }

  @Test
  void tooManyRequestsIsRetryable() throws Exception {
    start();
    collector.answer(new Answer(HttpStatus.TOO_MANY_REQUESTS, null, "slow down"),
        new Answer(HttpStatus.TOO_MANY_REQUESTS, null, "slow down"));
    PipelineException e = failure(exporter, twoServices());
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.retryAfter()).isNull();
  }

  @Test
  void badRequestIsPermanentWithTheServersMessage() throws Exception {
    start();
    Traces one = traces(resourceSpans(List.of(kv("service.name", "a")), InstrumentationScope.getDefaultInstance(),
        span("00000000000000a1")));
    collector.answer(new Answer(HttpStatus.BAD_REQUEST, null, "Unable to process request body: bad span"));
    PipelineException e = failure(exporter, one);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.rejectedItems()).isEqualTo(-1);
    assertThat(e.getMessage()).contains("HTTP 400").contains("Unable to process request body: bad span");
    assertThat(collector.accepted()).isEmpty();
    // Not remembered for a retry: the same batch is sent in full again if pushed again.
    exporter.push(one).get();
    assertThat(collector.accepted()).hasSize(1);
  }

  @Test
  void badRequestForOneResourceRejectsOnlyItsSpans() throws Exception {
    start();
    collector.answer(new Answer(HttpStatus.BAD_REQUEST, null, "no"), new Answer(HttpStatus.OK, null, ""));
    PipelineException e = failure(exporter, twoServices());
    assertThat(e.isRetryable()).isFalse();
    // Which resource got the 400 depends on request order: a has 1 span, b has 2.
    int acceptedSpans = collector.accepted().get(0).batch().getSpansSize();
    assertThat(e.rejectedItems()).isEqualTo(3 - acceptedSpans);
  }

  @Test
  void unreachableCollectorIsRetryable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    start("http://127.0.0.1:" + port + "/api/traces", Map.of(), AuthConfig.defaults(), TlsConfig.defaults());
    PipelineException e = failure(exporter, twoServices());
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("127.0.0.1:" + port);
  }

  @Test
  void httpsWithoutVerificationReachesASelfSignedServer() throws Exception {
    String endpoint = "https://127.0.0.1:" + tlsCollector.httpsPort() + FakeCollector.PATH;
    start(endpoint, Map.of(), AuthConfig.defaults(), new TlsConfig("", "", "", true));
    exporter.push(twoServices()).get();
    assertThat(tlsCollector.accepted()).hasSize(2);
  }

  @Test
  void httpsTrustsTheCaFile() throws Exception {
    Path ca = tmp.resolve("ca.pem");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(SELF_SIGNED.certificateChain().get(0).getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    String endpoint = "https://localhost:" + tlsCollector.httpsPort() + FakeCollector.PATH;
    start(endpoint, Map.of(), AuthConfig.defaults(), new TlsConfig(ca.toString(), "", "", false));
    exporter.push(twoServices()).get();
    assertThat(tlsCollector.accepted()).hasSize(2);
  }

  @Test
  void httpsRefusesAnUntrustedCertificateAsRetryable() throws Exception {
    String endpoint = "https://127.0.0.1:" + tlsCollector.httpsPort() + FakeCollector.PATH;
    start(endpoint, Map.of(), AuthConfig.defaults(), TlsConfig.defaults());
    assertThat(failure(exporter, twoServices()).isRetryable()).isTrue();
  }

  @Test
  void startFailsOnAnUnreadableTlsFile() {
    JaegerConfig config = new JaegerConfig(Protocol.THRIFT_HTTP, "https://127.0.0.1:1/api/traces", Map.of(),
        AuthConfig.defaults(), new TlsConfig("/no/such/ca.pem", "", "", false), DataSize.ofBytes(65000));
    Exporter e = new JaegerExporterFactory().createExporter(
        new TestContext("jaeger", ComponentKind.EXPORTER), config, Signal.TRACES);
    assertThat(catchThrowable(e::start)).hasMessage(
        "tls.ca_file: \"/no/such/ca.pem\" is not a readable file (expected: a PEM file)");
    e.shutdown();
  }

  @Test
  void notStartedIsRetryable() {
    JaegerConfig config = JaegerConfig.DEFAULTS;
    Exporter e = new JaegerExporterFactory().createExporter(
        new TestContext("jaeger", ComponentKind.EXPORTER), config, Signal.TRACES);
    assertThat(failure(e, twoServices()).isRetryable()).isTrue();
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    assertThat(ThriftHttpExporter.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(ThriftHttpExporter.retryAfter(null)).isNull();
    assertThat(ThriftHttpExporter.retryAfter("soon")).isNull();
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(60));
    assertThat(ThriftHttpExporter.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));
  }
}
