package io.sluice.exporter.jaeger.internal;

import static io.sluice.exporter.jaeger.internal.JaegerTranslator.DROPPED_ATTRIBUTES;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.DROPPED_EVENTS;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.DROPPED_LINKS;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.ERROR;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.EVENT;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.LIBRARY_NAME;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.LIBRARY_VERSION;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.SAMPLED;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.SCOPE_NAME;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.SCOPE_VERSION;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.SPAN_KIND;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.STATUS_CODE;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.STATUS_DESCRIPTION;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.TRACE_STATE;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.UNKNOWN_SERVICE;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.idLong;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.isChildOf;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.isServiceName;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.micros;
import static io.sluice.exporter.jaeger.internal.JaegerTranslator.spanKind;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the binary-protocol Thrift encoding of a jaeger {@code Batch} straight from one OTLP
 * {@link ResourceSpans}, into a growable buffer that is reused from one batch to the next: the same
 * bytes as {@code TSerializer(TBinaryProtocol)} over {@link JaegerTranslator}'s {@code Batch}
 * (fields in id order, optional fields only when the translator sets them), without building the
 * jaeger-thrift objects. Not thread-safe.
 *
 * <p>Public only for the exporter's package and the JMH benchmark; not an API.
 */
public final class ThriftBatchWriter {
  private static final byte STOP = 0;
  private static final byte BOOL = 2;
  private static final byte DOUBLE = 4;
  private static final byte I32 = 8;
  private static final byte I64 = 10;
  private static final byte STRING = 11;
  private static final byte STRUCT = 12;
  private static final byte LIST = 15;
  // jaeger.thrift's TagType and SpanRefType values.
  private static final int TAG_STRING = 0;
  private static final int TAG_DOUBLE = 1;
  private static final int TAG_BOOL = 2;
  private static final int TAG_LONG = 3;
  private static final int TAG_BINARY = 4;
  private static final int REF_CHILD_OF = 0;
  private static final int REF_FOLLOWS_FROM = 1;
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private byte[] buf;
  private int pos;
  /** Where the open batch's spans list header is, and how many spans the list has so far. */
  private int spansListAt;
  private int spansInBatch;

  /**
   * A writer whose buffer starts at {@code initialCapacity} bytes and doubles when full.
   *
   * @param initialCapacity the buffer's first size, in bytes; at least 1
   */
  public ThriftBatchWriter(int initialCapacity) {
    buf = new byte[Math.max(1, initialCapacity)];
  }

  /**
   * The number of spans in {@code rs}: the number of spans its {@code Batch} holds.
   *
   * @param rs one resource's spans
   * @return the number of spans over all its scopes
   */
  public static int spanCount(ResourceSpans rs) {
    int n = 0;
    for (ScopeSpans ss : rs.getScopeSpansList()) {
      n += ss.getSpansCount();
    }
    return n;
  }

  /**
   * Replaces the buffer's content with the encoding of {@code rs}'s {@code Batch}; writes nothing
   * (and empties the buffer) when {@code rs} has no span, since the translator makes no batch for it.
   *
   * @param rs one resource's spans
   * @return the number of spans written
   */
  public int write(ResourceSpans rs) {
    pos = 0;
    if (spanCount(rs) == 0) {
      return 0;
    }
    begin(rs);
    append(rs);
    return finish();
  }

  /**
   * Starts a {@code Batch} whose process comes from {@code rs}'s resource, replacing the buffer's
   * content; {@link #append} adds spans, {@link #finish} ends it. Spans of several resources with
   * equal attributes thus share one {@code Batch}, as their processes would be equal.
   *
   * @param rs the resource whose attributes make the batch's process
   */
  public void begin(ResourceSpans rs) {
    pos = 0;
    field(STRUCT, 1);
    process(rs.getResource().getAttributesList());
    field(LIST, 2);
    spansListAt = pos;
    list(STRUCT, 0);
    spansInBatch = 0;
  }

  /**
   * Adds the spans of {@code rs} to the batch {@link #begin} started.
   *
   * @param rs spans to add; their resource is not looked at
   * @return the number of spans added
   */
  public int append(ResourceSpans rs) {
    int n = 0;
    for (ScopeSpans ss : rs.getScopeSpansList()) {
      InstrumentationScope scope = ss.getScope();
      for (Span s : ss.getSpansList()) {
        span(s, scope);
        n++;
      }
    }
    spansInBatch += n;
    return n;
  }

  /**
   * Ends the batch: the spans list gets its length, and the struct its end.
   *
   * @return the number of spans in the batch
   */
  public int finish() {
    INT.set(buf, spansListAt + 1, spansInBatch);
    stop();
    return spansInBatch;
  }

  /**
   * The bytes written by the last {@link #write}, in a new array the caller owns.
   *
   * @return a copy of the encoding
   */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  /**
   * The length of the encoding written last.
   *
   * @return its size in bytes
   */
  public int size() {
    return pos;
  }

  /**
   * The buffer's size, which only grows: lets a pool decide whether keeping this writer is worth
   * its memory.
   *
   * @return the capacity in bytes
   */
  public int capacity() {
    return buf.length;
  }

  private void process(List<KeyValue> attributes) {
    String service = null;
    int matches = 0;
    for (KeyValue kv : attributes) {
      if (isServiceName(kv)) {
        service = kv.getValue().getStringValue();
        matches++;
      }
    }
    field(STRING, 1);
    string(service != null ? service : UNKNOWN_SERVICE);
    int tags = attributes.size() - matches;
    if (tags > 0) {
      field(LIST, 2);
      list(STRUCT, tags);
      for (KeyValue kv : attributes) {
        if (!isServiceName(kv)) {
          tag(kv.getKey(), kv.getValue());
        }
      }
    }
    stop();
  }

  private void span(Span s, InstrumentationScope scope) {
    long traceHigh = idLong(s.getTraceId(), 16, 0);
    long traceLow = idLong(s.getTraceId(), 16, 8);
    long parent = idLong(s.getParentSpanId(), 8, 0);
    i64Field(1, traceLow);
    i64Field(2, traceHigh);
    i64Field(3, idLong(s.getSpanId(), 8, 0));
    i64Field(4, parent);
    field(STRING, 5);
    string(s.getName());
    references(s, traceLow, traceHigh, parent);
    i32Field(7, s.getFlags() & SAMPLED);
    i64Field(8, micros(s.getStartTimeUnixNano()));
    // An end before the start is malformed; Jaeger cannot show a negative duration.
    i64Field(9, Math.max(0, (s.getEndTimeUnixNano() - s.getStartTimeUnixNano()) / 1000));
    tags(s, scope);
    if (s.getEventsCount() > 0) {
      field(LIST, 11);
      list(STRUCT, s.getEventsCount());
      for (Span.Event e : s.getEventsList()) {
        log(e);
      }
    }
    stop();
  }

  /**
   * As {@link JaegerTranslator}: the parent as CHILD_OF, then each link; a link to the parent only
   * sets the parent reference's type (the last such link wins). The list's length comes first on
   * the wire, so one pass counts and a second writes.
   */
  private void references(Span s, long traceLow, long traceHigh, long parent) {
    int count = parent != 0 ? 1 : 0;
    int parentType = REF_CHILD_OF;
    for (Span.Link link : s.getLinksList()) {
      if (isParent(link, traceLow, traceHigh, parent)) {
        parentType = refType(link);
      } else {
        count++;
      }
    }
    if (count == 0) {
      return;
    }
    field(LIST, 6);
    list(STRUCT, count);
    if (parent != 0) {
      spanRef(parentType, traceLow, traceHigh, parent);
    }
    for (Span.Link link : s.getLinksList()) {
      if (!isParent(link, traceLow, traceHigh, parent)) {
        spanRef(refType(link), idLong(link.getTraceId(), 16, 8), idLong(link.getTraceId(), 16, 0),
            idLong(link.getSpanId(), 8, 0));
      }
    }
  }

  private static boolean isParent(Span.Link link, long traceLow, long traceHigh, long parent) {
    return parent != 0 && idLong(link.getSpanId(), 8, 0) == parent
        && idLong(link.getTraceId(), 16, 8) == traceLow && idLong(link.getTraceId(), 16, 0) == traceHigh;
  }

  private static int refType(Span.Link link) {
    return isChildOf(link) ? REF_CHILD_OF : REF_FOLLOWS_FROM;
  }

  private void spanRef(int type, long traceLow, long traceHigh, long spanId) {
    i32Field(1, type);
    i64Field(2, traceLow);
    i64Field(3, traceHigh);
    i64Field(4, spanId);
    stop();
  }

  /** The tags in {@link JaegerTranslator}'s order; counted first for the list header. */
  private void tags(Span s, InstrumentationScope scope) {
    Status.StatusCode code = s.getStatus().getCode();
    boolean error = code == Status.StatusCode.STATUS_CODE_ERROR;
    String kind = spanKind(s.getKind());
    boolean status = code == Status.StatusCode.STATUS_CODE_OK || error;
    String message = s.getStatus().getMessage();
    int count = scope.getAttributesCount() + s.getAttributesCount();
    count += scope.getName().isEmpty() ? 0 : 2;
    count += scope.getVersion().isEmpty() ? 0 : 2;
    if (error) {
      for (KeyValue kv : s.getAttributesList()) {
        if (kv.getKey().equals(ERROR)) {
          count--;
        }
      }
    }
    count += kind != null ? 1 : 0;
    count += status ? 1 + (error ? 1 : 0) + (message.isEmpty() ? 0 : 1) : 0;
    count += s.getTraceState().isEmpty() ? 0 : 1;
    count += (s.getDroppedAttributesCount() > 0 ? 1 : 0) + (s.getDroppedEventsCount() > 0 ? 1 : 0)
        + (s.getDroppedLinksCount() > 0 ? 1 : 0);
    if (count == 0) {
      return;
    }
    field(LIST, 10);
    list(STRUCT, count);
    if (!scope.getName().isEmpty()) {
      stringTag(SCOPE_NAME, scope.getName());
      stringTag(LIBRARY_NAME, scope.getName());
    }
    if (!scope.getVersion().isEmpty()) {
      stringTag(SCOPE_VERSION, scope.getVersion());
      stringTag(LIBRARY_VERSION, scope.getVersion());
    }
    for (KeyValue kv : scope.getAttributesList()) {
      tag(kv.getKey(), kv.getValue());
    }
    for (KeyValue kv : s.getAttributesList()) {
      // The spec lets the error tag of an ERROR status override an "error" attribute.
      if (!(error && kv.getKey().equals(ERROR))) {
        tag(kv.getKey(), kv.getValue());
      }
    }
    if (kind != null) {
      stringTag(SPAN_KIND, kind);
    }
    if (status) {
      stringTag(STATUS_CODE, error ? "ERROR" : "OK");
      if (error) {
        boolTag(ERROR, true);
      }
      if (!message.isEmpty()) {
        stringTag(STATUS_DESCRIPTION, message);
      }
    }
    if (!s.getTraceState().isEmpty()) {
      stringTag(TRACE_STATE, s.getTraceState());
    }
    countTag(DROPPED_ATTRIBUTES, s.getDroppedAttributesCount());
    countTag(DROPPED_EVENTS, s.getDroppedEventsCount());
    countTag(DROPPED_LINKS, s.getDroppedLinksCount());
  }

  /** An event's name goes into an {@code event} field unless an attribute of that name exists. */
  private void log(Span.Event e) {
    i64Field(1, micros(e.getTimeUnixNano()));
    boolean hasEventAttribute = false;
    for (KeyValue kv : e.getAttributesList()) {
      hasEventAttribute |= kv.getKey().equals(EVENT);
    }
    boolean name = !e.getName().isEmpty() && !hasEventAttribute;
    field(LIST, 2);
    list(STRUCT, (name ? 1 : 0) + e.getAttributesCount() + (e.getDroppedAttributesCount() > 0 ? 1 : 0));
    if (name) {
      stringTag(EVENT, e.getName());
    }
    for (KeyValue kv : e.getAttributesList()) {
      tag(kv.getKey(), kv.getValue());
    }
    countTag(DROPPED_ATTRIBUTES, e.getDroppedAttributesCount());
    stop();
  }

  private void tag(String key, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> stringTag(key, v.getStringValue());
      case BOOL_VALUE -> boolTag(key, v.getBoolValue());
      case INT_VALUE -> longTag(key, v.getIntValue());
      case DOUBLE_VALUE -> {
        tagHeader(key, TAG_DOUBLE);
        i64Field(4, Double.doubleToLongBits(v.getDoubleValue()), DOUBLE);
        stop();
      }
      case BYTES_VALUE -> {
        ByteString bytes = v.getBytesValue();
        tagHeader(key, TAG_BINARY);
        field(STRING, 7);
        ensure(4 + bytes.size());
        INT.set(buf, pos, bytes.size());
        bytes.copyTo(buf, pos + 4);
        pos += 4 + bytes.size();
        stop();
      }
      case ARRAY_VALUE, KVLIST_VALUE -> stringTag(key, AnyValueJson.toJson(v));
      // A string-table index only has meaning in profiles; spans never carry one.
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> stringTag(key, "");
    }
  }

  private void stringTag(String key, String value) {
    tagHeader(key, TAG_STRING);
    field(STRING, 3);
    string(value);
    stop();
  }

  private void boolTag(String key, boolean value) {
    tagHeader(key, TAG_BOOL);
    ensure(4);
    header(BOOL, 5);
    buf[pos++] = (byte) (value ? 1 : 0);
    stop();
  }

  private void longTag(String key, long value) {
    tagHeader(key, TAG_LONG);
    i64Field(6, value);
    stop();
  }

  private void countTag(String key, int count) {
    if (count > 0) {
      longTag(key, count);
    }
  }

  /** A Tag's required fields: key and vType. */
  private void tagHeader(String key, int type) {
    field(STRING, 1);
    string(key);
    i32Field(2, type);
  }

  private void i64Field(int id, long v) {
    i64Field(id, v, I64);
  }

  private void i64Field(int id, long v, byte type) {
    ensure(11);
    header(type, id);
    LONG.set(buf, pos, v);
    pos += 8;
  }

  private void i32Field(int id, int v) {
    ensure(7);
    header(I32, id);
    INT.set(buf, pos, v);
    pos += 4;
  }

  private void field(byte type, int id) {
    ensure(3);
    header(type, id);
  }

  /** A field header; the caller has ensured room for it. */
  private void header(byte type, int id) {
    buf[pos] = type;
    buf[pos + 1] = (byte) (id >>> 8);
    buf[pos + 2] = (byte) id;
    pos += 3;
  }

  private void list(byte elementType, int size) {
    ensure(5);
    buf[pos++] = elementType;
    INT.set(buf, pos, size);
    pos += 4;
  }

  private void stop() {
    ensure(1);
    buf[pos++] = STOP;
  }

  /**
   * A length-prefixed UTF-8 string, encoded by {@link String#getBytes} as libthrift's is (so
   * unpaired surrogates get the same replacement). For ASCII that is a vectorized check and copy in
   * the JDK; the short-lived array it allocates cost less, measured, than a char-by-char copy
   * into the buffer.
   */
  private void string(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    ensure(4 + utf8.length);
    INT.set(buf, pos, utf8.length);
    System.arraycopy(utf8, 0, buf, pos + 4, utf8.length);
    pos += 4 + utf8.length;
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }
}
