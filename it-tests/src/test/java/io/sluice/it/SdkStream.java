package io.sluice.it;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry Java SDK as a service would use it, sending spans over OTLP/gRPC to the daemon
 * through a {@link BatchSpanProcessor} (one export at a time, batches of 512: the SDK's OkHttp
 * sender rejects many concurrent exports). Its queue holds a whole run, so that the SDK itself never
 * drops a span and every span reaches the exporter, where {@link AckRecorder} writes down the
 * outcome.
 */
final class SdkStream implements AutoCloseable {
  /** Spans per trace: a server span and three client spans under it. */
  static final int SPANS_PER_TRACE = 4;

  /**
   * The SDK's default retry (5 attempts, 1s growing to 5s) on UNAVAILABLE and on every I/O error,
   * including a connection reset by a daemon that died mid-request.
   */
  static final RetryPolicy RETRY = RetryPolicy.builder().setMaxAttempts(5).setInitialBackoff(Duration.ofSeconds(1))
      .setMaxBackoff(Duration.ofSeconds(5)).setBackoffMultiplier(2).setRetryExceptionPredicate(e -> true).build();

  final AckRecorder recorder;
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private int traces;

  /**
   * @param grpcPort the daemon's OTLP/gRPC port
   * @param retry the SDK's retry policy, or null for none (each refusal then fails its export at once)
   */
  SdkStream(int grpcPort, RetryPolicy retry) {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + grpcPort).setTimeout(Duration.ofSeconds(30)).setRetryPolicy(retry).build();
    recorder = new AckRecorder(exporter);
    provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().toBuilder().put("service.name", "orders").build())
        .addSpanProcessor(BatchSpanProcessor.builder(recorder).setMaxQueueSize(1 << 18).setMaxExportBatchSize(512)
            .setScheduleDelay(Duration.ofMillis(100)).setExporterTimeout(Duration.ofSeconds(60)).build())
        .build();
    tracer = provider.get("io.sluice.it.reliability", "1.0");
  }

  /** Ends {@code spans} more spans (a multiple of {@link #SPANS_PER_TRACE}), each with a distinct name. */
  void emit(int spans) {
    if (spans % SPANS_PER_TRACE != 0) {
      throw new IllegalArgumentException("spans: " + spans + " (expected: a multiple of " + SPANS_PER_TRACE + ")");
    }
    for (int n = spans / SPANS_PER_TRACE; n > 0; n--) {
      int t = traces++;
      Span root = tracer.spanBuilder("GET /orders/" + t).setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 200L)
          .setAttribute("url.path", "/orders/" + t).startSpan();
      Context parent = Context.current().with(root);
      for (int c = 1; c < SPANS_PER_TRACE; c++) {
        tracer.spanBuilder("SELECT orders " + t + "." + c).setParent(parent).setSpanKind(SpanKind.CLIENT)
            .setAttribute("db.system", "postgresql").setAttribute("db.statement", "SELECT * FROM orders WHERE id = ?")
            .startSpan().end();
      }
      root.end();
    }
  }

  /** Spans ended so far. */
  int emitted() {
    return traces * SPANS_PER_TRACE;
  }

  /**
   * Exports everything still queued in the SDK and waits (bounded) until every export has an
   * outcome; fails if the SDK dropped a span on its own side, which would make the figures wrong.
   */
  void drain(Duration timeout) throws InterruptedException {
    CompletableResultCode flushed = provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!flushed.isDone()) {
      throw new AssertionError("the SDK did not flush within " + timeout);
    }
    recorder.awaitSettled(timeout);
    int sent = recorder.sent().size();
    if (sent != emitted()) {
      throw new AssertionError("the SDK handed " + sent + " of " + emitted() + " spans to its exporter");
    }
  }

  @Override
  public void close() {
    provider.shutdown().join(30, TimeUnit.SECONDS);
  }
}
