package io.sluice.processor.decisionlog;

import io.sluice.api.Decision;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Configuration of the {@code decision_log} bridge.
 *
 * @param pipelines the logs pipelines the decision records are sent into; default {@code
 *     ["logs/decisions"]}
 * @param record which reported decisions become records: {@code kept}, {@code dropped} or both;
 *     default {@code [dropped]}
 * @param samplingPercentage the share of reported decisions recorded, decided per trace id;
 *     default 100
 * @param eventNames span event names that are application decisions; default {@code ["decision"]}
 * @param copyLogs default false: on a logs pipeline, also copy log records carrying {@code
 *     decision.result} into {@code pipelines}
 * @param bufferSize the most records held between flushes; more are dropped and counted; default
 *     10000
 * @param flushInterval how often the buffer is flushed; default 200ms
 * @param flushSize flush early once this many records wait; default 1000
 */
public record DecisionLogConfig(
    List<String> pipelines,
    List<Decision.Result> record,
    double samplingPercentage,
    List<String> eventNames,
    boolean copyLogs,
    int bufferSize,
    Duration flushInterval,
    int flushSize)
    implements ComponentConfig {

  static DecisionLogConfig defaults() {
    return new DecisionLogConfig(
        List.of("logs/decisions"),
        List.of(Decision.Result.DROPPED),
        100,
        List.of("decision"),
        false,
        10_000,
        Duration.ofMillis(200),
        1000);
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    if (pipelines.isEmpty()) {
      out.add(new ConfigProblem("pipelines", "[] (expected: at least one logs pipeline, e.g. [\"logs/decisions\"])"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < pipelines.size(); i++) {
      String p = pipelines.get(i);
      if (p == null || !(p.equals("logs") || (p.startsWith("logs/") && p.length() > 5))) {
        out.add(new ConfigProblem("pipelines[" + i + "]",
            ConfigChecks.quote(p) + " (expected: a logs pipeline id, e.g. logs/decisions)"));
      } else if (!seen.add(p)) {
        out.add(new ConfigProblem("pipelines[" + i + "]", ConfigChecks.quote(p) + " is listed twice"));
      }
    }
    ConfigChecks.between(out, "sampling_percentage", samplingPercentage, 0, 100);
    for (int i = 0; i < eventNames.size(); i++) {
      ConfigChecks.notBlank(out, "event_names[" + i + "]", eventNames.get(i), "a span event name");
    }
    ConfigChecks.atLeast(out, "buffer_size", bufferSize, 1);
    ConfigChecks.atLeast(out, "flush_size", flushSize, 1);
    if (flushSize > bufferSize && bufferSize >= 1) {
      out.add(new ConfigProblem("flush_size",
          flushSize + " (expected: <= buffer_size " + bufferSize + ")"));
    }
    ConfigChecks.duration(out, "flush_interval", flushInterval, true);
    return out;
  }
}
