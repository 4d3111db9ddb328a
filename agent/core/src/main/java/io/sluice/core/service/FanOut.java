package io.sluice.core.service;

import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.TelemetryData;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hands the same data to several consumers (pipelines of one receiver, exporters of one pipeline).
 * Completes when all accepted; fails with the first failure, retryable if any failure is (the
 * sender retries the whole request, so a consumer that had accepted may see it twice —
 * at-least-once, as in the OpenTelemetry Collector).
 */
final class FanOut implements DataConsumer {
  private final DataConsumer[] consumers;

  private FanOut(List<DataConsumer> consumers) {
    this.consumers = consumers.toArray(DataConsumer[]::new);
  }

  static DataConsumer of(List<DataConsumer> consumers) {
    return consumers.size() == 1 ? consumers.get(0) : new FanOut(consumers);
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    CompletableFuture<?>[] futures = new CompletableFuture<?>[consumers.length];
    for (int i = 0; i < consumers.length; i++) {
      try {
        futures[i] = consumers[i].consume(data);
      } catch (RuntimeException e) {
        futures[i] = CompletableFuture.failedFuture(PipelineException.from(e));
      }
    }
    return CompletableFuture.allOf(futures).handle((v, t) -> {
      if (t == null) {
        return null;
      }
      PipelineException first = null;
      for (CompletableFuture<?> f : futures) {
        if (f.isCompletedExceptionally()) {
          PipelineException pe = PipelineException.from(f.exceptionNow());
          if (first == null || (pe.isRetryable() && !first.isRetryable())) {
            first = pe;
          }
        }
      }
      throw first != null ? first : PipelineException.from(t);
    });
  }
}
