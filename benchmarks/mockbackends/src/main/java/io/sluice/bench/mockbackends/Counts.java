package io.sluice.bench.mockbackends;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters per back end and unit (items, requests, failed requests, bytes); thread-safe. */
final class Counts {
  private final Map<String, Map<String, LongAdder>> byBackend = new ConcurrentHashMap<>();

  void add(String backend, String unit, long n) {
    byBackend
        .computeIfAbsent(backend, b -> new ConcurrentHashMap<>())
        .computeIfAbsent(unit, u -> new LongAdder())
        .add(n);
  }

  long get(String backend, String unit) {
    var units = byBackend.get(backend);
    LongAdder a = units == null ? null : units.get(unit);
    return a == null ? 0 : a.sum();
  }

  void reset() {
    byBackend.clear();
  }

  /** {@code {"otlp_grpc":{"requests":3,"spans":300,...},...}} with keys sorted. */
  String toJson() {
    StringBuilder sb = new StringBuilder("{");
    boolean firstBackend = true;
    for (var backend : new TreeMap<>(byBackend).entrySet()) {
      sb.append(firstBackend ? "" : ",").append('"').append(backend.getKey()).append("\":{");
      firstBackend = false;
      boolean first = true;
      for (var unit : new TreeMap<>(backend.getValue()).entrySet()) {
        sb.append(first ? "" : ",").append('"').append(unit.getKey()).append("\":").append(unit.getValue().sum());
        first = false;
      }
      sb.append('}');
    }
    return sb.append('}').toString();
  }
}
