package io.sluice.exporter.debug;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code exporters.debug}, with the OpenTelemetry Collector's option names and defaults.
 *
 * @param verbosity {@code basic} (default: one line per batch with counts), {@code normal} (one
 *     line per item), {@code detailed} (every field)
 * @param samplingInitial how many batches per second are written before sampling starts (default 2)
 * @param samplingThereafter after that, one in this many batches per second is written (default 1)
 */
public record DebugConfig(Verbosity verbosity, int samplingInitial, int samplingThereafter)
    implements ComponentConfig {
  static final DebugConfig DEFAULTS = new DebugConfig(Verbosity.BASIC, 2, 1);

  /** How much is written. */
  public enum Verbosity {
    BASIC,
    NORMAL,
    DETAILED
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.atLeast(out, "sampling_initial", samplingInitial, 1);
    ConfigChecks.atLeast(out, "sampling_thereafter", samplingThereafter, 1);
    return out;
  }
}
