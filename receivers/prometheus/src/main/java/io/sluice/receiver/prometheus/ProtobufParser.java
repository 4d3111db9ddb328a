package io.sluice.receiver.prometheus;

import com.google.protobuf.CodedInputStream;
import io.sluice.receiver.prometheus.ExpositionParser.Exemplar;
import io.sluice.receiver.prometheus.ExpositionParser.Family;
import io.sluice.receiver.prometheus.ExpositionParser.NativeHistogram;
import io.sluice.receiver.prometheus.ExpositionParser.Page;
import io.sluice.receiver.prometheus.ExpositionParser.ParseException;
import io.sluice.receiver.prometheus.ExpositionParser.Sample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Prometheus's protobuf exposition format (length-delimited {@code io.prometheus.client.
 * MetricFamily} messages), hand-decoded with {@link CodedInputStream}. Families become the same
 * samples the text formats give ({@code _bucket}, {@code _sum}, {@code _count}, {@code quantile});
 * a histogram with native buckets becomes one sample carrying a {@link NativeHistogram} instead of
 * its classic buckets, as Prometheus does without {@code scrape_classic_histograms}.
 */
final class ProtobufParser {
  private static final String[] TYPES = {"counter", "gauge", "summary", "untyped", "histogram", "gaugehistogram"};

  private ProtobufParser() {}

  static Page parse(byte[] body) throws ParseException {
    List<Sample> samples = new ArrayList<>();
    Map<String, Family> families = new HashMap<>();
    CodedInputStream in = CodedInputStream.newInstance(body);
    int n = 0;
    try {
      while (!in.isAtEnd()) {
        n++;
        byte[] msg = in.readByteArray();
        family(CodedInputStream.newInstance(msg), samples, families);
      }
    } catch (IOException | RuntimeException e) {
      throw new ParseException("protobuf metric family #" + n + ": " + e.getMessage());
    }
    return new Page(samples, families);
  }

  private static void family(CodedInputStream in, List<Sample> out, Map<String, Family> families) throws IOException {
    String name = "";
    Family f = new Family();
    int type = 3;
    List<byte[]> metrics = new ArrayList<>();
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> name = in.readString();
        case 2 -> f.help = in.readString();
        case 3 -> type = in.readEnum();
        case 4 -> metrics.add(in.readByteArray());
        case 5 -> f.unit = in.readString();
        default -> in.skipField(tag);
      }
    }
    if (name.isEmpty()) {
      throw new IOException("a metric family without a name");
    }
    f.type = type >= 0 && type < TYPES.length ? TYPES[type] : "untyped";
    families.put(name, f);
    for (byte[] m : metrics) {
      metric(CodedInputStream.newInstance(m), name, f.type, out);
    }
  }

  private static void metric(CodedInputStream in, String name, String type, List<Sample> out) throws IOException {
    List<String> labels = new ArrayList<>();
    long ts = ExpositionParser.NO_TIMESTAMP;
    byte[] value = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> {
          String[] pair = labelPair(CodedInputStream.newInstance(in.readByteArray()));
          labels.add(pair[0]);
          labels.add(pair[1]);
        }
        case 2, 3, 4, 5, 7 -> value = in.readByteArray();
        case 6 -> ts = in.readInt64();
        default -> in.skipField(tag);
      }
    }
    String[] ls = labels.toArray(new String[0]);
    CodedInputStream v = CodedInputStream.newInstance(value == null ? new byte[0] : value);
    switch (type) {
      case "summary" -> summary(v, name, ls, ts, out);
      case "histogram", "gaugehistogram" -> histogram(v, name, ls, ts, out);
      default -> {
        double d = 0;
        Exemplar ex = null;
        for (int tag; (tag = v.readTag()) != 0; ) {
          switch (tag >>> 3) {
            case 1 -> d = v.readDouble();
            case 2 -> ex = exemplar(CodedInputStream.newInstance(v.readByteArray()));
            default -> v.skipField(tag);
          }
        }
        out.add(new Sample(name, ls, d, ts, type.equals("counter") ? ex : null));
      }
    }
  }

  private static void summary(CodedInputStream v, String name, String[] ls, long ts, List<Sample> out) throws IOException {
    double count = 0;
    double sum = 0;
    for (int tag; (tag = v.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> count = v.readUInt64();
        case 2 -> sum = v.readDouble();
        case 3 -> {
          CodedInputStream q = CodedInputStream.newInstance(v.readByteArray());
          double quantile = 0;
          double value = 0;
          for (int t; (t = q.readTag()) != 0; ) {
            if (t >>> 3 == 1) {
              quantile = q.readDouble();
            } else if (t >>> 3 == 2) {
              value = q.readDouble();
            } else {
              q.skipField(t);
            }
          }
          out.add(new Sample(name, with(ls, "quantile", goFloat(quantile)), value, ts, null));
        }
        default -> v.skipField(tag);
      }
    }
    out.add(new Sample(name + "_sum", ls, sum, ts, null));
    out.add(new Sample(name + "_count", ls, count, ts, null));
  }

  private static void histogram(CodedInputStream v, String name, String[] ls, long ts, List<Sample> out) throws IOException {
    double count = 0;
    double sum = 0;
    int schema = 0;
    double zeroThreshold = 0;
    double zeroCount = 0;
    List<int[]> posSpans = new ArrayList<>();
    List<int[]> negSpans = new ArrayList<>();
    List<Long> posDeltas = new ArrayList<>();
    List<Long> negDeltas = new ArrayList<>();
    List<Double> posCounts = new ArrayList<>();
    List<Double> negCounts = new ArrayList<>();
    List<Sample> buckets = new ArrayList<>();
    for (int tag; (tag = v.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> count = v.readUInt64();
        case 4 -> count = v.readDouble();
        case 2 -> sum = v.readDouble();
        case 3 -> buckets.add(bucket(CodedInputStream.newInstance(v.readByteArray()), name, ls, ts));
        case 5 -> schema = v.readSInt32();
        case 6 -> zeroThreshold = v.readDouble();
        case 7 -> zeroCount = v.readUInt64();
        case 8 -> zeroCount = v.readDouble();
        case 9 -> negSpans.add(span(CodedInputStream.newInstance(v.readByteArray())));
        case 10 -> readPacked(v, tag, negDeltas);
        case 11 -> readPackedDoubles(v, tag, negCounts);
        case 12 -> posSpans.add(span(CodedInputStream.newInstance(v.readByteArray())));
        case 13 -> readPacked(v, tag, posDeltas);
        case 14 -> readPackedDoubles(v, tag, posCounts);
        default -> v.skipField(tag);
      }
    }
    boolean isNative = !posSpans.isEmpty() || !negSpans.isEmpty() || zeroThreshold > 0 || zeroCount > 0;
    if (isNative) {
      if (schema < -4 || schema > 8) {
        throw new IOException("native histogram " + name + ": schema " + schema + " (expected: -4 to 8)");
      }
      Buckets pos = absolute(name, schema, posSpans, posDeltas, posCounts);
      Buckets neg = absolute(name, schema, negSpans, negDeltas, negCounts);
      // OTLP counts are contiguous, spans are not: a side that a few bytes stretch over millions
      // of empty buckets is merged into wider buckets (a lower schema), as an exponential
      // histogram rescales, rather than allocated.
      int shift = 0;
      while (pos.width(shift) > pos.maxWidth() || neg.width(shift) > neg.maxWidth()) {
        shift++;
      }
      Side p = pos.contiguous(shift);
      Side n = neg.contiguous(shift);
      out.add(new Sample(name, ls, count, ts, null, new NativeHistogram(schema - shift, zeroThreshold,
          (long) zeroCount, (long) count, sum, p.start, p.counts, n.start, n.counts)));
      return;
    }
    boolean hasInf = false;
    for (Sample b : buckets) {
      out.add(b);
      hasInf |= b.labels()[b.labels().length - 1].equals("+Inf");
    }
    if (!hasInf) {
      out.add(new Sample(name + "_bucket", with(ls, "le", "+Inf"), count, ts, null));
    }
    out.add(new Sample(name + "_sum", ls, sum, ts, null));
    out.add(new Sample(name + "_count", ls, count, ts, null));
  }

  private record Side(int start, long[] counts) {}

  /** One side's absolute counts by Prometheus bucket index (ascending). */
  private record Buckets(long[] index, long[] counts) {
    /**
     * How many buckets a side may span at its schema, or 8 per bucket it has if more: schema 8
     * over 16 doublings (1 ms to 65 s), schema 5 over 128. Wider sides are rescaled; at most 64
     * KiB of counts for the few bytes of a histogram.
     */
    static final int MIN_MAX_WIDTH = 4096;

    long maxWidth() {
      return Math.max(MIN_MAX_WIDTH, 8L * index.length);
    }

    /** How many contiguous buckets the side spans with the schema lowered by {@code shift}. */
    long width(int shift) {
      return index.length == 0 ? 0 : merged(index[index.length - 1], shift) - merged(index[0], shift) + 1;
    }

    Side contiguous(int shift) {
      if (index.length == 0) {
        return new Side(0, new long[0]);
      }
      long start = merged(index[0], shift);
      long[] out = new long[(int) width(shift)];
      for (int k = 0; k < index.length; k++) {
        out[(int) (merged(index[k], shift) - start)] += counts[k];
      }
      return new Side((int) start, out);
    }

    /** Bucket i at schema s is within bucket ceil(i / 2^shift) at schema s - shift. */
    private static long merged(long i, int shift) {
      return Math.ceilDiv(i, 1L << shift);
    }
  }

  /**
   * Spans and deltas (or float counts) as absolute counts by bucket index, checked as Prometheus
   * checks them: as many counts as the spans have buckets, no span going back, no negative count,
   * and indexes a float64 can fall in at the schema.
   */
  private static Buckets absolute(String name, int schema, List<int[]> spans, List<Long> deltas, List<Double> floats)
      throws IOException {
    long need = 0;
    for (int[] span : spans) {
      need += Integer.toUnsignedLong(span[1]);
    }
    int have = deltas.isEmpty() ? floats.size() : deltas.size();
    if (need != have) {
      throw new IOException("native histogram " + name + ": spans need " + need + " buckets, have " + have);
    }
    // Float64 spans 2^-1074 to 2^1024: at schema s, bucket indexes -1074 * 2^s to 1024 * 2^s.
    long maxIndex = schema >= 0 ? 1075L << schema : (1075L >> -schema) + 1;
    long[] index = new long[have];
    long[] counts = new long[have];
    long i = 0;
    long abs = 0;
    int k = 0;
    for (int n = 0; n < spans.size(); n++) {
      int offset = spans.get(n)[0];
      if (n > 0 && offset < 0) {
        throw new IOException("native histogram " + name + ": span " + n + " has offset " + offset + " (expected: >= 0)");
      }
      i += offset;
      for (long j = 0; j < Integer.toUnsignedLong(spans.get(n)[1]); j++, k++, i++) {
        if (Math.abs(i) > maxIndex) {
          throw new IOException("native histogram " + name + ": bucket index " + i + " (expected: within +-"
              + maxIndex + " at schema " + schema + ")");
        }
        long c = deltas.isEmpty() ? (long) (double) floats.get(k) : (abs += deltas.get(k));
        if (c < 0) {
          throw new IOException("native histogram " + name + ": bucket index " + i + " has count " + c);
        }
        index[k] = i;
        counts[k] = c;
      }
    }
    return new Buckets(index, counts);
  }

  private static int[] span(CodedInputStream in) throws IOException {
    int offset = 0;
    int length = 0;
    for (int t; (t = in.readTag()) != 0; ) {
      if (t >>> 3 == 1) {
        offset = in.readSInt32();
      } else if (t >>> 3 == 2) {
        length = in.readUInt32();
      } else {
        in.skipField(t);
      }
    }
    return new int[] {offset, length};
  }

  private static void readPacked(CodedInputStream v, int tag, List<Long> out) throws IOException {
    if ((tag & 7) == 2) {
      int limit = v.pushLimit(v.readRawVarint32());
      while (v.getBytesUntilLimit() > 0) {
        out.add(v.readSInt64());
      }
      v.popLimit(limit);
    } else {
      out.add(v.readSInt64());
    }
  }

  private static void readPackedDoubles(CodedInputStream v, int tag, List<Double> out) throws IOException {
    if ((tag & 7) == 2) {
      int limit = v.pushLimit(v.readRawVarint32());
      while (v.getBytesUntilLimit() > 0) {
        out.add(v.readDouble());
      }
      v.popLimit(limit);
    } else {
      out.add(v.readDouble());
    }
  }

  private static Sample bucket(CodedInputStream in, String name, String[] ls, long ts) throws IOException {
    double count = 0;
    double bound = 0;
    Exemplar ex = null;
    for (int t; (t = in.readTag()) != 0; ) {
      switch (t >>> 3) {
        case 1 -> count = in.readUInt64();
        case 4 -> count = in.readDouble();
        case 2 -> bound = in.readDouble();
        case 3 -> ex = exemplar(CodedInputStream.newInstance(in.readByteArray()));
        default -> in.skipField(t);
      }
    }
    return new Sample(name + "_bucket", with(ls, "le", goFloat(bound)), count, ts, ex);
  }

  private static Exemplar exemplar(CodedInputStream in) throws IOException {
    List<String> labels = new ArrayList<>();
    double value = 0;
    long ts = ExpositionParser.NO_TIMESTAMP;
    for (int t; (t = in.readTag()) != 0; ) {
      switch (t >>> 3) {
        case 1 -> labels.addAll(Arrays.asList(labelPair(CodedInputStream.newInstance(in.readByteArray()))));
        case 2 -> value = in.readDouble();
        case 3 -> {
          CodedInputStream tsIn = CodedInputStream.newInstance(in.readByteArray());
          long seconds = 0;
          int nanos = 0;
          for (int u; (u = tsIn.readTag()) != 0; ) {
            if (u >>> 3 == 1) {
              seconds = tsIn.readInt64();
            } else if (u >>> 3 == 2) {
              nanos = tsIn.readInt32();
            } else {
              tsIn.skipField(u);
            }
          }
          ts = seconds * 1000 + nanos / 1_000_000;
        }
        default -> in.skipField(t);
      }
    }
    return new Exemplar(labels.toArray(new String[0]), value, ts);
  }

  private static String[] labelPair(CodedInputStream in) throws IOException {
    String name = "";
    String value = "";
    for (int t; (t = in.readTag()) != 0; ) {
      if (t >>> 3 == 1) {
        name = in.readStringRequireUtf8();
      } else if (t >>> 3 == 2) {
        value = in.readStringRequireUtf8();
      } else {
        in.skipField(t);
      }
    }
    return new String[] {name, value};
  }

  private static String[] with(String[] ls, String name, String value) {
    String[] out = Arrays.copyOf(ls, ls.length + 2);
    out[ls.length] = name;
    out[ls.length + 1] = value;
    return out;
  }

  /** Bucket bounds and quantiles as Prometheus writes them in label values ({@code 0.25}, {@code +Inf}). */
  private static String goFloat(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
