package io.sluice.processor.decisionlog;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.List;
import java.util.Map;

/**
 * The {@code decision_log} bridge: keep/drop decisions of its pipeline's processors, and decisions
 * applications record on their spans, become log records in the logs pipelines it names.
 */
public final class DecisionLogFactory implements ProcessorFactory<DecisionLogConfig> {

  @Override
  public String type() {
    return "decision_log";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.ALPHA, Signal.LOGS, Stability.ALPHA);
  }

  @Override
  public Class<DecisionLogConfig> configClass() {
    return DecisionLogConfig.class;
  }

  @Override
  public DecisionLogConfig defaultConfig() {
    return DecisionLogConfig.defaults();
  }

  @Override
  public Processor createProcessor(
      ComponentContext context, DecisionLogConfig config, Signal signal, DataConsumer next) {
    return new DecisionLogProcessor(context, config, signal, next);
  }

  @Override
  public List<String> feedsPipelines(DecisionLogConfig config) {
    return config.pipelines();
  }
}
