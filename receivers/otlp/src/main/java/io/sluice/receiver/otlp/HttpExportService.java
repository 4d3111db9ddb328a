package io.sluice.receiver.otlp;

import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
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
import io.sluice.receiver.otlp.internal.OtlpJson;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * OTLP/HTTP for one signal: {@code POST} of a protobuf or JSON export request, answered in the
 * same encoding; errors carry a {@code google.rpc.Status} body as the OTLP spec requires.
 */
final class HttpExportService implements HttpService {
  private static final MediaType PROTOBUF = MediaType.create("application", "x-protobuf");

  private final Signal signal;
  private final OtlpReceiverConfig.Http config;
  private final Ingest ingest;
  private final long maxBytes;

  HttpExportService(Signal signal, OtlpReceiverConfig.Http config, Ingest ingest) {
    this.signal = signal;
    this.config = config;
    this.ingest = ingest;
    this.maxBytes = config.maxRequestBodySize().bytes();
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    MediaType type = req.contentType();
    boolean json;
    if (type != null && type.is(MediaType.JSON)) {
      json = true;
    } else if (type != null && type.is(PROTOBUF)) {
      json = false;
    } else {
      return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, false, GrpcWire.INVALID_ARGUMENT, "unsupported content type "
          + (type == null ? "(none)" : "\"" + type + "\"") + " (expected: application/x-protobuf or application/json)");
    }
    if (!Requests.authorized(config.auth(), req.headers())) {
      return error(HttpStatus.UNAUTHORIZED, json, GrpcWire.UNAUTHENTICATED,
          "missing or wrong bearer token in the Authorization header");
    }
    String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    if (!Decompression.isSupported(encoding)) {
      return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, json, GrpcWire.INVALID_ARGUMENT, "unsupported Content-Encoding \""
          + encoding + "\" (expected: gzip, zstd, deflate or identity)");
    }
    ClientMetadata metadata = Requests.metadata(config.includeMetadata(), ctx, req.headers());
    if (req.headers().contentLength() > maxBytes) {
      return tooLarge(json);
    }
    ctx.setMaxRequestLength(maxBytes);
    return HttpResponse.of(req.aggregate().thenCompose(agg -> {
      TelemetryData data;
      try {
        byte[] body = Decompression.decompress(encoding, agg.content().array(), maxBytes);
        data = json
            ? SignalCodec.parseJson(signal, new String(body, StandardCharsets.UTF_8))
            : SignalCodec.parseProto(signal, body);
      } catch (Decompression.TooLargeException e) {
        return CompletableFuture.completedFuture(error(HttpStatus.BAD_REQUEST, json, GrpcWire.INVALID_ARGUMENT,
            e.getMessage() + " (max_request_body_size: " + config.maxRequestBodySize() + ")"));
      } catch (IOException e) {
        return CompletableFuture.completedFuture(error(HttpStatus.BAD_REQUEST, json, GrpcWire.INVALID_ARGUMENT,
            e.getMessage()));
      }
      return ingest.consume(data, metadata).thenApply(o -> respond(o, json));
    }).exceptionally(err -> {
      Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      if (cause instanceof ContentTooLargeException) {
        return tooLarge(json);
      }
      return error(HttpStatus.BAD_REQUEST, json, GrpcWire.INVALID_ARGUMENT, "request failed: " + cause);
    }));
  }

  private HttpResponse tooLarge(boolean json) {
    return error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, json, GrpcWire.INVALID_ARGUMENT,
        "request body larger than max_request_body_size (" + config.maxRequestBodySize() + ")");
  }

  private HttpResponse respond(Ingest.Outcome outcome, boolean json) {
    return switch (outcome) {
      case Ingest.Accepted a -> {
        var response = SignalCodec.response(signal, a.rejected(), a.message());
        yield json
            ? HttpResponse.of(HttpStatus.OK, MediaType.JSON, OtlpJson.print(response))
            : HttpResponse.of(HttpStatus.OK, PROTOBUF, response.toByteArray());
      }
      case Ingest.Refused r -> refused(r.cause(), json);
    };
  }

  private static HttpResponse refused(PipelineException e, boolean json) {
    if (!e.isRetryable()) {
      return error(HttpStatus.BAD_REQUEST, json, GrpcWire.INVALID_ARGUMENT, e.getMessage());
    }
    java.time.Duration after = Requests.retryAfter(e.retryAfter());
    RpcStatus status = new RpcStatus(GrpcWire.UNAVAILABLE, String.valueOf(e.getMessage()), after);
    ResponseHeaders headers = ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE)
        .contentType(json ? MediaType.JSON : PROTOBUF)
        .add(HttpHeaderNames.RETRY_AFTER, Long.toString(after.getSeconds()))
        .build();
    return json
        ? HttpResponse.of(headers, com.linecorp.armeria.common.HttpData.ofUtf8(status.toJson()))
        : HttpResponse.of(headers, com.linecorp.armeria.common.HttpData.wrap(status.toByteArray()));
  }

  private static HttpResponse error(HttpStatus httpStatus, boolean json, int code, String message) {
    RpcStatus status = new RpcStatus(code, String.valueOf(message), null);
    return json
        ? HttpResponse.of(httpStatus, MediaType.JSON, status.toJson())
        : HttpResponse.of(httpStatus, PROTOBUF, status.toByteArray());
  }
}
