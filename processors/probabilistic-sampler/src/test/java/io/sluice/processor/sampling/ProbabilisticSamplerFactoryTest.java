package io.sluice.processor.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ProbabilisticSamplerFactoryTest extends ComponentContractTest {
  private final ProbabilisticSamplerFactory factory = new ProbabilisticSamplerFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void defaultsAreTheCollectors() {
    assertThat(ConfigTesting.bindEmpty(factory)).isEqualTo(
        new SamplerConfig(0, SamplerConfig.Mode.HASH_SEED, 0, true, 4, "traceID", "", ""));
  }

  @Test
  void loadsEveryOption() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "probabilistic_sampler"))
        .isEqualTo(SamplerConfig.DEFAULTS);
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "probabilistic_sampler/traces"))
        .isEqualTo(new SamplerConfig(15.3, SamplerConfig.Mode.PROPORTIONAL, 22, false, 6, "traceID", "", ""));
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "probabilistic_sampler/logs"))
        .isEqualTo(new SamplerConfig(15, SamplerConfig.Mode.HASH_SEED, 0, true, 4, "record", "logID", "priority"));
  }

  @TestFactory
  Stream<DynamicTest> rejectsInvalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }
}
