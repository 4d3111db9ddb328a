package io.sluice.processor.batch;

import io.sluice.api.PipelineException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The acknowledgement of one incoming request. Every piece of the request that sits in a batch is
 * one part; the request's future completes when every part was accepted downstream, or fails with
 * the first failure once every part has been answered.
 */
final class Ack {
  final CompletableFuture<Void> future = new CompletableFuture<>();
  private final AtomicInteger parts = new AtomicInteger();
  private final AtomicReference<PipelineException> failure = new AtomicReference<>();

  /** One more piece of the request is pending. Called before that piece can be answered. */
  void addPart() {
    parts.incrementAndGet();
  }

  /** A piece was answered: accepted when {@code error} is null. */
  void partDone(Throwable error) {
    if (error != null) {
      failure.compareAndSet(null, PipelineException.from(error));
    }
    if (parts.decrementAndGet() == 0) {
      PipelineException f = failure.get();
      if (f == null) {
        future.complete(null);
      } else {
        future.completeExceptionally(f);
      }
    }
  }
}
