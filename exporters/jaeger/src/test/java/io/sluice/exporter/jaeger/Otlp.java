package io.sluice.exporter.jaeger;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.Traces;
import java.util.HexFormat;
import java.util.List;

/** Small builders for hand-made OTLP data in tests. */
final class Otlp {
  private Otlp() {}

  static ByteString hex(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex.replace(" ", "")));
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  static AnyValue bool(boolean b) {
    return AnyValue.newBuilder().setBoolValue(b).build();
  }

  static AnyValue integer(long l) {
    return AnyValue.newBuilder().setIntValue(l).build();
  }

  static AnyValue dbl(double d) {
    return AnyValue.newBuilder().setDoubleValue(d).build();
  }

  static AnyValue bytes(byte... b) {
    return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(b)).build();
  }

  static AnyValue array(AnyValue... values) {
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values))).build();
  }

  static AnyValue kvlist(KeyValue... kvs) {
    return AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(List.of(kvs))).build();
  }

  static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static KeyValue kv(String key, String value) {
    return kv(key, str(value));
  }

  static InstrumentationScope scope(String name, String version, KeyValue... attributes) {
    return InstrumentationScope.newBuilder().setName(name).setVersion(version)
        .addAllAttributes(List.of(attributes)).build();
  }

  static ResourceSpans resourceSpans(List<KeyValue> resource, InstrumentationScope scope, Span... spans) {
    return ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(resource))
        .addScopeSpans(ScopeSpans.newBuilder().setScope(scope).addAllSpans(List.of(spans)))
        .build();
  }

  static Traces traces(ResourceSpans... rs) {
    return Traces.of(List.of(rs));
  }
}
