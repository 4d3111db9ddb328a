package io.sluice.processor.batch;

import io.sluice.api.ClientMetadata;
import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.TelemetryData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One batch under construction, for one combination of metadata values. Requests are buffered until
 * {@code send_batch_size} is reached or the oldest buffered item has waited {@code timeout}; then
 * batches of at most {@code send_batch_max_size} items are cut and sent. The lock is held only to
 * move requests between lists, never while calling the next consumer, so event loops never wait on
 * downstream work. Requests stay whole (and, if they arrived encoded, unparsed) unless a batch
 * boundary falls inside one.
 */
final class Batcher {
  /** A request, or the part of one left after a split, and the acknowledgement it belongs to. */
  private record Chunk(TelemetryData data, int items, Ack ack) {}

  /** A cut batch, ready to send. */
  private record Cut(List<Chunk> chunks, int items, Trigger trigger) {}

  /** Why a batch was sent. */
  private enum Trigger {
    SIZE,
    TIMEOUT,
    SHUTDOWN
  }

  private final Shape<?> shape;
  private final ClientMetadata metadata;
  private final DataConsumer next;
  private final int sendBatchSize;
  private final int maxSize;
  private final long timeoutNanos;
  private final ScheduledExecutorService timer;
  private final Metrics metrics;

  private final ArrayDeque<Chunk> buffer = new ArrayDeque<>();
  private int bufferedItems;
  private ScheduledFuture<?> pendingTimer;
  private long generation;

  /** The self-metrics every batcher of a processor shares. */
  record Metrics(
      SelfTelemetry.Histogram sendSize,
      SelfTelemetry.Counter sizeTrigger,
      SelfTelemetry.Counter timeoutTrigger) {}

  Batcher(
      Shape<?> shape,
      ClientMetadata metadata,
      DataConsumer next,
      BatchConfig config,
      ScheduledExecutorService timer,
      Metrics metrics) {
    this.shape = shape;
    this.metadata = metadata;
    this.next = next;
    this.sendBatchSize = config.sendBatchSize();
    this.maxSize = config.sendBatchMaxSize() > 0 ? config.sendBatchMaxSize() : Integer.MAX_VALUE;
    this.timeoutNanos = config.timeout().toNanos();
    this.timer = timer;
    this.metrics = metrics;
  }

  /** Adds a request; its future completes when all its items were accepted downstream. */
  CompletableFuture<Void> add(TelemetryData data) {
    Ack ack = new Ack();
    int n = data.itemCount();
    if (n == 0) {
      ack.future.complete(null);
      return ack.future;
    }
    List<Cut> cuts = new ArrayList<>(1);
    synchronized (this) {
      ack.addPart();
      buffer.addLast(new Chunk(data, n, ack));
      bufferedItems += n;
      if (timeoutNanos == 0) {
        cutAll(cuts, Trigger.SIZE);
      } else {
        cutFull(cuts);
        if (bufferedItems > 0 && pendingTimer == null) {
          schedule();
        }
      }
    }
    send(cuts);
    return ack.future;
  }

  /** Sends whatever is buffered, e.g. on shutdown; returns the futures of the sent batches. */
  List<CompletableFuture<Void>> flush() {
    List<Cut> cuts = new ArrayList<>();
    synchronized (this) {
      cutAll(cuts, Trigger.SHUTDOWN);
    }
    return send(cuts);
  }

  /** The number of buffered items. */
  synchronized int bufferedItems() {
    return bufferedItems;
  }

  private void schedule() {
    long gen = ++generation;
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
    }
    pendingTimer = timer.schedule(() -> onTimeout(gen), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void onTimeout(long gen) {
    List<Cut> cuts = new ArrayList<>();
    synchronized (this) {
      if (gen != generation) {
        return;
      }
      pendingTimer = null;
      cutAll(cuts, Trigger.TIMEOUT);
    }
    send(cuts);
  }

  /** Cuts batches while the buffer holds at least {@code send_batch_size} (or max size) items. */
  private void cutFull(List<Cut> out) {
    int trigger = sendBatchSize > 0 ? sendBatchSize : maxSize;
    while (bufferedItems > 0 && bufferedItems >= trigger) {
      out.add(cut(Math.min(bufferedItems, maxSize), Trigger.SIZE));
    }
    if (bufferedItems == 0) {
      cancelTimer();
    }
  }

  private void cutAll(List<Cut> out, Trigger trigger) {
    while (bufferedItems > 0) {
      out.add(cut(Math.min(bufferedItems, maxSize), trigger));
    }
    cancelTimer();
  }

  private void cancelTimer() {
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
      pendingTimer = null;
      generation++;
    }
  }

  private Cut cut(int items, Trigger trigger) {
    List<Chunk> chunks = new ArrayList<>();
    int left = items;
    while (left > 0) {
      Chunk c = buffer.pollFirst();
      if (c.items() <= left) {
        chunks.add(c);
        left -= c.items();
      } else {
        Shape.Pair<TelemetryData> halves = shape.split(c.data(), left);
        c.ack().addPart();
        chunks.add(new Chunk(halves.head(), left, c.ack()));
        buffer.addFirst(new Chunk(halves.tail(), c.items() - left, c.ack()));
        left = 0;
      }
    }
    bufferedItems -= items;
    return new Cut(chunks, items, trigger);
  }

  private List<CompletableFuture<Void>> send(List<Cut> cuts) {
    List<CompletableFuture<Void>> sent = new ArrayList<>(cuts.size());
    for (Cut cut : cuts) {
      List<TelemetryData> parts = new ArrayList<>(cut.chunks().size());
      for (Chunk c : cut.chunks()) {
        parts.add(c.data());
      }
      metrics.sendSize().record(cut.items());
      switch (cut.trigger()) {
        case SIZE -> metrics.sizeTrigger().increment();
        case TIMEOUT -> metrics.timeoutTrigger().increment();
        case SHUTDOWN -> { }
      }
      CompletableFuture<Void> f;
      try {
        f = next.consume(shape.join(parts, metadata));
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(PipelineException.from(e));
      }
      f.whenComplete((v, error) -> cut.chunks().forEach(c -> c.ack().partDone(error)));
      sent.add(f);
    }
    return sent;
  }
}
