package io.sluice.api;

import java.util.concurrent.CompletableFuture;

/**
 * Sends data of one signal to a back end. An exporter implements only "push this batch": the
 * exporter helper in the daemon core adds the bounded sending queue, retry with backoff, the
 * per-request timeout and the self-metrics around it, configured by the reserved keys {@code
 * sending_queue}, {@code retry_on_failure} and {@code timeout} of every exporter.
 */
public interface Exporter extends Component {

  /**
   * Sends one batch.
   *
   * @return a future completed when the back end accepted the batch, or failed with a {@link
   *     PipelineException}: retryable for 5xx, 429, connection errors and timeouts, permanent for
   *     other 4xx. A permanent failure is counted as dropped and not retried.
   */
  CompletableFuture<Void> push(TelemetryData batch);
}
