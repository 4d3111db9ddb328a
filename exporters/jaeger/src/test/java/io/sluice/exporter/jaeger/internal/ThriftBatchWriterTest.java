package io.sluice.exporter.jaeger.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.jaegertracing.thriftjava.Batch;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.sluice.api.Traces;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the direct encoder against the translator and libthrift: for thousands of
 * generated resources (every attribute type, nested arrays and maps, bytes, unset values, odd ids,
 * links to the parent, events, scopes, statuses, non-ASCII and unpaired-surrogate strings), the
 * writer's bytes must equal {@code TSerializer(TBinaryProtocol)} over {@link
 * JaegerTranslator}'s {@code Batch}, and the official classes must decode them to that Batch.
 */
class ThriftBatchWriterTest {
  private static final int CASES = 2000;
  private static final String[] KEYS = {
    "http.method", "error", "event", "service.name", "opentracing.ref_type", "k", "", "ключ", "emoji😀"};
  private static final String[] STRINGS = {
    "", "GET", "child_of", "follows_from", "ERROR", "a\"quoted\\\n\tstring\u0001", "héllo wörld", "日本語",
    "emoji 😀", "lone \uD800 surrogate", "x".repeat(300)};

  @Test
  void writesTheSameBytesAsTSerializerOverTheTranslatorsBatch() throws Exception {
    // A tiny first buffer so that growing is exercised too.
    ThriftBatchWriter writer = new ThriftBatchWriter(16);
    int batches = 0;
    for (long seed = 0; seed < CASES; seed++) {
      ResourceSpans rs = resourceSpans(new SplittableRandom(seed));
      List<Batch> expected = JaegerTranslator.toBatches(Traces.of(List.of(rs)));

      int spans = writer.write(rs);

      assertThat(spans).as("seed %d", seed).isEqualTo(ThriftBatchWriter.spanCount(rs));
      if (expected.isEmpty()) {
        assertThat(spans).as("seed %d", seed).isZero();
        assertThat(writer.size()).as("seed %d", seed).isZero();
        continue;
      }
      batches++;
      byte[] bytes = writer.toByteArray();
      assertThat(bytes).as("seed %d", seed)
          .isEqualTo(new TSerializer(new TBinaryProtocol.Factory()).serialize(expected.get(0)));
      Batch decoded = new Batch();
      new TDeserializer(new TBinaryProtocol.Factory()).deserialize(decoded, bytes);
      // Recursive, since Tag.equals calls a NaN tag unequal to itself: doubles compare as their
      // canonical bits (every NaN is sent as one), strings as the UTF-8 they are sent as (an
      // unpaired surrogate becomes '?' on either path), binary values by content (a decoded one is
      // a window on the whole body).
      assertThat(decoded).as("seed %d", seed).usingRecursiveComparison()
          .withEqualsForType(Double::equals, Double.class)
          .withEqualsForType((a, b) -> Arrays.equals(utf8(a), utf8(b)), String.class)
          .withEqualsForType(ByteBuffer::equals, ByteBuffer.class)
          .isEqualTo(expected.get(0));
      assertThat(decoded.getSpansSize()).as("seed %d", seed).isEqualTo(spans);
    }
    assertThat(batches).as("cases that make a batch").isGreaterThan(CASES / 2);
    assertThat(writer.capacity()).isGreaterThan(16);
  }

  @Test
  void resourcesAppendedToOneBatchShareTheFirstOnesProcess() throws Exception {
    ThriftBatchWriter writer = new ThriftBatchWriter(16);
    for (long seed = 0; seed < CASES / 10; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      ResourceSpans first = resourceSpans(r);
      ResourceSpans second = resourceSpans(r).toBuilder().setResource(first.getResource()).build();
      List<Batch> expected = JaegerTranslator.toBatches(Traces.of(List.of(first, second)));
      if (expected.isEmpty()) {
        continue;
      }
      Batch merged = expected.get(0).deepCopy();
      if (expected.size() > 1) {
        merged.getSpans().addAll(expected.get(1).getSpans());
      }

      writer.begin(first);
      int n = writer.append(first) + writer.append(second);

      assertThat(writer.finish()).as("seed %d", seed).isEqualTo(n).isEqualTo(merged.getSpansSize());
      assertThat(writer.toByteArray()).as("seed %d", seed)
          .isEqualTo(new TSerializer(new TBinaryProtocol.Factory()).serialize(merged));
    }
  }

  @Test
  void aResourceWithoutSpansWritesNothing() {
    ThriftBatchWriter writer = new ThriftBatchWriter(64);
    ResourceSpans rs = ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("svc"))))
        .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s")))
        .build();

    assertThat(writer.write(rs)).isZero();
    assertThat(writer.size()).isZero();
    assertThat(writer.toByteArray()).isEmpty();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ResourceSpans resourceSpans(SplittableRandom r) {
    Resource.Builder resource = Resource.newBuilder();
    int resourceAttributes = r.nextInt(5);
    for (int i = 0; i < resourceAttributes; i++) {
      resource.addAttributes(r.nextInt(3) == 0 ? kv("service.name", r.nextBoolean() ? str(string(r)) : value(r, 0))
          : attribute(r));
    }
    ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource);
    int scopes = r.nextInt(4);
    for (int i = 0; i < scopes; i++) {
      InstrumentationScope.Builder scope = InstrumentationScope.newBuilder();
      if (r.nextBoolean()) {
        scope.setName(string(r));
      }
      if (r.nextBoolean()) {
        scope.setVersion(string(r));
      }
      int scopeAttributes = r.nextInt(3);
      for (int j = 0; j < scopeAttributes; j++) {
        scope.addAttributes(attribute(r));
      }
      ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope);
      int spans = r.nextInt(5);
      for (int j = 0; j < spans; j++) {
        ss.addSpans(span(r));
      }
      rs.addScopeSpans(ss);
    }
    return rs.build();
  }

  private static Span span(SplittableRandom r) {
    ByteString traceId = id(r, 16);
    ByteString parent = r.nextInt(4) == 0 ? ByteString.EMPTY : id(r, 8);
    Span.Builder s = Span.newBuilder()
        .setTraceId(traceId)
        .setSpanId(id(r, 8))
        .setParentSpanId(parent)
        .setName(string(r))
        .setFlags(r.nextInt())
        .setStartTimeUnixNano(r.nextInt(5) == 0 ? r.nextLong() : 1_700_000_000_000_000_000L + r.nextInt(1_000_000))
        .setEndTimeUnixNano(r.nextInt(5) == 0 ? r.nextLong() : 1_700_000_000_000_000_000L + r.nextInt(2_000_000))
        .setKindValue(r.nextInt(7) == 6 ? 42 : r.nextInt(6))
        .setDroppedAttributesCount(r.nextInt(3) == 0 ? r.nextInt(5) : 0)
        .setDroppedEventsCount(r.nextInt(3) == 0 ? r.nextInt(5) : 0)
        .setDroppedLinksCount(r.nextInt(3) == 0 ? r.nextInt(5) : 0);
    if (r.nextInt(3) == 0) {
      s.setTraceState("congo=t61rcWkgMzE," + string(r));
    }
    int attributes = r.nextInt(8);
    for (int i = 0; i < attributes; i++) {
      s.addAttributes(attribute(r));
    }
    int events = r.nextInt(4);
    for (int i = 0; i < events; i++) {
      Span.Event.Builder e = Span.Event.newBuilder()
          .setTimeUnixNano(r.nextLong())
          .setName(r.nextBoolean() ? "" : string(r))
          .setDroppedAttributesCount(r.nextInt(3) == 0 ? r.nextInt(4) : 0);
      int eventAttributes = r.nextInt(4);
      for (int j = 0; j < eventAttributes; j++) {
        e.addAttributes(attribute(r));
      }
      s.addEvents(e);
    }
    int links = r.nextInt(4);
    for (int i = 0; i < links; i++) {
      boolean toParent = r.nextInt(3) == 0;
      Span.Link.Builder link = Span.Link.newBuilder()
          .setTraceId(toParent ? traceId : id(r, 16))
          .setSpanId(toParent ? parent : id(r, 8));
      if (r.nextBoolean()) {
        link.addAttributes(kv("opentracing.ref_type", r.nextBoolean() ? str("child_of") : value(r, 0)));
      }
      if (r.nextBoolean()) {
        link.addAttributes(attribute(r));
      }
      s.addLinks(link);
    }
    int code = r.nextInt(5);
    if (code > 0) {
      s.setStatus(Status.newBuilder().setCodeValue(code == 4 ? 9 : code - 1).setMessage(r.nextBoolean() ? "" : string(r)));
    }
    return s.build();
  }

  /** Mostly ids of the right width; sometimes missing, short, long or all zeros. */
  private static ByteString id(SplittableRandom r, int width) {
    int len = switch (r.nextInt(10)) {
      case 0 -> 0;
      case 1 -> r.nextInt(1, width);
      case 2 -> width + r.nextInt(1, 4);
      default -> width;
    };
    byte[] b = new byte[len];
    if (r.nextInt(10) != 0) {
      r.nextBytes(b);
    }
    return ByteString.copyFrom(b);
  }

  private static KeyValue attribute(SplittableRandom r) {
    return kv(KEYS[r.nextInt(KEYS.length)], value(r, 0));
  }

  private static AnyValue value(SplittableRandom r, int depth) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (r.nextInt(depth < 2 ? 9 : 7)) {
      case 0 -> v.setStringValue(string(r));
      case 1 -> v.setBoolValue(r.nextBoolean());
      case 2 -> v.setIntValue(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1000));
      case 3 -> v.setDoubleValue(switch (r.nextInt(6)) {
        case 0 -> Double.NaN;
        case 1 -> Double.longBitsToDouble(0x7ff8000000000001L); // a NaN of other bits
        case 2 -> Double.NEGATIVE_INFINITY;
        case 3 -> -0.0;
        default -> r.nextDouble() * 1e6;
      });
      case 4 -> {
        byte[] b = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(1, 40)];
        r.nextBytes(b);
        v.setBytesValue(ByteString.copyFrom(b));
      }
      case 5 -> { } // VALUE_NOT_SET
      case 6 -> {
        if (r.nextBoolean()) {
          v.setStringValue("");
        } else {
          v.setStringValueStrindex(3);
        }
      }
      case 7 -> {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.addValues(value(r, depth + 1));
        }
        v.setArrayValue(a);
      }
      default -> {
        KeyValueList.Builder l = KeyValueList.newBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          l.addValues(kv(KEYS[r.nextInt(KEYS.length)], value(r, depth + 1)));
        }
        v.setKvlistValue(l);
      }
    }
    return v.build();
  }

  private static String string(SplittableRandom r) {
    return STRINGS[r.nextInt(STRINGS.length)];
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }
}
