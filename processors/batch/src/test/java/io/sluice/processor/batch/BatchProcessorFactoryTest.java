package io.sluice.processor.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class BatchProcessorFactoryTest extends ComponentContractTest {
  private final BatchProcessorFactory factory = new BatchProcessorFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void defaultsAreTheCollectors() {
    assertThat(ConfigTesting.bindEmpty(factory))
        .isEqualTo(new BatchConfig(8192, 0, Duration.ofMillis(200), List.of(), 1000));
  }

  @Test
  void loadsEveryOption() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "batch"))
        .isEqualTo(BatchConfig.DEFAULTS);
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "batch/custom"))
        .isEqualTo(new BatchConfig(100, 500, Duration.ofSeconds(1), List.of("x-tenant", "x-region"), 50));
  }

  @TestFactory
  Stream<DynamicTest> rejectsInvalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }
}
