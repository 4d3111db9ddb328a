package io.sluice.receiver.prometheus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The series of one kind that one scrape emitted, with what the next scrape needs of them: the
 * series key ({@link ScrapeConverter#key}, UTF-8, all keys in one byte array), and for cumulative
 * series the start time, the last value and the bucket or quantile layout. Found by a 64-bit hash
 * of the key, with the key bytes compared on a hash match, so a hash collision never mixes two
 * series up.
 *
 * <p>Replaces a {@code HashMap<String, Cumulative>}: about 40 bytes plus the key's length per
 * series instead of about 190 for the short keys of a typical page, and a few large arrays
 * instead of three or four objects per series for the collector to trace. A label equal to one of
 * the target's labels (job and instance, on every series) takes two bytes in the key: byte 3 and
 * its position among the target's labels.
 */
final class SeriesTable {
  private static final long[] NO_LONGS = new long[0];
  private static final double[] NO_DOUBLES = new double[0];

  private final boolean cumulative;
  /** The target's labels, alternating names and values. */
  private final String[] common;
  private byte[] keys = new byte[256];
  private int keysEnd;
  /** Entry i's key is {@code keys[offsets[i] .. offsets[i + 1])}. */
  private int[] offsets = new int[17];
  private long[] hashes = new long[16];
  private long[] starts;
  private double[] lasts;
  private double[][] layouts;
  /** Entries a later scrape has taken over; the rest get stale markers. */
  private boolean[] taken = new boolean[16];
  private int size;
  /** Open addressing: entry index + 1, 0 for free. */
  private int[] table = new int[32];

  /**
   * A table; {@code cumulative} keeps start time, last value and layout per series; {@code common}
   * (the target's labels) are written short in keys.
   */
  SeriesTable(boolean cumulative, String[] common) {
    this.cumulative = cumulative;
    this.common = common;
    starts = cumulative ? new long[16] : NO_LONGS;
    lasts = cumulative ? new double[16] : NO_DOUBLES;
    layouts = cumulative ? new double[16][] : null;
  }

  int size() {
    return size;
  }

  /**
   * Adds the series {@code name} + {@code sortedLabels} without {@code skip}, or finds it if this
   * table has it already.
   *
   * @return its entry
   */
  int add(String name, Map<String, String> sortedLabels, String skip) {
    int start = keysEnd;
    append(name);
    sortedLabels.forEach((k, v) -> {
      if (!k.equals(skip)) {
        int c = commonIndex(k, v);
        if (c >= 0) {
          put((byte) 3);
          put((byte) c);
        } else {
          put((byte) 0);
          append(k);
          put((byte) 1);
          append(v);
        }
      }
    });
    long h = hash(keys, start, keysEnd);
    int found = find(keys, start, keysEnd, h);
    if (found >= 0) {
      keysEnd = start;
      return found;
    }
    if (size + 1 == hashes.length) {
      grow();
    }
    int e = size++;
    hashes[e] = h;
    offsets[e + 1] = keysEnd;
    if ((long) size * 2 > table.length) {
      rehash(table.length * 2);
    } else {
      insert(e);
    }
    return e;
  }

  /**
   * Takes over from this (the previous scrape's) table the entry {@code e} of {@code now}, if this
   * table has it and it was not taken yet.
   *
   * @return its entry here, or -1
   */
  int take(SeriesTable now, int e) {
    int i = find(now.keys, now.offsets[e], now.offsets[e + 1], now.hashes[e]);
    if (i < 0 || taken[i]) {
      return -1;
    }
    taken[i] = true;
    return i;
  }

  long start(int e) {
    return starts[e];
  }

  double last(int e) {
    return lasts[e];
  }

  double[] layout(int e) {
    return layouts[e];
  }

  /** Sets a cumulative entry's state; the layout is shared with the previous entry when equal. */
  void set(int e, long start, double last, double[] layout) {
    starts[e] = start;
    lasts[e] = last;
    layouts[e] = e > 0 && Arrays.equals(layout, layouts[e - 1]) ? layouts[e - 1] : layout;
  }

  /** The key of entry {@code e}, escaped as {@link ScrapeConverter#key} builds it. */
  String key(int e) {
    StringBuilder sb = new StringBuilder();
    int from = offsets[e];
    int to = offsets[e + 1];
    int run = from;
    for (int i = from; i < to; i++) {
      byte b = keys[i];
      if (b == 3) {
        sb.append(new String(keys, run, i - run, StandardCharsets.UTF_8));
        int c = keys[++i] & 0xff;
        sb.append('\u0000').append(ScrapeConverter.escape(common[2 * c])).append('\u0001')
            .append(ScrapeConverter.escape(common[2 * c + 1]));
        run = i + 1;
      } else if (b == 2 && keys[i + 1] == '3') {
        // Byte 3 is escaped here only: the converter's keys leave it as it is.
        sb.append(new String(keys, run, i - run, StandardCharsets.UTF_8)).append('\u0003');
        run = ++i + 1;
      } else if (b == 2) {
        i++;
      }
    }
    return sb.append(new String(keys, run, to - run, StandardCharsets.UTF_8)).toString();
  }

  private int commonIndex(String k, String v) {
    for (int c = 0; c < common.length && c < 512; c += 2) {
      if (common[c].equals(k) && common[c + 1].equals(v)) {
        return c / 2;
      }
    }
    return -1;
  }

  /** Calls {@code action} with every entry not taken by a later scrape. */
  void forEachNotTaken(IntConsumer action) {
    for (int i = 0; i < size; i++) {
      if (!taken[i]) {
        action.accept(i);
      }
    }
  }

  private int find(byte[] k, int from, int to, long h) {
    int mask = table.length - 1;
    for (int slot = spread(h) & mask; table[slot] != 0; slot = (slot + 1) & mask) {
      int e = table[slot] - 1;
      if (hashes[e] == h && Arrays.equals(keys, offsets[e], offsets[e + 1], k, from, to)) {
        return e;
      }
    }
    return -1;
  }

  private void insert(int e) {
    int mask = table.length - 1;
    int slot = spread(hashes[e]) & mask;
    while (table[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    table[slot] = e + 1;
  }

  private void rehash(int capacity) {
    table = new int[capacity];
    for (int e = 0; e < size; e++) {
      insert(e);
    }
  }

  private void grow() {
    int n = hashes.length * 2;
    hashes = Arrays.copyOf(hashes, n);
    offsets = Arrays.copyOf(offsets, n + 1);
    taken = Arrays.copyOf(taken, n);
    if (cumulative) {
      starts = Arrays.copyOf(starts, n);
      lasts = Arrays.copyOf(lasts, n);
      layouts = Arrays.copyOf(layouts, n);
    }
  }

  private static int spread(long h) {
    return (int) (h ^ (h >>> 32));
  }

  /** FNV-1a. */
  private static long hash(byte[] b, int from, int to) {
    long h = 0xcbf29ce484222325L;
    for (int i = from; i < to; i++) {
      h = (h ^ b[i]) * 0x100000001b3L;
    }
    return h;
  }

  /** Appends {@code s} as UTF-8, with the bytes 0 to 3 (the separators) escaped as byte 2 and a digit. */
  private void append(String s) {
    int n = s.length();
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) {
      ascii = s.charAt(i) < 0x80;
    }
    if (ascii) {
      for (int i = 0; i < n; i++) {
        escaped((byte) s.charAt(i));
      }
    } else {
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
        escaped(b);
      }
    }
  }

  private void escaped(byte b) {
    if (b >= 0 && b <= 3) {
      put((byte) 2);
      put((byte) ('0' + b));
    } else {
      put(b);
    }
  }

  private void put(byte b) {
    if (keysEnd == keys.length) {
      keys = Arrays.copyOf(keys, keys.length * 2);
    }
    keys[keysEnd++] = b;
  }
}
