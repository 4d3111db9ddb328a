package io.sluice.api;

/** The three kinds of telemetry a pipeline carries. */
public enum Signal {
  TRACES("traces", "spans"),
  METRICS("metrics", "metric_points"),
  LOGS("logs", "log_records");

  private final String configName;
  private final String itemName;

  Signal(String configName, String itemName) {
    this.configName = configName;
    this.itemName = itemName;
  }

  /** The name used in configuration, e.g. {@code traces} in {@code service.pipelines.traces/edge}. */
  public String configName() {
    return configName;
  }

  /**
   * The name of one item in self-metrics, as the OpenTelemetry Collector spells it: {@code spans},
   * {@code metric_points}, {@code log_records}.
   */
  public String itemName() {
    return itemName;
  }

  /** Parses a configuration name ({@code traces}, {@code metrics}, {@code logs}); null if unknown. */
  public static Signal fromConfigName(String name) {
    for (Signal s : values()) {
      if (s.configName.equals(name)) {
        return s;
      }
    }
    return null;
  }
}
