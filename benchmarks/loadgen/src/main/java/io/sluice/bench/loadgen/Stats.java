package io.sluice.bench.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one load run; thread-safe. */
final class Stats {
  final LongAdder requestsSent = new LongAdder();
  final LongAdder itemsSent = new LongAdder();
  final LongAdder itemsAcked = new LongAdder();
  final LongAdder itemsRefused = new LongAdder();
  final LongAdder itemsFailed = new LongAdder();
  final LongAdder requestsSkipped = new LongAdder();
  final LongAdder latencyNanos = new LongAdder();
  final LongAdder latencyCount = new LongAdder();
  private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();

  /** Records a finished request: {@code statusClass} such as {@code grpc_0}, {@code http_2xx} or {@code error}. */
  void record(Outcome outcome, String statusClass, int items, long latency) {
    switch (outcome) {
      case ACKED -> itemsAcked.add(items);
      case REFUSED -> itemsRefused.add(items);
      case FAILED -> itemsFailed.add(items);
    }
    statuses.computeIfAbsent(statusClass, k -> new LongAdder()).increment();
    latencyNanos.add(latency);
    latencyCount.increment();
  }

  /** The one-line JSON summary. */
  String toJson(Map<String, Object> header, double seconds) {
    StringBuilder sb = new StringBuilder("{");
    header.forEach((k, v) -> appendField(sb, k, v));
    appendField(sb, "duration_s", round(seconds));
    appendField(sb, "requests_sent", requestsSent.sum());
    appendField(sb, "requests_skipped", requestsSkipped.sum());
    appendField(sb, "items_sent", itemsSent.sum());
    appendField(sb, "items_acked", itemsAcked.sum());
    appendField(sb, "items_refused", itemsRefused.sum());
    appendField(sb, "items_failed", itemsFailed.sum());
    appendField(sb, "acked_per_s", round(itemsAcked.sum() / Math.max(seconds, 1e-9)));
    long n = latencyCount.sum();
    appendField(sb, "avg_latency_ms", round(n == 0 ? 0 : latencyNanos.sum() / 1e6 / n));
    sb.append("\"statuses\":{");
    boolean first = true;
    for (var e : new TreeMap<>(statuses).entrySet()) {
      sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue().sum());
      first = false;
    }
    return sb.append("}}").toString();
  }

  private static void appendField(StringBuilder sb, String key, Object value) {
    sb.append('"').append(key).append("\":");
    if (value instanceof Number) {
      sb.append(value);
    } else {
      sb.append('"').append(value).append('"');
    }
    sb.append(',');
  }

  private static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  /** How a request ended. */
  enum Outcome {
    ACKED,
    REFUSED,
    FAILED
  }
}
