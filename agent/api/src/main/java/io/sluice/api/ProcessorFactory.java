package io.sluice.api;

import io.sluice.api.config.ComponentConfig;

/**
 * Creates processors. Processors are per pipeline: the same id in two pipelines is two instances.
 *
 * @param <C> the configuration record
 */
public interface ProcessorFactory<C extends ComponentConfig> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.PROCESSOR;
  }

  /**
   * Creates the processor for one pipeline.
   *
   * @param signal the pipeline's signal, one of {@link #stability()}'s keys
   * @param next where processed data goes
   */
  Processor createProcessor(ComponentContext context, C config, Signal signal, DataConsumer next);
}
