package io.sluice.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.receiver.otlp.internal.OtlpJson;

/** Decodes export requests and builds export responses of one signal. */
final class SignalCodec {
  private SignalCodec() {}

  /** The gRPC method path of a signal's export service. */
  static String grpcPath(Signal signal) {
    return switch (signal) {
      case TRACES -> "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
      case METRICS -> "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
      case LOGS -> "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    };
  }

  static TelemetryData parseProto(Signal signal, byte[] bytes) throws InvalidProtocolBufferException {
    return parseProto(signal, bytes, 0, bytes.length);
  }

  /**
   * Checks {@code length} bytes from {@code offset} and keeps them, without copying: the data
   * carries the encoding as it arrived and is parsed only if a processor or exporter looks into it.
   * The array must not be reused.
   */
  static TelemetryData parseProto(Signal signal, byte[] bytes, int offset, int length)
      throws InvalidProtocolBufferException {
    try {
      return switch (signal) {
        case TRACES -> Traces.parse(bytes, offset, length);
        case METRICS -> Metrics.parse(bytes, offset, length);
        case LOGS -> Logs.parse(bytes, offset, length);
      };
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidProtocolBufferException("invalid OTLP protobuf " + requestName(signal) + ": " + e.getMessage());
    }
  }

  static TelemetryData parseJson(Signal signal, String json) throws InvalidProtocolBufferException {
    return switch (signal) {
      case TRACES -> {
        var b = ExportTraceServiceRequest.newBuilder();
        OtlpJson.merge(json, b);
        yield Traces.of(b.build());
      }
      case METRICS -> {
        var b = ExportMetricsServiceRequest.newBuilder();
        OtlpJson.merge(json, b);
        yield Metrics.of(b.build());
      }
      case LOGS -> {
        var b = ExportLogsServiceRequest.newBuilder();
        OtlpJson.merge(json, b);
        yield Logs.of(b.build());
      }
    };
  }

  /** A response; with {@code rejected >= 0} it carries a partial success. */
  static Message response(Signal signal, long rejected, String message) {
    boolean partial = rejected >= 0;
    return switch (signal) {
      case TRACES -> partial
          ? ExportTraceServiceResponse.newBuilder().setPartialSuccess(
              ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message)).build()
          : ExportTraceServiceResponse.getDefaultInstance();
      case METRICS -> partial
          ? ExportMetricsServiceResponse.newBuilder().setPartialSuccess(
              ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(rejected).setErrorMessage(message)).build()
          : ExportMetricsServiceResponse.getDefaultInstance();
      case LOGS -> partial
          ? ExportLogsServiceResponse.newBuilder().setPartialSuccess(
              ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected).setErrorMessage(message)).build()
          : ExportLogsServiceResponse.getDefaultInstance();
    };
  }

  private static String requestName(Signal signal) {
    return switch (signal) {
      case TRACES -> "ExportTraceServiceRequest";
      case METRICS -> "ExportMetricsServiceRequest";
      case LOGS -> "ExportLogsServiceRequest";
    };
  }
}
