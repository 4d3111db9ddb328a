package io.sluice.processor.memorylimiter;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.Processor;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures heap use every {@code check_interval} on a shared daemon thread and, while it is above
 * the soft limit, refuses data with a retryable error so receivers answer 503 / {@code
 * UNAVAILABLE} and senders retry later. Above the hard limit it also asks for a garbage
 * collection, at most once per {@code min_gc_interval_when_hard_limited}. {@link #consume} only
 * reads a flag: it never measures, never blocks.
 */
final class MemoryLimiter implements Processor {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryLimiter.class);
  static final String REFUSED_MESSAGE = "data refused due to high memory usage";

  /** How memory is read and collected; injectable for tests. */
  record Memory(LongSupplier usedBytes, long maxBytes, Runnable gc) {
    static Memory jvm() {
      Runtime rt = Runtime.getRuntime();
      return new Memory(() -> rt.totalMemory() - rt.freeMemory(), rt.maxMemory(), System::gc);
    }
  }

  private final MemoryLimiterConfig config;
  private final Memory memory;
  private final DataConsumer next;
  private final long hardLimit;
  private final long softLimit;
  private final SelfTelemetry.Counter refused;
  private final SelfTelemetry.Counter accepted;
  private final String id;
  private volatile boolean refusing;
  private volatile long lastUsed;
  private long lastGcNanos = Long.MIN_VALUE;
  private ScheduledFuture<?> task;

  MemoryLimiter(ComponentContext context, MemoryLimiterConfig config, Signal signal, DataConsumer next, Memory memory) {
    this.config = config;
    this.memory = memory;
    this.next = next;
    this.id = context.id().toString();
    long max = memory.maxBytes();
    if (config.limitMib() > 0) {
      hardLimit = config.limitMib() * 1024 * 1024;
    } else {
      hardLimit = max == Long.MAX_VALUE ? Long.MAX_VALUE : max / 100 * config.limitPercentage();
    }
    long spike;
    if (config.limitMib() > 0 && config.spikeLimitMib() > 0) {
      spike = config.spikeLimitMib() * 1024 * 1024;
    } else if (config.limitMib() == 0 && config.spikeLimitPercentage() > 0 && max != Long.MAX_VALUE) {
      spike = max / 100 * config.spikeLimitPercentage();
    } else {
      spike = hardLimit == Long.MAX_VALUE ? 0 : hardLimit / 5;
    }
    softLimit = hardLimit - spike;
    SelfTelemetry t = context.telemetry();
    refused = t.counter("otelcol_processor_refused_" + signal.itemName(),
        "Number of " + signal.itemName() + " that were rejected by the next component in the pipeline");
    accepted = t.counter("otelcol_processor_accepted_" + signal.itemName(),
        "Number of " + signal.itemName() + " successfully pushed into the next component in the pipeline");
    t.gauge("sluice_processor_memory_limiter_used_bytes", "Heap in use at the last check", () -> lastUsed);
    t.gauge("sluice_processor_memory_limiter_refusing", "1 while data is refused", () -> refusing ? 1 : 0);
  }

  long hardLimit() {
    return hardLimit;
  }

  long softLimit() {
    return softLimit;
  }

  @Override
  public void start() {
    if (hardLimit == Long.MAX_VALUE) {
      LOG.warn("memory_limiter {}: the JVM has no maximum heap (-Xmx) and limit_mib is 0: not limiting", id);
      return;
    }
    long every = config.checkInterval().toNanos();
    task = SharedTimer.get().scheduleWithFixedDelay(this::check, every, every, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
      task = null;
    }
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    if (refusing) {
      refused.add(data.itemCount());
      return CompletableFuture.failedFuture(PipelineException.retryable(REFUSED_MESSAGE));
    }
    accepted.add(data.itemCount());
    return next.consume(data);
  }

  /** Measures once: updates the refusing flag and asks for GC when allowed. Runs on the timer. */
  synchronized void check() {
    long used = memory.usedBytes().getAsLong();
    if (used > hardLimit) {
      maybeGc(config.minGcIntervalWhenHardLimited().toNanos());
      used = memory.usedBytes().getAsLong();
    } else if (used > softLimit) {
      maybeGc(config.minGcIntervalWhenSoftLimited().toNanos());
      used = memory.usedBytes().getAsLong();
    }
    lastUsed = used;
    boolean refuse = used > softLimit;
    if (refuse != refusing) {
      refusing = refuse;
      if (refuse) {
        LOG.warn("memory_limiter {}: heap use {} MiB is above the soft limit {} MiB: refusing data",
            id, used >> 20, softLimit >> 20);
      } else {
        LOG.info("memory_limiter {}: heap use {} MiB is below the soft limit {} MiB again: accepting data",
            id, used >> 20, softLimit >> 20);
      }
    }
  }

  private void maybeGc(long minIntervalNanos) {
    long now = System.nanoTime();
    if (lastGcNanos == Long.MIN_VALUE || now - lastGcNanos >= minIntervalNanos) {
      lastGcNanos = now;
      memory.gc().run();
    }
  }
}
