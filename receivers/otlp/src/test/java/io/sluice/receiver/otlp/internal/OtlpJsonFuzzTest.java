package io.sluice.receiver.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * OTLP/HTTP JSON bodies from the network: a body either decodes or is refused with {@link
 * InvalidProtocolBufferException} (the receiver's 400), and what decodes prints back to OTLP JSON
 * that decodes to the same message. Seeds: the OpenTelemetry Java SDK's own JSON encoding of every
 * signal.
 */
class OtlpJsonFuzzTest {
  private static final List<Message> REQUESTS = List.of(ExportTraceServiceRequest.getDefaultInstance(),
      ExportMetricsServiceRequest.getDefaultInstance(), ExportLogsServiceRequest.getDefaultInstance());

  // Every spelling of the id fields JsonFormat accepts, and the request-level field names.
  @DictionaryEntries({"\"traceId\"", "\"spanId\"", "\"parentSpanId\"", "\"trace_id\"", "\"span_id\"",
      "\"parent_span_id\"", "\"resourceSpans\"", "\"resourceMetrics\"", "\"resourceLogs\"", "\"scopeSpans\"",
      "\"scopeMetrics\"", "\"scopeLogs\"", "\"spans\"", "\"dataPoints\"", "\"logRecords\"", "\"exemplars\"",
      "\"links\"", "\"attributes\"", "\"kvlistValue\"", "\"arrayValue\"", "\"bytesValue\"", "\"asDouble\"",
      "\"NaN\"", "\"Infinity\"", "\"5bd66ef5095369c7b0d1f8f4bd33716a\"", "\"eee19b7ec3c1b174\""})
  @FuzzTest(maxDuration = "30s")
  void decodesOrRejects(byte[] body) throws InvalidProtocolBufferException {
    // As HttpExportService hands the body over: decoded as UTF-8, malformed bytes replaced.
    String json = new String(body, StandardCharsets.UTF_8);
    for (Message empty : REQUESTS) {
      Message.Builder builder = empty.newBuilderForType();
      try {
        OtlpJson.merge(json, builder);
      } catch (InvalidProtocolBufferException e) {
        assertThat(e.getMessage()).startsWith("invalid ");
        continue;
      }
      Message decoded = builder.build();
      Message.Builder again = empty.newBuilderForType();
      OtlpJson.merge(OtlpJson.print(decoded), again);
      assertThat(again.build()).isEqualTo(decoded);
    }
  }
}
