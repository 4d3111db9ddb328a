package io.sluice.api;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ExporterSettings;

/**
 * Creates exporters. One instance per id and signal, shared by every pipeline of that signal that
 * lists it; the daemon wraps it in the exporter helper (queue, retry, timeout, self-metrics).
 *
 * <p>The keys {@code sending_queue}, {@code retry_on_failure} and {@code timeout} of an exporter's
 * section belong to the helper ({@link ExporterSettings}); the exporter's own record must not
 * declare them.
 *
 * @param <C> the configuration record
 */
public interface ExporterFactory<C extends ComponentConfig> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  /** The helper settings used when the user sets none; override to change a default. */
  default ExporterSettings defaultExporterSettings() {
    return ExporterSettings.DEFAULTS;
  }

  /** Creates the exporter for one signal. */
  Exporter createExporter(ComponentContext context, C config, Signal signal);
}
