package io.sluice.exporter.prometheusremotewrite;

import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;

/**
 * OTLP exponential histogram points as Prometheus native histograms: scale becomes schema
 * (scales above 8 are merged down to 8), OTLP bucket index {@code i} (upper bound
 * base<sup>i+1</sup>) becomes Prometheus index {@code i + 1}, and each side's buckets become one
 * span with delta-encoded counts.
 */
final class NativeHistograms {
  /** Prometheus's smallest and largest exponential schema. */
  static final int MIN_SCHEMA = -4;
  static final int MAX_SCHEMA = 8;

  private NativeHistograms() {}

  /**
   * One native histogram sample.
   *
   * @param positiveOffset Prometheus index of the first positive bucket (the span's offset)
   * @param positiveDeltas bucket counts, delta-encoded
   */
  record NativeHistogram(long count, double sum, int schema, double zeroThreshold, long zeroCount,
      int positiveOffset, long[] positiveDeltas, int negativeOffset, long[] negativeDeltas, long timestampMs) {}

  /** Converts a point; null when its scale is below Prometheus's smallest schema. */
  static NativeHistogram convert(ExponentialHistogramDataPoint p, boolean stale) {
    int scale = p.getScale();
    if (scale < MIN_SCHEMA) {
      return null;
    }
    int down = Math.max(0, scale - MAX_SCHEMA);
    long[] pos = merge(p.getPositive(), down);
    long[] neg = merge(p.getNegative(), down);
    double sum = stale ? PromSeries.STALE_NAN : p.hasSum() ? p.getSum() : 0;
    return new NativeHistogram(stale ? 0 : p.getCount(), sum, scale - down, p.getZeroThreshold(),
        stale ? 0 : p.getZeroCount(), firstIndex(p.getPositive(), down) + 1, stale ? new long[0] : deltas(pos),
        firstIndex(p.getNegative(), down) + 1, stale ? new long[0] : deltas(neg),
        p.getTimeUnixNano() / 1_000_000);
  }

  private static int firstIndex(ExponentialHistogramDataPoint.Buckets b, int down) {
    return b.getOffset() >> down;
  }

  /** Bucket counts after merging 2^down neighbours (floor of the index shifted right). */
  private static long[] merge(ExponentialHistogramDataPoint.Buckets b, int down) {
    int n = b.getBucketCountsCount();
    if (n == 0) {
      return new long[0];
    }
    int first = b.getOffset() >> down;
    int last = (b.getOffset() + n - 1) >> down;
    long[] out = new long[last - first + 1];
    for (int i = 0; i < n; i++) {
      out[((b.getOffset() + i) >> down) - first] += b.getBucketCounts(i);
    }
    return out;
  }

  private static long[] deltas(long[] counts) {
    long[] out = new long[counts.length];
    long prev = 0;
    for (int i = 0; i < counts.length; i++) {
      out[i] = counts[i] - prev;
      prev = counts[i];
    }
    return out;
  }
}
