package io.sluice.processor.batch;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.sluice.api.ClientMetadata;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import java.util.ArrayList;
import java.util.List;

/**
 * How one signal's requests are joined into a batch and split at an item boundary. Joining
 * concatenates whole requests (their encodings, when nobody parsed them). Splitting keeps the
 * structure: both halves carry a copy of the resource and of the scope that was cut; only the items
 * (spans, data points, log records) are divided.
 *
 * @param <R> the resource-level message ({@code ResourceSpans}, ...)
 */
sealed interface Shape<R> permits Shape.TracesShape, Shape.MetricsShape, Shape.LogsShape {

  /** The shape of a signal. */
  static Shape<?> of(Signal signal) {
    return switch (signal) {
      case TRACES -> TracesShape.INSTANCE;
      case METRICS -> MetricsShape.INSTANCE;
      case LOGS -> LogsShape.INSTANCE;
    };
  }

  /** The resource-level entries of {@code data}. */
  List<R> entries(TelemetryData data);

  /** The number of items in one entry. */
  int count(R entry);

  /**
   * Splits an entry after its first {@code n} items, {@code 0 < n < count(entry)}.
   *
   * @return the head (n items) and the tail (the rest)
   */
  Pair<R> split(R entry, int n);

  /** Puts entries together into one batch with the given metadata. */
  TelemetryData build(List<R> entries, ClientMetadata metadata);

  /** Joins requests of this signal into one batch with the given metadata. */
  TelemetryData join(List<TelemetryData> parts, ClientMetadata metadata);

  /**
   * Splits {@code data} after its first {@code n} items, {@code 0 < n < data.itemCount()}; this
   * parses data that arrived encoded.
   *
   * @return the head (n items) and the tail (the rest)
   */
  default Pair<TelemetryData> split(TelemetryData data, int n) {
    List<R> head = new ArrayList<>();
    List<R> tail = new ArrayList<>();
    int left = n;
    for (R entry : entries(data)) {
      int c = count(entry);
      if (left == 0) {
        tail.add(entry);
      } else if (c <= left) {
        head.add(entry);
        left -= c;
      } else {
        Pair<R> halves = split(entry, left);
        head.add(halves.head());
        tail.add(halves.tail());
        left = 0;
      }
    }
    return new Pair<>(build(head, data.metadata()), build(tail, data.metadata()));
  }

  /** Two halves of a split. */
  record Pair<R>(R head, R tail) {}

  /** Traces: items are spans. */
  final class TracesShape implements Shape<ResourceSpans> {
    static final TracesShape INSTANCE = new TracesShape();

    @Override
    public List<ResourceSpans> entries(TelemetryData data) {
      return ((Traces) data).resourceSpans();
    }

    @Override
    public int count(ResourceSpans entry) {
      int n = 0;
      for (ScopeSpans ss : entry.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
      return n;
    }

    @Override
    public Pair<ResourceSpans> split(ResourceSpans entry, int n) {
      ResourceSpans.Builder head = entry.toBuilder().clearScopeSpans();
      ResourceSpans.Builder tail = entry.toBuilder().clearScopeSpans();
      int left = n;
      for (ScopeSpans ss : entry.getScopeSpansList()) {
        int c = ss.getSpansCount();
        if (left >= c) {
          head.addScopeSpans(ss);
          left -= c;
        } else if (left == 0) {
          tail.addScopeSpans(ss);
        } else {
          List<io.opentelemetry.proto.trace.v1.Span> spans = ss.getSpansList();
          head.addScopeSpans(ss.toBuilder().clearSpans().addAllSpans(spans.subList(0, left)));
          tail.addScopeSpans(ss.toBuilder().clearSpans().addAllSpans(spans.subList(left, c)));
          left = 0;
        }
      }
      return new Pair<>(head.build(), tail.build());
    }

    @Override
    public TelemetryData build(List<ResourceSpans> entries, ClientMetadata metadata) {
      return Traces.of(ExportTraceServiceRequest.newBuilder().addAllResourceSpans(entries).build())
          .withMetadata(metadata);
    }

    @Override
    @SuppressWarnings("unchecked")
    public TelemetryData join(List<TelemetryData> parts, ClientMetadata metadata) {
      return Traces.concat((List<Traces>) (List<?>) parts, metadata);
    }
  }

  /** Metrics: items are data points; a metric whose points are divided is copied into both. */
  final class MetricsShape implements Shape<ResourceMetrics> {
    static final MetricsShape INSTANCE = new MetricsShape();

    @Override
    public List<ResourceMetrics> entries(TelemetryData data) {
      return ((Metrics) data).resourceMetrics();
    }

    @Override
    public int count(ResourceMetrics entry) {
      int n = 0;
      for (ScopeMetrics sm : entry.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          n += Metrics.dataPointCount(m);
        }
      }
      return n;
    }

    @Override
    public Pair<ResourceMetrics> split(ResourceMetrics entry, int n) {
      ResourceMetrics.Builder head = entry.toBuilder().clearScopeMetrics();
      ResourceMetrics.Builder tail = entry.toBuilder().clearScopeMetrics();
      int left = n;
      for (ScopeMetrics sm : entry.getScopeMetricsList()) {
        List<Metric> headMetrics = new ArrayList<>();
        List<Metric> tailMetrics = new ArrayList<>();
        for (Metric m : sm.getMetricsList()) {
          int c = Metrics.dataPointCount(m);
          if (left >= c && !(left == 0 && c == 0)) {
            headMetrics.add(m);
            left -= c;
          } else if (left == 0) {
            tailMetrics.add(m);
          } else {
            headMetrics.add(slice(m, 0, left));
            tailMetrics.add(slice(m, left, c));
            left = 0;
          }
        }
        if (!headMetrics.isEmpty()) {
          head.addScopeMetrics(sm.toBuilder().clearMetrics().addAllMetrics(headMetrics));
        }
        if (!tailMetrics.isEmpty()) {
          tail.addScopeMetrics(sm.toBuilder().clearMetrics().addAllMetrics(tailMetrics));
        }
      }
      return new Pair<>(head.build(), tail.build());
    }

    /** The metric with only its data points {@code [from, to)}. */
    static Metric slice(Metric m, int from, int to) {
      Metric.Builder b = m.toBuilder();
      switch (m.getDataCase()) {
        case GAUGE -> b.setGauge(m.getGauge().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getGauge().getDataPointsList().subList(from, to)));
        case SUM -> b.setSum(m.getSum().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getSum().getDataPointsList().subList(from, to)));
        case HISTOGRAM -> b.setHistogram(m.getHistogram().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getHistogram().getDataPointsList().subList(from, to)));
        case EXPONENTIAL_HISTOGRAM -> b.setExponentialHistogram(
            m.getExponentialHistogram().toBuilder().clearDataPoints()
                .addAllDataPoints(m.getExponentialHistogram().getDataPointsList().subList(from, to)));
        case SUMMARY -> b.setSummary(m.getSummary().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getSummary().getDataPointsList().subList(from, to)));
        case DATA_NOT_SET -> { }
      }
      return b.build();
    }

    @Override
    public TelemetryData build(List<ResourceMetrics> entries, ClientMetadata metadata) {
      return Metrics.of(ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(entries).build())
          .withMetadata(metadata);
    }

    @Override
    @SuppressWarnings("unchecked")
    public TelemetryData join(List<TelemetryData> parts, ClientMetadata metadata) {
      return Metrics.concat((List<Metrics>) (List<?>) parts, metadata);
    }
  }

  /** Logs: items are log records. */
  final class LogsShape implements Shape<ResourceLogs> {
    static final LogsShape INSTANCE = new LogsShape();

    @Override
    public List<ResourceLogs> entries(TelemetryData data) {
      return ((Logs) data).resourceLogs();
    }

    @Override
    public int count(ResourceLogs entry) {
      int n = 0;
      for (ScopeLogs sl : entry.getScopeLogsList()) {
        n += sl.getLogRecordsCount();
      }
      return n;
    }

    @Override
    public Pair<ResourceLogs> split(ResourceLogs entry, int n) {
      ResourceLogs.Builder head = entry.toBuilder().clearScopeLogs();
      ResourceLogs.Builder tail = entry.toBuilder().clearScopeLogs();
      int left = n;
      for (ScopeLogs sl : entry.getScopeLogsList()) {
        int c = sl.getLogRecordsCount();
        if (left >= c) {
          head.addScopeLogs(sl);
          left -= c;
        } else if (left == 0) {
          tail.addScopeLogs(sl);
        } else {
          var records = sl.getLogRecordsList();
          head.addScopeLogs(sl.toBuilder().clearLogRecords().addAllLogRecords(records.subList(0, left)));
          tail.addScopeLogs(sl.toBuilder().clearLogRecords().addAllLogRecords(records.subList(left, c)));
          left = 0;
        }
      }
      return new Pair<>(head.build(), tail.build());
    }

    @Override
    public TelemetryData build(List<ResourceLogs> entries, ClientMetadata metadata) {
      return Logs.of(ExportLogsServiceRequest.newBuilder().addAllResourceLogs(entries).build())
          .withMetadata(metadata);
    }

    @Override
    @SuppressWarnings("unchecked")
    public TelemetryData join(List<TelemetryData> parts, ClientMetadata metadata) {
      return Logs.concat((List<Logs>) (List<?>) parts, metadata);
    }
  }
}
