package io.sluice.core.extension.storage;

import io.sluice.api.ComponentContext;
import io.sluice.api.Extension;
import io.sluice.api.ExtensionFactory;

/**
 * The {@code file_storage} extension: a directory where exporters with {@code
 * sending_queue.storage} keep their queue, so that acknowledged data survives restarts and
 * crashes.
 */
public final class FileStorageFactory implements ExtensionFactory<FileStorageConfig> {
  @Override
  public String type() {
    return "file_storage";
  }

  @Override
  public Class<FileStorageConfig> configClass() {
    return FileStorageConfig.class;
  }

  @Override
  public FileStorageConfig defaultConfig() {
    return FileStorageConfig.DEFAULTS;
  }

  @Override
  public Extension createExtension(ComponentContext context, FileStorageConfig config) {
    return new FileStorageExtension(config, context.telemetry());
  }
}
