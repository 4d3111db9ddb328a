package io.sluice.processor.memorylimiter;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the {@code memory_limiter} processor, with the OpenTelemetry Collector's keys.
 * Percentages are of the JVM's maximum heap ({@code -Xmx}, {@link Runtime#maxMemory()}).
 *
 * @param checkInterval {@code check_interval}, default 1s: how often heap use is measured; > 0
 * @param limitMib {@code limit_mib}, default 0: the hard limit in MiB; takes precedence over
 *     {@code limit_percentage} when > 0
 * @param spikeLimitMib {@code spike_limit_mib}, default 0 (= 20% of the limit): the soft limit is
 *     the hard limit minus this
 * @param limitPercentage {@code limit_percentage}, default 80: the hard limit as a percentage of the
 *     maximum heap, used when {@code limit_mib} is 0
 * @param spikeLimitPercentage {@code spike_limit_percentage}, default 0 (= 20% of the limit)
 * @param minGcIntervalWhenSoftLimited {@code min_gc_interval_when_soft_limited}, default 10s
 * @param minGcIntervalWhenHardLimited {@code min_gc_interval_when_hard_limited}, default 0s
 */
public record MemoryLimiterConfig(
    Duration checkInterval,
    long limitMib,
    long spikeLimitMib,
    int limitPercentage,
    int spikeLimitPercentage,
    Duration minGcIntervalWhenSoftLimited,
    Duration minGcIntervalWhenHardLimited)
    implements ComponentConfig {

  /** Sluice's defaults: what the daemon's default configuration uses. */
  public static final MemoryLimiterConfig DEFAULTS = new MemoryLimiterConfig(
      Duration.ofSeconds(1), 0, 0, 80, 0, Duration.ofSeconds(10), Duration.ZERO);

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.duration(out, "check_interval", checkInterval, true);
    ConfigChecks.atLeast(out, "limit_mib", limitMib, 0);
    ConfigChecks.atLeast(out, "spike_limit_mib", spikeLimitMib, 0);
    ConfigChecks.between(out, "limit_percentage", limitPercentage, 0, 100);
    ConfigChecks.between(out, "spike_limit_percentage", spikeLimitPercentage, 0, 100);
    ConfigChecks.duration(out, "min_gc_interval_when_soft_limited", minGcIntervalWhenSoftLimited, false);
    ConfigChecks.duration(out, "min_gc_interval_when_hard_limited", minGcIntervalWhenHardLimited, false);
    if (limitMib == 0 && limitPercentage == 0) {
      out.add(new ConfigProblem("limit_mib",
          "0 and limit_percentage 0 (expected: one of them > 0)"));
    }
    if (limitMib > 0 && spikeLimitMib >= limitMib) {
      out.add(new ConfigProblem("spike_limit_mib", spikeLimitMib + " is not smaller than limit_mib "
          + limitMib + " (expected: spike_limit_mib < limit_mib)"));
    }
    if (limitMib == 0 && limitPercentage > 0 && spikeLimitPercentage >= limitPercentage) {
      out.add(new ConfigProblem("spike_limit_percentage", spikeLimitPercentage
          + " is not smaller than limit_percentage " + limitPercentage
          + " (expected: spike_limit_percentage < limit_percentage)"));
    }
    return out;
  }
}
