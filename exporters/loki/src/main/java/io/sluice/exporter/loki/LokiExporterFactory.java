package io.sluice.exporter.loki;

import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code loki} exporter: logs to Grafana Loki's push API. */
public final class LokiExporterFactory implements ExporterFactory<LokiExporterConfig> {

  @Override
  public String type() {
    return "loki";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.LOGS, Stability.ALPHA);
  }

  @Override
  public Class<LokiExporterConfig> configClass() {
    return LokiExporterConfig.class;
  }

  @Override
  public LokiExporterConfig defaultConfig() {
    return LokiExporterConfig.defaults();
  }

  @Override
  public Exporter createExporter(ComponentContext context, LokiExporterConfig config, Signal signal) {
    return new LokiExporter(context, config);
  }
}
