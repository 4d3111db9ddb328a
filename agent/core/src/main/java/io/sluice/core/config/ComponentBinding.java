package io.sluice.core.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ExporterFactory;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ExporterSettings;
import java.util.HashSet;
import java.util.Set;

/** Binds one component's configuration section, keeping the exporter helper's keys apart. */
public final class ComponentBinding {
  private ComponentBinding() {}

  /**
   * Binds the component's own record. For exporters the helper keys ({@link
   * ExporterSettings#KEYS}) are skipped here and bound by {@link #bindExporterSettings}.
   *
   * @param section the component's section, or null when it is declared empty
   * @param path e.g. {@code exporters.loki/edge}
   */
  public static <C extends ComponentConfig> ConfigBinder.Result<C> bind(
      ComponentFactory<C> factory, ConfigObject section, String path, ConfigOrigin origin) {
    Set<String> ignored =
        factory instanceof ExporterFactory<?> ? Set.copyOf(ExporterSettings.KEYS) : Set.of();
    return ConfigBinder.bind(
        factory.configClass(), factory.defaultConfig(), section, path, ignored, origin);
  }

  /** Binds the exporter helper's keys of an exporter's section over the factory's defaults. */
  public static ConfigBinder.Result<ExporterSettings> bindExporterSettings(
      ExporterFactory<?> factory, ConfigObject section, String path, ConfigOrigin origin) {
    Set<String> others = new HashSet<>(section == null ? Set.of() : section.keySet());
    ExporterSettings.KEYS.forEach(others::remove);
    return ConfigBinder.bind(
        ExporterSettings.class, factory.defaultExporterSettings(), section, path, others, origin);
  }
}
