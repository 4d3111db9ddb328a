package io.sluice.api;

import java.util.concurrent.CompletableFuture;

/**
 * The next stage of a pipeline: a processor, a fan-out to several exporters, or an exporter's
 * sending queue.
 *
 * <p><b>Asynchronous by design.</b> {@link #consume} returns at once with a future that completes
 * when the data was accepted downstream (for an exporter: durably queued or sent), or completes
 * exceptionally with a {@link PipelineException} that says whether the sender should retry. A
 * receiver answers its client only when the future completes, so backpressure and failures reach
 * the sender. Futures rather than blocking calls on virtual threads because receivers run on
 * Netty event loops (Armeria), which must never block, and because the batch processor holds many
 * requests at once and acknowledges them together when their batch is accepted: a future per
 * request costs a few objects, a parked thread per request costs a stack.
 *
 * <p>Implementations must not block the calling thread for I/O and must never throw: failures
 * are returned as a failed future.
 */
@FunctionalInterface
public interface DataConsumer {

  /** A consumer that accepts and discards everything. */
  DataConsumer DISCARD = data -> CompletableFuture.completedFuture(null);

  /**
   * Hands data to this stage.
   *
   * @param data a batch of one signal; never null
   * @return a future completed when the data was accepted downstream, or failed with a {@link
   *     PipelineException}
   */
  CompletableFuture<Void> consume(TelemetryData data);
}
