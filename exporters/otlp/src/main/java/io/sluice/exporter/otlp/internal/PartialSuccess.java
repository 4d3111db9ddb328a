package io.sluice.exporter.otlp.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.sluice.api.ComponentId;
import io.sluice.api.Signal;
import io.sluice.api.ThrottledLogger;
import io.sluice.receiver.otlp.internal.OtlpJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Reads the {@code partial_success} of an export response and logs it as a warning, at most once
 * per interval (OTLP spec: the data was accepted, but some items were rejected and must not be
 * retried).
 */
public final class PartialSuccess {
  private final ThrottledLogger log;
  private final ComponentId id;
  private final Signal signal;

  /** Logs through {@code logger}, at most once every 10 seconds. */
  public PartialSuccess(Logger logger, ComponentId id, Signal signal) {
    this.log = new ThrottledLogger(logger, Duration.ofSeconds(10));
    this.id = id;
    this.signal = signal;
  }

  /** Checks a response body (protobuf, or OTLP JSON when {@code json}); bad bodies are ignored. */
  public void check(byte[] body, boolean json, String endpoint) {
    if (body.length == 0) {
      return;
    }
    Message.Builder b = switch (signal) {
      case TRACES -> ExportTraceServiceResponse.newBuilder();
      case METRICS -> ExportMetricsServiceResponse.newBuilder();
      case LOGS -> ExportLogsServiceResponse.newBuilder();
    };
    try {
      if (json) {
        OtlpJson.merge(new String(body, StandardCharsets.UTF_8), b);
      } else {
        b.mergeFrom(body);
      }
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    Message response = b.build();
    long rejected;
    String message;
    switch (response) {
      case ExportTraceServiceResponse r -> {
        rejected = r.getPartialSuccess().getRejectedSpans();
        message = r.getPartialSuccess().getErrorMessage();
      }
      case ExportMetricsServiceResponse r -> {
        rejected = r.getPartialSuccess().getRejectedDataPoints();
        message = r.getPartialSuccess().getErrorMessage();
      }
      case ExportLogsServiceResponse r -> {
        rejected = r.getPartialSuccess().getRejectedLogRecords();
        message = r.getPartialSuccess().getErrorMessage();
      }
      default -> throw new IllegalStateException("unexpected response " + response.getClass());
    }
    if (rejected > 0 || !message.isEmpty()) {
      log.warn("{}: partial success from {}: {} {} rejected: {}", id, endpoint, rejected, signal.itemName(), message);
    }
  }
}
