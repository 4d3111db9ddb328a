package io.sluice.exporter.loki;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Counts the distinct values of each label over a tumbling window and refuses values beyond {@code
 * max_label_values}: a refused value is sent as structured metadata instead, so one exploding
 * attribute does not create thousands of streams. Values admitted in the current window stay
 * labels. Memory is bounded by {@code max_label_values} per label name.
 */
final class LabelGuard {
  private final int maxValues;
  private final long windowNanos;
  private final Map<String, Set<String>> seen = new HashMap<>();
  private long windowStart;

  LabelGuard(int maxValues, long windowNanos) {
    this.maxValues = maxValues;
    this.windowNanos = windowNanos;
    this.windowStart = System.nanoTime();
  }

  /** Starts a new window if the current one is over; call with this guard's lock held. */
  void roll(long nowNanos) {
    if (nowNanos - windowStart >= windowNanos) {
      seen.clear();
      windowStart = nowNanos;
    }
  }

  /** Whether {@code value} may be a value of label {@code name}; call with this guard's lock held. */
  boolean admit(String name, String value) {
    Set<String> values = seen.computeIfAbsent(name, k -> new HashSet<>());
    return values.contains(value) || (values.size() < maxValues && values.add(value));
  }
}
