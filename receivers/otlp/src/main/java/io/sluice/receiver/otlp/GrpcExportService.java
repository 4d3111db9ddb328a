package io.sluice.receiver.otlp;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sluice.api.ClientMetadata;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.receiver.otlp.internal.Decompression;
import io.sluice.receiver.otlp.internal.GrpcWire;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The unary {@code Export} method of one OTLP gRPC service, spoken directly over Armeria's HTTP/2
 * (length-prefixed message, status in trailers) so that decompression is bounded by {@code
 * max_recv_msg_size_mib} and zstd is accepted, without a gRPC runtime.
 */
final class GrpcExportService implements HttpService {
  private static final MediaType GRPC = MediaType.parse("application/grpc");

  private final Signal signal;
  private final OtlpReceiverConfig.Grpc config;
  private final Ingest ingest;
  private final long maxMessageBytes;

  GrpcExportService(Signal signal, OtlpReceiverConfig.Grpc config, Ingest ingest) {
    this.signal = signal;
    this.config = config;
    this.ingest = ingest;
    this.maxMessageBytes = config.maxRecvMsgSizeMib() * 1024L * 1024L;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    MediaType type = req.contentType();
    if (type == null || !type.type().equals("application")
        || !(type.subtype().equals("grpc") || type.subtype().equals("grpc+proto"))) {
      return HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT_UTF_8,
          "unsupported content type \"%s\" (expected: application/grpc or application/grpc+proto)", type);
    }
    if (!Requests.authorized(config.auth(), req.headers())) {
      return status(GrpcWire.UNAUTHENTICATED, "missing or wrong bearer token in the authorization header", null);
    }
    String encoding = req.headers().get("grpc-encoding");
    if (!Decompression.isSupported(encoding)) {
      return status(GrpcWire.UNIMPLEMENTED,
          "unsupported grpc-encoding \"" + encoding + "\" (expected: gzip, zstd, deflate or identity)", null);
    }
    ClientMetadata metadata = Requests.metadata(config.includeMetadata(), ctx, req.headers());
    if (req.headers().contentLength() > maxMessageBytes + GrpcWire.HEADER_LENGTH) {
      return tooLarge(config);
    }
    return HttpResponse.of(Requests.readBounded(ctx, req, maxMessageBytes + GrpcWire.HEADER_LENGTH).thenCompose(body ->
        Requests.offloadIfLarge(ctx, body.length, () -> handle(body, encoding, metadata))
    ).exceptionally(err -> {
      Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
      if (cause instanceof Requests.BodyTooLargeException) {
        return tooLarge(config);
      }
      return status(GrpcWire.CANCELLED, "request failed: " + cause, null);
    }));
  }

  private CompletableFuture<HttpResponse> handle(byte[] content, String encoding, ClientMetadata metadata) {
    TelemetryData data;
    try {
      data = decode(signal, encoding, content, maxMessageBytes);
    } catch (Decompression.TooLargeException e) {
      return done(status(GrpcWire.RESOURCE_EXHAUSTED, e.getMessage()
          + " (max_recv_msg_size_mib: " + config.maxRecvMsgSizeMib() + ")", null));
    } catch (IOException e) {
      return done(status(GrpcWire.INVALID_ARGUMENT, e.getMessage(), null));
    }
    return ingest.consume(data, metadata).thenApply(this::respond);
  }

  /** The answer to a message over {@code max_recv_msg_size_mib}, also used by the server's error handler. */
  static HttpResponse tooLarge(OtlpReceiverConfig.Grpc config) {
    return status(GrpcWire.RESOURCE_EXHAUSTED, "gRPC message larger than max_recv_msg_size_mib ("
        + config.maxRecvMsgSizeMib() + " MiB)", null);
  }

  /**
   * The request of a unary call's body: one length-prefixed message, decompressed with {@code
   * encoding} (the {@code grpc-encoding} header) if flagged, to at most {@code maxMessageBytes}.
   *
   * @throws Decompression.TooLargeException if the message decompresses to more than the limit
   * @throws IOException if the body is not one frame, or not a valid message
   */
  static TelemetryData decode(Signal signal, String encoding, byte[] content, long maxMessageBytes)
      throws IOException {
    GrpcWire.Frame f = GrpcWire.unframe(content);
    if (!f.compressed()) {
      return SignalCodec.parseProto(signal, f.buffer(), f.offset(), f.length());
    }
    if (encoding == null || encoding.equals("identity")) {
      throw new IOException("compressed gRPC message without a grpc-encoding header");
    }
    return SignalCodec.parseProto(signal,
        Decompression.decompress(encoding, f.buffer(), f.offset(), f.length(), maxMessageBytes));
  }

  private HttpResponse respond(Ingest.Outcome outcome) {
    return switch (outcome) {
      case Ingest.Accepted a -> HttpResponse.of(
          ResponseHeaders.builder(HttpStatus.OK).contentType(GRPC).add("grpc-accept-encoding", GrpcWire.ACCEPT_ENCODING).build(),
          HttpData.wrap(GrpcWire.frame(SignalCodec.response(signal, a.rejected(), a.message()).toByteArray())),
          HttpHeaders.of("grpc-status", "0"));
      case Ingest.Refused r -> refused(r.cause());
    };
  }

  private HttpResponse refused(PipelineException e) {
    if (e.isRetryable()) {
      return status(GrpcWire.UNAVAILABLE, e.getMessage(), Requests.retryAfter(e.retryAfter()));
    }
    return status(GrpcWire.INVALID_ARGUMENT, e.getMessage(), null);
  }

  private static CompletableFuture<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  /** A trailers-only response carrying a non-OK status. */
  private static HttpResponse status(int code, String message, java.time.Duration retryDelay) {
    String msg = message == null ? "" : message;
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
        .contentType(GRPC)
        .add("grpc-accept-encoding", GrpcWire.ACCEPT_ENCODING)
        .add("grpc-status", Integer.toString(code))
        .add("grpc-message", GrpcWire.percentEncode(msg))
        .add("grpc-status-details-bin", GrpcWire.base64(new RpcStatus(code, msg, retryDelay).toByteArray()))
        .endOfStream(true)
        .build());
  }
}
