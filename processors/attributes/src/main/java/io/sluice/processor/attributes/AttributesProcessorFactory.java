package io.sluice.processor.attributes;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code attributes} processor: changes span, log record and data point attributes. */
public final class AttributesProcessorFactory implements ProcessorFactory<AttributesConfig> {

  @Override
  public String type() {
    return "attributes";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<AttributesConfig> configClass() {
    return AttributesConfig.class;
  }

  @Override
  public AttributesConfig defaultConfig() {
    return AttributesConfig.DEFAULTS;
  }

  @Override
  public Processor createProcessor(
      ComponentContext context, AttributesConfig config, Signal signal, DataConsumer next) {
    return new AttributesProcessor(context, config, next);
  }
}
