package io.sluice.exporter.loki;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.HexFormat;
import java.util.List;

/** Builders for OTLP log test data. */
final class TestLogs {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";

  private TestLogs() {}

  static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue attr(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  static LogRecord.Builder record(long timeNanos, SeverityNumber sev, String text, String body, KeyValue... attrs) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(timeNanos)
        .setSeverityNumber(sev)
        .setSeverityText(text)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .addAllAttributes(List.of(attrs));
  }

  static LogRecord.Builder traced(LogRecord.Builder r) {
    return r.setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN)));
  }

  static ResourceLogs resource(List<KeyValue> attrs, InstrumentationScope scope, LogRecord.Builder... records) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(scope);
    for (LogRecord.Builder r : records) {
      sl.addLogRecords(r);
    }
    return ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(attrs))
        .addScopeLogs(sl)
        .build();
  }

  static ResourceLogs resource(List<KeyValue> attrs, LogRecord.Builder... records) {
    return resource(attrs, InstrumentationScope.getDefaultInstance(), records);
  }
}
