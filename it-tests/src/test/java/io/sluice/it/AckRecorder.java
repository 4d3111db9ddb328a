package io.sluice.it;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Sits between the SDK's batch span processor and its real OTLP exporter and writes down the
 * sender's view: which span ids were handed to the exporter ("sent"), which belong to exports
 * whose result succeeded ("acknowledged": the daemon answered OK, after the SDK's own retries) and
 * which to exports that failed ("refused", with the reason: the gRPC status, or the I/O error).
 */
final class AckRecorder implements SpanExporter {
  private final SpanExporter delegate;
  private final Map<Long, String> names = new HashMap<>();
  private final List<long[]> batches = new ArrayList<>();
  private final Set<Long> acknowledged = new HashSet<>();
  private final Set<Long> refused = new HashSet<>();
  private final Map<String, Integer> refusedBy = new TreeMap<>();
  private int pending;

  AckRecorder(SpanExporter delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    long[] ids = new long[spans.size()];
    synchronized (this) {
      int i = 0;
      for (SpanData s : spans) {
        long id = Long.parseUnsignedLong(s.getSpanId(), 16);
        names.put(id, s.getName());
        ids[i++] = id;
      }
      batches.add(ids);
      pending++;
    }
    CompletableResultCode result = delegate.export(spans);
    result.whenComplete(() -> record(ids, result));
    return result;
  }

  private synchronized void record(long[] ids, CompletableResultCode result) {
    for (long id : ids) {
      (result.isSuccess() ? acknowledged : refused).add(id);
    }
    if (!result.isSuccess()) {
      refusedBy.merge(reason(result.getFailureThrowable()), ids.length, Integer::sum);
    }
    pending--;
    notifyAll();
  }

  private static String reason(Throwable failure) {
    if (failure instanceof FailedExportException.GrpcExportException grpc && grpc.getResponse() != null) {
      return grpc.getResponse().getStatusCode().name();
    }
    if (failure instanceof FailedExportException f && f.getCause() != null) {
      return f.getCause().getClass().getSimpleName();
    }
    return failure == null ? "no cause given" : failure.getClass().getSimpleName();
  }

  /** Waits (bounded) until every export handed to the exporter has an outcome. */
  synchronized void awaitSettled(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pending > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(pending + " SDK exports still without an outcome after " + timeout);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Span id → span name, for every span handed to the exporter. */
  synchronized Map<Long, String> sent() {
    return Map.copyOf(names);
  }

  /** How many spans were acknowledged so far (cheap, for polling). */
  synchronized int acknowledgedCount() {
    return acknowledged.size();
  }

  synchronized Set<Long> acknowledged() {
    return Set.copyOf(acknowledged);
  }

  synchronized Set<Long> refused() {
    return Set.copyOf(refused);
  }

  /** Spans refused, by reason (gRPC status name or exception class). */
  synchronized Map<String, Integer> refusedBy() {
    return Map.copyOf(refusedBy);
  }

  /** The span ids of every export call so far, in order. */
  synchronized List<List<Long>> batches() {
    List<List<Long>> out = new ArrayList<>(batches.size());
    for (long[] batch : batches) {
      out.add(Arrays.stream(batch).boxed().toList());
    }
    return out;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
