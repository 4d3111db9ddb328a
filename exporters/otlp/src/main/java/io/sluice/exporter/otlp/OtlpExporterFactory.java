package io.sluice.exporter.otlp;

import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code otlp} exporter: OTLP over gRPC, for traces, metrics and logs. */
public final class OtlpExporterFactory implements ExporterFactory<OtlpExporterConfig> {

  @Override
  public String type() {
    return "otlp";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<OtlpExporterConfig> configClass() {
    return OtlpExporterConfig.class;
  }

  @Override
  public OtlpExporterConfig defaultConfig() {
    return OtlpExporterConfig.defaults();
  }

  @Override
  public Exporter createExporter(ComponentContext context, OtlpExporterConfig config, Signal signal) {
    return new OtlpGrpcExporter(context, config, signal);
  }
}
