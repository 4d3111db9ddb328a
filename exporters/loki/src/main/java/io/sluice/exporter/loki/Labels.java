package io.sluice.exporter.loki;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream's label set, names sorted: an immutable value with a precomputed hash, so that records
 * can be grouped into streams by a cheap key and the selector string is built once per stream.
 */
final class Labels {
  static final Labels EMPTY = new Labels(new String[0], new String[0]);
  /** The label of a stream that has no other: Loki refuses a stream without labels. */
  private static final Labels FALLBACK = new Labels(new String[] {"exporter"}, new String[] {"sluice"});

  private final String[] names;
  private final String[] values;
  private final int hash;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
    this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
  }

  /** The labels of a map; later equal keys cannot occur, so its sorted entries are the set. */
  static Labels of(Map<String, String> labels) {
    TreeMap<String, String> sorted = labels instanceof TreeMap<String, String> t ? t : new TreeMap<>(labels);
    return new Labels(sorted.keySet().toArray(String[]::new), sorted.values().toArray(String[]::new));
  }

  int size() {
    return names.length;
  }

  String name(int i) {
    return names[i];
  }

  String value(int i) {
    return values[i];
  }

  /** The value of label {@code name}, or null. */
  String get(String name) {
    int i = Arrays.binarySearch(names, name);
    return i >= 0 ? values[i] : null;
  }

  /** These labels without those whose {@code drop} flag is set. */
  Labels without(boolean[] drop) {
    int n = 0;
    for (boolean d : drop) {
      n += d ? 0 : 1;
    }
    String[] ns = new String[n];
    String[] vs = new String[n];
    for (int i = 0, j = 0; i < names.length; i++) {
      if (!drop[i]) {
        ns[j] = names[i];
        vs[j++] = values[i];
      }
    }
    return new Labels(ns, vs);
  }

  /** These labels without {@code name}. */
  Labels without(String name) {
    boolean[] drop = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      drop[i] = names[i].equals(name);
    }
    return without(drop);
  }

  /** The labels a stream is sent with: these, or {@code exporter="sluice"} when there are none. */
  Labels orFallback() {
    return names.length == 0 ? FALLBACK : this;
  }

  /** As a sorted map, for tests. */
  Map<String, String> toMap() {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], values[i]);
    }
    return m;
  }

  /** The stream selector as Loki parses it: {@code {a="x", b="y"}}, names sorted. */
  String selector() {
    StringBuilder sb = new StringBuilder(64).append('{');
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      // Loki parses label values as Go string literals, which accept JSON's escapes
      Json.string(sb.append(names[i]).append('='), values[i]);
    }
    return sb.append('}').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels l && hash == l.hash && Arrays.equals(names, l.names) && Arrays.equals(values, l.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return selector();
  }
}
