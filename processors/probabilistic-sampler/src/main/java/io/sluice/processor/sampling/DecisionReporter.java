package io.sluice.processor.sampling;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.api.ComponentContext;
import io.sluice.api.ComponentId;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.SelfTelemetry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collects the decisions of one request, one per trace, outcome and rule (not one per span), and
 * reports them to the pipeline's decision sink; also counts items per policy like the Collector's
 * {@code otelcol_processor_probabilistic_sampler_count_*_sampled}.
 */
final class DecisionReporter {
  private final ComponentId component;
  private final String pipeline;
  private final DecisionSink sink;
  private final SelfTelemetry telemetry;
  private final String counterName;
  private final String counterHelp;
  private final Map<String, SelfTelemetry.Counter> counters = new ConcurrentHashMap<>();

  DecisionReporter(ComponentContext context, String itemKind) {
    this.component = context.id();
    this.pipeline = context.pipeline();
    this.sink = context.decisionSink();
    this.telemetry = context.telemetry();
    this.counterName = "otelcol_processor_probabilistic_sampler_count_" + itemKind + "_sampled";
    this.counterHelp = "Count of " + itemKind + " that were sampled or not";
  }

  /** A new batch of decisions for one request. */
  Batch batch() {
    return new Batch(sink.isEnabled());
  }

  private SelfTelemetry.Counter counter(String source, boolean sampled) {
    return counters.computeIfAbsent(source + (sampled ? "|true" : "|false"),
        k -> telemetry.counter(counterName, counterHelp, "policy", source, "sampled", Boolean.toString(sampled)));
  }

  private record Key(ByteString traceId, boolean kept, String policy, long threshold) {}

  private static final class Acc {
    final ByteString spanId;
    final Resource resource;
    final Map<String, Object> attributes;
    int count;

    Acc(ByteString spanId, Resource resource, Map<String, Object> attributes) {
      this.spanId = spanId;
      this.resource = resource;
      this.attributes = attributes;
    }
  }

  /** The decisions and counts of one request. */
  final class Batch {
    private final boolean reporting;
    private final Map<Key, Acc> decisions = new LinkedHashMap<>();
    private final Map<String, long[]> counts = new LinkedHashMap<>();

    private Batch(boolean reporting) {
      this.reporting = reporting;
    }

    /**
     * Records one item's outcome.
     *
     * @param policy the rule, e.g. {@code hash_seed 10%}
     * @param attributes {@code sampling.probability} or {@code sampling.threshold}; built lazily
     */
    void add(ByteString traceId, ByteString spanId, Resource resource, boolean kept, String source,
        String policy, long threshold, java.util.function.Supplier<Map<String, Object>> attributes) {
      counts.computeIfAbsent(source + (kept ? "|true" : "|false"), k -> new long[1])[0]++;
      if (!reporting) {
        return;
      }
      Acc acc = decisions.computeIfAbsent(new Key(traceId, kept, policy, threshold),
          k -> new Acc(spanId, resource, attributes.get()));
      acc.count++;
    }

    /** Reports the decisions and adds the counts. */
    void flush() {
      counts.forEach((k, n) -> {
        int bar = k.lastIndexOf('|');
        counter(k.substring(0, bar), k.endsWith("|true")).add(n[0]);
      });
      if (!reporting) {
        return;
      }
      long now = System.currentTimeMillis() * 1_000_000L;
      decisions.forEach((k, acc) -> sink.report(new Decision(
          component, pipeline, k.kept() ? Decision.Result.KEPT : Decision.Result.DROPPED, k.policy(),
          k.traceId(), acc.spanId, acc.resource, acc.count, now, acc.attributes)));
    }
  }
}
