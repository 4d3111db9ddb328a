package io.sluice.receiver.prometheus;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.api.Metrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns one target's scraped samples into OTLP metrics, per the OpenTelemetry "Prometheus and
 * OpenMetrics compatibility" specification, and keeps what staleness and start times need between
 * scrapes. Used by one scrape loop at a time.
 *
 * <ul>
 *   <li>counter → cumulative monotonic Sum, start time from {@code _created}, otherwise the time the
 *       series was first seen (and the scrape time minus 1 ms after a reset);
 *   <li>gauge, unknown, untyped, info, stateset, gaugehistogram → Gauge per sample;
 *   <li>histogram → cumulative Histogram ({@code le} buckets de-accumulated, {@code _sum}, {@code
 *       _count}); a native histogram (protobuf format) → cumulative ExponentialHistogram (schema =
 *       scale); summary → Summary;
 *   <li>{@code job}/{@code instance} → {@code service.namespace}/{@code service.name}, {@code
 *       service.instance.id}, {@code server.address}, {@code server.port}, {@code url.scheme};
 *       {@code target_info} labels → resource attributes; other labels → point attributes;
 *   <li>a point emitted by the previous scrape and missing now gets a point flagged {@code
 *       FLAG_NO_RECORDED_VALUE} (Prometheus staleness).
 * </ul>
 *
 * <p>State between scrapes is one {@link SeriesTable} per kind: the key of each point ({@link #key})
 * and, for cumulative points, start time, last value and layout; stale markers are rebuilt from the
 * key.
 */
final class ScrapeConverter {
  static final int NO_RECORDED_VALUE = 1;
  private static final InstrumentationScope SCOPE =
      InstrumentationScope.newBuilder().setName("io.sluice.receiver.prometheus").build();
  private static final String[] SUFFIXES = {"_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum", "_info"};
  private static final char SEP = '\u0000';
  private static final char EQ = '\u0001';
  /** Escapes SEP, EQ and itself in the names and values of a key: a label value may hold any character. */
  private static final char ESC = '\u0002';

  /**
   * A sample after relabeling. Labels are sorted and exclude {@code __name__}. It keeps no String
   * key: a scrape holds all its samples at once.
   */
  record ScrapedSample(String name, Map<String, String> labels, double value, long timestampMs,
      ExpositionParser.Exemplar exemplar, ExpositionParser.NativeHistogram nativeHistogram) {
    ScrapedSample(String name, Map<String, String> labels, double value, long timestampMs,
        ExpositionParser.Exemplar exemplar) {
      this(name, labels, value, timestampMs, exemplar, null);
    }
  }

  private enum Kind { GAUGE, COUNTER, HISTOGRAM, SUMMARY, EXPONENTIAL }

  private final String scheme;
  /** The target's labels, alternating names and values, which keys hold in two bytes. */
  private final String[] common;
  private SeriesTable gauges;
  private SeriesTable counters;
  private SeriesTable histograms;
  private SeriesTable summaries;
  private SeriesTable exponentials;

  ScrapeConverter(String scheme) {
    this(scheme, Map.of());
  }

  /** A converter for a target with {@code targetLabels}. */
  ScrapeConverter(String scheme, Map<String, String> targetLabels) {
    this.scheme = scheme;
    this.common = new String[targetLabels.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : new TreeMap<>(targetLabels).entrySet()) {
      common[i++] = e.getKey();
      common[i++] = e.getValue();
    }
    gauges = new SeriesTable(false, common);
    counters = new SeriesTable(true, common);
    histograms = new SeriesTable(true, common);
    summaries = new SeriesTable(true, common);
    exponentials = new SeriesTable(true, common);
  }

  /**
   * The identity of a series: name, then sorted {@code label=value} pairs, separated by control
   * characters (escaped where the name or a label holds them); {@code skip} (e.g. {@code le}) is
   * left out.
   */
  static String key(String name, Map<String, String> sortedLabels, String skip) {
    StringBuilder sb = new StringBuilder(name.length() + 16 * sortedLabels.size());
    escape(sb, name);
    sortedLabels.forEach((k, v) -> {
      if (!k.equals(skip)) {
        escape(escape(sb.append(SEP), k).append(EQ), v);
      }
    });
    return sb.toString();
  }

  /** {@code s} escaped as in a key. */
  static String escape(String s) {
    return escape(new StringBuilder(s.length()), s).toString();
  }

  private static StringBuilder escape(StringBuilder sb, String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) > ESC) {
      i++;
    }
    if (i == s.length()) {
      return sb.append(s);
    }
    sb.append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ESC) {
        sb.append(ESC).append((char) ('0' + c));
      } else {
        sb.append(c);
      }
    }
    return sb;
  }

  private static String unescape(String s) {
    if (s.indexOf(ESC) < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c == ESC ? (char) (s.charAt(++i) - '0') : c);
    }
    return sb.toString();
  }

  /** The key of a resource: its job and instance. */
  private static String resourceKey(String job, String instance) {
    return escape(escape(new StringBuilder(), job).append(SEP), instance).toString();
  }

  /**
   * Builds the metrics of a successful scrape, plus stale markers for vanished points, as one
   * request. Takes {@code samples} over, as {@link #convert(List, Map, long, List, int, Consumer)}.
   */
  Metrics convert(List<ScrapedSample> samples, Map<String, ExpositionParser.Family> families, long scrapeMs,
      List<ScrapedSample> synthetic) {
    List<Metrics> parts = new ArrayList<>(1);
    convert(samples, families, scrapeMs, synthetic, Integer.MAX_VALUE, parts::add);
    return parts.size() == 1 ? parts.get(0) : Metrics.concat(parts, io.sluice.api.ClientMetadata.EMPTY);
  }

  /**
   * Builds the metrics of a successful scrape, plus stale markers for vanished points, and hands
   * them to {@code out} in parts of about {@code chunkPoints} points or more: a part ends only
   * between metric families (whose samples a page keeps together), so each family's points, and
   * each histogram's buckets, stay in one part. The synthetic series and the stale markers are in
   * the last part. Takes {@code samples} over: it sets each entry to null once converted, so that
   * a large scrape holds neither all its samples and their OTLP points at once nor, with a small
   * {@code chunkPoints}, all its OTLP points.
   */
  void convert(List<ScrapedSample> samples, Map<String, ExpositionParser.Family> families, long scrapeMs,
      List<ScrapedSample> synthetic, int chunkPoints, Consumer<Metrics> out) {
    Builder b = new Builder(scrapeMs);
    Map<String, Double> created = new HashMap<>();
    for (ScrapedSample s : samples) {
      if (s.name().equals("target_info")) {
        Map<String, String> attrs = new TreeMap<>(s.labels());
        String job = orEmpty(attrs.remove("job"));
        String instance = orEmpty(attrs.remove("instance"));
        b.targetInfo.put(resourceKey(job, instance), attrs);
      } else if (s.name().endsWith("_created")) {
        String base = s.name().substring(0, s.name().length() - "_created".length());
        ExpositionParser.Family f = families.get(base);
        if (f != null && f.type.equals("counter")) {
          created.put(key(base, s.labels(), null), s.value());
        }
      }
    }
    Map<String, HistAcc> hists = new LinkedHashMap<>();
    String lastBase = null;
    for (int i = 0; i < samples.size(); i++) {
      ScrapedSample s = samples.get(i);
      samples.set(i, null);
      if (s.name().equals("target_info")) {
        continue;
      }
      String[] fam = family(s.name(), families);
      String base = fam[0];
      if (!base.equals(lastBase)) {
        if (b.points + hists.size() >= chunkPoints) {
          b.addAll(hists);
          out.accept(b.flush());
        }
        lastBase = base;
      }
      ExpositionParser.Family meta = families.get(base);
      String help = meta == null ? "" : meta.help;
      String unit = meta == null ? "" : unitOf(meta.unit);
      if (s.nativeHistogram() != null) {
        b.exponential(s, help, unit);
        continue;
      }
      switch (fam[1]) {
        case "counter" -> {
          if (!s.name().endsWith("_created") || s.name().equals(base)) {
            Double c = created.isEmpty() ? null : created.get(key(base, s.labels(), null));
            b.counter(s, help, unit, c == null ? Double.NaN : c);
          }
        }
        case "histogram", "summary" -> {
          boolean histogram = fam[1].equals("histogram");
          String skip = histogram ? "le" : "quantile";
          String k = key(base, s.labels(), skip);
          HistAcc h = hists.computeIfAbsent(k, x -> new HistAcc(base, s.labels(), skip, x, histogram, help, unit));
          h.add(s, base, skip);
        }
        default -> b.gauge(s, help, unit);
      }
    }
    b.addAll(hists);
    for (ScrapedSample s : synthetic) {
      b.gauge(s, "", "");
    }
    b.staleRemaining(chunkPoints, out);
    out.accept(b.finish());
  }

  /** A failed scrape or a removed target: stale markers for everything, plus the synthetic series. */
  Metrics down(long scrapeMs, List<ScrapedSample> synthetic, boolean removed) {
    List<Metrics> parts = new ArrayList<>(1);
    down(scrapeMs, synthetic, removed, Integer.MAX_VALUE, parts::add);
    return parts.size() == 1 ? parts.get(0) : Metrics.concat(parts, io.sluice.api.ClientMetadata.EMPTY);
  }

  /**
   * A failed scrape or a removed target: the synthetic series and stale markers for everything,
   * handed to {@code out} in parts of {@code chunkPoints} points.
   */
  void down(long scrapeMs, List<ScrapedSample> synthetic, boolean removed, int chunkPoints, Consumer<Metrics> out) {
    Builder b = new Builder(scrapeMs);
    for (ScrapedSample s : synthetic) {
      b.gauge(s, "", "");
    }
    b.staleRemaining(chunkPoints, out);
    if (removed) {
      b.newGauges = new SeriesTable(false, common);
    }
    out.accept(b.finish());
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String unitOf(String promUnit) {
    return switch (promUnit) {
      case "seconds" -> "s";
      case "bytes" -> "By";
      case "milliseconds" -> "ms";
      case "ratio" -> "1";
      default -> promUnit;
    };
  }

  private static String[] family(String name, Map<String, ExpositionParser.Family> families) {
    ExpositionParser.Family f = families.get(name);
    if (f != null && !f.type.isEmpty()) {
      return new String[] {name, f.type};
    }
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        ExpositionParser.Family bf = families.get(base);
        if (bf != null && fits(bf.type, suffix)) {
          return new String[] {base, bf.type};
        }
      }
    }
    return new String[] {name, "unknown"};
  }

  private static boolean fits(String type, String suffix) {
    return switch (type) {
      case "counter" -> suffix.equals("_total") || suffix.equals("_created");
      case "histogram" -> suffix.equals("_bucket") || suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
      case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
      case "gaugehistogram" -> suffix.equals("_bucket") || suffix.equals("_gsum") || suffix.equals("_gcount");
      case "info" -> suffix.equals("_info");
      default -> false;
    };
  }

  /** Collects the samples of one histogram or summary point. */
  static final class HistAcc {
    final String name;
    final Map<String, String> labels;
    final String key;
    final boolean histogram;
    final String help;
    final String unit;
    final TreeMap<Double, Double> buckets = new TreeMap<>();
    final List<ExpositionParser.Exemplar> exemplars = new ArrayList<>(0);
    double sum = Double.NaN;
    double count = Double.NaN;
    double created = Double.NaN;
    long timestampMs = Long.MIN_VALUE;

    HistAcc(String name, Map<String, String> labels, String skip, String key, boolean histogram, String help,
        String unit) {
      this.name = name;
      Map<String, String> l = new TreeMap<>(labels);
      l.remove(skip);
      this.labels = l;
      this.key = key;
      this.histogram = histogram;
      this.help = help;
      this.unit = unit;
    }

    void add(ScrapedSample s, String base, String skip) {
      timestampMs = Math.max(timestampMs, s.timestampMs());
      switch (s.name().substring(base.length())) {
        case "_sum" -> sum = s.value();
        case "_count" -> count = s.value();
        case "_created" -> created = s.value();
        default -> {
          String bound = s.labels().get(skip);
          if (bound != null) {
            try {
              buckets.put(bound.endsWith("Inf") ? (bound.startsWith("-") ? Double.NEGATIVE_INFINITY
                  : Double.POSITIVE_INFINITY) : Double.parseDouble(bound), s.value());
            } catch (NumberFormatException e) {
              // a bucket whose bound is not a number cannot be placed in an OTLP histogram
            }
            if (s.exemplar() != null) {
              exemplars.add(s.exemplar());
            }
          }
        }
      }
    }
  }

  /** The metrics of one resource (job and instance), one map of metrics per kind. */
  private static final class ResourceAcc {
    final String job;
    final String instance;
    final List<Map<String, Metric.Builder>> byKind = new ArrayList<>(Kind.values().length);

    ResourceAcc(String job, String instance) {
      this.job = job;
      this.instance = instance;
      for (int i = 0; i < Kind.values().length; i++) {
        byKind.add(new LinkedHashMap<>());
      }
    }
  }

  /** Builds one scrape's OTLP request and the state for the next scrape. */
  private final class Builder {
    final long scrapeNanos;
    final Map<String, ResourceAcc> byResource = new LinkedHashMap<>();
    final Map<String, Map<String, String>> targetInfo = new HashMap<>();
    SeriesTable newGauges = new SeriesTable(false, common);
    final SeriesTable newCounters = new SeriesTable(true, common);
    final SeriesTable newHistograms = new SeriesTable(true, common);
    final SeriesTable newSummaries = new SeriesTable(true, common);
    final SeriesTable newExponentials = new SeriesTable(true, common);
    private ResourceAcc last;
    /** Points added since the last {@link #flush}. */
    int points;

    Builder(long scrapeMs) {
      this.scrapeNanos = scrapeMs * 1_000_000;
    }

    /** Adds the collected histograms and summaries, and forgets them. */
    void addAll(Map<String, HistAcc> hists) {
      for (HistAcc h : hists.values()) {
        if (h.histogram) {
          histogram(h);
        } else {
          summary(h);
        }
      }
      hists.clear();
    }

    private Metric.Builder metric(String job, String instance, String name, Kind kind, String help, String unit) {
      points++;
      ResourceAcc r = last;
      if (r == null || !r.job.equals(job) || !r.instance.equals(instance)) {
        r = byResource.computeIfAbsent(resourceKey(job, instance), k -> new ResourceAcc(job, instance));
        last = r;
      }
      return r.byKind.get(kind.ordinal()).computeIfAbsent(name, k -> {
        Metric.Builder m = Metric.newBuilder().setName(name).setDescription(help).setUnit(unit);
        switch (kind) {
          case GAUGE -> m.setGauge(Gauge.newBuilder());
          case COUNTER -> m.setSum(Sum.newBuilder().setIsMonotonic(true)
              .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
          case HISTOGRAM -> m.setHistogram(Histogram.newBuilder()
              .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
          case SUMMARY -> m.setSummary(Summary.newBuilder());
          case EXPONENTIAL -> m.setExponentialHistogram(ExponentialHistogram.newBuilder()
              .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
        }
        return m;
      });
    }

    private long time(long tsMs) {
      return tsMs == Long.MIN_VALUE ? scrapeNanos : tsMs * 1_000_000;
    }

    /**
     * Moves a cumulative point's state forward and returns its start time: created, or first seen,
     * reset on decrease.
     */
    private long advance(SeriesTable old, SeriesTable now, String name, Map<String, String> labels, double value,
        double created, double[] layout) {
      int e = now.add(name, labels, null);
      int o = old.take(now, e);
      long start;
      if (o < 0) {
        start = scrapeNanos;
      } else {
        start = value < old.last(o) ? scrapeNanos - 1_000_000 : old.start(o);
      }
      if (!Double.isNaN(created)) {
        start = (long) (created * 1e9);
      }
      now.set(e, start, value, layout);
      return start;
    }

    void gauge(ScrapedSample s, String help, String unit) {
      gauges.take(newGauges, newGauges.add(s.name(), s.labels(), null));
      Map<String, String> l = s.labels();
      NumberDataPoint.Builder p = NumberDataPoint.newBuilder().addAllAttributes(attrs(l))
          .setTimeUnixNano(time(s.timestampMs())).setAsDouble(s.value());
      metric(orEmpty(l.get("job")), orEmpty(l.get("instance")), s.name(), Kind.GAUGE, help, unit)
          .getGaugeBuilder().addDataPoints(p);
    }

    void counter(ScrapedSample s, String help, String unit, double created) {
      long start = advance(counters, newCounters, s.name(), s.labels(), s.value(), created, null);
      Map<String, String> l = s.labels();
      NumberDataPoint.Builder p = NumberDataPoint.newBuilder().addAllAttributes(attrs(l))
          .setStartTimeUnixNano(start).setTimeUnixNano(time(s.timestampMs())).setAsDouble(s.value());
      metric(orEmpty(l.get("job")), orEmpty(l.get("instance")), s.name(), Kind.COUNTER, help, unit)
          .getSumBuilder().addDataPoints(p);
    }

    void histogram(HistAcc h) {
      List<Double> bounds = new ArrayList<>(h.buckets.size());
      List<Long> counts = new ArrayList<>(h.buckets.size());
      double prev = 0;
      double inf = Double.NaN;
      for (Map.Entry<Double, Double> e : h.buckets.entrySet()) {
        if (Double.isInfinite(e.getKey())) {
          inf = e.getValue();
          continue;
        }
        bounds.add(e.getKey());
        counts.add((long) Math.max(0, e.getValue() - prev));
        prev = e.getValue();
      }
      double count = !Double.isNaN(h.count) ? h.count : Double.isNaN(inf) ? prev : inf;
      counts.add((long) Math.max(0, count - prev));
      double[] layout = bounds.stream().mapToDouble(Double::doubleValue).toArray();
      long start = advance(histograms, newHistograms, h.name, h.labels, count, h.created, layout);
      HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().addAllAttributes(attrs(h.labels))
          .setStartTimeUnixNano(start).setTimeUnixNano(time(h.timestampMs))
          .setCount((long) count).addAllExplicitBounds(bounds).addAllBucketCounts(counts);
      if (!Double.isNaN(h.sum)) {
        p.setSum(h.sum);
      }
      for (ExpositionParser.Exemplar e : h.exemplars) {
        p.addExemplars(exemplar(e));
      }
      metric(orEmpty(h.labels.get("job")), orEmpty(h.labels.get("instance")), h.name, Kind.HISTOGRAM, h.help, h.unit)
          .getHistogramBuilder().addDataPoints(p);
    }

    private io.opentelemetry.proto.metrics.v1.Exemplar exemplar(ExpositionParser.Exemplar e) {
      var ex = io.opentelemetry.proto.metrics.v1.Exemplar.newBuilder().setAsDouble(e.value())
          .setTimeUnixNano(e.timestampMs() == Long.MIN_VALUE ? scrapeNanos : e.timestampMs() * 1_000_000);
      for (int i = 0; i < e.labels().length; i += 2) {
        String n = e.labels()[i];
        String v = e.labels()[i + 1];
        if (n.equals("trace_id") && v.matches("[0-9a-fA-F]{32}")) {
          ex.setTraceId(com.google.protobuf.ByteString.fromHex(v.toLowerCase(java.util.Locale.ROOT)));
        } else if (n.equals("span_id") && v.matches("[0-9a-fA-F]{16}")) {
          ex.setSpanId(com.google.protobuf.ByteString.fromHex(v.toLowerCase(java.util.Locale.ROOT)));
        } else {
          ex.addFilteredAttributes(kv(n, v));
        }
      }
      return ex.build();
    }

    /** A protobuf native histogram: schema is the OTLP scale, Prometheus index i is OTLP index i - 1. */
    void exponential(ScrapedSample s, String help, String unit) {
      ExpositionParser.NativeHistogram nh = s.nativeHistogram();
      long start = advance(exponentials, newExponentials, s.name(), s.labels(), nh.count(), Double.NaN, null);
      ExponentialHistogramDataPoint.Builder p = ExponentialHistogramDataPoint.newBuilder()
          .addAllAttributes(attrs(s.labels())).setStartTimeUnixNano(start).setTimeUnixNano(time(s.timestampMs()))
          .setCount(nh.count()).setSum(nh.sum()).setScale(nh.schema()).setZeroCount(nh.zeroCount())
          .setZeroThreshold(nh.zeroThreshold())
          .setPositive(buckets(nh.positiveStart(), nh.positiveCounts()))
          .setNegative(buckets(nh.negativeStart(), nh.negativeCounts()));
      Map<String, String> l = s.labels();
      metric(orEmpty(l.get("job")), orEmpty(l.get("instance")), s.name(), Kind.EXPONENTIAL, help, unit)
          .getExponentialHistogramBuilder().addDataPoints(p);
    }

    private ExponentialHistogramDataPoint.Buckets buckets(int start, long[] counts) {
      ExponentialHistogramDataPoint.Buckets.Builder b = ExponentialHistogramDataPoint.Buckets.newBuilder();
      if (counts.length > 0) {
        b.setOffset(start - 1);
        for (long c : counts) {
          b.addBucketCounts(c);
        }
      }
      return b.build();
    }

    void summary(HistAcc h) {
      double count = Double.isNaN(h.count) ? 0 : h.count;
      double[] layout = h.buckets.keySet().stream().mapToDouble(Double::doubleValue).toArray();
      long start = advance(summaries, newSummaries, h.name, h.labels, count, h.created, layout);
      SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder().addAllAttributes(attrs(h.labels))
          .setStartTimeUnixNano(start).setTimeUnixNano(time(h.timestampMs))
          .setCount((long) count).setSum(Double.isNaN(h.sum) ? 0 : h.sum);
      h.buckets.forEach((q, v) -> p.addQuantileValues(
          SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q).setValue(v)));
      metric(orEmpty(h.labels.get("job")), orEmpty(h.labels.get("instance")), h.name, Kind.SUMMARY, h.help, h.unit)
          .getSummaryBuilder().addDataPoints(p);
    }

    /**
     * Stale markers for every point of the previous scrape not emitted now; whenever {@code
     * chunkPoints} points are pending they go to {@code out}.
     */
    void staleRemaining(int chunkPoints, Consumer<Metrics> out) {
      staleRemaining(gauges, Kind.GAUGE, chunkPoints, out);
      staleRemaining(counters, Kind.COUNTER, chunkPoints, out);
      staleRemaining(histograms, Kind.HISTOGRAM, chunkPoints, out);
      staleRemaining(summaries, Kind.SUMMARY, chunkPoints, out);
      staleRemaining(exponentials, Kind.EXPONENTIAL, chunkPoints, out);
    }

    private void staleRemaining(SeriesTable old, Kind kind, int chunkPoints, Consumer<Metrics> out) {
      boolean layouts = kind == Kind.HISTOGRAM || kind == Kind.SUMMARY;
      old.forEachNotTaken(e -> {
        stale(old.key(e), kind, layouts ? old.layout(e) : null);
        if (points >= chunkPoints) {
          out.accept(flush());
        }
      });
    }

    private void stale(String key, Kind kind, double[] layout) {
      String[] parts = key.split(String.valueOf(SEP), -1);
      Map<String, String> labels = new TreeMap<>();
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf(EQ);
        labels.put(unescape(parts[i].substring(0, eq)), unescape(parts[i].substring(eq + 1)));
      }
      Metric.Builder m = metric(orEmpty(labels.get("job")), orEmpty(labels.get("instance")), unescape(parts[0]), kind,
          "", "");
      List<KeyValue> attrs = attrs(labels);
      switch (kind) {
        case GAUGE -> m.getGaugeBuilder().addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attrs)
            .setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE));
        case COUNTER -> m.getSumBuilder().addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attrs)
            .setTimeUnixNano(scrapeNanos).setStartTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE));
        case HISTOGRAM -> {
          HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().addAllAttributes(attrs)
              .setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE);
          for (double b : layout) {
            p.addExplicitBounds(b).addBucketCounts(0);
          }
          m.getHistogramBuilder().addDataPoints(p.addBucketCounts(0));
        }
        case SUMMARY -> {
          SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder().addAllAttributes(attrs)
              .setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE);
          for (double q : layout) {
            p.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q));
          }
          m.getSummaryBuilder().addDataPoints(p);
        }
        case EXPONENTIAL -> m.getExponentialHistogramBuilder().addDataPoints(ExponentialHistogramDataPoint.newBuilder()
            .addAllAttributes(attrs).setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE));
      }
    }

    /** Installs the state for the next scrape and returns the rest of the OTLP request. */
    Metrics finish() {
      gauges = newGauges;
      counters = newCounters;
      histograms = newHistograms;
      summaries = newSummaries;
      exponentials = newExponentials;
      return flush();
    }

    /** The points added since the last call, as an OTLP request. */
    Metrics flush() {
      points = 0;
      last = null;
      List<ResourceMetrics> out = new ArrayList<>(byResource.size());
      for (ResourceAcc r : byResource.values()) {
        ScopeMetrics.Builder sm = ScopeMetrics.newBuilder().setScope(SCOPE);
        for (Map<String, Metric.Builder> metrics : r.byKind) {
          metrics.values().forEach(sm::addMetrics);
        }
        out.add(ResourceMetrics.newBuilder()
            .setResource(resource(r.job, r.instance, targetInfo.getOrDefault(resourceKey(r.job, r.instance), Map.of())))
            .addScopeMetrics(sm).build());
      }
      byResource.clear();
      return Metrics.of(out);
    }
  }

  private Resource resource(String job, String instance, Map<String, String> info) {
    Resource.Builder r = Resource.newBuilder();
    int slash = job.indexOf('/');
    if (slash >= 0) {
      r.addAttributes(kv("service.namespace", job.substring(0, slash)));
      r.addAttributes(kv("service.name", job.substring(slash + 1)));
    } else if (!job.isEmpty()) {
      r.addAttributes(kv("service.name", job));
    }
    if (!instance.isEmpty()) {
      r.addAttributes(kv("service.instance.id", instance));
      int colon = instance.lastIndexOf(':');
      String port = instance.substring(colon + 1);
      // With honor_labels the page sets instance: a port is at most five ASCII digits, anything
      // longer would not even parse as a long.
      if (colon > 0 && !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        r.addAttributes(kv("server.address", instance.substring(0, colon)));
        r.addAttributes(KeyValue.newBuilder().setKey("server.port")
            .setValue(AnyValue.newBuilder().setIntValue(Integer.parseInt(port))).build());
      }
      r.addAttributes(kv("url.scheme", scheme));
    }
    info.forEach((k, v) -> r.addAttributes(kv(k, v)));
    return r.build();
  }

  /** Point attributes: every label but job and instance, which are the resource's. */
  private static List<KeyValue> attrs(Map<String, String> labels) {
    List<KeyValue> out = new ArrayList<>(labels.size());
    labels.forEach((k, v) -> {
      if (!k.equals("job") && !k.equals("instance")) {
        out.add(kv(k, v));
      }
    });
    return out;
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }
}
