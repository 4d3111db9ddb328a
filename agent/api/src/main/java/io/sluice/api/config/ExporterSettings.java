package io.sluice.api.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The exporter helper's settings, read from the reserved keys of every exporter's configuration
 * with the OpenTelemetry Collector's names and defaults.
 *
 * @param sendingQueue {@code sending_queue}
 * @param retryOnFailure {@code retry_on_failure}
 * @param timeout {@code timeout}: how long one push may take before it fails as retryable
 *     (default 5s; 0 disables)
 */
public record ExporterSettings(
    QueueSettings sendingQueue, RetrySettings retryOnFailure, Duration timeout)
    implements ComponentConfig {

  /** The OpenTelemetry Collector's defaults. */
  public static final ExporterSettings DEFAULTS =
      new ExporterSettings(QueueSettings.DEFAULTS, RetrySettings.DEFAULTS, Duration.ofSeconds(5));

  /** The config keys the helper reserves in every exporter's section. */
  public static final List<String> KEYS = List.of("sending_queue", "retry_on_failure", "timeout");

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    sendingQueue.validate().forEach(p -> out.add(p.under("sending_queue")));
    retryOnFailure.validate().forEach(p -> out.add(p.under("retry_on_failure")));
    ConfigChecks.duration(out, "timeout", timeout, false);
    return out;
  }

  /**
   * {@code sending_queue}: a bounded queue between the pipeline and the exporter. When it is full
   * the pipeline's receivers get a retryable refusal.
   *
   * @param enabled default true; when false, pushes happen on the caller's future directly
   * @param numConsumers default 10: how many batches are sent at once
   * @param queueSize default 1000: how many batches the queue holds
   * @param storage default empty: the id of a storage extension for a persistent queue
   */
  public record QueueSettings(boolean enabled, int numConsumers, int queueSize, String storage)
      implements ComponentConfig {
    /** The OpenTelemetry Collector's defaults. */
    public static final QueueSettings DEFAULTS = new QueueSettings(true, 10, 1000, "");

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.atLeast(out, "num_consumers", numConsumers, 1);
      ConfigChecks.atLeast(out, "queue_size", queueSize, 1);
      return out;
    }
  }

  /**
   * {@code retry_on_failure}: exponential backoff with jitter for retryable failures. A back end's
   * Retry-After replaces the computed delay when it is longer.
   *
   * @param enabled default true
   * @param initialInterval default 5s
   * @param randomizationFactor default 0.5: each delay is drawn from [d·(1−f), d·(1+f)]
   * @param multiplier default 1.5
   * @param maxInterval default 30s
   * @param maxElapsedTime default 300s: give up (drop and count) after this long; 0 = never
   */
  public record RetrySettings(
      boolean enabled,
      Duration initialInterval,
      double randomizationFactor,
      double multiplier,
      Duration maxInterval,
      Duration maxElapsedTime)
      implements ComponentConfig {
    /** The OpenTelemetry Collector's defaults. */
    public static final RetrySettings DEFAULTS =
        new RetrySettings(
            true, Duration.ofSeconds(5), 0.5, 1.5, Duration.ofSeconds(30), Duration.ofSeconds(300));

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.duration(out, "initial_interval", initialInterval, true);
      ConfigChecks.duration(out, "max_interval", maxInterval, true);
      ConfigChecks.duration(out, "max_elapsed_time", maxElapsedTime, false);
      ConfigChecks.between(out, "randomization_factor", randomizationFactor, 0, 1);
      if (multiplier < 1) {
        out.add(new ConfigProblem("multiplier", multiplier + " (expected: >= 1)"));
      }
      if (initialInterval != null && maxInterval != null && maxInterval.compareTo(initialInterval) < 0) {
        out.add(new ConfigProblem("max_interval",
            ConfigChecks.text(maxInterval) + " is shorter than initial_interval " + ConfigChecks.text(initialInterval)
                + " (expected: max_interval >= initial_interval)"));
      }
      return out;
    }
  }
}
