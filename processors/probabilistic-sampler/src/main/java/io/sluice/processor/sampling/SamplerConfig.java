package io.sluice.processor.sampling;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Configuration of the {@code probabilistic_sampler} processor, with the OpenTelemetry
 * Collector's names and defaults.
 *
 * @param samplingPercentage {@code sampling_percentage}, default 0: the percentage of items kept,
 *     0 to 100
 * @param mode {@code mode}, default {@code hash_seed}: {@code hash_seed}, {@code proportional} or
 *     {@code equalizing}
 * @param hashSeed {@code hash_seed}, default 0: the seed of the {@code hash_seed} mode's FNV hash,
 *     0 to 4294967295; every instance of one tier must use the same
 * @param failClosed {@code fail_closed}, default true: drop items whose sampling information is
 *     missing or broken (instead of keeping them)
 * @param samplingPrecision {@code sampling_precision}, default 4: hex digits of the written
 *     threshold, 1 to 14
 * @param attributeSource {@code attribute_source} (logs), default {@code traceID}: {@code traceID}
 *     or {@code record}
 * @param fromAttribute {@code from_attribute} (logs), default empty: the log record attribute whose
 *     value is hashed when there is no trace id or {@code attribute_source = record}
 * @param samplingPriority {@code sampling_priority} (logs), default empty: the log record
 *     attribute holding a percentage that overrides {@code sampling_percentage} upward (0 drops)
 */
public record SamplerConfig(
    double samplingPercentage,
    Mode mode,
    long hashSeed,
    boolean failClosed,
    int samplingPrecision,
    String attributeSource,
    String fromAttribute,
    String samplingPriority)
    implements ComponentConfig {

  /** The Collector's defaults. */
  public static final SamplerConfig DEFAULTS =
      new SamplerConfig(0, Mode.HASH_SEED, 0, true, 4, "traceID", "", "");

  /** The sampling modes. */
  public enum Mode {
    /** The Collector's original FNV hash of the trace id (or a log attribute) and seed. */
    HASH_SEED,
    /** OpenTelemetry consistent sampling, multiplying the arriving probability. */
    PROPORTIONAL,
    /** OpenTelemetry consistent sampling, lowering the arriving probability to the configured. */
    EQUALIZING;

    /** The configuration name, e.g. {@code hash_seed}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.between(out, "sampling_percentage", samplingPercentage, 0, 100);
    if (samplingPercentage > 0 && samplingPercentage / 100 < Sampling.MIN_PROBABILITY) {
      out.add(new ConfigProblem("sampling_percentage",
          samplingPercentage + " is too small (expected: 0, or at least 2^-56 as a ratio)"));
    }
    if (mode == null) {
      out.add(new ConfigProblem("mode", "missing (expected: one of hash_seed, proportional, equalizing)"));
    }
    ConfigChecks.between(out, "hash_seed", hashSeed, 0, 4294967295L);
    ConfigChecks.between(out, "sampling_precision", samplingPrecision, 1, Sampling.NUM_HEX_DIGITS);
    ConfigChecks.oneOf(out, "attribute_source", attributeSource, List.of("traceID", "record"));
    if ("record".equals(attributeSource) && (fromAttribute == null || fromAttribute.isBlank())) {
      out.add(new ConfigProblem("from_attribute",
          "missing (expected: the log record attribute to hash when attribute_source = record)"));
    }
    return out;
  }
}
