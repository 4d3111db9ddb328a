package io.sluice.processor.batch;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code batch} processor: groups data by size and time, acknowledging requests end to end. */
public final class BatchProcessorFactory implements ProcessorFactory<BatchConfig> {

  @Override
  public String type() {
    return "batch";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<BatchConfig> configClass() {
    return BatchConfig.class;
  }

  @Override
  public BatchConfig defaultConfig() {
    return BatchConfig.DEFAULTS;
  }

  @Override
  public Processor createProcessor(
      ComponentContext context, BatchConfig config, Signal signal, DataConsumer next) {
    return new BatchProcessor<>(context, config, Shape.of(signal), next, SharedTimer.get());
  }
}
