package io.sluice.exporter.loki;

import static io.sluice.exporter.loki.TestLogs.SPAN;
import static io.sluice.exporter.loki.TestLogs.TRACE;
import static io.sluice.exporter.loki.TestLogs.attr;
import static io.sluice.exporter.loki.TestLogs.record;
import static io.sluice.exporter.loki.TestLogs.resource;
import static io.sluice.exporter.loki.TestLogs.traced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.loki4j.pkg.loki.protobuf.Push.EntryAdapter;
import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.github.loki4j.pkg.loki.protobuf.Push.StreamAdapter;
import com.linecorp.armeria.common.HttpStatus;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentKind;
import io.sluice.api.Exporter;
import io.sluice.api.Logs;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.core.testing.TestContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class LokiExporterTest extends ComponentContractTest {
  private final LokiExporterFactory factory = new LokiExporterFactory();
  private static FakeLoki loki;
  private Exporter exporter;

  @BeforeAll
  static void startLoki() {
    loki = new FakeLoki();
  }

  @AfterAll
  static void stopLoki() {
    loki.close();
  }

  @AfterEach
  void stop() {
    if (exporter != null) {
      exporter.shutdown();
    }
    loki.reset();
  }

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Override
  protected Set<String> requiredKeys() {
    return Set.of("endpoint");
  }

  @Override
  protected ComponentConfig lifecycleConfig() {
    return withEndpoint(loki.endpoint());
  }

  private static LokiExporterConfig withEndpoint(String endpoint) {
    LokiExporterConfig d = LokiExporterConfig.defaults();
    return new LokiExporterConfig(endpoint, d.encoding(), d.tenantId(), d.tenantFromMetadata(),
        d.headers(), d.basicAuth(), d.bearerToken(), d.tls(), d.labels(), d.format(),
        d.structuredMetadata(), d.maxStreams(), d.maxLabelValues(), d.labelValuesWindow());
  }

  @Test
  void minimalConfigIsDefaultsWithEndpoint() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "loki"))
        .isEqualTo(withEndpoint("http://localhost:3100/loki/api/v1/push"));
  }

  @Test
  void fullConfigBindsEveryKey() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "loki/full"))
        .isEqualTo(new LokiExporterConfig(
            "https://loki.example.com:3100/loki/api/v1/push",
            LokiExporterConfig.Encoding.JSON,
            "team-a",
            "x-scope-orgid",
            Map.of("X-Source", "sluice"),
            new LokiExporterConfig.BasicAuth("user", "secret"),
            "",
            new LokiExporterConfig.Tls(true, "", "", ""),
            new LokiExporterConfig.LabelRules(
                Map.of("service.name", "service_name", "deployment.environment", "env"),
                Map.of("http.method", "method"),
                false),
            LokiExporterConfig.Format.LOGFMT,
            List.of("user.id", "k8s.pod.name"),
            50,
            20,
            Duration.ofMinutes(1)));
    assertThat(ConfigTesting.loadExporterSettings(factory, "testdata/config.conf", "loki/full").timeout())
        .isEqualTo(Duration.ofSeconds(10));
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }

  private Exporter start(LokiExporterConfig config) {
    exporter = factory.createExporter(new TestContext("loki", ComponentKind.EXPORTER), config, Signal.LOGS);
    try {
      exporter.start();
    } catch (Exception e) {
      throw new AssertionError("start failed", e);
    }
    return exporter;
  }

  private static LokiExporterConfig config(String endpoint, String overrides) {
    com.typesafe.config.ConfigObject section = com.typesafe.config.ConfigFactory
        .parseString("endpoint = \"" + endpoint + "\"\n" + overrides).root();
    var r = io.sluice.core.config.ComponentBinding.bind(new LokiExporterFactory(), section, "exporters.loki", section.origin());
    assertThat(r.issues()).isEmpty();
    return r.value();
  }

  private static Logs golden() {
    return Logs.of(List.of(
        resource(
            List.of(attr("service.name", "checkout"), attr("deployment.environment", "prod"), attr("host.name", "h1")),
            InstrumentationScope.newBuilder().setName("io.example").setVersion("1.0").build(),
            traced(record(2_000_000_001L, SeverityNumber.SEVERITY_NUMBER_INFO, "INFO", "second",
                attr("http.method", "GET"), attr("user.id", 42), attr("path", "/cart"))),
            record(1_000_000_000L, SeverityNumber.SEVERITY_NUMBER_ERROR, "ERROR", "first", attr("http.method", "GET")),
            record(1_500_000_000L, SeverityNumber.SEVERITY_NUMBER_INFO2, "INFO", "middle", attr("http.method", "GET"))),
        resource(
            List.of(attr("service.name", "cart")),
            record(3_000_000_000L, SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED, "", "no severity"))));
  }

  @Test
  void protobufPushCarriesLabelsLinesMetadataInTimeOrder() {
    start(config(loki.endpoint(), "labels.attributes { http.method = method }\nstructured_metadata = [user.id]"))
        .push(golden()).join();

    assertThat(loki.requests()).hasSize(1);
    FakeLoki.Request req = loki.requests().get(0);
    assertThat(req.header("content-type")).isEqualTo("application/x-protobuf");
    assertThat(req.protocol()).as("plain http is HTTP/1.1, no h2c").isEqualTo("h1c");
    assertThat(req.header("x-scope-orgid")).isNull();
    PushRequest push = req.decode();
    assertThat(push.getStreamsList()).extracting(StreamAdapter::getLabels).containsExactly(
        "{level=\"info\", method=\"GET\", service_name=\"checkout\"}",
        "{level=\"error\", method=\"GET\", service_name=\"checkout\"}",
        "{level=\"unknown\", service_name=\"cart\"}");

    List<EntryAdapter> info = push.getStreams(0).getEntriesList();
    assertThat(info).extracting(EntryAdapter::getLine).containsExactly(
        "{\"body\":\"middle\",\"severity\":\"INFO\",\"resources\":{\"deployment.environment\":\"prod\","
            + "\"host.name\":\"h1\"},\"instrumentation_scope\":{\"name\":\"io.example\",\"version\":\"1.0\"}}",
        "{\"body\":\"second\",\"severity\":\"INFO\",\"attributes\":{\"path\":\"/cart\"},"
            + "\"resources\":{\"deployment.environment\":\"prod\",\"host.name\":\"h1\"},"
            + "\"instrumentation_scope\":{\"name\":\"io.example\",\"version\":\"1.0\"}}");
    assertThat(info.get(0).getTimestamp().getSeconds()).isEqualTo(1);
    assertThat(info.get(0).getTimestamp().getNanos()).isEqualTo(500_000_000);
    assertThat(info.get(1).getTimestamp().getSeconds()).isEqualTo(2);
    assertThat(info.get(1).getTimestamp().getNanos()).isEqualTo(1);
    assertThat(info.get(0).getStructuredMetadataList()).isEmpty();
    assertThat(info.get(1).getStructuredMetadataList())
        .extracting(p -> p.getName() + "=" + p.getValue())
        .containsExactly("trace_id=" + TRACE, "span_id=" + SPAN, "user_id=42");

    assertThat(push.getStreams(1).getEntriesList()).extracting(EntryAdapter::getLine)
        .containsExactly("{\"body\":\"first\",\"severity\":\"ERROR\",\"resources\":{\"deployment.environment\":"
            + "\"prod\",\"host.name\":\"h1\"},\"instrumentation_scope\":{\"name\":\"io.example\",\"version\":\"1.0\"}}");
    assertThat(push.getStreams(2).getEntriesList()).extracting(EntryAdapter::getLine)
        .containsExactly("{\"body\":\"no severity\"}");
  }

  @Test
  void jsonEncodingFollowsLokiPushFormat() throws Exception {
    start(config(loki.endpoint(), "encoding = json\nformat = raw")).push(golden()).join();

    FakeLoki.Request req = loki.requests().get(0);
    assertThat(req.header("content-type")).isEqualTo("application/json");
    JsonNode root = new ObjectMapper().readTree(new String(req.body(), StandardCharsets.UTF_8));
    JsonNode streams = root.get("streams");
    assertThat(streams).hasSize(3);
    assertThat(streams.get(0).get("stream").toString())
        .isEqualTo("{\"level\":\"info\",\"service_name\":\"checkout\"}");
    assertThat(streams.get(0).get("values").toString()).isEqualTo(
        "[[\"1500000000\",\"middle\"],[\"2000000001\",\"second\",{\"trace_id\":\"" + TRACE
            + "\",\"span_id\":\"" + SPAN + "\"}]]");
    assertThat(streams.get(2).get("stream").toString())
        .isEqualTo("{\"level\":\"unknown\",\"service_name\":\"cart\"}");
  }

  @Test
  void tenantHeaderHeadersAndBasicAuth() {
    start(config(loki.endpoint(),
        "tenant_id = team-a\nheaders { X-Source = sluice }\nbasic_auth { username = u, password = p }"))
        .push(golden()).join();

    FakeLoki.Request req = loki.requests().get(0);
    assertThat(req.header("x-scope-orgid")).isEqualTo("team-a");
    assertThat(req.header("x-source")).isEqualTo("sluice");
    assertThat(req.header("authorization")).isEqualTo("Basic dTpw");
  }

  @Test
  void httpsWithUntrustedCertificateNeedsInsecureSkipVerify() {
    try (FakeLoki secure = new FakeLoki(true)) {
      Throwable t = catchThrowable(() -> start(config(secure.endpoint(), "")).push(golden()).join());
      assertThat(PipelineException.from(t).isRetryable()).isTrue();
      assertThat(secure.requests()).isEmpty();
      exporter.shutdown();

      start(config(secure.endpoint(), "tls.insecure_skip_verify = true")).push(golden()).join();
      assertThat(secure.requests()).hasSize(1);
      assertThat(secure.requests().get(0).decode().getStreamsCount()).isEqualTo(3);
    }
  }

  @Test
  void bearerToken() {
    start(config(loki.endpoint(), "bearer_token = abc")).push(golden()).join();
    assertThat(loki.requests().get(0).header("authorization")).isEqualTo("Bearer abc");
  }

  @Test
  void tenantFromClientMetadataReplacesStaticTenant() {
    Logs logs = golden().withMetadata(ClientMetadata.of(Map.of("X-Scope-OrgID", List.of("team-b")), null));
    start(config(loki.endpoint(), "tenant_id = team-a\ntenant_from_metadata = x-scope-orgid")).push(logs).join();
    assertThat(loki.requests()).extracting(r -> r.header("x-scope-orgid")).containsExactly("team-b");
  }

  @Test
  void oneRequestPerTenantNeverMixed() {
    Logs logs = Logs.of(List.of(
        resource(List.of(attr("service.name", "a"), attr("loki.tenant", "tenant"), attr("tenant", "t1")),
            record(1, SeverityNumber.SEVERITY_NUMBER_INFO, "", "a1")),
        resource(List.of(attr("service.name", "b"), attr("loki.tenant", "tenant"), attr("tenant", "t2")),
            record(2, SeverityNumber.SEVERITY_NUMBER_INFO, "", "b1")),
        resource(List.of(attr("service.name", "c"), attr("loki.tenant", "tenant"), attr("tenant", "t1")),
            record(3, SeverityNumber.SEVERITY_NUMBER_INFO, "", "c1"))));
    start(config(loki.endpoint(), "tenant_id = fallback\nformat = raw")).push(logs).join();

    assertThat(loki.requests()).hasSize(2);
    Map<String, List<String>> linesByTenant = new java.util.TreeMap<>();
    for (FakeLoki.Request r : loki.requests()) {
      linesByTenant.put(r.header("x-scope-orgid"), r.decode().getStreamsList().stream()
          .flatMap(s -> s.getEntriesList().stream()).map(EntryAdapter::getLine).toList());
    }
    assertThat(linesByTenant).containsExactly(
        Map.entry("t1", List.of("a1", "c1")), Map.entry("t2", List.of("b1")));
  }

  @Test
  void serverErrorIsRetryableWithRetryAfterThenSucceeds() {
    loki.answerNext(HttpStatus.SERVICE_UNAVAILABLE, "ingester not ready", "7");
    Exporter e = start(config(loki.endpoint(), ""));

    Throwable first = catchThrowable(() -> e.push(golden()).join());
    PipelineException pe = PipelineException.from(first);
    assertThat(pe.isRetryable()).isTrue();
    assertThat(pe.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(pe.getMessage()).contains("503").contains("ingester not ready");

    e.push(golden()).join();
    assertThat(loki.requests()).hasSize(2);
    assertThat(loki.requests().get(1).decode()).isEqualTo(loki.requests().get(0).decode());
  }

  @Test
  void tooManyRequestsIsRetryable() {
    loki.answerNext(HttpStatus.TOO_MANY_REQUESTS, "rate limited", null);
    Throwable t = catchThrowable(() -> start(config(loki.endpoint(), "")).push(golden()).join());
    assertThat(PipelineException.from(t).isRetryable()).isTrue();
    assertThat(PipelineException.from(t).retryAfter()).isNull();
  }

  @Test
  void badRequestIsPermanentWithLokisMessage() {
    loki.answerNext(HttpStatus.BAD_REQUEST, "entry too far behind", null);
    Throwable t = catchThrowable(() -> start(config(loki.endpoint(), "")).push(golden()).join());
    assertThat(t).isInstanceOf(CompletionException.class);
    PipelineException pe = PipelineException.from(t);
    assertThat(pe.isRetryable()).isFalse();
    assertThat(pe.getMessage()).isEqualTo("Loki answered 400 for tenant \"\": entry too far behind");
  }

  @Test
  void unreachableEndpointIsRetryable() throws Exception {
    String endpoint;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      endpoint = "http://127.0.0.1:" + s.getLocalPort() + FakeLoki.PATH;
    }
    Throwable t = catchThrowable(() -> start(config(endpoint, "")).push(golden()).join());
    PipelineException pe = PipelineException.from(t);
    assertThat(pe.isRetryable()).isTrue();
    assertThat(pe.getMessage()).startsWith("cannot push to Loki at " + endpoint);
  }
}
