package io.sluice.exporter.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.config.DataSize;
import io.sluice.api.config.ExporterSettings;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.exporter.jaeger.JaegerConfig.AuthConfig;
import io.sluice.exporter.jaeger.JaegerConfig.BasicAuth;
import io.sluice.exporter.jaeger.JaegerConfig.Protocol;
import io.sluice.exporter.jaeger.JaegerConfig.TlsConfig;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class JaegerConfigTest {
  private static final String CONFIG = "testdata/config.conf";
  private final JaegerExporterFactory factory = new JaegerExporterFactory();

  @Test
  void emptyConfigIsTheDefaults() {
    JaegerConfig c = ConfigTesting.bindEmpty(factory);
    assertThat(c).isEqualTo(JaegerConfig.DEFAULTS);
    assertThat(c.protocol()).isEqualTo(Protocol.THRIFT_HTTP);
    assertThat(c.effectiveEndpoint()).isEqualTo("http://localhost:14268/api/traces");
    assertThat(c.maxPacketSize()).isEqualTo(DataSize.ofBytes(65000));
    assertThat(ConfigTesting.load(factory, CONFIG, "jaeger")).isEqualTo(JaegerConfig.DEFAULTS);
  }

  @Test
  void everyHttpOptionIsRead() {
    assertThat(ConfigTesting.load(factory, CONFIG, "jaeger/collector"))
        .isEqualTo(new JaegerConfig(
            Protocol.THRIFT_HTTP,
            "https://jaeger-collector.example.com:14268/api/traces",
            Map.of("X-Scope-OrgID", "tenant-a"),
            new AuthConfig(new BasicAuth("sluice", "s3cret"), ""),
            new TlsConfig("/etc/ssl/jaeger-ca.pem", "/etc/ssl/client.pem", "/etc/ssl/client-key.pem", false),
            DataSize.ofBytes(65000)));
    ExporterSettings helper = ConfigTesting.loadExporterSettings(factory, CONFIG, "jaeger/collector");
    assertThat(helper.sendingQueue().queueSize()).isEqualTo(500);
    assertThat(helper.retryOnFailure().maxElapsedTime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(helper.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void bearerTokenIsRead() {
    assertThat(ConfigTesting.load(factory, CONFIG, "jaeger/token").auth())
        .isEqualTo(new AuthConfig(BasicAuth.defaults(), "abc123"));
  }

  @Test
  void udpOptionsAreRead() {
    JaegerConfig c = ConfigTesting.load(factory, CONFIG, "jaeger/agent");
    assertThat(c).isEqualTo(new JaegerConfig(Protocol.THRIFT_COMPACT_UDP, "jaeger-agent:6831", Map.of(),
        AuthConfig.defaults(), TlsConfig.defaults(), DataSize.ofKibibytes(8)));
  }

  @Test
  void udpWithoutEndpointUsesTheAgentPort() {
    JaegerConfig c = new JaegerConfig(Protocol.THRIFT_COMPACT_UDP, "", Map.of(), AuthConfig.defaults(),
        TlsConfig.defaults(), DataSize.ofBytes(65000));
    assertThat(c.effectiveEndpoint()).isEqualTo("localhost:6831");
    assertThat(c.validate()).isEmpty();
  }

  @Test
  void passwordIsNotPrinted() {
    assertThat(new BasicAuth("u", "hunter2").toString()).doesNotContain("hunter2");
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigsAreRejected() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }
}
