package io.sluice.core.telemetry;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.SelfTelemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/**
 * The daemon's self-metrics: one Prometheus registry, with a {@link SelfTelemetry} view per
 * component that adds the component's label ({@code receiver="otlp"}). Instruments of the same
 * name are shared across components, so label names must be the same for one name. Counters and
 * histograms carry no exemplars: the daemon's own work has no trace to point at, and each sampler
 * would keep the client's scheduler thread busy for nothing.
 */
public final class SelfMetrics {
  private final PrometheusRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
  private final Map<String, List<GaugeEntry>> gauges = new ConcurrentHashMap<>();
  private final Map<String, List<String>> labelNamesByMetric = new ConcurrentHashMap<>();

  private record GaugeEntry(String[] labelValues, DoubleSupplier value) {}

  /** Self-metrics in a new, private registry. */
  public SelfMetrics() {
    this(new PrometheusRegistry());
  }

  /** Self-metrics in the given registry. */
  public SelfMetrics(PrometheusRegistry registry) {
    this.registry = registry;
  }

  /** The registry, e.g. to add JVM metrics or serve it. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** The view for one component: every instrument gets {@code <kind>="<id>"}. */
  public SelfTelemetry forComponent(ComponentKind kind, ComponentId id) {
    return scoped(kind.label(), id.toString());
  }

  /**
   * The view for one component instance of a pipeline (a processor): every instrument gets {@code
   * <kind>="<id>"} and {@code pipeline="<pipeline id>"}, because a processor named in several
   * pipelines runs once per pipeline and each instance reports its own values.
   */
  public SelfTelemetry forComponent(ComponentKind kind, ComponentId id, String pipeline) {
    return pipeline.isEmpty() ? forComponent(kind, id) : scoped(kind.label(), id.toString(), "pipeline", pipeline);
  }

  /** A view that adds fixed label pairs ({@code name, value, ...}) to every instrument. */
  public SelfTelemetry scoped(String... basePairs) {
    String[] base = basePairs.clone();
    return new SelfTelemetry() {
      @Override
      public Counter counter(String name, String help, String... labelPairs) {
        String[] pairs = concat(base, labelPairs);
        io.prometheus.metrics.core.metrics.Counter c =
            counters.computeIfAbsent(
                name,
                n ->
                    io.prometheus.metrics.core.metrics.Counter.builder()
                        .name(n)
                        .help(help)
                        .labelNames(names(n, pairs))
                        .withoutExemplars()
                        .register(registry));
        checkNames(name, pairs);
        var dp = c.labelValues(values(pairs));
        return dp::inc;
      }

      @Override
      public void gauge(String name, String help, DoubleSupplier value, String... labelPairs) {
        String[] pairs = concat(base, labelPairs);
        List<GaugeEntry> entries =
            gauges.computeIfAbsent(
                name,
                n -> {
                  List<GaugeEntry> list = new CopyOnWriteArrayList<>();
                  GaugeWithCallback.builder()
                      .name(n)
                      .help(help)
                      .labelNames(names(n, pairs))
                      .callback(cb -> list.forEach(e -> cb.call(e.value().getAsDouble(), e.labelValues())))
                      .register(registry);
                  return list;
                });
        checkNames(name, pairs);
        String[] labelValues = values(pairs);
        // A second registration with the same labels replaces the first: two series with equal
        // labels would make every scrape of /metrics fail.
        entries.removeIf(e -> Arrays.equals(e.labelValues(), labelValues));
        entries.add(new GaugeEntry(labelValues, value));
      }

      @Override
      public Histogram histogram(String name, String help, double[] buckets, String... labelPairs) {
        String[] pairs = concat(base, labelPairs);
        io.prometheus.metrics.core.metrics.Histogram h =
            histograms.computeIfAbsent(
                name,
                n ->
                    io.prometheus.metrics.core.metrics.Histogram.builder()
                        .name(n)
                        .help(help)
                        .classicOnly()
                        .classicUpperBounds(buckets)
                        .labelNames(names(n, pairs))
                        .withoutExemplars()
                        .register(registry));
        checkNames(name, pairs);
        var dp = h.labelValues(values(pairs));
        return dp::observe;
      }
    };
  }

  /**
   * The sum of every data point of a counter or gauge whose labels include the given pairs; 0 if
   * none. For tests and the CLI; counters are looked up without the {@code _total} suffix.
   */
  public double value(String name, String... labelPairs) {
    double sum = 0;
    MetricSnapshots snapshots = registry.scrape();
    for (MetricSnapshot s : snapshots) {
      if (!s.getMetadata().getName().equals(name)) {
        continue;
      }
      for (DataPointSnapshot dp : s.getDataPoints()) {
        if (matches(dp.getLabels(), labelPairs)) {
          if (dp instanceof CounterSnapshot.CounterDataPointSnapshot c) {
            sum += c.getValue();
          } else if (dp instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
            sum += g.getValue();
          }
        }
      }
    }
    return sum;
  }

  /** The whole registry in Prometheus text format 0.0.4. */
  public String scrapeText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean matches(Labels labels, String[] pairs) {
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
        return false;
      }
    }
    return true;
  }

  private String[] names(String metric, String[] pairs) {
    String[] n = new String[pairs.length / 2];
    for (int i = 0; i < n.length; i++) {
      n[i] = pairs[2 * i];
    }
    labelNamesByMetric.putIfAbsent(metric, List.of(n));
    return n;
  }

  private void checkNames(String metric, String[] pairs) {
    List<String> expected = labelNamesByMetric.get(metric);
    List<String> actual = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      actual.add(pairs[i]);
    }
    if (expected != null && !expected.equals(actual)) {
      throw new IllegalArgumentException(
          "self-metric " + metric + " labels: " + actual + " (expected: " + expected + ")");
    }
  }

  private static String[] values(String[] pairs) {
    String[] v = new String[pairs.length / 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = pairs[2 * i + 1];
    }
    return v;
  }

  private static String[] concat(String[] a, String[] b) {
    if (b.length % 2 != 0) {
      throw new IllegalArgumentException("label pairs: " + Arrays.toString(b) + " (expected: name, value, ...)");
    }
    String[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
