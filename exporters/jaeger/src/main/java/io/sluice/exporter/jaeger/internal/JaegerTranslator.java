package io.sluice.exporter.jaeger.internal;

import com.google.protobuf.ByteString;
import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Log;
import io.jaegertracing.thriftjava.Process;
import io.jaegertracing.thriftjava.Span;
import io.jaegertracing.thriftjava.SpanRef;
import io.jaegertracing.thriftjava.SpanRefType;
import io.jaegertracing.thriftjava.Tag;
import io.jaegertracing.thriftjava.TagType;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import io.sluice.api.Traces;
import java.util.ArrayList;
import java.util.List;

/**
 * OTLP spans to Jaeger Thrift, per the OpenTelemetry specification's "OpenTelemetry to Jaeger
 * Transformation" and "Transformation to non-OTLP Formats", with the edge cases of the
 * OpenTelemetry Collector's former Jaeger translator. The README's mapping table lists every rule.
 *
 * <p>Public only for the exporter's package and the JMH benchmark; not an API.
 */
public final class JaegerTranslator {
  static final String UNKNOWN_SERVICE = "unknown_service";
  static final String SERVICE_NAME = "service.name";
  static final String SPAN_KIND = "span.kind";
  static final String STATUS_CODE = "otel.status_code";
  static final String STATUS_DESCRIPTION = "otel.status_description";
  static final String ERROR = "error";
  static final String SCOPE_NAME = "otel.scope.name";
  static final String SCOPE_VERSION = "otel.scope.version";
  static final String LIBRARY_NAME = "otel.library.name";
  static final String LIBRARY_VERSION = "otel.library.version";
  static final String TRACE_STATE = "w3c.tracestate";
  static final String DROPPED_ATTRIBUTES = "otel.dropped_attributes_count";
  static final String DROPPED_EVENTS = "otel.dropped_events_count";
  static final String DROPPED_LINKS = "otel.dropped_links_count";
  static final String EVENT = "event";
  static final String REF_TYPE = "opentracing.ref_type";
  static final String REF_TYPE_CHILD_OF = "child_of";
  /** The W3C trace-flags "sampled" bit in OTLP's span flags, and Jaeger's sampled flag. */
  static final int SAMPLED = 0x01;

  private JaegerTranslator() {}

  /**
   * One {@link Batch} per resource that has spans, in order.
   *
   * @param traces the spans to translate
   * @return the batches, one per resource with at least one span
   */
  public static List<Batch> toBatches(Traces traces) {
    List<Batch> out = new ArrayList<>(traces.resourceSpans().size());
    for (ResourceSpans rs : traces.resourceSpans()) {
      int n = 0;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
      if (n == 0) {
        continue;
      }
      List<Span> spans = new ArrayList<>(n);
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span span : ss.getSpansList()) {
          spans.add(toSpan(span, ss.getScope()));
        }
      }
      out.add(new Batch(toProcess(rs.getResource().getAttributesList()), spans));
    }
    return out;
  }

  /** service.name (a non-empty string) becomes the service name; every other attribute a tag. */
  static Process toProcess(List<KeyValue> resourceAttributes) {
    String service = null;
    List<Tag> tags = new ArrayList<>(resourceAttributes.size());
    for (KeyValue kv : resourceAttributes) {
      if (isServiceName(kv)) {
        service = kv.getValue().getStringValue();
      } else {
        tags.add(tag(kv.getKey(), kv.getValue()));
      }
    }
    Process p = new Process(service != null ? service : UNKNOWN_SERVICE);
    if (!tags.isEmpty()) {
      p.setTags(tags);
    }
    return p;
  }

  /** Whether {@code kv} names the service: {@code service.name} with a non-empty string value. */
  static boolean isServiceName(KeyValue kv) {
    return kv.getKey().equals(SERVICE_NAME) && kv.getValue().hasStringValue()
        && !kv.getValue().getStringValue().isEmpty();
  }

  static Span toSpan(io.opentelemetry.proto.trace.v1.Span s, InstrumentationScope scope) {
    long traceHigh = idLong(s.getTraceId(), 16, 0);
    long traceLow = idLong(s.getTraceId(), 16, 8);
    long parent = idLong(s.getParentSpanId(), 8, 0);
    long start = micros(s.getStartTimeUnixNano());
    // An end before the start is malformed; Jaeger cannot show a negative duration.
    long duration = Math.max(0, (s.getEndTimeUnixNano() - s.getStartTimeUnixNano()) / 1000);
    Span out = new Span(traceLow, traceHigh, idLong(s.getSpanId(), 8, 0), parent, s.getName(),
        s.getFlags() & SAMPLED, start, duration);

    List<SpanRef> refs = references(s, traceLow, traceHigh, parent);
    if (!refs.isEmpty()) {
      out.setReferences(refs);
    }
    List<Tag> tags = tags(s, scope);
    if (!tags.isEmpty()) {
      out.setTags(tags);
    }
    if (s.getEventsCount() > 0) {
      List<Log> logs = new ArrayList<>(s.getEventsCount());
      for (io.opentelemetry.proto.trace.v1.Span.Event e : s.getEventsList()) {
        logs.add(toLog(e));
      }
      out.setLogs(logs);
    }
    return out;
  }

  /**
   * The parent first as CHILD_OF, then each link as FOLLOWS_FROM (CHILD_OF when its {@code
   * opentracing.ref_type} attribute says {@code child_of}); a link to the parent itself only sets
   * the parent reference's type instead of adding a second reference.
   */
  private static List<SpanRef> references(
      io.opentelemetry.proto.trace.v1.Span s, long traceLow, long traceHigh, long parent) {
    List<SpanRef> refs = new ArrayList<>(s.getLinksCount() + 1);
    if (parent != 0) {
      refs.add(new SpanRef(SpanRefType.CHILD_OF, traceLow, traceHigh, parent));
    }
    for (io.opentelemetry.proto.trace.v1.Span.Link link : s.getLinksList()) {
      long high = idLong(link.getTraceId(), 16, 0);
      long low = idLong(link.getTraceId(), 16, 8);
      long spanId = idLong(link.getSpanId(), 8, 0);
      SpanRefType type = isChildOf(link) ? SpanRefType.CHILD_OF : SpanRefType.FOLLOWS_FROM;
      if (parent != 0 && spanId == parent && low == traceLow && high == traceHigh) {
        refs.get(0).setRefType(type);
      } else {
        refs.add(new SpanRef(type, low, high, spanId));
      }
    }
    return refs;
  }

  /** Whether a link says {@code opentracing.ref_type: child_of}; otherwise it is FOLLOWS_FROM. */
  static boolean isChildOf(io.opentelemetry.proto.trace.v1.Span.Link link) {
    for (KeyValue kv : link.getAttributesList()) {
      if (kv.getKey().equals(REF_TYPE) && kv.getValue().getStringValue().equals(REF_TYPE_CHILD_OF)) {
        return true;
      }
    }
    return false;
  }

  private static List<Tag> tags(io.opentelemetry.proto.trace.v1.Span s, InstrumentationScope scope) {
    List<Tag> tags = new ArrayList<>(s.getAttributesCount() + scope.getAttributesCount() + 8);
    if (!scope.getName().isEmpty()) {
      tags.add(stringTag(SCOPE_NAME, scope.getName()));
      tags.add(stringTag(LIBRARY_NAME, scope.getName()));
    }
    if (!scope.getVersion().isEmpty()) {
      tags.add(stringTag(SCOPE_VERSION, scope.getVersion()));
      tags.add(stringTag(LIBRARY_VERSION, scope.getVersion()));
    }
    for (KeyValue kv : scope.getAttributesList()) {
      tags.add(tag(kv.getKey(), kv.getValue()));
    }
    Status.StatusCode code = s.getStatus().getCode();
    boolean error = code == Status.StatusCode.STATUS_CODE_ERROR;
    for (KeyValue kv : s.getAttributesList()) {
      // The spec lets the error tag of an ERROR status override an "error" attribute.
      if (!(error && kv.getKey().equals(ERROR))) {
        tags.add(tag(kv.getKey(), kv.getValue()));
      }
    }
    String kind = spanKind(s.getKind());
    if (kind != null) {
      tags.add(stringTag(SPAN_KIND, kind));
    }
    if (code == Status.StatusCode.STATUS_CODE_OK || error) {
      tags.add(stringTag(STATUS_CODE, error ? "ERROR" : "OK"));
      if (error) {
        tags.add(new Tag(ERROR, TagType.BOOL).setVBool(true));
      }
      if (!s.getStatus().getMessage().isEmpty()) {
        tags.add(stringTag(STATUS_DESCRIPTION, s.getStatus().getMessage()));
      }
    }
    if (!s.getTraceState().isEmpty()) {
      tags.add(stringTag(TRACE_STATE, s.getTraceState()));
    }
    addCount(tags, DROPPED_ATTRIBUTES, s.getDroppedAttributesCount());
    addCount(tags, DROPPED_EVENTS, s.getDroppedEventsCount());
    addCount(tags, DROPPED_LINKS, s.getDroppedLinksCount());
    return tags;
  }

  /** The span.kind tag's value, or null for INTERNAL and UNSPECIFIED, which the spec says get none. */
  static String spanKind(io.opentelemetry.proto.trace.v1.Span.SpanKind kind) {
    return switch (kind) {
      case SPAN_KIND_CLIENT -> "client";
      case SPAN_KIND_SERVER -> "server";
      case SPAN_KIND_PRODUCER -> "producer";
      case SPAN_KIND_CONSUMER -> "consumer";
      default -> null;
    };
  }

  /** An event's name goes into an {@code event} field unless an attribute of that name exists. */
  private static Log toLog(io.opentelemetry.proto.trace.v1.Span.Event e) {
    List<Tag> fields = new ArrayList<>(e.getAttributesCount() + 2);
    boolean hasEventAttribute = false;
    for (KeyValue kv : e.getAttributesList()) {
      hasEventAttribute |= kv.getKey().equals(EVENT);
    }
    if (!e.getName().isEmpty() && !hasEventAttribute) {
      fields.add(stringTag(EVENT, e.getName()));
    }
    for (KeyValue kv : e.getAttributesList()) {
      fields.add(tag(kv.getKey(), kv.getValue()));
    }
    addCount(fields, DROPPED_ATTRIBUTES, e.getDroppedAttributesCount());
    return new Log(micros(e.getTimeUnixNano()), fields);
  }

  static Tag tag(String key, AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> stringTag(key, v.getStringValue());
      case BOOL_VALUE -> new Tag(key, TagType.BOOL).setVBool(v.getBoolValue());
      case INT_VALUE -> new Tag(key, TagType.LONG).setVLong(v.getIntValue());
      case DOUBLE_VALUE -> new Tag(key, TagType.DOUBLE).setVDouble(v.getDoubleValue());
      case BYTES_VALUE -> new Tag(key, TagType.BINARY).setVBinary(v.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> stringTag(key, AnyValueJson.toJson(v));
      // A string-table index only has meaning in profiles; spans never carry one.
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> stringTag(key, "");
    };
  }

  private static Tag stringTag(String key, String value) {
    return new Tag(key, TagType.STRING).setVStr(value);
  }

  private static void addCount(List<Tag> tags, String key, int count) {
    if (count > 0) {
      tags.add(new Tag(key, TagType.LONG).setVLong(count));
    }
  }

  /** Unix nanoseconds (unsigned) to microseconds, truncated. */
  static long micros(long unixNanos) {
    return Long.divideUnsigned(unixNanos, 1000);
  }

  /**
   * Eight big-endian bytes of an id of {@code width} bytes starting at {@code offset}, the id
   * left-padded with zeros when shorter (malformed); the unsigned value re-read as signed, as the
   * spec says.
   */
  static long idLong(ByteString id, int width, int offset) {
    int pad = width - id.size();
    long v = 0;
    for (int i = offset; i < offset + 8; i++) {
      int j = i - pad;
      v = (v << 8) | (j >= 0 && j < id.size() ? id.byteAt(j) & 0xFF : 0);
    }
    return v;
  }
}
