package io.sluice.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class OtlpReceiverConfigTest extends ComponentContractTest {
  private static final OtlpReceiverFactory FACTORY = new OtlpReceiverFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return FACTORY;
  }

  @Override
  protected ComponentConfig lifecycleConfig() {
    return TestConfigs.ephemeral();
  }

  @Test
  void emptyConfigEnablesBothProtocolsOnLoopback() {
    OtlpReceiverConfig c = ConfigTesting.bindEmpty(FACTORY);
    assertThat(c.protocols().grpc().endpoint()).isEqualTo("127.0.0.1:4317");
    assertThat(c.protocols().grpc().maxRecvMsgSizeMib()).isEqualTo(4);
    assertThat(c.protocols().http().endpoint()).isEqualTo("127.0.0.1:4318");
    assertThat(c.protocols().http().maxRequestBodySize()).isEqualTo(DataSize.ofMebibytes(20));
    assertThat(c.protocols().http().tracesUrlPath()).isEqualTo("/v1/traces");
  }

  @Test
  void loadsEverySpelledOutOption() {
    OtlpReceiverConfig c = ConfigTesting.load(FACTORY, "testdata/config.conf", "otlp/full");
    assertThat(c).isEqualTo(new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
        new OtlpReceiverConfig.Grpc("0.0.0.0:14317", 16, null, new OtlpReceiverConfig.Auth("s3cret"), true),
        new OtlpReceiverConfig.Http("0.0.0.0:14318", DataSize.ofMebibytes(8), null, null,
            new Cors(List.of("https://*.example.com"), List.of("X-Tenant"), 7200), true,
            "/otlp/traces", "/otlp/metrics", "/otlp/logs"))));
    assertThat(ConfigTesting.load(FACTORY, "testdata/config.conf", "otlp")).isEqualTo(FACTORY.defaultConfig());
  }

  @Test
  void nullTurnsAProtocolOff() {
    OtlpReceiverConfig c = ConfigTesting.load(FACTORY, "testdata/config.conf", "otlp/http_only");
    assertThat(c.protocols().grpc()).isNull();
    assertThat(c.protocols().http()).isEqualTo(OtlpReceiverConfig.Http.defaults());
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(FACTORY, "testdata/invalid_configs.conf");
  }
}
