package io.sluice.processor.decisionlog;

import com.google.protobuf.ByteString;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.Logs;
import io.sluice.api.PipelineException;
import io.sluice.api.Processor;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.Traces;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision-log bridge. As a {@link DecisionSink} it receives every decision of its pipeline's
 * processors and buffers a log record for those it records; as a {@link Processor} it passes data
 * on unchanged, picking out application decisions (span events, spans and log records carrying
 * {@code decision.result}). A timer flushes the bounded buffer into the configured logs
 * pipelines; what does not fit is dropped and counted.
 */
final class DecisionLogProcessor implements Processor, DecisionSink {
  private static final Logger log = LoggerFactory.getLogger(DecisionLogProcessor.class);
  private static final String SCOPE = "io.sluice.processor.decisionlog";
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

  private final ComponentContext context;
  private final DecisionLogConfig config;
  private final Signal signal;
  private final DataConsumer next;
  private final Set<Decision.Result> recorded;
  private final Set<String> eventNames;
  private final ArrayBlockingQueue<DecisionRecords.Pending> buffer;
  private final DecisionRecords.SharedParts shared;
  private final SelfTelemetry.Counter emitted;
  private final SelfTelemetry.Counter skippedNotRecorded;
  private final SelfTelemetry.Counter skippedSampledOut;
  private final SelfTelemetry.Counter droppedFull;
  private final SelfTelemetry.Counter droppedDownstream;
  private final SelfTelemetry.Counter droppedStopped;
  private final ThrottledLogger warn = new ThrottledLogger(log, Duration.ofMinutes(1));
  private final AtomicBoolean flushRequested = new AtomicBoolean();
  /** Records offered and not yet drained: the early-flush trigger. */
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile List<DataConsumer> targets = List.of();
  private volatile ScheduledExecutorService timer;
  private CompletableFuture<Void> inflight = CompletableFuture.completedFuture(null);

  DecisionLogProcessor(ComponentContext context, DecisionLogConfig config, Signal signal, DataConsumer next) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.next = next;
    this.recorded = config.record().isEmpty() ? EnumSet.noneOf(Decision.Result.class) : EnumSet.copyOf(config.record());
    this.eventNames = Set.copyOf(config.eventNames());
    this.buffer = new ArrayBlockingQueue<>(config.bufferSize());
    this.shared = new DecisionRecords.SharedParts(signal);
    SelfTelemetry t = context.telemetry();
    String p = "sluice_processor_decision_log_";
    emitted = t.counter(p + "emitted_records", "Decision log records handed to the logs pipelines.");
    String skipped = p + "skipped_decisions";
    String skippedHelp = "Reported decisions not recorded, by reason.";
    skippedNotRecorded = t.counter(skipped, skippedHelp, "reason", "not_recorded");
    skippedSampledOut = t.counter(skipped, skippedHelp, "reason", "sampled_out");
    String dropped = p + "dropped_records";
    String droppedHelp = "Decision log records lost, by reason.";
    droppedFull = t.counter(dropped, droppedHelp, "reason", "buffer_full");
    droppedDownstream = t.counter(dropped, droppedHelp, "reason", "downstream");
    droppedStopped = t.counter(dropped, droppedHelp, "reason", "stopped");
    t.gauge(p + "buffered_records", "Decision log records waiting for the next flush.", buffer::size);
  }

  @Override
  public void start() {
    List<DataConsumer> found = new ArrayList<>();
    for (String id : config.pipelines()) {
      found.add(context.pipelineConsumer(id).orElseThrow(() -> new IllegalStateException(
          "decision_log " + context.id() + ": pipeline \"" + id + "\" does not exist "
              + "(expected: a logs pipeline declared under service.pipelines)")));
    }
    targets = List.copyOf(found);
    ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, "sluice-decision-log-" + context.id());
      th.setDaemon(true);
      return th;
    });
    long every = config.flushInterval().toNanos();
    t.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.NANOSECONDS);
    timer = t;
  }

  @Override
  public boolean isEnabled() {
    return true;
  }

  @Override
  public void report(Decision decision) {
    if (!recorded.contains(decision.result())) {
      skippedNotRecorded.increment();
      return;
    }
    if (!sampledIn(decision.traceId())) {
      skippedSampledOut.increment();
      return;
    }
    offer(DecisionRecords.fromDecision(decision, shared.of(decision), System.currentTimeMillis() * 1_000_000L));
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    if (data instanceof Traces traces) {
      DecisionRecords.fromTraces(traces, eventNames, System.currentTimeMillis() * 1_000_000L, this::offer);
    } else if (data instanceof Logs logs && config.copyLogs()) {
      DecisionRecords.fromLogs(logs, this::offer);
    }
    return next.consume(data);
  }

  private void offer(DecisionRecords.Pending p) {
    if (stopped.get()) {
      droppedStopped.increment();
      return;
    }
    if (!buffer.offer(p)) {
      droppedFull.increment();
      warn.warn("decision_log {}: buffer of {} records is full; decision records dropped "
          + "(raise buffer_size, lower sampling_percentage or check the logs pipeline)", context.id(), config.bufferSize());
      return;
    }
    // Counted beside the queue, whose size() would take its lock a second time per record.
    int waiting = queued.incrementAndGet();
    ScheduledExecutorService t = timer;
    if (t != null && waiting >= config.flushSize() && flushRequested.compareAndSet(false, true)) {
      try {
        t.execute(this::flush);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        flushRequested.set(false);
      }
    }
  }

  /** Runs on the timer thread only (and at shutdown after the timer stopped). */
  private void flush() {
    flushRequested.set(false);
    if (!inflight.isDone()) {
      return; // the logs pipeline is still busy with the last batch: keep buffering (bounded)
    }
    List<DecisionRecords.Pending> batch = new ArrayList<>(Math.min(buffer.size(), config.bufferSize()));
    buffer.drainTo(batch);
    queued.addAndGet(-batch.size());
    if (batch.isEmpty()) {
      return;
    }
    Logs logs = DecisionRecords.toLogs(batch, SCOPE);
    List<CompletableFuture<Void>> sends = new ArrayList<>(targets.size());
    for (DataConsumer target : targets) {
      CompletableFuture<Void> f;
      try {
        f = target.consume(logs);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      sends.add(f.whenComplete((ok, err) -> {
        if (err == null) {
          emitted.add(batch.size());
        } else {
          droppedDownstream.add(batch.size());
          warn.warn("decision_log {}: a logs pipeline refused {} decision records: {}",
              context.id(), batch.size(), PipelineException.from(err).getMessage());
        }
      }));
    }
    inflight = CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).exceptionally(e -> null);
  }

  /** Per trace, so every decision about one trace is recorded or none; independent of the sampler's hash. */
  private boolean sampledIn(ByteString traceId) {
    double pct = config.samplingPercentage();
    if (pct >= 100) {
      return true;
    }
    if (pct <= 0) {
      return false;
    }
    long h;
    if (traceId.size() == 16) {
      long a = 0;
      long b = 0;
      for (int i = 0; i < 8; i++) {
        a = (a << 8) | (traceId.byteAt(i) & 0xff);
        b = (b << 8) | (traceId.byteAt(8 + i) & 0xff);
      }
      h = mix(a ^ Long.rotateLeft(b, 31) ^ 0x5DEECE66DL);
    } else {
      h = ThreadLocalRandom.current().nextLong();
    }
    return (h >>> 11) * 0x1.0p-53 * 100 < pct;
  }

  /** SplitMix64's finaliser: spreads any input bits over the whole word. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public void shutdown() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService t = timer;
    timer = null;
    if (t == null) {
      return;
    }
    t.shutdown();
    try {
      if (t.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        inflight.get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        flush();
        inflight.get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("decision_log {}: logs pipeline did not accept the last decision records within {}",
          context.id(), SHUTDOWN_WAIT);
    }
    int left = buffer.size();
    if (left > 0) {
      buffer.clear();
      droppedStopped.add(left);
      log.warn("decision_log {}: {} decision records dropped at shutdown", context.id(), left);
    }
  }
}
