package io.sluice.receiver.prometheus;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
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
 *       _count}); summary → Summary;
 *   <li>{@code job}/{@code instance} → {@code service.namespace}/{@code service.name}, {@code
 *       service.instance.id}, {@code server.address}, {@code server.port}, {@code url.scheme};
 *       {@code target_info} labels → resource attributes; other labels → point attributes;
 *   <li>a point emitted by the previous scrape and missing now gets a point flagged {@code
 *       FLAG_NO_RECORDED_VALUE} (Prometheus staleness).
 * </ul>
 */
final class ScrapeConverter {
  static final int NO_RECORDED_VALUE = 1;
  private static final InstrumentationScope SCOPE =
      InstrumentationScope.newBuilder().setName("io.sluice.receiver.prometheus").build();
  private static final String[] SUFFIXES = {"_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum", "_info"};

  /** A sample after relabeling. Labels exclude {@code __name__}. */
  record ScrapedSample(String name, Map<String, String> labels, double value, long timestampMs,
      ExpositionParser.Exemplar exemplar) {}

  /** Identity of an emitted point, and what a stale marker for it needs. */
  private record PointKey(String job, String instance, String metric, Kind kind, Map<String, String> attrs) {}

  private enum Kind { GAUGE, COUNTER, HISTOGRAM, SUMMARY }

  private record Template(double[] bounds, double[] quantiles, String unit, String help) {}

  private final String scheme;
  private Map<PointKey, Template> previous = new HashMap<>();
  private final Map<PointKey, long[]> starts = new HashMap<>();
  private final Map<PointKey, Double> lastValues = new HashMap<>();

  ScrapeConverter(String scheme) {
    this.scheme = scheme;
  }

  /** Builds the metrics of a successful scrape, plus stale markers for vanished points. */
  Metrics convert(List<ScrapedSample> samples, Map<String, ExpositionParser.Family> families, long scrapeMs,
      List<ScrapedSample> synthetic) {
    Builder b = new Builder(scrapeMs);
    Map<List<String>, Map<String, String>> targetInfo = new HashMap<>();
    for (ScrapedSample s : samples) {
      if (s.name().equals("target_info")) {
        Map<String, String> attrs = new TreeMap<>(s.labels());
        attrs.remove("job");
        attrs.remove("instance");
        targetInfo.put(List.of(s.labels().getOrDefault("job", ""), s.labels().getOrDefault("instance", "")), attrs);
      }
    }
    b.targetInfo = targetInfo;
    Map<String, Double> created = new HashMap<>();
    for (ScrapedSample s : samples) {
      if (s.name().endsWith("_created")) {
        String base = s.name().substring(0, s.name().length() - "_created".length());
        ExpositionParser.Family f = families.get(base);
        if (f != null && f.type.equals("counter")) {
          created.put(base + new TreeMap<>(s.labels()), s.value());
        }
      }
    }
    Map<String, HistAcc> hists = new LinkedHashMap<>();
    for (ScrapedSample s : samples) {
      if (s.name().equals("target_info")) {
        continue;
      }
      String[] fam = family(s.name(), families);
      String base = fam[0];
      String type = fam[1];
      ExpositionParser.Family meta = families.get(base);
      String help = meta == null ? "" : meta.help;
      String unit = meta == null ? "" : unitOf(meta.unit);
      switch (type) {
        case "counter" -> {
          if (!s.name().endsWith("_created") || s.name().equals(base)) {
            b.counter(s, help, unit, created.getOrDefault(base + new TreeMap<>(s.labels()), Double.NaN));
          }
        }
        case "histogram" -> {
          String key = "le";
          HistAcc h = hist(hists, base, s, key);
          h.help = help;
          h.unit = unit;
          h.histogram = true;
          h.add(s, base, key);
        }
        case "summary" -> {
          HistAcc h = hist(hists, base, s, "quantile");
          h.help = help;
          h.unit = unit;
          h.add(s, base, "quantile");
        }
        default -> b.gauge(s.name(), s, help, unit);
      }
    }
    for (HistAcc h : hists.values()) {
      if (h.histogram) {
        b.histogram(h);
      } else {
        b.summary(h);
      }
    }
    for (ScrapedSample s : synthetic) {
      b.gauge(s.name(), s, "", "");
    }
    for (Map.Entry<PointKey, Template> e : previous.entrySet()) {
      if (!b.emitted.containsKey(e.getKey())) {
        b.stale(e.getKey(), e.getValue());
      }
    }
    previous = b.emitted;
    starts.keySet().retainAll(previous.keySet());
    lastValues.keySet().retainAll(previous.keySet());
    return b.build();
  }

  /** A failed scrape or a removed target: stale markers for everything, plus the synthetic series. */
  Metrics down(long scrapeMs, List<ScrapedSample> synthetic, boolean removed) {
    Builder b = new Builder(scrapeMs);
    b.targetInfo = Map.of();
    for (ScrapedSample s : synthetic) {
      b.gauge(s.name(), s, "", "");
    }
    Map<PointKey, Template> keep = b.emitted;
    for (Map.Entry<PointKey, Template> e : previous.entrySet()) {
      if (removed || !keep.containsKey(e.getKey())) {
        b.stale(e.getKey(), e.getValue());
      }
    }
    previous = removed ? new HashMap<>() : new HashMap<>(keep);
    starts.clear();
    lastValues.clear();
    return b.build();
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
    return new String[] {name, f == null || f.type.isEmpty() ? "unknown" : f.type};
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

  private static HistAcc hist(Map<String, HistAcc> hists, String base, ScrapedSample s, String without) {
    Map<String, String> labels = new TreeMap<>(s.labels());
    if (without != null) {
      labels.remove(without);
    }
    return hists.computeIfAbsent(base + labels, k -> new HistAcc(base, labels));
  }

  /** Collects the samples of one histogram or summary point. */
  static final class HistAcc {
    final String name;
    final Map<String, String> labels;
    final TreeMap<Double, Double> buckets = new TreeMap<>();
    final List<ExpositionParser.Exemplar> exemplars = new ArrayList<>();
    double sum = Double.NaN;
    double count = Double.NaN;
    double created = Double.NaN;
    long timestampMs = Long.MIN_VALUE;
    boolean histogram;
    String help = "";
    String unit = "";

    HistAcc(String name, Map<String, String> labels) {
      this.name = name;
      this.labels = labels;
    }

    void add(ScrapedSample s, String base, String key) {
      timestampMs = Math.max(timestampMs, s.timestampMs());
      String suffix = s.name().substring(base.length());
      switch (suffix) {
        case "_sum" -> sum = s.value();
        case "_count" -> count = s.value();
        case "_created" -> created = s.value();
        default -> {
          String le = s.labels().get(key);
          if (le != null) {
            try {
              buckets.put(Double.parseDouble(le.replace("+Inf", "Infinity").replace("Inf", "Infinity")), s.value());
            } catch (NumberFormatException e) {
              // a bucket whose bound is not a number cannot be placed; Prometheus keeps it as a series
            }
            if (s.exemplar() != null) {
              exemplars.add(s.exemplar());
            }
          }
        }
      }
    }
  }

  /** Builds one scrape's OTLP request. */
  private final class Builder {
    final long scrapeNanos;
    final Map<PointKey, Template> emitted = new HashMap<>();
    final Map<List<String>, Map<String, Metric.Builder>> byResource = new LinkedHashMap<>();
    Map<List<String>, Map<String, String>> targetInfo;

    Builder(long scrapeMs) {
      this.scrapeNanos = scrapeMs * 1_000_000;
    }

    private Metric.Builder metric(String job, String instance, String name, Kind kind, String help, String unit) {
      Map<String, Metric.Builder> metrics = byResource.computeIfAbsent(List.of(job, instance), k -> new LinkedHashMap<>());
      return metrics.computeIfAbsent(name + "\u0000" + kind, k -> {
        Metric.Builder m = Metric.newBuilder().setName(name).setDescription(help).setUnit(unit);
        switch (kind) {
          case GAUGE -> m.setGauge(Gauge.newBuilder());
          case COUNTER -> m.setSum(Sum.newBuilder().setIsMonotonic(true)
              .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
          case HISTOGRAM -> m.setHistogram(Histogram.newBuilder()
              .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
          case SUMMARY -> m.setSummary(Summary.newBuilder());
        }
        return m;
      });
    }

    private PointKey key(Map<String, String> labels, String name, Kind kind) {
      Map<String, String> attrs = new TreeMap<>(labels);
      String job = attrs.remove("job");
      String instance = attrs.remove("instance");
      return new PointKey(job == null ? "" : job, instance == null ? "" : instance, name, kind, attrs);
    }

    private long time(long tsMs) {
      return tsMs == Long.MIN_VALUE ? scrapeNanos : tsMs * 1_000_000;
    }

    /** Start time for a cumulative point: created, or first seen, reset on decrease. */
    private long start(PointKey k, double value, double created) {
      if (!Double.isNaN(created)) {
        return (long) (created * 1e9);
      }
      long[] st = starts.get(k);
      Double last = lastValues.put(k, value);
      if (st == null) {
        st = new long[] {scrapeNanos};
        starts.put(k, st);
      } else if (last != null && value < last) {
        st[0] = scrapeNanos - 1_000_000;
      }
      return st[0];
    }

    void gauge(String name, ScrapedSample s, String help, String unit) {
      PointKey k = key(s.labels(), name, Kind.GAUGE);
      emitted.put(k, new Template(null, null, unit, help));
      NumberDataPoint.Builder p = NumberDataPoint.newBuilder().addAllAttributes(attrs(k.attrs()))
          .setTimeUnixNano(time(s.timestampMs())).setAsDouble(s.value());
      metric(k.job(), k.instance(), name, Kind.GAUGE, help, unit).getGaugeBuilder().addDataPoints(p);
    }

    void counter(ScrapedSample s, String help, String unit, double created) {
      PointKey k = key(s.labels(), s.name(), Kind.COUNTER);
      emitted.put(k, new Template(null, null, unit, help));
      NumberDataPoint.Builder p = NumberDataPoint.newBuilder().addAllAttributes(attrs(k.attrs()))
          .setStartTimeUnixNano(start(k, s.value(), created))
          .setTimeUnixNano(time(s.timestampMs())).setAsDouble(s.value());
      metric(k.job(), k.instance(), s.name(), Kind.COUNTER, help, unit).getSumBuilder().addDataPoints(p);
    }

    void histogram(HistAcc h) {
      PointKey k = key(h.labels, h.name, Kind.HISTOGRAM);
      List<Double> bounds = new ArrayList<>();
      List<Long> counts = new ArrayList<>();
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
      double[] b = bounds.stream().mapToDouble(Double::doubleValue).toArray();
      emitted.put(k, new Template(b, null, h.unit, h.help));
      HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().addAllAttributes(attrs(k.attrs()))
          .setStartTimeUnixNano(start(k, count, h.created)).setTimeUnixNano(time(h.timestampMs))
          .setCount((long) count).addAllExplicitBounds(bounds).addAllBucketCounts(counts);
      if (!Double.isNaN(h.sum)) {
        p.setSum(h.sum);
      }
      for (ExpositionParser.Exemplar e : h.exemplars) {
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
        p.addExemplars(ex);
      }
      metric(k.job(), k.instance(), h.name, Kind.HISTOGRAM, h.help, h.unit).getHistogramBuilder().addDataPoints(p);
    }

    void summary(HistAcc h) {
      PointKey k = key(h.labels, h.name, Kind.SUMMARY);
      double count = Double.isNaN(h.count) ? 0 : h.count;
      double[] qs = h.buckets.keySet().stream().mapToDouble(Double::doubleValue).toArray();
      emitted.put(k, new Template(null, qs, h.unit, h.help));
      SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder().addAllAttributes(attrs(k.attrs()))
          .setStartTimeUnixNano(start(k, count, h.created)).setTimeUnixNano(time(h.timestampMs))
          .setCount((long) count).setSum(Double.isNaN(h.sum) ? 0 : h.sum);
      h.buckets.forEach((q, v) -> p.addQuantileValues(
          SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q).setValue(v)));
      metric(k.job(), k.instance(), h.name, Kind.SUMMARY, h.help, h.unit).getSummaryBuilder().addDataPoints(p);
    }

    void stale(PointKey k, Template t) {
      Metric.Builder m = metric(k.job(), k.instance(), k.metric(), k.kind(), t.help(), t.unit());
      List<KeyValue> attrs = attrs(k.attrs());
      switch (k.kind()) {
        case GAUGE -> m.getGaugeBuilder().addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attrs)
            .setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE));
        case COUNTER -> m.getSumBuilder().addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attrs)
            .setTimeUnixNano(scrapeNanos).setStartTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE));
        case HISTOGRAM -> {
          HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().addAllAttributes(attrs)
              .setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE);
          for (double b : t.bounds()) {
            p.addExplicitBounds(b).addBucketCounts(0);
          }
          m.getHistogramBuilder().addDataPoints(p.addBucketCounts(0));
        }
        case SUMMARY -> {
          SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder().addAllAttributes(attrs)
              .setTimeUnixNano(scrapeNanos).setFlags(NO_RECORDED_VALUE);
          for (double q : t.quantiles()) {
            p.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q));
          }
          m.getSummaryBuilder().addDataPoints(p);
        }
      }
    }

    Metrics build() {
      List<ResourceMetrics> out = new ArrayList<>();
      byResource.forEach((jobInstance, metrics) -> {
        ScopeMetrics.Builder sm = ScopeMetrics.newBuilder().setScope(SCOPE);
        metrics.values().forEach(sm::addMetrics);
        out.add(ResourceMetrics.newBuilder().setResource(resource(jobInstance.get(0), jobInstance.get(1),
            targetInfo.getOrDefault(jobInstance, Map.of()))).addScopeMetrics(sm).build());
      });
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
      if (colon > 0 && instance.substring(colon + 1).chars().allMatch(Character::isDigit) && colon < instance.length() - 1) {
        r.addAttributes(kv("server.address", instance.substring(0, colon)));
        r.addAttributes(KeyValue.newBuilder().setKey("server.port")
            .setValue(AnyValue.newBuilder().setIntValue(Long.parseLong(instance.substring(colon + 1)))).build());
      }
      r.addAttributes(kv("url.scheme", scheme));
    }
    info.forEach((k, v) -> r.addAttributes(kv(k, v)));
    return r.build();
  }

  private static List<KeyValue> attrs(Map<String, String> attrs) {
    List<KeyValue> out = new ArrayList<>(attrs.size());
    attrs.forEach((k, v) -> out.add(kv(k, v)));
    return out;
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }
}
