package io.sluice.processor.sampling;

import com.google.protobuf.ByteString;
import io.sluice.api.ThrottledLogger;
import java.time.Duration;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The sampling decision of one item, signal-independent: the mode's threshold, the error rules
 * ({@code fail_closed}) and the consistency check, as the Collector's {@code
 * commonShouldSampleLogic}. Priority overrides are applied by the caller through {@link #finish}.
 */
final class Decider {
  /** The randomness of an item and where it came from (the Collector's policy names). */
  record Randomness(long value, String source, boolean missing) {
    static final Randomness MISSING =
        new Randomness(Sampling.ALL_PROBABILITIES_RANDOMNESS, "missing_randomness", true);
  }

  /** The result for one item. */
  record Outcome(boolean sampled, long threshold, String source, String error) {}

  private final ThrottledLogger errors =
      new ThrottledLogger(LoggerFactory.getLogger(Decider.class), Duration.ofMinutes(1));
  private final SamplerConfig config;
  private final SamplerConfig.Mode mode;
  private final boolean never;
  private final long fixedThreshold;
  private final double ratio;
  private final String policy;
  /** The decision attributes last built, read and written by every thread that samples. */
  private volatile Attributes lastAttributes;

  Decider(SamplerConfig config) {
    this.config = config;
    this.mode = config.mode();
    double pct = Math.min(config.samplingPercentage(), 100.0);
    // The Collector parses the percentage as a float32 and widens it before dividing: same here,
    // so that thresholds round identically.
    double r = Math.max((double) (float) pct / 100.0, Sampling.MIN_PROBABILITY);
    this.ratio = r;
    if (mode == SamplerConfig.Mode.HASH_SEED) {
      long scaled = Sampling.hashScaledRate(pct);
      this.never = pct == 0 || scaled == 0;
      this.fixedThreshold = never ? Sampling.NEVER : Sampling.hashThreshold(scaled);
    } else {
      this.never = pct == 0;
      this.fixedThreshold = never ? Sampling.NEVER : Sampling.thresholdFor(r, config.samplingPrecision());
    }
    this.policy = mode.label() + " " + formatPercent(config.samplingPercentage()) + "%";
  }

  private static String formatPercent(double pct) {
    return pct == Math.rint(pct) ? Long.toString((long) pct) : Double.toString(pct);
  }

  /** E.g. {@code hash_seed 10%}. */
  String policy() {
    return policy;
  }

  /** The policy of an outcome for decision reports: the mode and percentage, and the error. */
  String policyFor(Outcome o) {
    return o.error() == null ? policy : policy + " (" + failClosedLabel() + ": " + o.error() + ")";
  }

  /**
   * The attributes of a decision taken at {@code threshold}: {@code sampling.probability} in
   * {@code hash_seed} mode (and when nothing could be kept), {@code sampling.threshold} otherwise.
   */
  Map<String, Object> decisionAttributes(long threshold) {
    // Reported once per decided trace; the threshold rarely changes (never in hash_seed mode), so
    // the last map is kept instead of rebuilding it.
    Attributes last = lastAttributes;
    if (last != null && last.threshold() == threshold) {
      return last.map();
    }
    Map<String, Object> map = mode != SamplerConfig.Mode.HASH_SEED && threshold < Sampling.NEVER
        ? Map.of("sampling.threshold", Sampling.tvalue(threshold))
        : Map.of("sampling.probability", Sampling.probability(threshold));
    lastAttributes = new Attributes(threshold, map);
    return map;
  }

  private record Attributes(long threshold, Map<String, Object> map) {}

  /** {@code fail_closed} or {@code fail_open}, for messages. */
  String failClosedLabel() {
    return config.failClosed() ? "fail_closed" : "fail_open";
  }

  SamplerConfig.Mode mode() {
    return mode;
  }

  /**
   * The threshold for an item that arrives without sampling information: the same in every mode
   * (for {@code proportional}, the arriving probability is then 1).
   */
  long fixedThreshold() {
    return fixedThreshold;
  }

  /** The seed of {@code hash_seed}. */
  long hashSeed() {
    return config.hashSeed();
  }

  /** Whether the configured percentage keeps nothing (the Collector's never-sampler). */
  boolean never() {
    return never;
  }

  /** The probability the configuration keeps an item with, for decision reports. */
  double configuredProbability() {
    return never ? 0 : Sampling.probability(fixedThreshold);
  }

  /** Randomness by hashing {@code data} with {@code hash_seed}. */
  Randomness hashed(ByteString data, String source) {
    return new Randomness(Sampling.hashRandomness(data, config.hashSeed()), source, false);
  }

  /** The mode's threshold for an item whose carrier may hold an arriving threshold. */
  long decide(Carrier carrier) {
    if (never) {
      return Sampling.NEVER;
    }
    return switch (mode) {
      case HASH_SEED -> fixedThreshold;
      case EQUALIZING -> carrier != null && carrier.hasThreshold() && fixedThreshold < carrier.threshold()
          ? carrier.threshold()
          : fixedThreshold;
      case PROPORTIONAL -> {
        double incoming = carrier != null && carrier.hasThreshold()
            ? Sampling.probability(carrier.threshold()) : 1.0;
        long t = Sampling.thresholdFor(incoming * ratio, config.samplingPrecision());
        yield t < 0 ? Sampling.NEVER : t;
      }
    };
  }

  /**
   * The threshold before priority overrides: the mode's decision, or the {@code fail_closed}
   * outcome when there was an error (including missing randomness and an arriving threshold the
   * randomness contradicts, which is then cleared).
   *
   * @param error an error found while reading the item's sampling information, or null
   * @return the threshold and the error, if any
   */
  Outcome evaluate(Randomness rnd, Carrier carrier, String error) {
    if (error == null) {
      error = consistencyCheck(rnd, carrier);
    }
    long threshold;
    if (error != null) {
      errors.warn("probabilistic_sampler: {} ({})", error, failClosedLabel());
      threshold = config.failClosed() ? Sampling.NEVER : Sampling.ALWAYS;
    } else {
      threshold = decide(carrier);
    }
    return new Outcome(false, threshold, rnd.source(), error);
  }

  /** Applies the final threshold: decides, and records the threshold on a kept item's carrier. */
  static Outcome finish(Randomness rnd, Carrier carrier, long threshold, String source, String error) {
    boolean sampled = Sampling.shouldSample(threshold, rnd.value());
    if (sampled && carrier != null) {
      carrier.updateThreshold(threshold);
    }
    return new Outcome(sampled, threshold, source, error);
  }

  private static String consistencyCheck(Randomness rnd, Carrier carrier) {
    if (rnd.missing()) {
      return "missing randomness";
    }
    if (carrier != null && carrier.hasThreshold()
        && !Sampling.shouldSample(carrier.threshold(), rnd.value())) {
      carrier.clearThreshold();
      return "inconsistent arriving threshold: item should not have been sampled";
    }
    return null;
  }
}
