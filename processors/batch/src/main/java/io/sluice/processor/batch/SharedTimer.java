package io.sluice.processor.batch;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one daemon thread that fires every batch processor's timeouts. A timeout only cuts the
 * buffer and hands batches to the next consumer, which never blocks, so one thread serves all.
 */
final class SharedTimer {
  private static final ScheduledExecutorService TIMER = create();

  private SharedTimer() {}

  static ScheduledExecutorService get() {
    return TIMER;
  }

  private static ScheduledExecutorService create() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "sluice-batch-timer");
          t.setDaemon(true);
          return t;
        });
    // Cancelled timeouts are the common case (most batches fill up first): drop them at once.
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
