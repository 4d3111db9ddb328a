package io.sluice.exporter.jaeger;

import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/**
 * The {@code jaeger} exporter: spans to a Jaeger collector (binary Thrift over HTTP) or agent
 * (compact Thrift over UDP), mapped per the OpenTelemetry specification. The OpenTelemetry
 * Collector removed its Jaeger exporters in 2023; this one keeps pre-OTLP Jaeger back ends fed.
 */
public final class JaegerExporterFactory implements ExporterFactory<JaegerConfig> {

  @Override
  public String type() {
    return "jaeger";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA);
  }

  @Override
  public Class<JaegerConfig> configClass() {
    return JaegerConfig.class;
  }

  @Override
  public JaegerConfig defaultConfig() {
    return JaegerConfig.DEFAULTS;
  }

  @Override
  public Exporter createExporter(ComponentContext context, JaegerConfig config, Signal signal) {
    if (signal != Signal.TRACES) {
      throw new IllegalArgumentException("jaeger exports traces only, not " + signal.configName());
    }
    return switch (config.protocol()) {
      case THRIFT_HTTP -> new ThriftHttpExporter(config);
      case THRIFT_COMPACT_UDP -> new ThriftUdpExporter(context, config);
    };
  }
}
