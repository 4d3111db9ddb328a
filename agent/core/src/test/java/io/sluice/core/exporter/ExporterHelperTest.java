package io.sluice.core.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.ComponentKind;
import io.sluice.api.Logs;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.config.ExporterSettings;
import io.sluice.api.config.ExporterSettings.QueueSettings;
import io.sluice.api.config.ExporterSettings.RetrySettings;
import io.sluice.core.testing.TestComponents.TestExporter;
import io.sluice.core.testing.TestContext;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

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
}
