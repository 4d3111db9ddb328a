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
  private long[] timestamps = new long[1];
  private double[] values = new double[1];
  private int size;
  private boolean sorted = true;
  /** Created on first use: most series have neither, and a scrape's batch holds them all at once. */
  private List<Exemplar> exemplars;
  private List<NativeHistograms.NativeHistogram> histograms;

  /** An exemplar: labels (trace_id, span_id, filtered attributes), value and time in ms. */
  record Exemplar(String[] labels, double value, long timestampMs) {}

  PromSeries(String[] labels) {
    this.labels = labels;
    this.hash = Arrays.hashCode(labels);
  }

  void add(double value, long timestampMs) {
    if (size == timestamps.length) {
      timestamps = Arrays.copyOf(timestamps, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    if (size > 0 && timestampMs < timestamps[size - 1]) {
      sorted = false;
    }
    timestamps[size] = timestampMs;
    values[size] = value;
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
    return timestamps[i];
  }

  double value(int i) {
    return values[i];
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
    Arrays.sort(idx, (a, b) -> Long.compare(timestamps[a], timestamps[b]));
    long[] t = new long[size];
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      t[i] = timestamps[idx[i]];
      v[i] = values[idx[i]];
    }
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
