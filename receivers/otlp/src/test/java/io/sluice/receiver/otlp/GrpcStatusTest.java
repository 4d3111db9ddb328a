package io.sluice.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.receiver.otlp.internal.GrpcWire;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** OTLP/gRPC answers, checked on the wire: status code, message and details of every case. */
class GrpcStatusTest {
  private static final String TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

  private static OtlpReceiverConfig config(OtlpReceiverConfig.Auth auth) {
    return new OtlpReceiverConfig(new OtlpReceiverConfig.Protocols(
        new OtlpReceiverConfig.Grpc("127.0.0.1:0", 1, null, auth, false), null));
  }

  /** A unary call's result: status, message, details, response message. */
  record Result(int code, String message, RpcStatus details, byte[] response) {}

  static Result call(RunningReceiver r, byte[] body, String... headers) throws Exception {
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, TRACES)
        .contentType(MediaType.parse("application/grpc")).add("te", "trailers");
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    AggregatedHttpResponse res = WebClient.of("h2c://127.0.0.1:" + r.receiver.grpcPort())
        .execute(h.build(), body).aggregate().join();
    assertThat(res.status().code()).isEqualTo(200);
    var trailers = res.trailers().contains("grpc-status") ? res.trailers() : res.headers();
    String details = trailers.get("grpc-status-details-bin");
    byte[] message = res.content().isEmpty() ? null : GrpcWire.unframe(ByteBuffer.wrap(res.content().array())).message();
    return new Result(Integer.parseInt(trailers.get("grpc-status")), GrpcWire.percentDecode(trailers.get("grpc-message")),
        details == null ? null : RpcStatus.parse(GrpcWire.unbase64(details)), message);
  }

  @Test
  void okAnswersAnEmptyResponseAndCounts() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(null), capture)) {
      Result res = call(r, GrpcWire.frame(Payloads.spans(3).toByteArray()));
      assertThat(res.code()).isZero();
      assertThat(ExportTraceServiceResponse.parseFrom(res.response())).isEqualTo(ExportTraceServiceResponse.getDefaultInstance());
      assertThat(((Traces) capture.received().get(0)).toProto()).isEqualTo(Payloads.spans(3));
      assertThat(r.accepted(Signal.TRACES, "grpc")).isEqualTo(3);
    }
  }

  @Test
  void zstdMessagesAreAccepted() throws Exception {
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(config(null), capture)) {
      Result res = call(r, GrpcWire.frame(Zstd.compress(Payloads.spans(2).toByteArray()), true), "grpc-encoding", "zstd");
      assertThat(res.code()).isZero();
      assertThat(capture.itemCount()).isEqualTo(2);
      Result unknown = call(r, GrpcWire.frame(new byte[0], true), "grpc-encoding", "snappy");
      assertThat(unknown.code()).isEqualTo(GrpcWire.UNIMPLEMENTED);
      assertThat(unknown.message()).isEqualTo("unsupported grpc-encoding \"snappy\" (expected: gzip, zstd, deflate or identity)");
    }
  }

  @Test
  void truncatedProtobufIsInvalidArgument() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null), new CapturingConsumer())) {
      byte[] full = Payloads.spans(3).toByteArray();
      Result res = call(r, GrpcWire.frame(Arrays.copyOf(full, full.length - 7)));
      assertThat(res.code()).isEqualTo(GrpcWire.INVALID_ARGUMENT);
      assertThat(res.message()).startsWith("invalid OTLP protobuf ExportTraceServiceRequest: ").contains("ended unexpectedly");
      assertThat(res.details().message()).isEqualTo(res.message());
      Result frame = call(r, Arrays.copyOf(GrpcWire.frame(full), 20));
      assertThat(frame.code()).isEqualTo(GrpcWire.INVALID_ARGUMENT);
      assertThat(frame.message()).isEqualTo("truncated gRPC message: 15 of " + full.length + " bytes");
    }
  }

  @Test
  void gzipBombIsResourceExhausted() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null), new CapturingConsumer())) {
      Result res = call(r, GrpcWire.frame(Payloads.gzipBomb(8 * 1024 * 1024), true), "grpc-encoding", "gzip");
      assertThat(res.code()).isEqualTo(GrpcWire.RESOURCE_EXHAUSTED);
      assertThat(res.message()).isEqualTo(
          "decompressed body is larger than the limit of 1048576 bytes (max_recv_msg_size_mib: 1)");
      assertThat(res.details().retryDelay()).as("no RetryInfo: not retryable per OTLP").isNull();
    }
  }

  @Test
  void messageOverTheLimitIsResourceExhausted() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(null), new CapturingConsumer())) {
      Result res = call(r, GrpcWire.frame(new byte[2 * 1024 * 1024]));
      assertThat(res.code()).isEqualTo(GrpcWire.RESOURCE_EXHAUSTED);
      assertThat(res.message()).isEqualTo("gRPC message larger than max_recv_msg_size_mib (1 MiB)");
    }
  }

  @Test
  void wrongBearerTokenIsUnauthenticated() throws Exception {
    try (RunningReceiver r = new RunningReceiver(config(new OtlpReceiverConfig.Auth("s3cret")), new CapturingConsumer())) {
      byte[] body = GrpcWire.frame(Payloads.spans(1).toByteArray());
      Result res = call(r, body, "authorization", "Bearer wrong");
      assertThat(res.code()).isEqualTo(GrpcWire.UNAUTHENTICATED);
      assertThat(res.message()).isEqualTo("missing or wrong bearer token in the authorization header");
      assertThat(call(r, body, "authorization", "Bearer s3cret").code()).isZero();
    }
  }

  @Test
  void retryableRefusalIsUnavailableWithRetryInfo() throws Exception {
    DataConsumer full = d -> CompletableFuture.failedFuture(PipelineException.retryable("memory limit reached: 95% of 512MiB"));
    try (RunningReceiver r = new RunningReceiver(config(null), full)) {
      Result res = call(r, GrpcWire.frame(Payloads.spans(2).toByteArray()));
      assertThat(res.code()).isEqualTo(GrpcWire.UNAVAILABLE);
      assertThat(res.message()).isEqualTo("memory limit reached: 95% of 512MiB");
      assertThat(res.details()).isEqualTo(new RpcStatus(14, "memory limit reached: 95% of 512MiB", Duration.ofSeconds(1)));
      assertThat(r.refused(Signal.TRACES, "grpc")).isEqualTo(2);
    }
  }

  @Test
  void permanentRefusalIsInvalidArgumentAndPartialIsPartialSuccess() throws Exception {
    DataConsumer permanent = d -> CompletableFuture.failedFuture(PipelineException.permanent("bad data"));
    try (RunningReceiver r = new RunningReceiver(config(null), permanent)) {
      Result res = call(r, GrpcWire.frame(Payloads.spans(2).toByteArray()));
      assertThat(res.code()).isEqualTo(GrpcWire.INVALID_ARGUMENT);
      assertThat(res.message()).isEqualTo("bad data");
    }
    DataConsumer partial = d -> CompletableFuture.failedFuture(PipelineException.retryable("queue full").withRejectedItems(1));
    try (RunningReceiver r = new RunningReceiver(config(null), partial)) {
      Result res = call(r, GrpcWire.frame(Payloads.spans(2).toByteArray()));
      assertThat(res.code()).isZero();
      var ps = ExportTraceServiceResponse.parseFrom(res.response()).getPartialSuccess();
      assertThat(ps.getRejectedSpans()).isEqualTo(1);
      assertThat(ps.getErrorMessage()).isEqualTo("queue full");
    }
  }
}
