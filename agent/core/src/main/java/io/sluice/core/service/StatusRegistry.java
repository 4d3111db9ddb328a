package io.sluice.core.service;

import io.sluice.api.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The last health status every component reported, read by the {@code health_check} extension. */
public final class StatusRegistry {
  /**
   * One component's status.
   *
   * @param status the status
   * @param message why, for errors; may be empty
   */
  public record Entry(HealthStatus status, String message) {}

  private final Map<String, Entry> statuses = new ConcurrentHashMap<>();
  private volatile boolean running;

  /** Records {@code status} for a component key such as {@code exporter/otlp}. */
  public void report(String component, HealthStatus status, String message) {
    statuses.put(component, new Entry(status, message == null ? "" : message));
  }

  /** Marks the whole service running (all components started) or not. */
  public void setRunning(boolean running) {
    this.running = running;
  }

  /** Whether every component started and the service has not begun to stop. */
  public boolean running() {
    return running;
  }

  /** The last status a component reported, or null. */
  public Entry get(String component) {
    return statuses.get(component);
  }

  /** A sorted copy of every component's status. */
  public Map<String, Entry> snapshot() {
    return new java.util.TreeMap<>(statuses);
  }

  /**
   * The components that make the service unhealthy: any not OK, where a recoverable error counts
   * only when {@code includeRecoverable}.
   */
  public Map<String, Entry> unhealthy(boolean includeRecoverable) {
    Map<String, Entry> out = new LinkedHashMap<>();
    snapshot().forEach((k, e) -> {
      boolean bad = switch (e.status()) {
        case OK -> false;
        case RECOVERABLE_ERROR -> includeRecoverable;
        default -> true;
      };
      if (bad) {
        out.put(k, e);
      }
    });
    return out;
  }
}
