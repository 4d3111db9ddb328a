package io.sluice.api;

/** A component's health, with the OpenTelemetry Collector's component status values. */
public enum HealthStatus {
  STARTING,
  OK,
  /** Failing but expected to recover by itself, e.g. a back end that is down. */
  RECOVERABLE_ERROR,
  /** Failing and will not recover without a change (e.g. a rejected configuration). */
  PERMANENT_ERROR,
  STOPPING,
  STOPPED
}
