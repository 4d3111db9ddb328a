package io.sluice.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.api.config.ExporterSettings;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class OtlpExporterConfigTest extends ComponentContractTest {
  private static final OtlpExporterFactory FACTORY = new OtlpExporterFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return FACTORY;
  }

  @Test
  void emptyConfigIsTlsToLocalhostWithGzip() {
    OtlpExporterConfig c = ConfigTesting.bindEmpty(FACTORY);
    assertThat(c).isEqualTo(OtlpExporterConfig.defaults());
    assertThat(c.target()).isEqualTo("h2://localhost:4317");
    assertThat(c.compression()).isEqualTo(Compression.GZIP);
  }

  @Test
  void loadsEverySpelledOutOption() {
    OtlpExporterConfig full = ConfigTesting.load(FACTORY, "testdata/config.conf", "otlp/full");
    assertThat(full).isEqualTo(new OtlpExporterConfig("https://gateway.example.com:4317",
        Map.of("authorization", "Bearer abc", "x-tenant", "acme"), Compression.ZSTD,
        new ClientTls(false, "", "", "", true)));
    assertThat(full.target()).isEqualTo("h2://gateway.example.com:4317");
    ExporterSettings helper = ConfigTesting.loadExporterSettings(FACTORY, "testdata/config.conf", "otlp/full");
    assertThat(helper.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(helper.sendingQueue().queueSize()).isEqualTo(500);

    OtlpExporterConfig plain = ConfigTesting.load(FACTORY, "testdata/config.conf", "otlp/plain");
    assertThat(plain.target()).isEqualTo("h2c://sluice-gateway:4317");
    assertThat(plain.compression()).isEqualTo(Compression.NONE);
    assertThat(ConfigTesting.load(FACTORY, "testdata/config.conf", "otlp")).isEqualTo(FACTORY.defaultConfig());
  }

  @Test
  void schemeDecidesTlsOverInsecure() {
    assertThat(new OtlpExporterConfig("http://gw:4317", Map.of(), Compression.NONE, ClientTls.defaults()).target())
        .isEqualTo("h2c://gw:4317");
    assertThat(new OtlpExporterConfig("https://[::1]:4317", Map.of(), Compression.NONE,
        new ClientTls(true, "", "", "", false)).target()).isEqualTo("h2://[::1]:4317");
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(FACTORY, "testdata/invalid_configs.conf");
  }
}
