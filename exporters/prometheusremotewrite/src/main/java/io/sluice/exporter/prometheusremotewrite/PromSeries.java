package io.sluice.exporter.prometheusremotewrite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Prometheus time series of a remote-write request: labels sorted by name (with {@code
 * __name__}), samples in time order, exemplars.
 */
final class PromSeries {
  /** Prometheus's staleness marker, a NaN that Prometheus treats as "series ended". */
  static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

  /** Alternating label names and values, sorted by name. */
  final String[] labels;
  final int hash;
  /**
   * The first sample inline, the others in arrays created for a second one: a batch of one scrape
   * has one sample per series, and holds all its series at once.
   */
  private long firstTimestamp;
  private double firstValue;
  private long[] timestamps;
  private double[] values;
  private int size;
  private boolean sorted = true;
  /** Created on first use: most series have neither, and a scrape's batch holds them all at once. */
  private List<Exemplar> exemplars;
  private List<NativeHistograms.NativeHistogram> histograms;

  /** An exemplar: labels (trace_id, span_id, filtered attributes), value and time in ms. */
  record Exemplar(String[] labels, double value, long timestampMs) {}

  PromSeries(String[] labels) {
    this(labels, Arrays.hashCode(labels));
  }

  /** A series whose {@code hash} is {@code Arrays.hashCode(labels)}, already computed. */
  PromSeries(String[] labels, int hash) {
    this.labels = labels;
    this.hash = hash;
  }

  void add(double value, long timestampMs) {
    if (size > 0 && timestampMs < timestamp(size - 1)) {
      sorted = false;
    }
    if (size == 0) {
      firstTimestamp = timestampMs;
      firstValue = value;
    } else {
      if (timestamps == null) {
        timestamps = new long[2];
        values = new double[2];
      } else if (size - 1 == timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, timestamps.length * 2);
        values = Arrays.copyOf(values, values.length * 2);
      }
      timestamps[size - 1] = timestampMs;
      values[size - 1] = value;
    }
    size++;
  }

  void addExemplar(Exemplar e) {
    if (exemplars == null) {
      exemplars = new ArrayList<>(1);
    }
    exemplars.add(e);
  }

  List<Exemplar> exemplars() {
    return exemplars == null ? List.of() : exemplars;
  }

  void addHistogram(NativeHistograms.NativeHistogram h) {
    if (histograms == null) {
      histograms = new ArrayList<>(1);
    }
    histograms.add(h);
  }

  List<NativeHistograms.NativeHistogram> histograms() {
    return histograms == null ? List.of() : histograms;
  }

  int size() {
    return size;
  }

  long timestamp(int i) {
    return i == 0 ? firstTimestamp : timestamps[i - 1];
  }

  double value(int i) {
    return i == 0 ? firstValue : values[i - 1];
  }

  /** Sorts samples by time (stable), so that one series' samples are never sent out of order. */
  void sortSamples() {
    if (histograms != null) {
      histograms.sort(java.util.Comparator.comparingLong(NativeHistograms.NativeHistogram::timestampMs));
    }
    if (sorted) {
      return;
    }
    Integer[] idx = new Integer[size];
    for (int i = 0; i < size; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Long.compare(timestamp(a), timestamp(b)));
    long[] t = new long[size - 1];
    double[] v = new double[size - 1];
    for (int i = 1; i < size; i++) {
      t[i - 1] = timestamp(idx[i]);
      v[i - 1] = value(idx[i]);
    }
    long t0 = timestamp(idx[0]);
    double v0 = value(idx[0]);
    firstTimestamp = t0;
    firstValue = v0;
    timestamps = t;
    values = v;
    sorted = true;
  }

  /** The value of label {@code name}, or null. */
  String label(String name) {
    for (int i = 0; i < labels.length; i += 2) {
      if (labels[i].equals(name)) {
        return labels[i + 1];
      }
    }
    return null;
  }
}
