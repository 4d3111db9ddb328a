package io.sluice.api;

/** Stability of a component for one signal, with the OpenTelemetry Collector's levels. */
public enum Stability {
  DEVELOPMENT,
  ALPHA,
  BETA,
  STABLE,
  DEPRECATED,
  UNMAINTAINED;

  /** Lower-case name as shown by {@code sluice components}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
