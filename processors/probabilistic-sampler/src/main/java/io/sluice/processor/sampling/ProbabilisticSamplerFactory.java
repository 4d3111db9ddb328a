package io.sluice.processor.sampling;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/**
 * The {@code probabilistic_sampler} processor: keeps a percentage of traces (and log records) by a
 * hash of the trace id, consistently across instances and with the OpenTelemetry Collector.
 */
public final class ProbabilisticSamplerFactory implements ProcessorFactory<SamplerConfig> {

  @Override
  public String type() {
    return "probabilistic_sampler";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.LOGS, Stability.ALPHA);
  }

  @Override
  public Class<SamplerConfig> configClass() {
    return SamplerConfig.class;
  }

  @Override
  public SamplerConfig defaultConfig() {
    return SamplerConfig.DEFAULTS;
  }

  @Override
  public Processor createProcessor(
      ComponentContext context, SamplerConfig config, Signal signal, DataConsumer next) {
    return switch (signal) {
      case TRACES -> new TracesSampler(context, config, next);
      case LOGS -> new LogsSampler(context, config, next);
      case METRICS -> throw new IllegalArgumentException(
          "probabilistic_sampler does not support metrics (expected: a traces or logs pipeline)");
    };
  }
}
