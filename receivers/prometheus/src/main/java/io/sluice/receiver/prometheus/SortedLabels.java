package io.sluice.receiver.prometheus;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.BiConsumer;

/**
 * An immutable label map sorted by name, held in one array of alternating names and values. A
 * scrape keeps one per sample until it is converted: a {@link java.util.TreeMap} of three labels
 * takes about 170 bytes, this about 40 plus the shared strings.
 */
final class SortedLabels extends AbstractMap<String, String> {
  static final SortedLabels EMPTY = new SortedLabels(new String[0]);

  private final String[] pairs;

  private SortedLabels(String[] pairs) {
    this.pairs = pairs;
  }

  /** The labels of {@code sorted} (a map iterating in name order, such as a TreeMap). */
  static SortedLabels of(SortedMap<String, String> sorted) {
    if (sorted.isEmpty()) {
      return EMPTY;
    }
    String[] pairs = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      pairs[i++] = e.getKey();
      pairs[i++] = e.getValue();
    }
    return new SortedLabels(pairs);
  }

  /**
   * The labels among the first {@code length} slots of {@code pairs} (alternating distinct names
   * and values, in any order) whose value is not empty; {@code pairs} is reordered.
   */
  static SortedLabels sort(String[] pairs, int length) {
    int kept = 0;
    for (int i = 0; i < length; i += 2) {
      String k = pairs[i];
      String v = pairs[i + 1];
      if (v.isEmpty()) {
        continue;
      }
      int j = kept;
      while (j > 0 && pairs[j - 2].compareTo(k) > 0) {
        pairs[j] = pairs[j - 2];
        pairs[j + 1] = pairs[j - 1];
        j -= 2;
      }
      pairs[j] = k;
      pairs[j + 1] = v;
      kept += 2;
    }
    return kept == 0 ? EMPTY : new SortedLabels(kept == pairs.length ? pairs : java.util.Arrays.copyOf(pairs, kept));
  }

  /** The number of labels. */
  @Override
  public int size() {
    return pairs.length / 2;
  }

  String name(int i) {
    return pairs[2 * i];
  }

  String value(int i) {
    return pairs[2 * i + 1];
  }

  @Override
  public String get(Object name) {
    int i = indexOf(name);
    return i < 0 ? null : pairs[2 * i + 1];
  }

  @Override
  public boolean containsKey(Object name) {
    return indexOf(name) >= 0;
  }

  private int indexOf(Object name) {
    if (!(name instanceof String n)) {
      return -1;
    }
    int lo = 0;
    int hi = pairs.length / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = pairs[2 * mid].compareTo(n);
      if (c == 0) {
        return mid;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super String> action) {
    for (int i = 0; i < pairs.length; i += 2) {
      action.accept(pairs[i], pairs[i + 1]);
    }
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < pairs.length;
          }

          @Override
          public Entry<String, String> next() {
            if (i >= pairs.length) {
              throw new NoSuchElementException();
            }
            Entry<String, String> e = new SimpleImmutableEntry<>(pairs[i], pairs[i + 1]);
            i += 2;
            return e;
          }
        };
      }

      @Override
      public int size() {
        return pairs.length / 2;
      }
    };
  }
}
