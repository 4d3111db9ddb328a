package io.sluice.exporter.debug;

import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import io.sluice.api.config.ExporterSettings;
import java.util.Map;

/** The {@code debug} exporter: writes what it receives to the daemon's log. */
public final class DebugExporterFactory implements ExporterFactory<DebugConfig> {
  @Override
  public String type() {
    return "debug";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.DEVELOPMENT, Signal.METRICS, Stability.DEVELOPMENT,
        Signal.LOGS, Stability.DEVELOPMENT);
  }

  @Override
  public Class<DebugConfig> configClass() {
    return DebugConfig.class;
  }

  @Override
  public DebugConfig defaultConfig() {
    return DebugConfig.DEFAULTS;
  }

  /** Like otelcol's debug exporter: no sending queue, no retry (writing a log line cannot fail). */
  @Override
  public ExporterSettings defaultExporterSettings() {
    ExporterSettings d = ExporterSettings.DEFAULTS;
    return new ExporterSettings(
        new ExporterSettings.QueueSettings(false, d.sendingQueue().numConsumers(), d.sendingQueue().queueSize(), ""),
        new ExporterSettings.RetrySettings(false, d.retryOnFailure().initialInterval(),
            d.retryOnFailure().randomizationFactor(), d.retryOnFailure().multiplier(),
            d.retryOnFailure().maxInterval(), d.retryOnFailure().maxElapsedTime()),
        d.timeout());
  }

  @Override
  public Exporter createExporter(ComponentContext context, DebugConfig config, Signal signal) {
    return new DebugExporter(context.id().toString(), config, signal, DebugExporter.LOG::info);
  }
}
