package io.sluice.bench.mockbackends;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * An HTTP (or unary gRPC) endpoint that counts the items of each request body and answers with
 * success, or with the status the {@link FailureInjector} dictates.
 */
final class CountingService implements HttpService {
  /** Counts the items in a request body. */
  @FunctionalInterface
  interface ItemCounter {
    long count(RequestHeaders headers, byte[] body) throws Exception;
  }

  private final String backend;
  private final String unit;
  private final ItemCounter counter;
  private final boolean grpc;
  private final HttpStatus okStatus;
  private final Counts counts;
  private final FailureInjector failures;

  private CountingService(
      String backend, String unit, ItemCounter counter, boolean grpc, HttpStatus okStatus, Counts counts, FailureInjector failures) {
    this.backend = backend;
    this.unit = unit;
    this.counter = counter;
    this.grpc = grpc;
    this.okStatus = okStatus;
    this.counts = counts;
    this.failures = failures;
  }

  /** An HTTP endpoint answering {@code okStatus} with an empty body. */
  static CountingService http(
      String backend, String unit, ItemCounter counter, HttpStatus okStatus, Counts counts, FailureInjector failures) {
    return new CountingService(backend, unit, counter, false, okStatus, counts, failures);
  }

  /** A unary gRPC method whose response is the empty message; {@code counter} gets the message. */
  static CountingService grpc(String backend, String unit, ItemCounter counter, Counts counts, FailureInjector failures) {
    ItemCounter unframed = (headers, body) -> counter.count(headers, Payloads.grpcMessage(headers, body));
    return new CountingService(backend, unit, unframed, true, HttpStatus.OK, counts, failures);
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    return HttpResponse.of(req.aggregate().thenApply(this::handle));
  }

  private HttpResponse handle(AggregatedHttpRequest req) {
    counts.add(backend, "requests", 1);
    counts.add(backend, "bytes", req.content().length());
    int failure = failures.nextFailure();
    if (failure != 0) {
      counts.add(backend, "failed_requests", 1);
      return grpc ? grpcStatus(grpcCodeFor(failure), "injected failure " + failure) : injected(failure);
    }
    long items;
    try {
      items = counter.count(req.headers(), req.content().array());
    } catch (Exception e) {
      counts.add(backend, "malformed_requests", 1);
      return grpc
          ? grpcStatus(3, "malformed: " + e.getMessage())
          : HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "malformed: " + e.getMessage());
    }
    counts.add(backend, unit, items);
    if (grpc) {
      return HttpResponse.of(
          ResponseHeaders.of(HttpStatus.OK, "content-type", "application/grpc"),
          HttpData.wrap(new byte[5]),
          HttpHeaders.of("grpc-status", "0"));
    }
    return HttpResponse.of(okStatus);
  }

  private static HttpResponse injected(int status) {
    ResponseHeaders headers =
        status == 429 || status == 503
            ? ResponseHeaders.of(HttpStatus.valueOf(status), "retry-after", "1")
            : ResponseHeaders.of(HttpStatus.valueOf(status));
    return HttpResponse.of(headers);
  }

  /** A trailers-only gRPC response. */
  private static HttpResponse grpcStatus(int code, String message) {
    return HttpResponse.of(
        ResponseHeaders.builder(HttpStatus.OK)
            .add("content-type", "application/grpc")
            .add("grpc-status", Integer.toString(code))
            .add("grpc-message", message.replace('%', ' '))
            .endOfStream(true)
            .build());
  }

  /** The gRPC code for an injected HTTP status: 4xx permanent, 429 and 5xx retryable for OTLP clients. */
  static int grpcCodeFor(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 3; // INVALID_ARGUMENT, not retryable for OTLP
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 12;
      case 429 -> 8; // RESOURCE_EXHAUSTED
      case 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 13;
    };
  }
}
