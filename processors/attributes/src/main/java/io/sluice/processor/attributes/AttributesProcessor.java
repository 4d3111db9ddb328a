package io.sluice.processor.attributes;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Processor;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.processor.attributes.internal.Actions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Applies attribute actions to spans, log records and metric data points selected by {@code
 * include} / {@code exclude}. Copy-on-write: items, scopes and resources that no action changes
 * are passed on as the same objects.
 */
final class AttributesProcessor implements Processor {
  private final Actions actions;
  private final Matcher include;
  private final Matcher exclude;
  private final DataConsumer next;

  AttributesProcessor(ComponentContext context, AttributesConfig config, DataConsumer next) {
    this.actions = new Actions(config.actions(), context.telemetry());
    this.include = config.include() == null ? null : new Matcher(config.include());
    this.exclude = config.exclude() == null ? null : new Matcher(config.exclude());
    this.next = next;
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    return next.consume(process(data));
  }

  /** Processes one request. Package-private for benchmarks. */
  TelemetryData process(TelemetryData data) {
    if (actions.isEmpty()) {
      return data;
    }
    Actions.Run run = actions.run(data.metadata());
    return switch (data) {
      case Traces t -> {
        List<ResourceSpans> out = mapList(t.resourceSpans(), rs -> traces(rs, run));
        yield out == null ? t : Traces.of(out).withMetadata(t.metadata());
      }
      case Logs l -> {
        List<ResourceLogs> out = mapList(l.resourceLogs(), rl -> logs(rl, run));
        yield out == null ? l : Logs.of(out).withMetadata(l.metadata());
      }
      case Metrics m -> {
        List<ResourceMetrics> out = mapList(m.resourceMetrics(), rm -> metrics(rm, run));
        yield out == null ? m : Metrics.of(out).withMetadata(m.metadata());
      }
    };
  }

  private ResourceSpans traces(ResourceSpans rs, Actions.Run run) {
    Resource r = rs.getResource();
    List<ScopeSpans> scopes = mapList(rs.getScopeSpansList(), ss -> {
      List<Span> spans = mapList(ss.getSpansList(), span -> {
        if (!selected(include == null || include.matchesSpan(r, span), exclude != null && exclude.matchesSpan(r, span))) {
          return span;
        }
        List<KeyValue> attrs = run.apply(span.getAttributesList());
        return attrs == span.getAttributesList() ? span : withAttributes(span, attrs);
      });
      return spans == null ? ss : ss.toBuilder().clearSpans().addAllSpans(spans).build();
    });
    return scopes == null ? rs : rs.toBuilder().clearScopeSpans().addAllScopeSpans(scopes).build();
  }

  private ResourceLogs logs(ResourceLogs rl, Actions.Run run) {
    Resource r = rl.getResource();
    List<ScopeLogs> scopes = mapList(rl.getScopeLogsList(), sl -> {
      List<LogRecord> records = mapList(sl.getLogRecordsList(), lr -> {
        if (!selected(include == null || include.matchesLog(r, lr), exclude != null && exclude.matchesLog(r, lr))) {
          return lr;
        }
        List<KeyValue> attrs = run.apply(lr.getAttributesList());
        return attrs == lr.getAttributesList() ? lr : lr.toBuilder().clearAttributes().addAllAttributes(attrs).build();
      });
      return records == null ? sl : sl.toBuilder().clearLogRecords().addAllLogRecords(records).build();
    });
    return scopes == null ? rl : rl.toBuilder().clearScopeLogs().addAllScopeLogs(scopes).build();
  }

  private ResourceMetrics metrics(ResourceMetrics rm, Actions.Run run) {
    Resource r = rm.getResource();
    List<ScopeMetrics> scopes = mapList(rm.getScopeMetricsList(), sm -> {
      List<Metric> metrics = mapList(sm.getMetricsList(), m -> DataPoints.map(m, attrs -> {
        if (!selected(include == null || include.matchesDataPoint(r, m.getName(), attrs),
            exclude != null && exclude.matchesDataPoint(r, m.getName(), attrs))) {
          return attrs;
        }
        return run.apply(attrs);
      }));
      return metrics == null ? sm : sm.toBuilder().clearMetrics().addAllMetrics(metrics).build();
    });
    return scopes == null ? rm : rm.toBuilder().clearScopeMetrics().addAllScopeMetrics(scopes).build();
  }

  /** The span with new attributes; when actions only appended, the existing ones are kept as they are. */
  private static Span withAttributes(Span span, List<KeyValue> attrs) {
    List<KeyValue> before = span.getAttributesList();
    if (attrs.size() > before.size() && samePrefix(attrs, before)) {
      return span.toBuilder().addAllAttributes(attrs.subList(before.size(), attrs.size())).build();
    }
    return span.toBuilder().clearAttributes().addAllAttributes(attrs).build();
  }

  /**
   * Whether {@code attrs} starts with the very objects of {@code before}. Identity is enough, and
   * cheaper than {@code equals}: actions keep the entries they do not touch, and an entry rewritten
   * with an equal value only sends the span down the full rebuild, which gives the same span.
   */
  private static boolean samePrefix(List<KeyValue> attrs, List<KeyValue> before) {
    for (int i = 0; i < before.size(); i++) {
      if (attrs.get(i) != before.get(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean selected(boolean included, boolean excluded) {
    return included && !excluded;
  }

  /** Maps each element; null when every element mapped to itself (nothing changed). */
  static <T> List<T> mapList(List<T> in, Function<T, T> f) {
    List<T> out = null;
    for (int i = 0; i < in.size(); i++) {
      T before = in.get(i);
      T after = f.apply(before);
      if (after != before && out == null) {
        out = new ArrayList<>(in.size());
        out.addAll(in.subList(0, i));
      }
      if (out != null) {
        out.add(after);
      }
    }
    return out;
  }
}
