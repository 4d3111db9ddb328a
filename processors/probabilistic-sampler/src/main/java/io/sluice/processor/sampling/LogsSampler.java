package io.sluice.processor.sampling;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Logs;
import io.sluice.api.Processor;
import io.sluice.api.TelemetryData;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Samples log records by their trace id or by a record attribute, as the Collector's logs
 * sampler. Sampling information is read from and written to the record attributes {@code
 * sampling.randomness} and {@code sampling.threshold}.
 */
final class LogsSampler implements Processor {
  static final String RANDOMNESS_ATTRIBUTE = "sampling.randomness";
  static final String THRESHOLD_ATTRIBUTE = "sampling.threshold";

  private final SamplerConfig config;
  private final Decider decider;
  private final DataConsumer next;
  private final DecisionReporter reporter;
  private final boolean traceIdSource;

  LogsSampler(ComponentContext context, SamplerConfig config, DataConsumer next) {
    this.config = config;
    this.decider = new Decider(config);
    this.next = next;
    this.reporter = new DecisionReporter(context, "logs", decider::decisionAttributes);
    this.traceIdSource = "traceID".equals(config.attributeSource());
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    Logs out = sample((Logs) data);
    return out == null ? CompletableFuture.completedFuture(null) : next.consume(out);
  }

  /** Samples one request; null when nothing is kept. Package-private for benchmarks. */
  Logs sample(Logs in) {
    DecisionReporter.Batch decisions = reporter.batch(in.itemCount());
    List<ResourceLogs> out = new ArrayList<>();
    boolean changed = false;
    for (ResourceLogs rl : in.resourceLogs()) {
      List<ScopeLogs> scopes = new ArrayList<>();
      boolean rlChanged = false;
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        List<LogRecord> kept = new ArrayList<>(sl.getLogRecordsCount());
        boolean slChanged = false;
        for (LogRecord lr : sl.getLogRecordsList()) {
          LogRecord k = sampleRecord(lr, rl, decisions);
          if (k != null) {
            kept.add(k);
          }
          slChanged |= k != lr;
        }
        if (!slChanged) {
          scopes.add(sl);
        } else {
          rlChanged = true;
          if (!kept.isEmpty()) {
            scopes.add(sl.toBuilder().clearLogRecords().addAllLogRecords(kept).build());
          }
        }
      }
      if (!rlChanged) {
        out.add(rl);
      } else {
        changed = true;
        if (!scopes.isEmpty()) {
          out.add(rl.toBuilder().clearScopeLogs().addAllScopeLogs(scopes).build());
        }
      }
    }
    decisions.flush();
    if (!changed) {
      return in;
    }
    return out.isEmpty() ? null : Logs.of(out).withMetadata(in.metadata());
  }

  private LogRecord sampleRecord(LogRecord lr, ResourceLogs rl, DecisionReporter.Batch decisions) {
    LogCarrier carrier;
    String error = null;
    try {
      carrier = new LogCarrier(lr);
    } catch (IllegalArgumentException e) {
      carrier = null;
      error = e.getMessage();
    }
    ByteString traceId = lr.getTraceId();
    boolean validTraceId = Sampling.isValidTraceId(traceId);
    Decider.Randomness rnd = Decider.Randomness.MISSING;
    if (decider.never()) {
      rnd = new Decider.Randomness(Sampling.ALL_PROBABILITIES_RANDOMNESS, "sampling_priority", false);
    } else if (decider.mode() == SamplerConfig.Mode.HASH_SEED) {
      if (traceIdSource && validTraceId) {
        rnd = decider.hashed(traceId, "trace_id_hash");
      }
      rnd = rnd.missing() ? fromAttribute(lr, rnd) : rnd;
      if (carrier != null) {
        if (carrier.hasRandomness()) {
          error = "item has sampling randomness, equalizing or proportional mode recommended";
          carrier = null;
        } else if (carrier.hasThreshold()) {
          error = "item has sampling threshold, equalizing or proportional mode recommended";
          carrier = null;
        } else if (!rnd.missing()) {
          carrier.setRandomness(rnd.value());
        }
      }
    } else if (carrier != null && carrier.hasRandomness()) {
      rnd = new Decider.Randomness(carrier.randomness(), "sampling_randomness", false);
    } else if (validTraceId) {
      rnd = new Decider.Randomness(Sampling.traceIdRandomness(traceId), "trace_id_w3c", false);
    } else {
      rnd = fromAttribute(lr, rnd);
    }
    Decider.Outcome o = decider.evaluate(rnd, carrier, error);
    long threshold = o.threshold();
    String source = rnd.source();
    String policy = decider.policyFor(o);
    if (!config.samplingPriority().isEmpty()) {
      long priority = priorityThreshold(lr);
      if (priority == Sampling.NEVER || (priority >= 0 && priority < threshold)) {
        threshold = priority;
        source = "sampling_priority";
        policy = "sampling_priority attribute " + config.samplingPriority();
      }
    }
    Decider.Outcome fin = Decider.finish(rnd, carrier, threshold, source, o.error());
    decisions.add(traceId, lr.getSpanId(), rl.getResource(), fin.sampled(), source, policy, threshold);
    if (!fin.sampled()) {
      return null;
    }
    return carrier == null ? lr : carrier.apply(lr);
  }

  /** Randomness from hashing {@code from_attribute}'s value, or {@code missing} if absent. */
  private Decider.Randomness fromAttribute(LogRecord lr, Decider.Randomness missing) {
    if (config.fromAttribute().isEmpty()) {
      return missing;
    }
    AnyValue v = attribute(lr, config.fromAttribute());
    return v == null ? missing : decider.hashed(bytes(v), config.fromAttribute());
  }

  /**
   * The threshold the {@code sampling_priority} attribute asks for: {@link Sampling#NEVER} for 0,
   * the percentage's threshold otherwise (100 or more keeps everything), -1 when absent or not a
   * number.
   */
  private long priorityThreshold(LogRecord lr) {
    AnyValue v = attribute(lr, config.samplingPriority());
    if (v == null) {
      return -1;
    }
    double pct;
    switch (v.getValueCase()) {
      case DOUBLE_VALUE -> pct = v.getDoubleValue();
      case INT_VALUE -> pct = v.getIntValue();
      default -> {
        return -1;
      }
    }
    if (pct == 0) {
      return Sampling.NEVER;
    }
    if (pct >= 100) {
      return Sampling.ALWAYS;
    }
    return Sampling.thresholdFor(pct / 100, config.samplingPrecision());
  }

  static AnyValue attribute(LogRecord lr, String key) {
    for (KeyValue kv : lr.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }

  /** The bytes hashed for an attribute value, as the Collector's {@code getBytesFromValue}. */
  private static ByteString bytes(AnyValue v) {
    return switch (v.getValueCase()) {
      case BYTES_VALUE -> v.getBytesValue();
      case STRING_VALUE -> ByteString.copyFromUtf8(v.getStringValue());
      case INT_VALUE -> ByteString.copyFromUtf8(Long.toString(v.getIntValue()));
      case BOOL_VALUE -> ByteString.copyFromUtf8(Boolean.toString(v.getBoolValue()));
      case DOUBLE_VALUE -> ByteString.copyFromUtf8(
          BigDecimal.valueOf(v.getDoubleValue()).stripTrailingZeros().toPlainString());
      default -> ByteString.copyFrom(v.toString(), StandardCharsets.UTF_8);
    };
  }

  /** A log record's {@code sampling.randomness} and {@code sampling.threshold} attributes. */
  private static final class LogCarrier implements Carrier {
    private boolean hasRandomness;
    private long randomness;
    private boolean hasThreshold;
    private long threshold;
    private boolean modified;

    LogCarrier(LogRecord lr) {
      AnyValue rv = attribute(lr, RANDOMNESS_ATTRIBUTE);
      if (rv != null) {
        randomness = Sampling.parseRvalue(rv.getStringValue());
        if (randomness < 0) {
          throw new IllegalArgumentException(RANDOMNESS_ATTRIBUTE + " is not 14 hex digits");
        }
        hasRandomness = true;
      }
      AnyValue th = attribute(lr, THRESHOLD_ATTRIBUTE);
      if (th != null) {
        threshold = Sampling.parseTvalue(th.getStringValue());
        if (threshold < 0) {
          throw new IllegalArgumentException(THRESHOLD_ATTRIBUTE + " is not 1 to 14 hex digits");
        }
        hasThreshold = true;
      }
    }

    @Override
    public boolean hasRandomness() {
      return hasRandomness;
    }

    @Override
    public long randomness() {
      return randomness;
    }

    @Override
    public boolean hasThreshold() {
      return hasThreshold;
    }

    @Override
    public long threshold() {
      return threshold;
    }

    @Override
    public void setRandomness(long r) {
      randomness = r;
      hasRandomness = true;
      modified = true;
    }

    @Override
    public void clearThreshold() {
      hasThreshold = false;
      modified = true;
    }

    @Override
    public boolean updateThreshold(long t) {
      if (hasThreshold && threshold > t) {
        return false;
      }
      modified |= !hasThreshold || threshold != t;
      hasThreshold = t < Sampling.NEVER;
      threshold = t;
      return true;
    }

    /** The record with the carrier's attributes written; the same record if nothing changed. */
    LogRecord apply(LogRecord lr) {
      if (!modified) {
        return lr;
      }
      LogRecord.Builder b = lr.toBuilder().clearAttributes();
      for (KeyValue kv : lr.getAttributesList()) {
        if (!kv.getKey().equals(RANDOMNESS_ATTRIBUTE) && !kv.getKey().equals(THRESHOLD_ATTRIBUTE)) {
          b.addAttributes(kv);
        }
      }
      if (hasRandomness) {
        b.addAttributes(string(RANDOMNESS_ATTRIBUTE, Sampling.rvalue(randomness)));
      }
      if (hasThreshold) {
        b.addAttributes(string(THRESHOLD_ATTRIBUTE, Sampling.tvalue(threshold)));
      }
      return b.build();
    }

    private static KeyValue string(String key, String value) {
      return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }
  }
}
