package io.sluice.processor.memorylimiter;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code memory_limiter} processor: refuses data while the heap is nearly full. */
public final class MemoryLimiterFactory implements ProcessorFactory<MemoryLimiterConfig> {

  @Override
  public String type() {
    return "memory_limiter";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<MemoryLimiterConfig> configClass() {
    return MemoryLimiterConfig.class;
  }

  @Override
  public MemoryLimiterConfig defaultConfig() {
    return MemoryLimiterConfig.DEFAULTS;
  }

  @Override
  public Processor createProcessor(
      ComponentContext context, MemoryLimiterConfig config, Signal signal, DataConsumer next) {
    return new MemoryLimiter(context, config, signal, next, MemoryLimiter.Memory.jvm());
  }
}
