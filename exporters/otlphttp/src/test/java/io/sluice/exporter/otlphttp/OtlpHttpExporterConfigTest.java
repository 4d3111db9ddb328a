package io.sluice.exporter.otlphttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.api.Signal;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.exporter.otlp.ClientTls;
import io.sluice.exporter.otlp.Compression;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class OtlpHttpExporterConfigTest extends ComponentContractTest {
  private static final OtlpHttpExporterFactory FACTORY = new OtlpHttpExporterFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return FACTORY;
  }

  @Test
  void emptyConfigSendsProtobufWithGzipToLocalhost() {
    OtlpHttpExporterConfig c = ConfigTesting.bindEmpty(FACTORY);
    assertThat(c).isEqualTo(OtlpHttpExporterConfig.defaults());
    assertThat(c.url(Signal.TRACES)).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(c.url(Signal.METRICS)).isEqualTo("http://localhost:4318/v1/metrics");
    assertThat(c.url(Signal.LOGS)).isEqualTo("http://localhost:4318/v1/logs");
  }

  @Test
  void loadsEverySpelledOutOption() {
    OtlpHttpExporterConfig c = ConfigTesting.load(FACTORY, "testdata/config.conf", "otlphttp/full");
    assertThat(c).isEqualTo(new OtlpHttpExporterConfig("https://gateway.example.com:4318",
        "https://traces.example.com/otlp/v1/traces", "https://metrics.example.com/v1/metrics",
        "https://logs.example.com/v1/logs", Map.of("x-tenant", "acme"), Compression.NONE,
        OtlpHttpExporterConfig.Encoding.JSON, ClientTls.defaults()));
    assertThat(c.url(Signal.TRACES)).isEqualTo("https://traces.example.com/otlp/v1/traces");
    assertThat(ConfigTesting.loadExporterSettings(FACTORY, "testdata/config.conf", "otlphttp/full").timeout())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(ConfigTesting.load(FACTORY, "testdata/config.conf", "otlphttp")).isEqualTo(FACTORY.defaultConfig());
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(FACTORY, "testdata/invalid_configs.conf");
  }
}
