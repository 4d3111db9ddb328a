package io.sluice.processor.sampling;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.api.ComponentContext;
import io.sluice.api.ComponentId;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.SelfTelemetry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

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

  private final LongFunction<Map<String, Object>> attributes;

  /**
   * A reporter for one processor.
   *
   * @param attributes the decision attributes for a threshold, called once per reported decision
   */
  DecisionReporter(ComponentContext context, String itemKind, LongFunction<Map<String, Object>> attributes) {
    this.attributes = attributes;
    this.component = context.id();
    this.pipeline = context.pipeline();
    this.sink = context.decisionSink();
    this.telemetry = context.telemetry();
    this.counterName = "otelcol_processor_probabilistic_sampler_count_" + itemKind + "_sampled";
    this.counterHelp = "Count of " + itemKind + " that were sampled or not";
  }

  /** A new batch of decisions for one request of {@code items} spans or log records. */
  Batch batch(int items) {
    return new Batch(sink.isEnabled(), items);
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
    private final Map<Key, Acc> decisions;
    /** Items per source: [dropped, kept]. Sources are constants, so no key is built per item. */
    private final Map<String, long[]> counts = new HashMap<>(4);
    /** The decision the last item went to: a trace's spans usually arrive one after another. */
    private Key lastKey;
    private Acc lastAcc;

    private Batch(boolean reporting, int items) {
      this.reporting = reporting;
      // At most one decision per item (a request of single-span traces has as many); sized so
      // that it is not rehashed while the request is sampled.
      this.decisions = reporting ? LinkedHashMap.newLinkedHashMap(items) : Map.of();
    }

    /**
     * Records one item's outcome.
     *
     * @param policy the rule, e.g. {@code hash_seed 10%}
     * @param threshold the threshold applied, for {@code sampling.probability} or {@code
     *     sampling.threshold}
     */
    void add(ByteString traceId, ByteString spanId, Resource resource, boolean kept, String source,
        String policy, long threshold) {
      long[] c = counts.get(source);
      if (c == null) {
        c = new long[2];
        counts.put(source, c);
      }
      c[kept ? 1 : 0]++;
      if (!reporting) {
        return;
      }
      Key last = lastKey;
      if (last != null && kept == last.kept() && threshold == last.threshold()
          && policy.equals(last.policy()) && traceId.equals(last.traceId())) {
        lastAcc.count++; // the next span of the same trace: no key, no lookup
        return;
      }
      Key key = new Key(traceId, kept, policy, threshold);
      Acc acc = decisions.computeIfAbsent(key, k -> new Acc(spanId, resource, attributes.apply(threshold)));
      acc.count++;
      lastKey = key;
      lastAcc = acc;
    }

    /** Reports the decisions and adds the counts. */
    void flush() {
      counts.forEach((source, n) -> {
        if (n[0] > 0) {
          counter(source, false).add(n[0]);
        }
        if (n[1] > 0) {
          counter(source, true).add(n[1]);
        }
      });
      if (!reporting) {
        return;
      }
      if (decisions.isEmpty()) {
        return;
      }
      long now = System.currentTimeMillis() * 1_000_000L;
      List<Decision> out = new ArrayList<>(decisions.size());
      decisions.forEach((k, acc) -> out.add(new Decision(
          component, pipeline, k.kept() ? Decision.Result.KEPT : Decision.Result.DROPPED, k.policy(),
          k.traceId(), acc.spanId, acc.resource, acc.count, now, acc.attributes)));
      sink.reportAll(out);
    }
  }
}
