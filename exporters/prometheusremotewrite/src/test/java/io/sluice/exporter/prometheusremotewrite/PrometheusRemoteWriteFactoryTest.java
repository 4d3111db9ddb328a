package io.sluice.exporter.prometheusremotewrite;

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

class PrometheusRemoteWriteFactoryTest extends ComponentContractTest {
  private final PrometheusRemoteWriteFactory factory = new PrometheusRemoteWriteFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void emptySectionIsTheDefaults() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "prometheusremotewrite"))
        .isEqualTo(PrometheusRemoteWriteConfig.defaults());
    assertThat(ConfigTesting.loadExporterSettings(factory, "testdata/config.conf", "prometheusremotewrite")
        .sendingQueue().numConsumers())
        .as("one batch at a time keeps each series' samples in order")
        .isEqualTo(1);
  }

  @Test
  void fullConfigBindsEveryKey() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "prometheusremotewrite/full"))
        .isEqualTo(new PrometheusRemoteWriteConfig(
            "https://mimir.example.com:9009/api/v1/push?tenant=a",
            Map.of("X-Scope-OrgID", "team-a"),
            "edge",
            Map.of("cluster", "eu-1", "replica", "r1"),
            new PrometheusRemoteWriteConfig.ResourceToTelemetryConversion(true),
            new PrometheusRemoteWriteConfig.TargetInfo(false),
            true,
            false,
            1_000_000,
            new PrometheusRemoteWriteConfig.RemoteWriteQueue(2),
            new PrometheusRemoteWriteConfig.BasicAuth("sluice", "secret"),
            "",
            new PrometheusRemoteWriteConfig.Tls(true, "/etc/ssl/ca.pem", "/etc/ssl/c.pem", "/etc/ssl/c.key")));
    ExporterSettings helper =
        ConfigTesting.loadExporterSettings(factory, "testdata/config.conf", "prometheusremotewrite/full");
    assertThat(helper.sendingQueue().queueSize()).isEqualTo(50);
    assertThat(helper.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }
}
