package io.sluice.api;

import io.sluice.api.config.ComponentConfig;
import java.util.List;

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

  /**
   * The pipelines this processor sends data into besides its own next consumer, e.g. the
   * decision-log bridge's {@code pipelines} option. The daemon checks that they exist, accepts
   * them having no receiver, and rejects a cycle. Reach them with {@link
   * ComponentContext#pipelineConsumer}.
   */
  default List<String> feedsPipelines(C config) {
    return List.of();
  }
}
