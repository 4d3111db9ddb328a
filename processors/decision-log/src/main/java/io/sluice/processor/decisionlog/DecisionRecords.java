package io.sluice.processor.decisionlog;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentId;
import io.sluice.api.Decision;
import io.sluice.api.Logs;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/** Builds the decision log records: from reported decisions, span events, span attributes. */
final class DecisionRecords {
  /** The attribute that marks a span or log record as an application decision. */
  static final String RESULT = "decision.result";

  /** A record waiting in the buffer, with the resource it is reported under. */
  record Pending(Resource resource, LogRecord record) {}

  private DecisionRecords() {}

  /**
   * The record of one reported decision: trace and span id, the decided data's resource, {@code
   * decision.*} attributes, the decision's own attributes (e.g. {@code sampling.probability}) and
   * a one-line body. {@code shared} is {@link Shared#of} the decision, usually from {@link
   * SharedParts}.
   */
  static Pending fromDecision(Decision d, Shared shared, long observedNanos) {
    LogRecord r = shared.template(d.itemCount()).toBuilder()
        .setTimeUnixNano(d.timeUnixNano() != 0 ? d.timeUnixNano() : observedNanos)
        .setObservedTimeUnixNano(observedNanos)
        .setTraceId(d.traceId())
        .setSpanId(d.spanId())
        .setBody(text(body(d.traceId(), shared.bodySuffix)))
        .build();
    return new Pending(d.resource(), r);
  }

  /**
   * What every record of one kind of decision (component, pipeline, outcome, policy, attributes)
   * has in common: the body after the trace id, and per item count a record template with the
   * severity and all attributes, in record order. Messages are immutable, so records built from a
   * template share its attribute list.
   */
  static final class Shared {
    /** Templates are kept for counts below this; a decision usually covers a few items. */
    private static final int TEMPLATES = 64;

    private final List<KeyValue> attributes;
    private final String countKey;
    private final String bodySuffix;
    private final AtomicReferenceArray<LogRecord> templates = new AtomicReferenceArray<>(TEMPLATES);

    private Shared(List<KeyValue> attributes, String countKey, String bodySuffix) {
      this.attributes = attributes;
      this.countKey = countKey;
      this.bodySuffix = bodySuffix;
    }

    static Shared of(Decision d, Signal signal) {
      List<KeyValue> attrs = new ArrayList<>(4 + d.attributes().size());
      attrs.add(kv("decision.component", d.component().toString()));
      attrs.add(kv("decision.pipeline", d.pipeline()));
      attrs.add(kv("decision.result", d.result().label()));
      attrs.add(kv("decision.policy", d.policy()));
      new TreeMap<>(d.attributes()).forEach((k, v) -> attrs.add(kv(k, value(v))));
      String count = signal == Signal.LOGS ? "decision.log_record_count" : "decision.span_count";
      return new Shared(List.copyOf(attrs), count, " " + d.result().label() + " by " + d.component() + ": " + d.policy());
    }

    LogRecord template(int count) {
      if (count < 0 || count >= TEMPLATES) {
        return build(count);
      }
      LogRecord t = templates.get(count);
      if (t == null) {
        t = build(count);
        templates.set(count, t);
      }
      return t;
    }

    private LogRecord build(int count) {
      return LogRecord.newBuilder()
          .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
          .setSeverityText("INFO")
          .addAllAttributes(attributes)
          .addAttributes(kv(countKey, AnyValue.newBuilder().setIntValue(count).build()))
          .build();
    }
  }

  /**
   * {@link Shared} parts by kind of decision, built once: a pipeline's processors report a handful
   * of kinds (per outcome, policy and threshold), each thousands of times a second. Bounded, in
   * case thresholds arriving in trace state vary without end; past the bound parts are built per
   * record.
   */
  static final class SharedParts {
    private static final int MAX_KINDS = 256;

    private record Kind(ComponentId component, String pipeline, Decision.Result result, String policy,
        Map<String, Object> attributes) {
      static Kind of(Decision d) {
        return new Kind(d.component(), d.pipeline(), d.result(), d.policy(), d.attributes());
      }

      /** Whether {@code d} is of this kind by identity: a reporter hands the same objects on. */
      boolean sameObjects(Decision d) {
        return d.component() == component && d.pipeline() == pipeline && d.result() == result
            && d.policy() == policy && d.attributes() == attributes;
      }
    }

    private record Last(Kind kind, Shared shared) {}

    private final Map<Kind, Shared> kinds = new ConcurrentHashMap<>();
    private final Signal signal;

    /** The kind last looked up: one sampler reports the same kind over and over. */
    private volatile Last last;

    /** Parts for the records of a bridge on a {@code signal} pipeline. */
    SharedParts(Signal signal) {
      this.signal = signal;
    }

    Shared of(Decision d) {
      Last l = last;
      if (l != null && l.kind().sameObjects(d)) {
        return l.shared();
      }
      Kind kind = Kind.of(d);
      Shared shared = kinds.get(kind);
      if (shared == null) {
        shared = Shared.of(d, signal);
        if (kinds.size() < MAX_KINDS) {
          kinds.putIfAbsent(kind, shared);
        }
      }
      last = new Last(kind, shared);
      return shared;
    }
  }

  /**
   * Application decisions in traces: every span event named in {@code eventNames} (the event's
   * attributes and time), and every span with a {@code decision.result} attribute (the span's
   * attributes, its end time).
   */
  static void fromTraces(Traces traces, Set<String> eventNames, long observedNanos, Consumer<Pending> out) {
    for (ResourceSpans rs : traces.resourceSpans()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          for (Span.Event event : span.getEventsList()) {
            if (eventNames.contains(event.getName())) {
              out.accept(new Pending(rs.getResource(),
                  info(event.getTimeUnixNano(), observedNanos, span.getTraceId(), span.getSpanId())
                      .setBody(text(appBody(span, event.getName(), event.getAttributesList(), false)))
                      .addAllAttributes(event.getAttributesList())
                      .build()));
            }
          }
          if (hasResult(span.getAttributesList())) {
            out.accept(new Pending(rs.getResource(),
                info(span.getEndTimeUnixNano(), observedNanos, span.getTraceId(), span.getSpanId())
                    .setBody(text(appBody(span, "decision", span.getAttributesList(), true)))
                    .addAllAttributes(span.getAttributesList())
                    .build()));
          }
        }
      }
    }
  }

  /** Log records carrying {@code decision.result}, unchanged. */
  static void fromLogs(Logs logs, Consumer<Pending> out) {
    for (ResourceLogs rl : logs.resourceLogs()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          if (hasResult(r.getAttributesList())) {
            out.accept(new Pending(rl.getResource(), r));
          }
        }
      }
    }
  }

  /** The first six hex digits of a trace id and an ellipsis, or {@code (none)}. */
  static String shortId(ByteString traceId) {
    if (traceId.isEmpty()) {
      return "(none)";
    }
    return HexFormat.of().formatHex(traceId.substring(0, Math.min(3, traceId.size())).toByteArray()) + "…";
  }

  /** {@code trace 4bf92f… <suffix>}: one concatenation, the hex digits from a table. */
  private static String body(ByteString traceId, String suffix) {
    if (traceId.size() >= 3) {
      return "trace " + HEX_BYTE[traceId.byteAt(0) & 0xff] + HEX_BYTE[traceId.byteAt(1) & 0xff]
          + HEX_BYTE[traceId.byteAt(2) & 0xff] + "…" + suffix;
    }
    return "trace " + shortId(traceId) + suffix;
  }

  /** Two lower-case hex digits per byte value. */
  private static final String[] HEX_BYTE = new String[256];

  static {
    for (int b = 0; b < 256; b++) {
      HEX_BYTE[b] = HexFormat.of().toHexDigits((byte) b);
    }
  }

  private static String appBody(Span span, String what, List<KeyValue> attrs, boolean decisionOnly) {
    StringBuilder sb = new StringBuilder(96).append("trace ").append(shortId(span.getTraceId()))
        .append(' ').append(what).append(" on span \"").append(span.getName()).append('"');
    char sep = ':';
    for (KeyValue kv : attrs) {
      if (!decisionOnly || kv.getKey().startsWith("decision.")) {
        sb.append(sep).append(' ').append(kv.getKey()).append('=').append(plain(kv.getValue()));
        sep = ',';
      }
    }
    return sb.toString();
  }

  private static boolean hasResult(List<KeyValue> attrs) {
    for (KeyValue kv : attrs) {
      if (kv.getKey().equals(RESULT)) {
        return true;
      }
    }
    return false;
  }

  private static LogRecord.Builder info(long time, long observed, ByteString traceId, ByteString spanId) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time != 0 ? time : observed)
        .setObservedTimeUnixNano(observed)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
        .setSeverityText("INFO")
        .setTraceId(traceId)
        .setSpanId(spanId);
  }

  private static String plain(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default -> v.getValueCase().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static AnyValue text(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static KeyValue kv(String k, String v) {
    return kv(k, text(v));
  }

  private static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  /** A decision attribute value (String, Long, Double, Boolean; other numbers widened). */
  private static AnyValue value(Object v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    return switch (v) {
      case Boolean x -> b.setBoolValue(x).build();
      case Double x -> b.setDoubleValue(x).build();
      case Float x -> b.setDoubleValue(x).build();
      case Number x -> b.setIntValue(x.longValue()).build();
      default -> b.setStringValue(String.valueOf(v)).build();
    };
  }

  /** Groups pending records by resource into one batch under the bridge's scope. */
  static Logs toLogs(List<Pending> pending, String scopeName) {
    Map<Resource, ScopeLogs.Builder> byResource = new LinkedHashMap<>();
    for (Pending p : pending) {
      byResource.computeIfAbsent(p.resource(), r -> ScopeLogs.newBuilder()
              .setScope(InstrumentationScope.newBuilder().setName(scopeName)))
          .addLogRecords(p.record());
    }
    List<ResourceLogs> out = new ArrayList<>(byResource.size());
    byResource.forEach((res, sl) -> out.add(ResourceLogs.newBuilder().setResource(res).addScopeLogs(sl).build()));
    return Logs.of(out);
  }
}
