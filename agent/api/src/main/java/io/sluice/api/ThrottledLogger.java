package io.sluice.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring problem at most once per interval, with the number of occurrences since the
 * last line: the house rule is never one log line per data item.
 */
public final class ThrottledLogger {
  private final Logger logger;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  /** Logs through {@code logger} at most once per {@code interval}. */
  public ThrottledLogger(Logger logger, Duration interval) {
    this.logger = logger;
    this.intervalNanos = interval.toNanos();
  }

  /** Logs a warning now if the interval has passed, otherwise counts it for the next line. */
  public void warn(String format, Object... args) {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      long n = suppressed.getAndSet(0);
      if (n > 0) {
        logger.warn(format + " (and " + n + " more like it since the last message)", args);
      } else {
        logger.warn(format, args);
      }
    } else {
      suppressed.incrementAndGet();
    }
  }
}
