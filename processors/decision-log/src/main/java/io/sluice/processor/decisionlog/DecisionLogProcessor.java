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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
  private final Buffer buffer;
  private final DecisionRecords.SharedParts shared;
  private final SelfTelemetry.Counter emitted;
  private final SelfTelemetry.Counter skippedNotRecorded;
  private final SelfTelemetry.Counter skippedSampledOut;
  private final SelfTelemetry.Counter droppedFull;
  private final SelfTelemetry.Counter droppedDownstream;
  private final SelfTelemetry.Counter droppedStopped;
  private final ThrottledLogger warn = new ThrottledLogger(log, Duration.ofMinutes(1));
  private final AtomicBoolean flushRequested = new AtomicBoolean();
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
    this.buffer = new Buffer(config.bufferSize());
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
    record(decision, System.currentTimeMillis() * 1_000_000L, this::offer);
  }

  /** One clock reading and one buffer lock for the whole batch. */
  @Override
  public void reportAll(List<Decision> decisions) {
    long observed = System.currentTimeMillis() * 1_000_000L;
    List<DecisionRecords.Pending> records = new ArrayList<>(decisions.size());
    for (Decision d : decisions) {
      record(d, observed, records::add);
    }
    offerAll(records);
  }

  private void record(Decision decision, long observedNanos, Consumer<DecisionRecords.Pending> out) {
    if (!recorded.contains(decision.result())) {
      skippedNotRecorded.increment();
      return;
    }
    if (!sampledIn(decision.traceId())) {
      skippedSampledOut.increment();
      return;
    }
    out.accept(DecisionRecords.fromDecision(decision, shared.of(decision), observedNanos));
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
    offerAll(List.of(p));
  }

  private void offerAll(List<DecisionRecords.Pending> records) {
    if (records.isEmpty()) {
      return;
    }
    if (stopped.get()) {
      droppedStopped.add(records.size());
      return;
    }
    int refused = buffer.addAll(records);
    if (refused > 0) {
      droppedFull.add(refused);
      warn.warn("decision_log {}: buffer of {} records is full; decision records dropped "
          + "(raise buffer_size, lower sampling_percentage or check the logs pipeline)", context.id(), config.bufferSize());
    }
    ScheduledExecutorService t = timer;
    if (t != null && buffer.size() >= config.flushSize() && flushRequested.compareAndSet(false, true)) {
      try {
        t.execute(this::flush);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        flushRequested.set(false);
      }
    }
  }

  /** Runs on the timer thread only (and at shutdown after the timer stopped). */
  private void flush() {
    if (!inflight.isDone()) {
      flushRequested.set(false);
      return; // the logs pipeline is still busy with the last batch: keep buffering (bounded)
    }
    List<DecisionRecords.Pending> batch = buffer.takeAll();
    // Only now: cleared before taking, every record offered meanwhile found the buffer still over
    // flush_size and asked for another flush.
    flushRequested.set(false);
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
    int left = buffer.takeAll().size();
    if (left > 0) {
      droppedStopped.add(left);
      log.warn("decision_log {}: {} decision records dropped at shutdown", context.id(), left);
    }
  }

  /**
   * The bounded buffer of records waiting for a flush: a list swapped out whole by the timer, one
   * lock per batch of records (an {@code ArrayBlockingQueue} took its lock per record, and again
   * for its size).
   */
  private static final class Buffer {
    private final int capacity;
    private List<DecisionRecords.Pending> records = new ArrayList<>();
    /** Read without the lock by the flush trigger and the gauge. */
    private volatile int size;

    Buffer(int capacity) {
      this.capacity = capacity;
    }

    /** Adds what fits; returns how many did not. */
    synchronized int addAll(List<DecisionRecords.Pending> more) {
      int room = capacity - records.size();
      int taken = Math.min(room, more.size());
      records.addAll(more.subList(0, taken));
      size = records.size();
      return more.size() - taken;
    }

    synchronized List<DecisionRecords.Pending> takeAll() {
      List<DecisionRecords.Pending> all = records;
      records = new ArrayList<>(Math.min(all.size(), capacity));
      size = 0;
      return all;
    }

    int size() {
      return size;
    }
  }
}
