package io.sluice.processor.attributes;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.processor.attributes.internal.ActionConfig;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class AttributesProcessorFactoryTest extends ComponentContractTest {
  private final AttributesProcessorFactory factory = new AttributesProcessorFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void loadsEveryOption() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "attributes")).isEqualTo(AttributesConfig.DEFAULTS);
    AttributesConfig full = ConfigTesting.load(factory, "testdata/config.conf", "attributes/full");
    assertThat(full).isEqualTo(new AttributesConfig(
        List.of(
            new ActionConfig("environment", null, "insert", "production", null, null, null),
            new ActionConfig("tenant", null, "upsert", null, null, "metadata.x-tenant", null),
            new ActionConfig("db.user", null, "update", null, "user", null, null),
            new ActionConfig(null, "^password", "delete", null, null, null, null),
            new ActionConfig("user.email", null, "hash", null, null, null, null),
            new ActionConfig("http.url", "^https?://(?<http_host>[^/]+)/", "extract", null, null, null, null),
            new ActionConfig("http.status_code", null, "convert", null, null, null, "int")),
        new MatchConfig("regexp", List.of("^checkout"), List.of("GET .*"), List.of("SPAN_KIND_SERVER"), List.of(), null,
            List.of(), List.of(new MatchConfig.Attribute("http.method", "GET|POST"), new MatchConfig.Attribute("http.url", null)),
            List.of(new MatchConfig.Attribute("deployment.environment", "prod.*"))),
        new MatchConfig("strict", List.of(), List.of(), List.of(), List.of("DEBUG"), new MatchConfig.SeverityNumber(9, true),
            List.of("up"), List.of(), List.of())));
  }

  @TestFactory
  Stream<DynamicTest> rejectsInvalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }
}
