package io.sluice.api;

import java.time.Duration;

/**
 * Why data was not accepted downstream, and whether the sender may try again. Receivers map a
 * retryable failure to gRPC {@code UNAVAILABLE} or HTTP 503/429 with {@code Retry-After}, and a
 * permanent one to {@code INVALID_ARGUMENT} / HTTP 400. The exporter helper retries only retryable
 * failures.
 */
public final class PipelineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final Duration retryAfter;
  private final int rejectedItems;

  private PipelineException(
      String message, Throwable cause, boolean retryable, Duration retryAfter, int rejectedItems) {
    super(message, cause, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
    this.rejectedItems = rejectedItems;
  }

  /** A failure that may succeed later: a full queue, a memory limit, an unavailable back end. */
  public static PipelineException retryable(String message) {
    return new PipelineException(message, null, true, null, -1);
  }

  /** A retryable failure with a hint of when to try again (e.g. a back end's Retry-After). */
  public static PipelineException retryable(String message, Duration retryAfter) {
    return new PipelineException(message, null, true, retryAfter, -1);
  }

  /** A retryable failure caused by another exception (e.g. a connection error). */
  public static PipelineException retryable(String message, Throwable cause) {
    return new PipelineException(message, cause, true, null, -1);
  }

  /** A failure that will fail again: malformed data, a back end's 400. */
  public static PipelineException permanent(String message) {
    return new PipelineException(message, null, false, null, -1);
  }

  /** A permanent failure caused by another exception. */
  public static PipelineException permanent(String message, Throwable cause) {
    return new PipelineException(message, cause, false, null, -1);
  }

  /**
   * The same failure, saying that only {@code rejectedItems} items of the request were refused
   * (OTLP partial success); the rest was accepted.
   */
  public PipelineException withRejectedItems(int rejectedItems) {
    return new PipelineException(getMessage(), getCause(), retryable, retryAfter, rejectedItems);
  }

  /** Whether sending the same data again may succeed. */
  public boolean isRetryable() {
    return retryable;
  }

  /** When to try again, or null if not known. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** How many items were refused, or -1 when the whole request was. */
  public int rejectedItems() {
    return rejectedItems;
  }

  /**
   * Turns any failure into a {@link PipelineException}: itself if it is one (unwrapping {@code
   * CompletionException}s), otherwise a retryable failure naming the cause.
   */
  public static PipelineException from(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof java.util.concurrent.CompletionException
            || cur instanceof java.util.concurrent.ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    if (cur instanceof PipelineException pe) {
      return pe;
    }
    return retryable(String.valueOf(cur), cur);
  }
}
