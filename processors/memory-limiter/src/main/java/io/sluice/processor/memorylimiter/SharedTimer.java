package io.sluice.processor.memorylimiter;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The one daemon thread that runs every memory limiter's checks. */
final class SharedTimer {
  private static final ScheduledExecutorService TIMER = create();

  private SharedTimer() {}

  static ScheduledExecutorService get() {
    return TIMER;
  }

  private static ScheduledExecutorService create() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "sluice-memory-limiter");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
