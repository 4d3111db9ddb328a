package io.sluice.exporter.otlphttp;

import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code otlphttp} exporter: OTLP over HTTP with protobuf or JSON, for traces, metrics and logs. */
public final class OtlpHttpExporterFactory implements ExporterFactory<OtlpHttpExporterConfig> {

  @Override
  public String type() {
    return "otlphttp";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<OtlpHttpExporterConfig> configClass() {
    return OtlpHttpExporterConfig.class;
  }

  @Override
  public OtlpHttpExporterConfig defaultConfig() {
    return OtlpHttpExporterConfig.defaults();
  }

  @Override
  public Exporter createExporter(ComponentContext context, OtlpHttpExporterConfig config, Signal signal) {
    return new OtlpHttpExporter(context, config, signal);
  }
}
