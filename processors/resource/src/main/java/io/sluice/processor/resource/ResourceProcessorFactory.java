package io.sluice.processor.resource;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code resource} processor: changes resource attributes and adds detected ones. */
public final class ResourceProcessorFactory implements ProcessorFactory<ResourceConfig> {
  private final Detectors.Environment environment;

  /** The factory the daemon discovers: detectors read the real environment. */
  public ResourceProcessorFactory() {
    this(Detectors.Environment.system());
  }

  /** A factory whose detectors read {@code environment}, for tests. */
  ResourceProcessorFactory(Detectors.Environment environment) {
    this.environment = environment;
  }

  @Override
  public String type() {
    return "resource";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<ResourceConfig> configClass() {
    return ResourceConfig.class;
  }

  @Override
  public ResourceConfig defaultConfig() {
    return ResourceConfig.DEFAULTS;
  }

  @Override
  public Processor createProcessor(
      ComponentContext context, ResourceConfig config, Signal signal, DataConsumer next) {
    return new ResourceProcessor(context, config, next, environment);
  }
}
