package io.sluice.receiver.otlp;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sluice.api.ClientMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** What the gRPC and HTTP services check and keep of a request the same way. */
final class Requests {
  /** Retry-After / RetryInfo sent when the pipeline gave no hint. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  /** Bodies larger than this are decompressed and decoded off the event loop. */
  static final int OFFLOAD_BYTES = 256 * 1024;

  private Requests() {}

  /**
   * Runs {@code task} at once for small bodies, and on the blocking task executor for large ones,
   * so that decompressing and decoding megabytes does not hold up the event loop's other
   * connections.
   */
  static CompletableFuture<HttpResponse> offloadIfLarge(
      ServiceRequestContext ctx, int bodyBytes, Supplier<CompletableFuture<HttpResponse>> task) {
    if (bodyBytes <= OFFLOAD_BYTES) {
      return task.get();
    }
    return CompletableFuture.supplyAsync(task, ctx.blockingTaskExecutor()).thenCompose(f -> f);
  }

  /** Whether the request carries {@code Authorization: Bearer <expected>}; compared in constant time. */
  static boolean authorized(OtlpReceiverConfig.Auth auth, RequestHeaders headers) {
    if (auth == null) {
      return true;
    }
    String value = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(
        value.substring(7).trim().getBytes(StandardCharsets.UTF_8),
        auth.bearerToken().getBytes(StandardCharsets.UTF_8));
  }

  /** The request's headers (no pseudo-headers) and client address, or EMPTY when not kept. */
  static ClientMetadata metadata(boolean include, ServiceRequestContext ctx, RequestHeaders headers) {
    if (!include) {
      return ClientMetadata.EMPTY;
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    headers.forEach((name, value) -> {
      if (!name.toString().startsWith(":")) {
        values.computeIfAbsent(name.toString(), k -> new ArrayList<>()).add(value);
      }
    });
    return ClientMetadata.of(values, ctx.clientAddress().getHostAddress());
  }

  /** A body grew beyond the limit while it was read. */
  static final class BodyTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException() {
      super("request body too large", null, false, false);
    }
  }

  /**
   * Reads the whole body, failing with {@link BodyTooLargeException} (and cancelling the stream)
   * as soon as it exceeds {@code maxBytes}, whether or not the client sent a Content-Length.
   */
  static CompletableFuture<byte[]> readBounded(ServiceRequestContext ctx, HttpRequest req, long maxBytes) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    long declared = req.headers().contentLength();
    req.subscribe(new Subscriber<HttpObject>() {
      private Subscription subscription;
      private byte[] buf = new byte[(int) Math.min(Math.max(declared, 1024), maxBytes)];
      private int length;

      @Override
      public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(HttpObject obj) {
        if (!(obj instanceof HttpData data) || result.isDone()) {
          return;
        }
        if ((long) length + data.length() > maxBytes) {
          subscription.cancel();
          result.completeExceptionally(new BodyTooLargeException());
          return;
        }
        if (length + data.length() > buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, Math.max((long) buf.length * 2, (long) length + data.length())));
        }
        System.arraycopy(data.array(), 0, buf, length, data.length());
        length += data.length();
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        result.complete(length == buf.length ? buf : Arrays.copyOf(buf, length));
      }
    }, ctx.eventLoop());
    return result;
  }

  /** The delay to advertise, rounded up to whole seconds and at least one. */
  static Duration retryAfter(Duration hint) {
    Duration d = hint == null || hint.isNegative() || hint.isZero() ? DEFAULT_RETRY_AFTER : hint;
    long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return Duration.ofSeconds(Math.max(1, seconds));
  }
}
