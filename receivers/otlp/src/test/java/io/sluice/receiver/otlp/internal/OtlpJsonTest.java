package io.sluice.receiver.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.sluice.receiver.otlp.SdkGolden;
import org.junit.jupiter.api.Test;

class OtlpJsonTest {

  @Test
  void printsHexIdsAndIntegerEnumsAndParsesBackToTheSameMessage() throws Exception {
    ExportTraceServiceRequest request = SdkGolden.protoOfSpans(SdkGolden.spans());
    String json = OtlpJson.print(request);
    assertThat(json).contains("\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"")
        .contains("\"parentSpanId\":\"b7ad6b7169203331\"")
        .contains("\"kind\":2")
        .doesNotContain("SPAN_KIND_");
    ExportTraceServiceRequest.Builder back = ExportTraceServiceRequest.newBuilder();
    OtlpJson.merge(json, back);
    assertThat(back.build()).isEqualTo(request);

    ExportLogsServiceRequest logs = SdkGolden.protoOfLogs(SdkGolden.logs());
    ExportLogsServiceRequest.Builder logsBack = ExportLogsServiceRequest.newBuilder();
    OtlpJson.merge(OtlpJson.print(logs), logsBack);
    assertThat(logsBack.build()).isEqualTo(logs);
  }

  @Test
  void readsProtoFieldNamesOfIdsAsHexToo() throws Exception {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    OtlpJson.merge("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\","
        + "\"span_id\":\"b7ad6b7169203331\"}]}]}]}", b);
    var span = b.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(span.getTraceId().toByteArray()).isEqualTo(java.util.HexFormat.of().parseHex("0af7651916cd43dd8448eb211c80319c"));
    assertThat(span.getSpanId().toByteArray()).isEqualTo(java.util.HexFormat.of().parseHex("b7ad6b7169203331"));
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> OtlpJson.merge("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"zz00000000000000\"}]}]}]}",
        ExportTraceServiceRequest.newBuilder()))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessage("invalid OTLP JSON: spanId \"zz00000000000000\" is not hex");
    assertThatThrownBy(() -> OtlpJson.merge("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"parentSpanId\":257}]}]}]}",
        ExportTraceServiceRequest.newBuilder()))
        .hasMessage("invalid OTLP JSON: parentSpanId 257 is not a string (expected: 16 hex characters or empty)");
    assertThatThrownBy(() -> OtlpJson.merge("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"trace_id\":\"AQID\"}]}]}]}",
        ExportTraceServiceRequest.newBuilder()))
        .hasMessage("invalid OTLP JSON: trace_id \"AQID\" has 4 characters (expected: 32 hex characters or empty)");
    assertThatThrownBy(() -> OtlpJson.merge("[1]", ExportTraceServiceRequest.newBuilder()))
        .hasMessage("invalid OTLP JSON: expected an object at the top level");
    assertThatThrownBy(() -> OtlpJson.merge("{\"resourceSpans\":", ExportTraceServiceRequest.newBuilder()))
        .hasMessageStartingWith("invalid JSON: ");
    assertThatThrownBy(() -> OtlpJson.merge("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"soon\"}]}]}]}",
        ExportTraceServiceRequest.newBuilder()))
        .hasMessageStartingWith("invalid OTLP JSON: ");
  }
}
