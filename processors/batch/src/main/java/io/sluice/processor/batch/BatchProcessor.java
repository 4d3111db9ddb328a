package io.sluice.processor.batch;

import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.Processor;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch processor of one pipeline: one {@link Batcher} per combination of {@code
 * metadata_keys} values (a single one without metadata keys).
 *
 * @param <R> the resource-level message of the signal
 */
final class BatchProcessor<R> implements Processor {
  private static final Logger LOG = LoggerFactory.getLogger(BatchProcessor.class);
  private static final double[] SIZE_BUCKETS = {
    10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000,
    10000, 20000, 30000, 50000, 100000
  };
  /** How long shutdown waits for the flushed batches to be accepted downstream. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

  private final BatchConfig config;
  private final Shape<R> shape;
  private final DataConsumer next;
  private final ScheduledExecutorService timer;
  private final Batcher.Metrics metrics;
  private final Map<List<List<String>>, Batcher> batchers = new ConcurrentHashMap<>();
  private final Batcher single;
  private final ThrottledLogger cardinalityLog = new ThrottledLogger(LOG, Duration.ofMinutes(1));
  private volatile boolean stopped;

  BatchProcessor(
      ComponentContext context,
      BatchConfig config,
      Shape<R> shape,
      DataConsumer next,
      ScheduledExecutorService timer) {
    this.config = config;
    this.shape = shape;
    this.next = next;
    this.timer = timer;
    SelfTelemetry t = context.telemetry();
    this.metrics = new Batcher.Metrics(
        t.histogram("otelcol_processor_batch_batch_send_size",
            "Number of items in each batch that was sent", SIZE_BUCKETS),
        t.counter("otelcol_processor_batch_batch_size_trigger_send",
            "Number of times the batch was sent due to a size trigger"),
        t.counter("otelcol_processor_batch_timeout_trigger_send",
            "Number of times the batch was sent due to a timeout trigger"));
    t.gauge("otelcol_processor_batch_metadata_cardinality",
        "Number of distinct metadata value combinations being processed",
        () -> config.metadataKeys().isEmpty() ? 1 : batchers.size());
    this.single = config.metadataKeys().isEmpty()
        ? new Batcher(shape, ClientMetadata.EMPTY, next, config, timer, metrics)
        : null;
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    if (stopped) {
      // Nothing may be held after shutdown: pass straight on so that nothing is lost.
      return next.consume(data);
    }
    if (single != null) {
      return single.add(data);
    }
    ClientMetadata md = data.metadata();
    List<List<String>> key = new ArrayList<>(config.metadataKeys().size());
    for (String k : config.metadataKeys()) {
      key.add(md.get(k));
    }
    Batcher b = batchers.get(key);
    if (b == null) {
      synchronized (batchers) {
        b = batchers.get(key);
        if (b == null) {
          if (batchers.size() >= config.metadataCardinalityLimit()) {
            cardinalityLog.warn("batch: refusing data: more than {} combinations of metadata_keys {}",
                config.metadataCardinalityLimit(), config.metadataKeys());
            return CompletableFuture.failedFuture(PipelineException.permanent(
                "too many batcher metadata-value combinations (metadata_cardinality_limit "
                    + config.metadataCardinalityLimit() + ")"));
          }
          b = new Batcher(shape, metadataOf(key), next, config, timer, metrics);
          batchers.put(key, b);
        }
      }
    }
    return b.add(data);
  }

  private ClientMetadata metadataOf(List<List<String>> key) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < key.size(); i++) {
      if (!key.get(i).isEmpty()) {
        values.put(config.metadataKeys().get(i), key.get(i));
      }
    }
    return ClientMetadata.of(values, null);
  }

  @Override
  public void shutdown() {
    if (stopped) {
      return;
    }
    stopped = true;
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    if (single != null) {
      sent.addAll(single.flush());
    }
    batchers.values().forEach(b -> sent.addAll(b.flush()));
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
          .get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.warn("batch: a batch flushed on shutdown was refused downstream: {}", e.getCause().getMessage());
    } catch (TimeoutException e) {
      LOG.warn("batch: flushed batches not yet accepted downstream after {}; continuing shutdown", SHUTDOWN_WAIT);
    }
  }

  /** Items buffered across every batcher, for tests. */
  int bufferedItems() {
    int n = single != null ? single.bufferedItems() : 0;
    for (Batcher b : batchers.values()) {
      n += b.bufferedItems();
    }
    return n;
  }
}
