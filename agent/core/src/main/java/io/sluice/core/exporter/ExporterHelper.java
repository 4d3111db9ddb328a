package io.sluice.core.exporter;

import static java.util.Objects.requireNonNull;

import io.sluice.api.Component;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Exporter;
import io.sluice.api.HealthStatus;
import io.sluice.api.PipelineException;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.config.ExporterSettings;
import io.sluice.api.config.ExporterSettings.RetrySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps an {@link Exporter} that only knows "push this batch" with what every exporter needs, as
 * the OpenTelemetry Collector's exporterhelper does: a bounded sending queue drained by {@code
 * num_consumers} workers, retry with exponential backoff and jitter honouring a back end's
 * Retry-After, a per-push timeout, and self-metrics ({@code otelcol_exporter_sent_<items>}, {@code
 * otelcol_exporter_send_failed_<items>}, {@code otelcol_exporter_enqueue_failed_<items>}, {@code
 * otelcol_exporter_queue_size}, {@code otelcol_exporter_queue_capacity}).
 *
 * <p>With the queue enabled, data is accepted once queued; when the queue is full the caller gets a
 * retryable refusal, so the receiver tells its client to retry. With the queue disabled the
 * caller's future completes when the back end accepted the data (after retries).
 *
 * <p>Workers are virtual threads: a worker spends its life waiting on the queue, on a push or on a
 * backoff delay, which is what virtual threads are cheap at.
 */
public final class ExporterHelper implements DataConsumer, Component {
  private static final Logger log = LoggerFactory.getLogger(ExporterHelper.class);

  private final Exporter exporter;
  private final ExporterSettings settings;
  private final String name;
  private final BlockingQueue<Item> queue;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final SelfTelemetry.Counter sent;
  private final SelfTelemetry.Counter sendFailed;
  private final SelfTelemetry.Counter enqueueFailed;
  private final ThrottledLogger failureLog;
  private final ComponentContext context;
  private volatile boolean accepting;
  private volatile boolean stopping;
  private volatile long drainDeadlineNanos = Long.MAX_VALUE;
  private boolean started;
  private boolean stopped;

  private record Item(TelemetryData data, CompletableFuture<Void> done) {}

  /**
   * Wraps {@code exporter} for {@code signal}.
   *
   * @param context the exporter's context (for its self-metrics and health)
   */
  public ExporterHelper(
      Exporter exporter, ExporterSettings settings, Signal signal, ComponentContext context) {
    this.exporter = requireNonNull(exporter, "exporter");
    this.settings = requireNonNull(settings, "settings");
    this.context = requireNonNull(context, "context");
    this.name = context.id() + " (" + signal.configName() + ")";
    SelfTelemetry t = context.telemetry();
    String item = signal.itemName();
    this.sent = t.counter("otelcol_exporter_sent_" + item, "Items successfully sent to the destination.");
    this.sendFailed = t.counter("otelcol_exporter_send_failed_" + item,
        "Items that could not be sent: permanent error, or retries exhausted.");
    this.enqueueFailed = t.counter("otelcol_exporter_enqueue_failed_" + item,
        "Items refused because the sending queue was full.");
    this.failureLog = new ThrottledLogger(log, Duration.ofSeconds(10));
    if (settings.sendingQueue().enabled()) {
      int capacity = settings.sendingQueue().queueSize();
      this.queue = new ArrayBlockingQueue<>(capacity);
      t.gauge("otelcol_exporter_queue_size", "Batches in the sending queue.", queue::size,
          "data_type", signal.configName());
      t.gauge("otelcol_exporter_queue_capacity", "Capacity of the sending queue, in batches.",
          () -> capacity, "data_type", signal.configName());
    } else {
      this.queue = null;
    }
  }

  @Override
  public synchronized void start() throws Exception {
    if (started) {
      throw new IllegalStateException(name + " already started");
    }
    started = true;
    exporter.start();
    accepting = true;
    if (queue != null) {
      for (int i = 0; i < settings.sendingQueue().numConsumers(); i++) {
        workers.add(Thread.ofVirtual().name("exporter-" + context.id() + "-" + i).start(this::work));
      }
    }
    context.reportStatus(HealthStatus.OK, "");
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    if (!accepting) {
      enqueueFailed.add(data.itemCount());
      return CompletableFuture.failedFuture(
          PipelineException.retryable("exporter " + name + " is not running"));
    }
    if (queue == null) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      inFlight.incrementAndGet();
      Thread.ofVirtual().start(() -> {
        try {
          sendWithRetry(new Item(data, done));
        } finally {
          inFlight.decrementAndGet();
        }
      });
      return done;
    }
    if (!queue.offer(new Item(data, null))) {
      enqueueFailed.add(data.itemCount());
      failureLog.warn("Sending queue of exporter {} is full ({} batches); refusing data so that senders retry",
          name, settings.sendingQueue().queueSize());
      return CompletableFuture.failedFuture(PipelineException.retryable(
          "sending queue of exporter " + name + " is full", settings.retryOnFailure().initialInterval()));
    }
    return CompletableFuture.completedFuture(null);
  }

  private void work() {
    while (true) {
      Item item;
      try {
        item = stopping ? queue.poll() : queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (item == null) {
        if (stopping) {
          return;
        }
        continue;
      }
      inFlight.incrementAndGet();
      try {
        sendWithRetry(item);
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  /** Pushes with retry until success, a permanent failure, or the retry budget is spent. */
  private void sendWithRetry(Item item) {
    RetrySettings retry = settings.retryOnFailure();
    long startNanos = System.nanoTime();
    Duration backoff = retry.initialInterval();
    int n = item.data().itemCount();
    while (true) {
      PipelineException failure = pushOnce(item.data());
      if (failure == null) {
        sent.add(n);
        context.reportStatus(HealthStatus.OK, "");
        complete(item, null);
        return;
      }
      context.reportStatus(HealthStatus.RECOVERABLE_ERROR, failure.getMessage());
      if (!failure.isRetryable() || !retry.enabled()) {
        drop(item, failure, failure.isRetryable() ? "retry is disabled" : "permanent error");
        return;
      }
      Duration delay = jitter(backoff, retry.randomizationFactor());
      if (failure.retryAfter() != null && failure.retryAfter().compareTo(delay) > 0) {
        delay = failure.retryAfter();
      }
      long elapsed = System.nanoTime() - startNanos;
      boolean unbounded = retry.maxElapsedTime().isZero();
      if (!unbounded && elapsed + delay.toNanos() > retry.maxElapsedTime().toNanos()) {
        drop(item, failure, "no more retries left after " + Duration.ofNanos(elapsed).toSeconds() + "s (max_elapsed_time)");
        return;
      }
      if (System.nanoTime() + delay.toNanos() - drainDeadlineNanos > 0) {
        drop(item, failure, "the daemon is stopping and shutdown_timeout has passed");
        return;
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        drop(item, failure, "interrupted while stopping");
        Thread.currentThread().interrupt();
        return;
      }
      double next = Math.min(backoff.toNanos() * retry.multiplier(), retry.maxInterval().toNanos());
      backoff = Duration.ofNanos((long) next);
    }
  }

  private PipelineException pushOnce(TelemetryData data) {
    CompletableFuture<Void> f;
    try {
      f = exporter.push(data);
    } catch (RuntimeException e) {
      return PipelineException.from(e);
    }
    try {
      Duration timeout = settings.timeout();
      if (timeout.isZero()) {
        f.get();
      } else {
        f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      return null;
    } catch (TimeoutException e) {
      f.cancel(true);
      return PipelineException.retryable("push timed out after " + settings.timeout() + " (timeout)");
    } catch (ExecutionException e) {
      return PipelineException.from(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PipelineException.retryable("interrupted");
    }
  }

  /**
   * Counts a batch that will not be sent. A failure that names how many items were refused (a
   * partial success) counts only those as failed and the rest as sent.
   */
  private void drop(Item item, PipelineException failure, String why) {
    int total = item.data().itemCount();
    int n = failure.rejectedItems() >= 0 ? Math.min(failure.rejectedItems(), total) : total;
    sendFailed.add(n);
    sent.add(total - n);
    failureLog.warn("Exporter {} dropped {} of {} items: {}: {}", name, n, total, why, failure.getMessage());
    complete(item, failure);
  }

  private static void complete(Item item, PipelineException failure) {
    if (item.done() != null) {
      if (failure == null) {
        item.done().complete(null);
      } else {
        item.done().completeExceptionally(failure);
      }
    }
  }

  private static Duration jitter(Duration d, double factor) {
    if (factor <= 0) {
      return d;
    }
    double r = 1 + factor * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofNanos((long) (d.toNanos() * r));
  }

  /** Batches waiting in the queue (0 without a queue). */
  public int queueSize() {
    return queue == null ? 0 : queue.size();
  }

  /**
   * Stops accepting, lets the workers drain the queue until {@code deadlineNanos} ({@link
   * System#nanoTime()} based), counts what is left as failed, then shuts the exporter down.
   */
  public void shutdown(long deadlineNanos) {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    accepting = false;
    drainDeadlineNanos = deadlineNanos;
    context.reportStatus(HealthStatus.STOPPING, "");
    if (queue != null) {
      while (!queue.isEmpty() && System.nanoTime() - deadlineNanos < 0 && !workers.isEmpty()) {
        sleepQuietly(20);
      }
      stopping = true;
      for (Thread w : workers) {
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        try {
          if (!w.join(Duration.ofNanos(left).plusMillis(200))) {
            w.interrupt();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      List<Item> left = new ArrayList<>();
      queue.drainTo(left);
      int items = left.stream().mapToInt(i -> i.data().itemCount()).sum();
      if (items > 0) {
        sendFailed.add(items);
        log.warn("Exporter {} stopped with {} items ({} batches) not sent within shutdown_timeout; they are counted as failed",
            name, items, left.size());
      }
    }
    while (inFlight.get() > 0 && System.nanoTime() - deadlineNanos < 0) {
      sleepQuietly(10);
    }
    try {
      exporter.shutdown();
    } catch (RuntimeException e) {
      log.warn("Exporter {} failed to shut down cleanly: {}", name, e.toString());
    }
    context.reportStatus(HealthStatus.STOPPED, "");
  }

  @Override
  public void shutdown() {
    shutdown(System.nanoTime() + Duration.ofSeconds(30).toNanos());
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
