package io.sluice.bench.mockbackends;

import java.util.concurrent.atomic.AtomicLong;

/** Makes the next N requests (to any back end) fail with a given HTTP status; thread-safe. */
final class FailureInjector {
  private final AtomicLong remaining = new AtomicLong();
  private volatile int status;

  /** Fails the next {@code count} requests with {@code status}; a negative count means until cleared. */
  void failNext(int status, long count) {
    this.status = status;
    remaining.set(count < 0 ? Long.MAX_VALUE : count);
  }

  /** The status the current request must fail with, or 0 to accept it. */
  int nextFailure() {
    long before = remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0);
    return before > 0 ? status : 0;
  }
}
