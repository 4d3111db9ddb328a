package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PrometheusReceiverFactoryTest extends ComponentContractTest {
  private final PrometheusReceiverFactory factory = new PrometheusReceiverFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void emptySectionIsTheDefaults() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "prometheus"))
        .isEqualTo(PrometheusReceiverConfig.defaults());
  }

  @Test
  void fullConfigBindsEveryKeyAndFillsPrometheusDefaults() {
    PrometheusReceiverConfig c = ConfigTesting.load(factory, "testdata/config.conf", "prometheus/full");
    ScrapeConfig node = new ScrapeConfig("node", Duration.ofSeconds(15), Duration.ofSeconds(3), "/probe", "https",
        Map.of("module", List.of("http_2xx", "tcp")),
        List.of(new ScrapeConfig.StaticConfig(List.of("host-a:9100", "host-b:9100"), Map.of("env", "prod"))),
        List.of(new ScrapeConfig.FileSdConfig(List.of("/etc/sluice/targets/*.json"), Duration.ofMinutes(1))),
        true, false,
        List.of(new RelabelConfig(List.of("__address__"), ";", "host", "([^:]+):.*", 0, "$1", "replace")),
        List.of(new RelabelConfig(List.of("__name__"), ";", "", "go_.*", 0, "$1", "drop")),
        new ScrapeConfig.BasicAuth("scraper", "secret"), ScrapeConfig.Authorization.defaults(),
        new ScrapeConfig.TlsConfig("/etc/ssl/ca.pem", "", "", true), 10000, 30, DataSize.ofMebibytes(10));
    ScrapeConfig minimal = new ScrapeConfig("minimal", null, null, "/metrics", "http", Map.of(),
        List.of(new ScrapeConfig.StaticConfig(List.of("localhost:9090"), Map.of())), List.of(), false, true,
        List.of(), List.of(), ScrapeConfig.BasicAuth.defaults(), ScrapeConfig.Authorization.defaults(),
        ScrapeConfig.TlsConfig.defaults(), 0, 0, DataSize.ofBytes(0));
    assertThat(c).isEqualTo(new PrometheusReceiverConfig(new PrometheusReceiverConfig.PromConfig(
        new PrometheusReceiverConfig.Global(Duration.ofSeconds(30), Duration.ofSeconds(5)), List.of(node, minimal))));
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }
}
