package io.sluice.core.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentKind;
import io.sluice.api.Extension;
import io.sluice.api.Logs;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.config.DataSize;
import io.sluice.api.config.ExporterSettings;
import io.sluice.api.config.ExporterSettings.QueueSettings;
import io.sluice.api.config.ExporterSettings.RetrySettings;
import io.sluice.core.extension.storage.FileStorageConfig;
import io.sluice.core.extension.storage.FileStorageFactory;
import io.sluice.core.testing.TestComponents.TestExporter;
import io.sluice.core.testing.TestContext;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterHelperTest {
  private final TestContext ctx = new TestContext("test_exporter", ComponentKind.EXPORTER);
  private final TestExporter exporter = new TestExporter();

  private static ExporterSettings settings(boolean queue, int consumers, int size, Duration initial) {
    return new ExporterSettings(new QueueSettings(queue, consumers, size, ""),
        new RetrySettings(true, initial, 0, 2, Duration.ofSeconds(1), Duration.ofSeconds(30)), Duration.ofSeconds(5));
  }

  private static Logs logs(int n) {
    ScopeLogs.Builder s = ScopeLogs.newBuilder();
    for (int i = 0; i < n; i++) {
      s.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(i));
    }
    return Logs.of(List.of(ResourceLogs.newBuilder().addScopeLogs(s).build()));
  }

  @Test
  void fullQueueRefusesWithRetryableErrorAndCounts() throws Exception {
    CompletableFuture<Void> never = new CompletableFuture<>();
    exporter.behaviour = d -> never;
    ExporterHelper helper = new ExporterHelper(exporter, settings(true, 1, 1, Duration.ofMillis(10)), Signal.LOGS, ctx);
    helper.start();
    helper.consume(logs(1)).join();
    while (helper.queueSize() > 0) {
      Thread.sleep(5);
    }
    helper.consume(logs(2)).join();
    assertThatThrownBy(() -> helper.consume(logs(3)).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(PipelineException.class)
        .hasMessageContaining("sending queue of exporter test_exporter (logs) is full")
        .matches(e -> ((PipelineException) e).isRetryable());
    assertThat(ctx.metric("otelcol_exporter_enqueue_failed_log_records", "exporter", "test_exporter")).isEqualTo(3);
    assertThat(ctx.metric("otelcol_exporter_queue_capacity")).isEqualTo(1);
    never.complete(null);
    helper.shutdown(System.nanoTime() + Duration.ofSeconds(5).toNanos());
    assertThat(ctx.metric("otelcol_exporter_sent_log_records")).isEqualTo(3);
  }

  @Test
  void inMemoryQueuesRefuseRetryablyBeyondTheirShareOfTheHeap() throws Exception {
    long budget = ExporterHelper.QUEUED_BYTES_BUDGET.get();
    long batch = logs(10).serializedSize();
    // Room for two batches: one with the worker (held until sent), one waiting.
    ExporterHelper.QUEUED_BYTES_BUDGET.set(2 * batch + batch / 2);
    CompletableFuture<Void> never = new CompletableFuture<>();
    exporter.behaviour = d -> never;
    ExporterHelper helper = new ExporterHelper(exporter, settings(true, 1, 1000, Duration.ofMillis(10)), Signal.LOGS, ctx);
    try {
      helper.start();
      helper.consume(logs(10)).join();
      while (helper.queueSize() > 0) {
        Thread.sleep(5);
      }
      helper.consume(logs(10)).join();
      assertThatThrownBy(() -> helper.consume(logs(10)).join())
          .cause().isInstanceOf(PipelineException.class)
          .hasMessageContaining("is full")
          .matches(e -> ((PipelineException) e).isRetryable());
      assertThat(ctx.metric("otelcol_exporter_enqueue_failed_log_records", "exporter", "test_exporter")).isEqualTo(10);
      never.complete(null);
      helper.shutdown(System.nanoTime() + Duration.ofSeconds(5).toNanos());
      assertThat(ctx.metric("otelcol_exporter_sent_log_records")).isEqualTo(20);
      // Sent batches give their bytes back.
      assertThat(ExporterHelper.QUEUED_BYTES_BUDGET.get()).isEqualTo(2 * batch + batch / 2);
    } finally {
      ExporterHelper.QUEUED_BYTES_BUDGET.set(budget);
    }
  }

  @Test
  void retriesRetryableFailuresThenCountsSent() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    exporter.behaviour = d -> attempts.incrementAndGet() < 3
        ? CompletableFuture.failedFuture(PipelineException.retryable("503"))
        : CompletableFuture.completedFuture(null);
    ExporterHelper helper = new ExporterHelper(exporter, settings(false, 1, 1, Duration.ofMillis(5)), Signal.LOGS, ctx);
    helper.start();
    helper.consume(logs(4)).join();
    assertThat(attempts).hasValue(3);
    assertThat(exporter.received).hasSize(1);
    assertThat(ctx.metric("otelcol_exporter_sent_log_records")).isEqualTo(4);
    assertThat(ctx.metric("otelcol_exporter_send_failed_log_records")).isZero();
    helper.shutdown();
  }

  @Test
  void permanentFailureIsDroppedCountedAndNotRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    exporter.behaviour = d -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(PipelineException.permanent("400 bad request"));
    };
    ExporterHelper helper = new ExporterHelper(exporter, settings(false, 1, 1, Duration.ofMillis(5)), Signal.LOGS, ctx);
    helper.start();
    assertThatThrownBy(() -> helper.consume(logs(2)).join()).hasMessageContaining("400 bad request");
    assertThat(attempts).hasValue(1);
    assertThat(ctx.metric("otelcol_exporter_send_failed_log_records")).isEqualTo(2);
    helper.shutdown();
  }

  @Test
  void waitsAtLeastRetryAfterBeforeTheNextAttempt() throws Exception {
    List<Long> times = new CopyOnWriteArrayList<>();
    exporter.behaviour = d -> {
      times.add(System.nanoTime());
      return times.size() == 1
          ? CompletableFuture.failedFuture(PipelineException.retryable("429", Duration.ofMillis(300)))
          : CompletableFuture.completedFuture(null);
    };
    ExporterHelper helper = new ExporterHelper(exporter, settings(false, 1, 1, Duration.ofMillis(1)), Signal.LOGS, ctx);
    helper.start();
    helper.consume(logs(1)).join();
    assertThat(times).hasSize(2);
    assertThat(Duration.ofNanos(times.get(1) - times.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    helper.shutdown();
  }

  @Test
  void shutdownDrainsTheQueueBeforeStoppingTheExporter() throws Exception {
    exporter.behaviour = d -> CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS));
    ExporterHelper helper = new ExporterHelper(exporter, settings(true, 2, 100, Duration.ofMillis(5)), Signal.LOGS, ctx);
    helper.start();
    for (int i = 0; i < 20; i++) {
      helper.consume(logs(5)).join();
    }
    helper.shutdown(System.nanoTime() + Duration.ofSeconds(10).toNanos());
    assertThat(exporter.received.stream().mapToInt(TelemetryData::itemCount).sum()).isEqualTo(100);
    assertThat(ctx.metric("otelcol_exporter_sent_log_records")).isEqualTo(100);
    assertThatThrownBy(() -> helper.consume(logs(1)).join()).hasMessageContaining("is not running");
  }

  @Test
  void partialRejectionCountsOnlyTheRejectedItemsAsFailed() throws Exception {
    exporter.behaviour = d -> CompletableFuture.failedFuture(
        PipelineException.permanent("1 span over max_packet_size").withRejectedItems(1));
    ExporterHelper helper = new ExporterHelper(exporter, settings(false, 1, 1, Duration.ofMillis(5)), Signal.LOGS, ctx);
    helper.start();
    assertThatThrownBy(() -> helper.consume(logs(5)).join()).hasMessageContaining("over max_packet_size");
    assertThat(ctx.metric("otelcol_exporter_send_failed_log_records")).isEqualTo(1);
    assertThat(ctx.metric("otelcol_exporter_sent_log_records")).isEqualTo(4);
    helper.shutdown();
  }

  private Extension fileStorage(Path dir) throws Exception {
    Extension storage = new FileStorageFactory().createExtension(new TestContext("file_storage", ComponentKind.EXTENSION),
        new FileStorageConfig(dir.toString(), "always", Duration.ofSeconds(1), DataSize.ofMebibytes(64), "refuse",
            DataSize.ofMebibytes(1)));
    storage.start();
    return storage;
  }

  private static ExporterSettings persistent(int size, Duration maxElapsed) {
    return new ExporterSettings(new QueueSettings(true, 2, size, "file_storage"),
        new RetrySettings(true, Duration.ofMillis(5), 0, 2, Duration.ofMillis(20), maxElapsed), Duration.ofSeconds(5));
  }

  @Test
  void persistentQueueKeepsWhatTheBackEndDidNotTakeAcrossARestart(@TempDir Path dir) throws Exception {
    Extension storage = fileStorage(dir);
    TestContext first = new TestContext("otlp/gw", ComponentKind.EXPORTER).withExtension("file_storage", storage);
    exporter.behaviour = d -> CompletableFuture.failedFuture(PipelineException.retryable("connection refused"));
    ExporterHelper helper = new ExporterHelper(exporter, persistent(100, Duration.ofMillis(50)), Signal.LOGS, first);
    helper.start();
    ClientMetadata tenant = ClientMetadata.of(Map.of("x-scope-orgid", List.of("acme")), "10.0.0.7");
    for (int i = 1; i <= 5; i++) {
      helper.consume(logs(i).withMetadata(tenant)).join();
    }
    helper.shutdown(System.nanoTime() + Duration.ofMillis(300).toNanos());
    storage.shutdown();
    assertThat(first.metric("otelcol_exporter_send_failed_log_records"))
        .as("retried past max_elapsed_time and left in storage, not dropped").isZero();
    assertThat(exporter.received).isEmpty();

    Extension restarted = fileStorage(dir);
    TestContext second = new TestContext("otlp/gw", ComponentKind.EXPORTER).withExtension("file_storage", restarted);
    TestExporter backEndUp = new TestExporter();
    ExporterHelper again = new ExporterHelper(backEndUp, persistent(100, Duration.ofMillis(50)), Signal.LOGS, second);
    again.start();
    while (backEndUp.received.size() < 5) {
      Thread.sleep(10);
    }
    again.shutdown(System.nanoTime() + Duration.ofSeconds(5).toNanos());
    restarted.shutdown();
    assertThat(backEndUp.received).extracting(TelemetryData::itemCount).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
    assertThat(backEndUp.received).allSatisfy(d -> assertThat(d.metadata()).isEqualTo(tenant));
    assertThat(second.metric("otelcol_exporter_sent_log_records")).isEqualTo(15);
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.toString().endsWith(".seg"))).as("delivered segments are deleted").isEmpty();
    }
  }

  @Test
  void persistentQueueRefusesRetryablyAtQueueSize(@TempDir Path dir) throws Exception {
    Extension storage = fileStorage(dir);
    ctx.withExtension("file_storage", storage);
    exporter.behaviour = d -> new CompletableFuture<>();
    ExporterHelper helper = new ExporterHelper(exporter, persistent(3, Duration.ZERO), Signal.LOGS, ctx);
    helper.start();
    for (int i = 0; i < 3; i++) {
      helper.consume(logs(1)).join();
    }
    assertThatThrownBy(() -> helper.consume(logs(7)).join())
        .cause().isInstanceOf(PipelineException.class)
        .hasMessageContaining("is full")
        .matches(e -> ((PipelineException) e).isRetryable());
    assertThat(ctx.metric("otelcol_exporter_enqueue_failed_log_records")).isEqualTo(7);
    assertThat(ctx.metric("otelcol_exporter_queue_size")).isEqualTo(3);
    helper.shutdown(System.nanoTime() + Duration.ofMillis(200).toNanos());
    storage.shutdown();
  }

  @Test
  void aPermanentFailureFromStorageIsDroppedCountedAndDeleted(@TempDir Path dir) throws Exception {
    Extension storage = fileStorage(dir);
    ctx.withExtension("file_storage", storage);
    exporter.behaviour = d -> CompletableFuture.failedFuture(PipelineException.permanent("400 bad request"));
    ExporterHelper helper = new ExporterHelper(exporter, persistent(10, Duration.ZERO), Signal.LOGS, ctx);
    helper.start();
    helper.consume(logs(4)).join();
    while (ctx.metric("otelcol_exporter_send_failed_log_records") < 4) {
      Thread.sleep(5);
    }
    assertThat(helper.queueSize()).isZero();
    helper.shutdown(System.nanoTime() + Duration.ofSeconds(1).toNanos());
    storage.shutdown();
  }
}
