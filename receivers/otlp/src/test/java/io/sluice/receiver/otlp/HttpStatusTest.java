package io.sluice.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP answers: every bad input gets its status and a message saying what is wrong. */
class HttpStatusTest {
  private static final MediaType PROTOBUF = MediaType.create("application", "x-protobuf");

  private static OtlpReceiverConfig config(OtlpReceiverConfig.Auth auth, Cors cors, boolean metadata) {
    OtlpReceiverConfig.Http d = TestConfigs.http();
    return new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(null, new OtlpReceiverConfig.Http(
        d.endpoint(), DataSize.ofMebibytes(1), null, auth, cors, metadata,
        d.tracesUrlPath(), d.metricsUrlPath(), d.logsUrlPath())));
  }

  private static AggregatedHttpResponse post(RunningReceiver r, MediaType type, byte[] body, String... headers) {
    com.linecorp.armeria.common.RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, "/v1/traces").contentType(type);
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return WebClient.of(r.httpUrl()).execute(h.build(), body).aggregate().join();
  }

  private static RpcStatus status(AggregatedHttpResponse res) throws Exception {
    return RpcStatus.parse(res.content().array());
  }

  @Test
  void truncatedProtobufIsBadRequestSayingWhy() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), capture)) {
      byte[] full = Payloads.spans(3).toByteArray();
      AggregatedHttpResponse res = post(r, PROTOBUF, Arrays.copyOf(full, full.length - 7));
      assertThat(res.status().code()).isEqualTo(400);
      assertThat(res.contentType()).isEqualTo(PROTOBUF);
      assertThat(status(res).code()).isEqualTo(3);
      assertThat(status(res).message()).startsWith("invalid OTLP protobuf ExportTraceServiceRequest: ")
          .contains("ended unexpectedly");
      assertThat(capture.received()).isEmpty();
    }
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), new CapturingConsumer())) {
      AggregatedHttpResponse res = post(r, MediaType.PLAIN_TEXT_UTF_8, "hello".getBytes());
      assertThat(res.status().code()).isEqualTo(415);
      assertThat(status(res).message()).isEqualTo(
          "unsupported content type \"text/plain; charset=utf-8\" (expected: application/x-protobuf or application/json)");
    }
  }

  @Test
  void jsonWithBadIdLengthIsBadRequestInJson() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), new CapturingConsumer())) {
      String json = """
          {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd","spanId":"b7ad6b7169203331","name":"x"}]}]}]}""";
      AggregatedHttpResponse res = post(r, MediaType.JSON, json.getBytes());
      assertThat(res.status().code()).isEqualTo(400);
      assertThat(res.contentType()).isEqualTo(MediaType.JSON);
      assertThat(res.contentUtf8()).contains("\"code\":3").contains(
          "traceId \\\"0af7651916cd43dd\\\" has 16 characters (expected: 32 hex characters or empty)");
    }
  }

  @Test
  void handWrittenJsonFollowsTheOtlpMapping() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), capture)) {
      String json = """
          {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
            "scopeSpans":[{"scope":{"name":"lib","version":"1"},"spans":[
              {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","parentSpanId":"",
               "name":"GET","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
               "flags":257,"traceState":"a=b",
               "attributes":[{"key":"n","value":{"intValue":"-42"}},{"key":"m","value":{"intValue":7}},
                             {"key":"b","value":{"bytesValue":"AAH/"}}],
               "status":{"code":2,"message":"bad"},"unknownField":true}]}]}]}""";
      AggregatedHttpResponse res = post(r, MediaType.JSON, json.getBytes());
      assertThat(res.status().code()).as(res.contentUtf8()).isEqualTo(200);
      assertThat(res.contentUtf8()).isEqualTo("{}");
      Span span = ((Traces) capture.received().get(0)).resourceSpans().get(0).getScopeSpans(0).getSpans(0);
      assertThat(java.util.HexFormat.of().formatHex(span.getTraceId().toByteArray())).isEqualTo("5b8efff798038103d269b633813fc60c");
      assertThat(java.util.HexFormat.of().formatHex(span.getSpanId().toByteArray())).isEqualTo("eee19b7ec3c1b174");
      assertThat(span.getParentSpanId().isEmpty()).isTrue();
      assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(span.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
      assertThat(span.getEndTimeUnixNano()).isEqualTo(1544712661000000000L);
      assertThat(span.getFlags()).isEqualTo(257);
      assertThat(span.getAttributes(0).getValue().getIntValue()).isEqualTo(-42);
      assertThat(span.getAttributes(1).getValue().getIntValue()).isEqualTo(7);
      assertThat(span.getAttributes(2).getValue().getBytesValue().toByteArray()).containsExactly(0, 1, 0xff);
      assertThat(span.getStatus().getCodeValue()).isEqualTo(2);
    }
  }

  @Test
  void gzipBombIsRefusedAfterTheLimit() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), new CapturingConsumer())) {
      byte[] bomb = Payloads.gzipBomb(8 * 1024 * 1024);
      assertThat(bomb.length).isLessThan(64 * 1024);
      AggregatedHttpResponse res = post(r, PROTOBUF, bomb, "content-encoding", "gzip");
      assertThat(res.status().code()).isEqualTo(400);
      assertThat(status(res).message()).isEqualTo(
          "decompressed body is larger than the limit of 1048576 bytes (max_request_body_size: 1MiB)");
    }
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), new CapturingConsumer())) {
      AggregatedHttpResponse res = post(r, PROTOBUF, new byte[2 * 1024 * 1024]);
      assertThat(res.status().code()).isEqualTo(413);
      assertThat(status(res).message()).isEqualTo("request body larger than max_request_body_size (1MiB)");
    }
  }

  @Test
  void zstdAndGzipBodiesAreAccepted() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), capture)) {
      byte[] body = Payloads.spans(2).toByteArray();
      assertThat(post(r, PROTOBUF, Zstd.compress(body), "content-encoding", "zstd").status().code()).isEqualTo(200);
      assertThat(post(r, PROTOBUF, io.sluice.receiver.otlp.internal.Decompression.compress("gzip", body),
          "content-encoding", "gzip").status().code()).isEqualTo(200);
      assertThat(capture.received()).extracting(d -> ((Traces) d).toProto())
          .containsExactly(Payloads.spans(2), Payloads.spans(2));
      assertThat(post(r, PROTOBUF, body, "content-encoding", "br").status().code()).isEqualTo(415);
    }
  }

  @Test
  void wrongBearerTokenIs401() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(new OtlpReceiverConfig.Auth("s3cret"), null, false), capture)) {
      byte[] body = Payloads.spans(1).toByteArray();
      AggregatedHttpResponse wrong = post(r, PROTOBUF, body, "authorization", "Bearer nope");
      assertThat(wrong.status().code()).isEqualTo(401);
      assertThat(status(wrong).message()).isEqualTo("missing or wrong bearer token in the Authorization header");
      assertThat(post(r, PROTOBUF, body).status().code()).isEqualTo(401);
      assertThat(post(r, PROTOBUF, body, "authorization", "Bearer s3cret").status().code()).isEqualTo(200);
      assertThat(capture.itemCount()).isEqualTo(1);
    }
  }

  @Test
  void retryableRefusalIs503WithRetryAfter() throws Exception {
    DataConsumer full = d -> CompletableFuture.failedFuture(
        PipelineException.retryable("sending queue is full", Duration.ofMillis(6500)));
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), full)) {
      AggregatedHttpResponse res = post(r, PROTOBUF, Payloads.spans(4).toByteArray());
      assertThat(res.status().code()).isEqualTo(503);
      assertThat(res.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("7");
      assertThat(status(res)).isEqualTo(new RpcStatus(14, "sending queue is full", Duration.ofSeconds(7)));
      assertThat(r.refused(Signal.TRACES, "http")).isEqualTo(4);
      assertThat(r.accepted(Signal.TRACES, "http")).isZero();
    }
  }

  @Test
  void permanentRefusalIs400() throws Exception {
    DataConsumer bad = d -> CompletableFuture.failedFuture(PipelineException.permanent("span name too long"));
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), bad)) {
      AggregatedHttpResponse res = post(r, MediaType.JSON, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{}]}]}]}".getBytes());
      assertThat(res.status().code()).isEqualTo(400);
      assertThat(res.contentUtf8()).isEqualTo("{\"code\":3,\"message\":\"span name too long\"}");
    }
  }

  @Test
  void partialRefusalIsAPartialSuccess() throws Exception {
    DataConsumer partial = d -> CompletableFuture.failedFuture(
        PipelineException.permanent("2 spans dropped by a filter").withRejectedItems(2));
    try (RunningReceiver r = new RunningReceiver(config(null, null, false), partial)) {
      AggregatedHttpResponse res = post(r, PROTOBUF, Payloads.spans(5).toByteArray());
      assertThat(res.status().code()).isEqualTo(200);
      ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(res.content().array());
      assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
      assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("2 spans dropped by a filter");
      assertThat(r.accepted(Signal.TRACES, "http")).isEqualTo(3);
      assertThat(r.refused(Signal.TRACES, "http")).isEqualTo(2);
    }
  }

  @Test
  void includeMetadataKeepsHeadersAndClientAddress() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(null, null, true), capture)) {
      post(r, PROTOBUF, Payloads.spans(1).toByteArray(), "X-Tenant", "acme");
      var metadata = capture.received().get(0).metadata();
      assertThat(metadata.first("x-tenant")).isEqualTo("acme");
      assertThat(metadata.get("content-type")).containsExactly("application/x-protobuf");
      assertThat(metadata.clientAddress()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void corsPreflightAllowsOnlyConfiguredOrigins() throws Exception {
    Cors cors = new Cors(List.of("https://*.example.com"), List.of("X-Tenant"), 600);
    try (RunningReceiver r = new RunningReceiver(config(null, cors, false), new CapturingConsumer())) {
      WebClient client = WebClient.of(r.httpUrl());
      AggregatedHttpResponse ok = client.execute(RequestHeaders.builder(HttpMethod.OPTIONS, "/v1/traces")
          .add(HttpHeaderNames.ORIGIN, "https://app.example.com")
          .add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST")
          .add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "x-tenant").build()).aggregate().join();
      assertThat(ok.status().code()).isEqualTo(200);
      assertThat(ok.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("https://app.example.com");
      assertThat(ok.headers().get(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isEqualTo("600");
      assertThat(ok.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS)).containsIgnoringCase("x-tenant");
      AggregatedHttpResponse denied = client.execute(RequestHeaders.builder(HttpMethod.OPTIONS, "/v1/traces")
          .add(HttpHeaderNames.ORIGIN, "https://evil.test")
          .add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST").build()).aggregate().join();
      assertThat(denied.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isNull();
    }
  }
}
