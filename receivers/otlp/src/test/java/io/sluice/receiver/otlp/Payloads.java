package io.sluice.receiver.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

/** Hand-made request bodies for the bad-input and status tests. */
final class Payloads {
  private Payloads() {}

  /** A request with {@code n} spans. */
  static ExportTraceServiceRequest spans(int n) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) i}))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i}))
          .setName("span-" + i)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setEndTimeUnixNano(1_700_000_000_100_000_000L + i));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("payloads"))))
            .addScopeSpans(scope))
        .build();
  }

  /** {@code size} zero bytes, gzipped: a few KiB that expand to {@code size}. */
  static byte[] gzipBomb(int size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[64 * 1024];
      for (int written = 0; written < size; written += zeros.length) {
        gz.write(zeros);
      }
    }
    return out.toByteArray();
  }
}
