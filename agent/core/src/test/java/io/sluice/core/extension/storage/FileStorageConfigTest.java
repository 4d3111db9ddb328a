package io.sluice.core.extension.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class FileStorageConfigTest extends ComponentContractTest {
  private static final FileStorageFactory FACTORY = new FileStorageFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return FACTORY;
  }

  @Override
  protected ComponentConfig lifecycleConfig() {
    try {
      String dir = Files.createTempDirectory("file-storage").toString();
      return new FileStorageConfig(dir, "interval", Duration.ofMillis(50), DataSize.ofMebibytes(16), "refuse", DataSize.ofMebibytes(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void defaultsAreDurableAndRefuseWhenFull() {
    FileStorageConfig c = ConfigTesting.bindEmpty(FACTORY);
    assertThat(c.directory()).isEqualTo("/var/lib/sluice/file_storage");
    assertThat(c.fsync()).isEqualTo("always");
    assertThat(c.whenFull()).isEqualTo("refuse");
    assertThat(c.maxSize()).isEqualTo(DataSize.ofMebibytes(1024));
  }

  @Test
  void loadsEverySpelledOutOption() {
    assertThat(ConfigTesting.load(FACTORY, "testdata/file_storage/config.conf", "file_storage/full"))
        .isEqualTo(new FileStorageConfig("/srv/sluice/queue", "interval", Duration.ofMillis(250),
            DataSize.ofMebibytes(4096), "drop_oldest", DataSize.ofMebibytes(16)));
    assertThat(ConfigTesting.load(FACTORY, "testdata/file_storage/config.conf", "file_storage"))
        .isEqualTo(FACTORY.defaultConfig());
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(FACTORY, "testdata/file_storage/invalid_configs.conf");
  }
}
