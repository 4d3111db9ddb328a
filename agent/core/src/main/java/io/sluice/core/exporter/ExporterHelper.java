package io.sluice.core.exporter;

import static java.util.Objects.requireNonNull;

import io.sluice.api.Component;
import io.sluice.api.ComponentContext;
import io.sluice.api.ComponentId;
import io.sluice.api.DataConsumer;
import io.sluice.api.Exporter;
import io.sluice.api.HealthStatus;
import io.sluice.api.PipelineException;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ExporterSettings;
import io.sluice.api.config.ExporterSettings.RetrySettings;
import io.sluice.api.storage.DurableQueue;
import io.sluice.api.storage.QueueFullException;
import io.sluice.api.storage.QueueStorage;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>With {@code sending_queue.storage} naming a storage extension (e.g. {@code file_storage}), the
 * queue is persistent: a batch is written to storage before the caller's future completes, so a
 * receiver acknowledges only what is on disk; workers deliver from storage and delete only what
 * the back end accepted; retryable failures are retried without the {@code max_elapsed_time} limit
 * (the disk is the buffer, bounded by the storage's {@code max_size}); a stop leaves what was not
 * delivered in storage for the next start.
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
  private final ThrottledLogger retryLog;
  private final ComponentContext context;
  private final Signal signal;
  private final boolean persistent;
  private final SelfTelemetry.Counter corrupt;
  private final SelfTelemetry.Counter droppedOldest;
  private volatile DurableQueue disk;
  private volatile boolean accepting;
  private volatile boolean stopping;
  private volatile long drainDeadlineNanos = Long.MAX_VALUE;
  private boolean started;
  private boolean stopped;

  private record Item(TelemetryData data, CompletableFuture<Void> done, long bytes) {}

  /** Put in the queue at shutdown so that workers blocked on an empty queue see {@code stopping}. */
  private static final Item WAKE_UP = new Item(io.sluice.api.Traces.empty(), null, 0);

  /**
   * The bytes that the in-memory sending queues of all exporters may hold together: a quarter of
   * the heap. {@code queue_size} counts batches, and a batch can be megabytes; without this bound a
   * back end slower than the senders fills the queues until the heap runs out, where the pipeline
   * must instead refuse (retryably) so that senders back off.
   */
  static final AtomicLong QUEUED_BYTES_BUDGET = new AtomicLong(Runtime.getRuntime().maxMemory() / 4);

  /** How one batch's delivery ended. */
  private enum Outcome { SENT, DROPPED, LEFT_IN_STORAGE }

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
    this.signal = signal;
    this.name = context.id() + " (" + signal.configName() + ")";
    this.persistent = settings.sendingQueue().enabled() && !settings.sendingQueue().storage().isEmpty();
    SelfTelemetry t = context.telemetry();
    String item = signal.itemName();
    this.sent = t.counter("otelcol_exporter_sent_" + item, "Items successfully sent to the destination.");
    this.sendFailed = t.counter("otelcol_exporter_send_failed_" + item,
        "Items that could not be sent: permanent error, or retries exhausted.");
    this.enqueueFailed = t.counter("otelcol_exporter_enqueue_failed_" + item,
        "Items refused because the sending queue was full.");
    this.corrupt = t.counter("sluice_file_storage_corrupt_records",
        "Damaged regions of a persistent queue (torn or corrupted writes) that were skipped.");
    this.droppedOldest = t.counter("sluice_exporter_queue_dropped_" + item,
        "Items dropped from a full persistent queue to make room (file_storage when_full = drop_oldest).");
    this.failureLog = new ThrottledLogger(log, Duration.ofSeconds(10));
    this.retryLog = new ThrottledLogger(log, Duration.ofSeconds(10));
    if (settings.sendingQueue().enabled()) {
      int capacity = settings.sendingQueue().queueSize();
      this.queue = persistent ? null : new ArrayBlockingQueue<>(capacity);
      t.gauge("otelcol_exporter_queue_size", "Batches in the sending queue.", this::queueSize,
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
    if (persistent) {
      openStorage();
    }
    exporter.start();
    accepting = true;
    if (settings.sendingQueue().enabled()) {
      for (int i = 0; i < settings.sendingQueue().numConsumers(); i++) {
        Runnable loop = persistent ? this::workFromStorage : this::work;
        workers.add(Thread.ofVirtual().name("exporter-" + context.id() + "-" + i).start(loop));
      }
    }
    context.reportStatus(HealthStatus.OK, "");
  }

  private void openStorage() throws IOException {
    String storageId = settings.sendingQueue().storage();
    QueueStorage storage = context.extension(ComponentId.parse(storageId), QueueStorage.class);
    String queueName = context.id().toString().replace('/', '_') + "-" + signal.configName();
    disk = storage.open(queueName, new DurableQueue.Listener() {
      @Override
      public void corrupt(String where) {
        corrupt.increment();
        log.warn("Persistent queue of exporter {}: corrupt data skipped: {}", name, where);
      }

      @Override
      public void droppedOldest(int batches, long items) {
        droppedOldest.add(items);
        failureLog.warn("Persistent queue of exporter {} is full: dropped the oldest {} batches ({} items) to make room (when_full = drop_oldest)",
            name, batches, items);
      }
    });
    int recovered = disk.size();
    if (recovered > 0) {
      log.info("Exporter {}: {} batches ({} bytes) left by the previous run are in storage {} and will be sent first",
          name, recovered, disk.storedBytes(), storageId);
    }
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    if (!accepting) {
      enqueueFailed.add(data.itemCount());
      return CompletableFuture.failedFuture(
          PipelineException.retryable("exporter " + name + " is not running"));
    }
    if (!settings.sendingQueue().enabled()) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      inFlight.incrementAndGet();
      Thread.ofVirtual().start(() -> {
        try {
          send(data, done);
        } finally {
          inFlight.decrementAndGet();
        }
      });
      return done;
    }
    if (persistent) {
      return store(data);
    }
    long bytes = data.serializedSize();
    if (QUEUED_BYTES_BUDGET.addAndGet(-bytes) < 0) {
      QUEUED_BYTES_BUDGET.addAndGet(bytes);
      return refuseFull(data, "the in-memory sending queues hold a quarter of the heap");
    }
    if (!queue.offer(new Item(data, null, bytes))) {
      QUEUED_BYTES_BUDGET.addAndGet(bytes);
      return refuseFull(data, settings.sendingQueue().queueSize() + " batches");
    }
    return CompletableFuture.completedFuture(null);
  }

  private CompletableFuture<Void> refuseFull(TelemetryData data, String limit) {
    return CompletableFuture.failedFuture(fullRefusal(data, limit));
  }

  /** Counts and logs a batch refused because the queue is full; the error tells senders to retry. */
  private PipelineException fullRefusal(TelemetryData data, String limit) {
    enqueueFailed.add(data.itemCount());
    failureLog.warn("Sending queue of exporter {} is full ({}); refusing data so that senders retry", name, limit);
    return PipelineException.retryable(
        "sending queue of exporter " + name + " is full", settings.retryOnFailure().initialInterval());
  }

  /**
   * Writes a batch to the persistent queue on a virtual thread (an fsync must not block the
   * caller, which may be a network event loop); the future completes once it is stored.
   */
  private CompletableFuture<Void> store(TelemetryData data) {
    DurableQueue q = disk;
    if (q.size() >= settings.sendingQueue().queueSize()) {
      return refuseFull(data, settings.sendingQueue().queueSize() + " batches, queue_size");
    }
    // While the back end keeps up, the batch a worker takes next is one just stored: hand it over
    // as it is instead of decoding it from disk again. The bound keeps an outage's backlog on disk
    // only, not in memory.
    Object attachment = q.size() < 2 * settings.sendingQueue().numConsumers() ? data : null;
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        q.append(BatchCodec.encode(data), data.itemCount(), attachment);
        done.complete(null);
      } catch (QueueFullException e) {
        done.completeExceptionally(fullRefusal(data, e.getMessage()));
      } catch (IOException | RuntimeException | Error e) {
        enqueueFailed.add(data.itemCount());
        failureLog.warn("Exporter {} could not store a batch in its persistent queue; refusing it so that senders retry: {}",
            name, e.toString());
        done.completeExceptionally(PipelineException.retryable(
            "exporter " + name + " could not store the data: " + e.getMessage(), settings.retryOnFailure().initialInterval()));
      }
    });
    return done;
  }

  private void workFromStorage() {
    while (!stopping) {
      DurableQueue.Entry entry;
      try {
        // Long enough that idle workers cost nothing; shutdown waits for it at most once.
        entry = disk.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (entry == null) {
        continue;
      }
      TelemetryData data;
      try {
        data = entry.attachment() instanceof TelemetryData d ? d : BatchCodec.decode(signal, entry.payload());
      } catch (IOException | RuntimeException e) {
        corrupt.increment();
        sendFailed.add(entry.items());
        log.warn("Exporter {}: a stored batch of {} items cannot be read and is dropped: {}", name, entry.items(), e.toString());
        disk.acknowledge(entry);
        continue;
      }
      inFlight.incrementAndGet();
      try {
        if (send(data, null) != Outcome.LEFT_IN_STORAGE) {
          disk.acknowledge(entry);
        }
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private void work() {
    while (true) {
      Item item;
      try {
        // An idle worker blocks without a timeout: ten consumers polling every 100 ms cost a
        // sidecar more CPU at idle than all else. shutdown() wakes them with WAKE_UP items.
        item = stopping ? queue.poll() : queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (item == null) {
        if (stopping) {
          return;
        }
        continue;
      }
      if (item == WAKE_UP) {
        continue;
      }
      inFlight.incrementAndGet();
      try {
        send(item.data(), item.done());
      } finally {
        QUEUED_BYTES_BUDGET.addAndGet(item.bytes());
        inFlight.decrementAndGet();
      }
    }
  }

  /**
   * Pushes with retry until success, a permanent failure, or the retry budget is spent (for a
   * persistent queue: until the daemon stops, when the batch stays in storage).
   *
   * @param done completed with the outcome, if not null
   */
  private Outcome send(TelemetryData data, CompletableFuture<Void> done) {
    RetrySettings retry = settings.retryOnFailure();
    long startNanos = System.nanoTime();
    Duration backoff = retry.initialInterval();
    while (true) {
      PipelineException failure = pushOnce(data);
      if (failure == null) {
        sent.add(data.itemCount());
        context.reportStatus(HealthStatus.OK, "");
        complete(done, null);
        return Outcome.SENT;
      }
      context.reportStatus(HealthStatus.RECOVERABLE_ERROR, failure.getMessage());
      if (!failure.isRetryable() || !retry.enabled()) {
        return drop(data, done, failure, failure.isRetryable() ? "retry is disabled" : "permanent error");
      }
      Duration delay = jitter(backoff, retry.randomizationFactor());
      if (failure.retryAfter() != null && failure.retryAfter().compareTo(delay) > 0) {
        delay = failure.retryAfter();
      }
      long elapsed = System.nanoTime() - startNanos;
      boolean unbounded = retry.maxElapsedTime().isZero() || persistent;
      if (!unbounded && elapsed + delay.toNanos() > retry.maxElapsedTime().toNanos()) {
        return drop(data, done, failure, "no more retries left after " + Duration.ofNanos(elapsed).toSeconds() + "s (max_elapsed_time)");
      }
      retryLog.warn("Exporter {} could not send {} items, retrying in {}: {}", name, data.itemCount(),
          ConfigChecks.text(delay), failure.getMessage());
      if (System.nanoTime() + delay.toNanos() - drainDeadlineNanos > 0) {
        return persistent ? Outcome.LEFT_IN_STORAGE
            : drop(data, done, failure, "the daemon is stopping and shutdown_timeout has passed");
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return persistent ? Outcome.LEFT_IN_STORAGE : drop(data, done, failure, "interrupted while stopping");
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
  private Outcome drop(TelemetryData data, CompletableFuture<Void> done, PipelineException failure, String why) {
    int total = data.itemCount();
    int n = failure.rejectedItems() >= 0 ? Math.min(failure.rejectedItems(), total) : total;
    sendFailed.add(n);
    sent.add(total - n);
    failureLog.warn("Exporter {} dropped {} of {} items: {}: {}", name, n, total, why, failure.getMessage());
    complete(done, failure);
    return Outcome.DROPPED;
  }

  private static void complete(CompletableFuture<Void> done, PipelineException failure) {
    if (done != null) {
      if (failure == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(failure);
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

  /** Batches waiting in the queue (0 without a queue); for a persistent queue, not yet delivered. */
  public int queueSize() {
    DurableQueue q = disk;
    if (q != null) {
      return q.size();
    }
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
    if (!workers.isEmpty()) {
      while (queueSize() > 0 && System.nanoTime() - deadlineNanos < 0) {
        sleepQuietly(20);
      }
      stopping = true;
      if (queue != null) {
        // If the queue is full, no worker is blocked on it.
        for (int i = 0; i < workers.size() && queue.offer(WAKE_UP); i++) { }
      }
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
      if (queue != null) {
        List<Item> left = new ArrayList<>();
        queue.drainTo(left);
        left.removeIf(i -> i == WAKE_UP);
        left.forEach(i -> QUEUED_BYTES_BUDGET.addAndGet(i.bytes()));
        int items = left.stream().mapToInt(i -> i.data().itemCount()).sum();
        if (items > 0) {
          sendFailed.add(items);
          log.warn("Exporter {} stopped with {} items ({} batches) not sent within shutdown_timeout; they are counted as failed",
              name, items, left.size());
        }
      }
    }
    while (inFlight.get() > 0 && System.nanoTime() - deadlineNanos < 0) {
      sleepQuietly(10);
    }
    DurableQueue q = disk;
    if (q != null) {
      int left = q.size();
      if (left > 0) {
        log.warn("Exporter {} stopped with {} batches ({} bytes) not yet delivered; they stay in storage {} and are sent after the next start",
            name, left, q.storedBytes(), settings.sendingQueue().storage());
      }
      q.close();
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
