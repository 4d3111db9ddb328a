package io.sluice.exporter.prometheusremotewrite;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.sluice.exporter.prometheusremotewrite.PromNaming.Kind;
import io.sluice.exporter.prometheusremotewrite.WriteRequestEncoder.Metadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns OTLP metrics into Prometheus series, per the OpenTelemetry "Prometheus and OpenMetrics
 * compatibility" specification: gauges and sums become one series per point, histograms become
 * {@code _bucket} (cumulative, with {@code le} up to {@code +Inf}), {@code _sum} and {@code _count},
 * summaries become {@code quantile} series plus {@code _sum} and {@code _count}. The resource gives
 * {@code job} ({@code service.namespace/service.name}) and {@code instance} ({@code
 * service.instance.id}), and its other attributes a {@code target_info} series. Points flagged
 * {@code FLAG_NO_RECORDED_VALUE} become Prometheus stale markers.
 *
 * <p>Exponential histograms become native histograms when {@code send_native_histograms} is set.
 * Not representable, dropped and counted: delta temporality sums and histograms, exponential
 * histograms otherwise or with a scale below -4.
 */
final class MetricTranslator {
  private static final int NO_RECORDED_VALUE = 1;
  private static final String SERVICE_NAME = "service.name";
  private static final String SERVICE_NAMESPACE = "service.namespace";
  private static final String SERVICE_INSTANCE_ID = "service.instance.id";

  private final PrometheusRemoteWriteConfig config;
  private final Map<String, String> externalLabels;

  /** What one batch became. */
  static final class Result {
    /** The series in the order first seen; a batch of one scrape holds them all at once. */
    final List<PromSeries> series = new ArrayList<>();
    final Map<String, Metadata> metadata = new LinkedHashMap<>();
    int droppedDelta;
    int droppedExponential;
    /**
     * Open addressing over {@link #series} (position + 1) by label hash: about 12 bytes a series
     * where a LinkedHashMap with a key object took 56.
     */
    private int[] index = new int[64];

    /** The series with these labels, added if new. */
    PromSeries series(String[] labels) {
      int h = Arrays.hashCode(labels);
      int mask = index.length - 1;
      int slot = spread(h) & mask;
      for (; index[slot] != 0; slot = (slot + 1) & mask) {
        PromSeries s = series.get(index[slot] - 1);
        if (s.hash == h && Arrays.equals(s.labels, labels)) {
          return s;
        }
      }
      PromSeries s = new PromSeries(labels, h);
      series.add(s);
      index[slot] = series.size();
      if (series.size() * 2 > index.length) {
        index = new int[index.length * 2];
        for (int i = 0; i < series.size(); i++) {
          int j = spread(series.get(i).hash) & (index.length - 1);
          while (index[j] != 0) {
            j = (j + 1) & (index.length - 1);
          }
          index[j] = i + 1;
        }
      }
      return s;
    }

    private static int spread(int h) {
      return h ^ (h >>> 16);
    }
  }

  MetricTranslator(PrometheusRemoteWriteConfig config) {
    this.config = config;
    Map<String, String> ext = new TreeMap<>();
    config.externalLabels().forEach((k, v) -> ext.put(PromNaming.labelName(k), v));
    this.externalLabels = ext;
  }

  Result translate(ExportMetricsServiceRequest request) {
    Result out = new Result();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      translateResource(rm, out);
    }
    for (PromSeries s : out.series) {
      s.sortSamples();
    }
    return out;
  }

  private void translateResource(ResourceMetrics rm, Result out) {
    Map<String, AnyValue> res = new LinkedHashMap<>();
    for (KeyValue kv : rm.getResource().getAttributesList()) {
      res.put(kv.getKey(), kv.getValue());
    }
    Map<String, String> base = new TreeMap<>();
    if (config.resourceToTelemetryConversion().enabled()) {
      putAttributes(base, rm.getResource().getAttributesList());
    }
    String job = job(res);
    String instance = res.containsKey(SERVICE_INSTANCE_ID) ? asString(res.get(SERVICE_INSTANCE_ID)) : null;
    long latestMs = 0;
    for (ScopeMetrics sm : rm.getScopeMetricsList()) {
      for (Metric m : sm.getMetricsList()) {
        latestMs = Math.max(latestMs, translateMetric(m, base, job, instance, out));
      }
    }
    if (config.targetInfo().enabled() && latestMs > 0) {
      List<KeyValue> info = new ArrayList<>();
      for (KeyValue kv : rm.getResource().getAttributesList()) {
        String k = kv.getKey();
        if (!k.equals(SERVICE_NAME) && !k.equals(SERVICE_NAMESPACE) && !k.equals(SERVICE_INSTANCE_ID)) {
          info.add(kv);
        }
      }
      if (!info.isEmpty()) {
        Map<String, String> labels = new TreeMap<>();
        putAttributes(labels, info);
        String name = config.namespace().isEmpty() ? "target_info" : config.namespace() + "_target_info";
        series(out, name, labels, job, instance, null, null).add(1, latestMs);
        if (config.sendMetadata()) {
          out.metadata.putIfAbsent(name, new Metadata(Metadata.GAUGE, name, "Target metadata", ""));
        }
      }
    }
  }

  private static String job(Map<String, AnyValue> res) {
    if (!res.containsKey(SERVICE_NAME)) {
      return null;
    }
    String name = asString(res.get(SERVICE_NAME));
    AnyValue ns = res.get(SERVICE_NAMESPACE);
    return ns == null || asString(ns).isEmpty() ? name : asString(ns) + "/" + name;
  }

  /** Returns the latest timestamp (ms) of the metric's points. */
  private long translateMetric(Metric m, Map<String, String> base, String job, String instance, Result out) {
    long latest = 0;
    switch (m.getDataCase()) {
      case GAUGE -> {
        String name = name(m, Kind.GAUGE);
        meta(out, Metadata.GAUGE, name, m);
        for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
          latest = Math.max(latest, number(out, name, p, base, job, instance));
        }
      }
      case SUM -> {
        var sum = m.getSum();
        boolean cumulative = sum.getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
        if (!cumulative) {
          out.droppedDelta += sum.getDataPointsCount();
          return 0;
        }
        Kind kind = sum.getIsMonotonic() ? Kind.COUNTER : Kind.GAUGE;
        String name = name(m, kind);
        meta(out, sum.getIsMonotonic() ? Metadata.COUNTER : Metadata.GAUGE, name, m);
        for (NumberDataPoint p : sum.getDataPointsList()) {
          latest = Math.max(latest, number(out, name, p, base, job, instance));
        }
      }
      case HISTOGRAM -> {
        var h = m.getHistogram();
        if (h.getAggregationTemporality() != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          out.droppedDelta += h.getDataPointsCount();
          return 0;
        }
        String name = name(m, Kind.OTHER);
        meta(out, Metadata.HISTOGRAM, name, m);
        for (HistogramDataPoint p : h.getDataPointsList()) {
          latest = Math.max(latest, histogram(out, name, p, base, job, instance));
        }
      }
      case SUMMARY -> {
        String name = name(m, Kind.OTHER);
        meta(out, Metadata.SUMMARY, name, m);
        for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
          latest = Math.max(latest, summary(out, name, p, base, job, instance));
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        var eh = m.getExponentialHistogram();
        if (!config.sendNativeHistograms()
            || eh.getAggregationTemporality() != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          out.droppedExponential += eh.getDataPointsCount();
          return 0;
        }
        String name = name(m, Kind.OTHER);
        meta(out, Metadata.HISTOGRAM, name, m);
        for (ExponentialHistogramDataPoint p : eh.getDataPointsList()) {
          var h = NativeHistograms.convert(p, (p.getFlags() & NO_RECORDED_VALUE) != 0);
          if (h == null) {
            out.droppedExponential++;
            continue;
          }
          series(out, name, labels(base, p.getAttributesList()), job, instance, null, null).addHistogram(h);
          latest = Math.max(latest, h.timestampMs());
        }
      }
      case DATA_NOT_SET -> {
        // nothing to write
      }
    }
    return latest;
  }

  private String name(Metric m, Kind kind) {
    return PromNaming.metricName(m.getName(), m.getUnit(), kind, config.namespace(), config.addMetricSuffixes());
  }

  private void meta(Result out, int type, String name, Metric m) {
    if (config.sendMetadata()) {
      out.metadata.putIfAbsent(name, new Metadata(type, name, m.getDescription(), m.getUnit()));
    }
  }

  private long number(Result out, String name, NumberDataPoint p, Map<String, String> base, String job, String instance) {
    Map<String, String> labels = labels(base, p.getAttributesList());
    double v = (p.getFlags() & NO_RECORDED_VALUE) != 0 ? PromSeries.STALE_NAN
        : p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? (double) p.getAsInt() : p.getAsDouble();
    long ts = p.getTimeUnixNano() / 1_000_000;
    PromSeries s = series(out, name, labels, job, instance, null, null);
    s.add(v, ts);
    for (Exemplar e : p.getExemplarsList()) {
      s.addExemplar(exemplar(e));
    }
    return ts;
  }

  private long histogram(Result out, String name, HistogramDataPoint p, Map<String, String> base, String job, String instance) {
    Map<String, String> labels = labels(base, p.getAttributesList());
    long ts = p.getTimeUnixNano() / 1_000_000;
    boolean stale = (p.getFlags() & NO_RECORDED_VALUE) != 0;
    int nb = p.getExplicitBoundsCount();
    List<Exemplar> exemplars = p.getExemplarsList();
    long cumulative = 0;
    String bucketName = name + "_bucket";
    for (int i = 0; i <= nb; i++) {
      double bound = i < nb ? p.getExplicitBounds(i) : Double.POSITIVE_INFINITY;
      if (i < p.getBucketCountsCount()) {
        cumulative += p.getBucketCounts(i);
      }
      double v = stale ? PromSeries.STALE_NAN : i < nb ? cumulative : p.getCount();
      PromSeries s = series(out, bucketName, labels, job, instance, "le", PromNaming.goFloat(bound));
      s.add(v, ts);
      double lower = i == 0 ? Double.NEGATIVE_INFINITY : p.getExplicitBounds(i - 1);
      for (Exemplar e : exemplars) {
        double ev = exemplarValue(e);
        if (ev > lower && ev <= bound) {
          s.addExemplar(exemplar(e));
        }
      }
    }
    if (p.hasSum() || stale) {
      series(out, name + "_sum", labels, job, instance, null, null).add(stale ? PromSeries.STALE_NAN : p.getSum(), ts);
    }
    series(out, name + "_count", labels, job, instance, null, null).add(stale ? PromSeries.STALE_NAN : p.getCount(), ts);
    return ts;
  }

  private long summary(Result out, String name, SummaryDataPoint p, Map<String, String> base, String job, String instance) {
    Map<String, String> labels = labels(base, p.getAttributesList());
    long ts = p.getTimeUnixNano() / 1_000_000;
    boolean stale = (p.getFlags() & NO_RECORDED_VALUE) != 0;
    for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
      series(out, name, labels, job, instance, "quantile", PromNaming.goFloat(q.getQuantile()))
          .add(stale ? PromSeries.STALE_NAN : q.getValue(), ts);
    }
    series(out, name + "_sum", labels, job, instance, null, null).add(stale ? PromSeries.STALE_NAN : p.getSum(), ts);
    series(out, name + "_count", labels, job, instance, null, null).add(stale ? PromSeries.STALE_NAN : p.getCount(), ts);
    return ts;
  }

  private Map<String, String> labels(Map<String, String> base, List<KeyValue> attributes) {
    if (base.isEmpty()) {
      Map<String, String> labels = new TreeMap<>();
      putAttributes(labels, attributes);
      return labels;
    }
    Map<String, String> labels = new TreeMap<>(base);
    Map<String, String> own = new TreeMap<>();
    putAttributes(own, attributes);
    labels.putAll(own);
    return labels;
  }

  private PromSeries series(Result out, String name, Map<String, String> labels, String job, String instance,
      String extraName, String extraValue) {
    // The TreeMap this replaces cost more than the rest of the translation: a handful of labels
    // are merged in a small array and sorted once.
    String[] arr = new String[2 * (labels.size() + 4 + externalLabels.size())];
    int[] n = {0};
    labels.forEach((k, v) -> n[0] = put(arr, n[0], k, v, true));
    int size = n[0];
    if (job != null) {
      size = put(arr, size, "job", job, true);
    }
    if (instance != null) {
      size = put(arr, size, "instance", instance, true);
    }
    if (extraName != null) {
      size = put(arr, size, extraName, extraValue, true);
    }
    for (Map.Entry<String, String> e : externalLabels.entrySet()) {
      size = put(arr, size, e.getKey(), e.getValue(), false);
    }
    size = put(arr, size, "__name__", name, true);
    int kept = 0;
    for (int i = 0; i < size; i += 2) {
      if (!arr[i + 1].isEmpty()) {
        String k = arr[i];
        String v = arr[i + 1];
        int j = kept;
        while (j > 0 && arr[j - 2].compareTo(k) > 0) {
          arr[j] = arr[j - 2];
          arr[j + 1] = arr[j - 1];
          j -= 2;
        }
        arr[j] = k;
        arr[j + 1] = v;
        kept += 2;
      }
    }
    String[] sorted = kept == arr.length ? arr : Arrays.copyOf(arr, kept);
    return out.series(sorted);
  }

  /** Sets (or, unless {@code replace}, keeps) label {@code k} among the first {@code size} slots; returns the new size. */
  private static int put(String[] arr, int size, String k, String v, boolean replace) {
    for (int i = 0; i < size; i += 2) {
      if (arr[i].equals(k)) {
        if (replace) {
          arr[i + 1] = v;
        }
        return size;
      }
    }
    arr[size] = k;
    arr[size + 1] = v;
    return size + 2;
  }

  /**
   * Attributes as labels; keys that sanitize to the same label name are joined with {@code ;} in
   * the order of their original keys, as the Collector does.
   */
  private static void putAttributes(Map<String, String> into, List<KeyValue> attributes) {
    if (attributes.size() == 1) {
      // Nothing to join: the common case of one attribute, without the two maps.
      String name = PromNaming.labelName(attributes.get(0).getKey());
      if (!name.isEmpty()) {
        into.put(name, asString(attributes.get(0).getValue()));
      }
      return;
    }
    Map<String, String> sorted = new TreeMap<>();
    for (KeyValue kv : attributes) {
      sorted.put(kv.getKey(), asString(kv.getValue()));
    }
    Map<String, String> merged = new HashMap<>();
    sorted.forEach((k, v) -> merged.merge(PromNaming.labelName(k), v, (a, b) -> a + ";" + b));
    merged.remove("");
    into.putAll(merged);
  }

  private static PromSeries.Exemplar exemplar(Exemplar e) {
    Map<String, String> labels = new TreeMap<>();
    putAttributes(labels, e.getFilteredAttributesList());
    if (!e.getTraceId().isEmpty()) {
      labels.put("trace_id", HexFormat.of().formatHex(e.getTraceId().toByteArray()));
    }
    if (!e.getSpanId().isEmpty()) {
      labels.put("span_id", HexFormat.of().formatHex(e.getSpanId().toByteArray()));
    }
    String[] arr = new String[labels.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> en : labels.entrySet()) {
      arr[i++] = en.getKey();
      arr[i++] = en.getValue();
    }
    return new PromSeries.Exemplar(arr, exemplarValue(e), e.getTimeUnixNano() / 1_000_000);
  }

  private static double exemplarValue(Exemplar e) {
    return e.getValueCase() == Exemplar.ValueCase.AS_INT ? e.getAsInt() : e.getAsDouble();
  }

  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> PromNaming.goFloat(v.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE -> {
        List<String> parts = new ArrayList<>();
        v.getArrayValue().getValuesList().forEach(a -> parts.add(json(a)));
        yield "[" + String.join(",", parts) + "]";
      }
      case KVLIST_VALUE -> {
        List<String> parts = new ArrayList<>();
        v.getKvlistValue().getValuesList().forEach(kv -> parts.add(quoteJson(kv.getKey()) + ":" + json(kv.getValue())));
        yield "{" + String.join(",", parts) + "}";
      }
      case VALUE_NOT_SET -> "";
      default -> "";
    };
  }

  private static String json(AnyValue v) {
    return v.getValueCase() == AnyValue.ValueCase.STRING_VALUE ? quoteJson(v.getStringValue()) : asString(v);
  }

  private static String quoteJson(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
