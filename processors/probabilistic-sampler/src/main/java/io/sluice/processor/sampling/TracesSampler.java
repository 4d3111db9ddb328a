package io.sluice.processor.sampling;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Samples spans. Every span of a trace gets the same decision because the decision depends only on
 * the trace id (and the trace's tracestate), never on the batch or the instance. A kept span is
 * passed on as the same object unless its tracestate changes; scopes and resources are rebuilt
 * only when they lost spans or hold a changed span.
 */
final class TracesSampler implements Processor {
  static final String PRIORITY_ATTRIBUTE = "sampling.priority";

  private final Decider decider;
  private final DataConsumer next;
  private final DecisionReporter reporter;
  private final boolean hashSeed;
  /** The tracestate suffix written on a kept span that arrived without a tracestate. */
  private final String thresholdEntry;

  TracesSampler(ComponentContext context, SamplerConfig config, DataConsumer next) {
    this.decider = new Decider(config);
    this.next = next;
    this.reporter = new DecisionReporter(context, "traces", decider::decisionAttributes);
    this.hashSeed = decider.mode() == SamplerConfig.Mode.HASH_SEED;
    this.thresholdEntry = "th:" + Sampling.tvalue(decider.fixedThreshold());
  }

  private enum Priority {
    DEFER,
    MUST,
    NEVER
  }

  /** The outcome for a span, shared by the spans of a trace with the same tracestate. */
  private record Result(boolean kept, String traceState, String source, String policy, long threshold) {}

  private record CacheKey(ByteString traceId, String traceState, Priority priority) {}

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    Traces in = (Traces) data;
    Traces out = sample(in);
    if (out == null) {
      return CompletableFuture.completedFuture(null);
    }
    return next.consume(out);
  }

  /** Samples one request; null when nothing is kept. Package-private for benchmarks. */
  Traces sample(Traces in) {
    DecisionReporter.Batch decisions = reporter.batch(in.itemCount());
    Map<CacheKey, Result> cache = new HashMap<>();
    List<ResourceSpans> resources = in.resourceSpans();
    List<ResourceSpans> outResources = null;
    for (int r = 0; r < resources.size(); r++) {
      ResourceSpans rs = resources.get(r);
      ResourceSpans sampled = sampleResource(rs, cache, decisions);
      if (sampled != rs && outResources == null) {
        outResources = new ArrayList<>(resources.subList(0, r));
      }
      if (outResources != null && sampled != null) {
        outResources.add(sampled);
      }
    }
    decisions.flush();
    if (outResources == null) {
      return in;
    }
    return outResources.isEmpty() ? null : Traces.of(outResources).withMetadata(in.metadata());
  }

  /** The resource with its kept spans: the same object if unchanged, null if nothing is kept. */
  private ResourceSpans sampleResource(
      ResourceSpans rs, Map<CacheKey, Result> cache, DecisionReporter.Batch decisions) {
    List<ScopeSpans> scopes = rs.getScopeSpansList();
    List<ScopeSpans> outScopes = null;
    for (int s = 0; s < scopes.size(); s++) {
      ScopeSpans ss = scopes.get(s);
      List<Span> spans = ss.getSpansList();
      List<Span> outSpans = null;
      for (int i = 0; i < spans.size(); i++) {
        Span span = spans.get(i);
        Span kept = sampleSpan(span, rs, cache, decisions);
        if (kept != span && outSpans == null) {
          outSpans = new ArrayList<>(spans.subList(0, i));
        }
        if (outSpans != null && kept != null) {
          outSpans.add(kept);
        }
      }
      ScopeSpans outScope = outSpans == null ? ss
          : outSpans.isEmpty() ? null : ss.toBuilder().clearSpans().addAllSpans(outSpans).build();
      if (outScope != ss && outScopes == null) {
        outScopes = new ArrayList<>(scopes.subList(0, s));
      }
      if (outScopes != null && outScope != null) {
        outScopes.add(outScope);
      }
    }
    if (outScopes == null) {
      return rs;
    }
    return outScopes.isEmpty() ? null : rs.toBuilder().clearScopeSpans().addAllScopeSpans(outScopes).build();
  }

  private Span sampleSpan(
      Span span, ResourceSpans rs, Map<CacheKey, Result> cache, DecisionReporter.Batch decisions) {
    Priority priority = priority(span);
    if (priority == Priority.DEFER && span.getTraceState().isEmpty() && !decider.never()
        && Sampling.isValidTraceId(span.getTraceId())) {
      return sampleFast(span, rs, decisions);
    }
    CacheKey key = new CacheKey(span.getTraceId(), span.getTraceState(), priority);
    Result result = cache.get(key);
    if (result == null) {
      result = decide(span.getTraceId(), span.getTraceState(), priority);
      cache.put(key, result);
    }
    decisions.add(span.getTraceId(), span.getSpanId(), rs.getResource(), result.kept(), result.source(),
        result.policy(), result.threshold());
    if (!result.kept()) {
      return null;
    }
    return result.traceState().equals(span.getTraceState())
        ? span
        : span.toBuilder().setTraceState(result.traceState()).build();
  }

  /**
   * The common case without a cache: a valid trace id, no tracestate, no priority. Gives exactly
   * what {@link #decide} gives for it (checked by the tests), without parsing or allocating
   * anything for a dropped span.
   */
  private Span sampleFast(Span span, ResourceSpans rs, DecisionReporter.Batch decisions) {
    ByteString traceId = span.getTraceId();
    long threshold = decider.fixedThreshold();
    long rnd = hashSeed ? Sampling.hashRandomness(traceId, decider.hashSeed()) : Sampling.traceIdRandomness(traceId);
    boolean kept = Sampling.shouldSample(threshold, rnd);
    decisions.add(traceId, span.getSpanId(), rs.getResource(), kept, hashSeed ? "trace_id_hash" : "trace_id_w3c",
        decider.policy(), threshold);
    if (!kept) {
      return null;
    }
    String ts = hashSeed ? "ot=rv:" + Sampling.rvalue(rnd) + ";" + thresholdEntry : "ot=" + thresholdEntry;
    return span.toBuilder().setTraceState(ts).build();
  }

  /** Decides for a trace id and tracestate, as the Collector's traces processor. */
  private Result decide(ByteString traceId, String rawTraceState, Priority priority) {
    TraceState ts = null;
    String error = null;
    try {
      ts = TraceState.parse(rawTraceState);
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
    }
    TraceStateCarrier carrier = ts == null ? null : new TraceStateCarrier(ts);
    boolean valid = Sampling.isValidTraceId(traceId);
    Decider.Randomness rnd;
    if (decider.never()) {
      rnd = new Decider.Randomness(Sampling.ALL_PROBABILITIES_RANDOMNESS, "sampling_priority", false);
    } else if (decider.mode() == SamplerConfig.Mode.HASH_SEED) {
      rnd = valid ? decider.hashed(traceId, "trace_id_hash") : Decider.Randomness.MISSING;
      if (carrier != null) {
        if (ts.rv != null) {
          error = "item has sampling randomness, equalizing or proportional mode recommended";
          carrier = null;
        } else if (ts.th != null) {
          error = "item has sampling threshold, equalizing or proportional mode recommended";
          carrier = null;
        } else {
          ts.setRandomness(rnd.value());
        }
      }
    } else if (ts != null && ts.rv != null) {
      rnd = new Decider.Randomness(ts.randomness, "sampling_randomness", false);
    } else {
      rnd = valid
          ? new Decider.Randomness(Sampling.traceIdRandomness(traceId), "trace_id_w3c", false)
          : Decider.Randomness.MISSING;
    }
    Decider.Outcome o = decider.evaluate(rnd, carrier, error);
    long threshold = o.threshold();
    String source = rnd.source();
    String policy = decider.policyFor(o);
    if (priority != Priority.DEFER) {
      threshold = priority == Priority.MUST ? Sampling.ALWAYS : Sampling.NEVER;
      source = "sampling_priority";
      policy = PRIORITY_ATTRIBUTE + " " + (priority == Priority.MUST ? "> 0" : "= 0");
    }
    Decider.Outcome fin = Decider.finish(rnd, carrier, threshold, source, o.error());
    String newTs = fin.sampled() && carrier != null ? ts.serialize() : rawTraceState;
    return new Result(fin.sampled(), newTs, source, policy, threshold);
  }

  /** The {@code sampling.priority} attribute, read as the Collector does (int, double or string). */
  private static Priority priority(Span span) {
    if (span.getAttributesCount() == 0) {
      return Priority.DEFER;
    }
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals(PRIORITY_ATTRIBUTE)) {
        AnyValue v = kv.getValue();
        double value;
        switch (v.getValueCase()) {
          case INT_VALUE -> value = v.getIntValue();
          case DOUBLE_VALUE -> value = v.getDoubleValue();
          case STRING_VALUE -> {
            try {
              value = Double.parseDouble(v.getStringValue().strip());
            } catch (NumberFormatException e) {
              return Priority.DEFER;
            }
          }
          default -> {
            return Priority.DEFER;
          }
        }
        return value == 0 ? Priority.NEVER : value > 0 ? Priority.MUST : Priority.DEFER;
      }
    }
    return Priority.DEFER;
  }

  /** A span's tracestate as a sampling carrier. */
  private record TraceStateCarrier(TraceState ts) implements Carrier {
    @Override
    public boolean hasRandomness() {
      return ts.rv != null;
    }

    @Override
    public long randomness() {
      return ts.randomness;
    }

    @Override
    public boolean hasThreshold() {
      return ts.th != null;
    }

    @Override
    public long threshold() {
      return ts.threshold;
    }

    @Override
    public void setRandomness(long r) {
      ts.setRandomness(r);
    }

    @Override
    public void clearThreshold() {
      ts.clearThreshold();
    }

    @Override
    public boolean updateThreshold(long t) {
      return ts.updateThreshold(t);
    }
  }
}
