package io.sluice.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import java.util.List;

/**
 * A batch of log records, wrapping an OTLP {@code ExportLogsServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Logs extends OtlpData<ExportLogsServiceRequest> {
  private static final Logs EMPTY = new Logs(ExportLogsServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);

  private Logs(ExportLogsServiceRequest proto, ClientMetadata metadata) {
    super(proto, metadata);
  }

  /** An empty batch. */
  public static Logs empty() {
    return EMPTY;
  }

  /** Wraps an export request. */
  public static Logs of(ExportLogsServiceRequest request) {
    return new Logs(request, ClientMetadata.EMPTY);
  }

  /** Wraps resource-level entries. */
  public static Logs of(List<ResourceLogs> resourceLogs) {
    return new Logs(ExportLogsServiceRequest.newBuilder().addAllResourceLogs(resourceLogs).build(), ClientMetadata.EMPTY);
  }

  /**
   * Decodes the OTLP protobuf encoding of an export request.
   *
   * @throws InvalidProtocolBufferException if the bytes are not a valid message
   */
  public static Logs parse(byte[] otlpProtobuf) throws InvalidProtocolBufferException {
    return of(ExportLogsServiceRequest.parseFrom(otlpProtobuf));
  }

  /** The export request this batch holds. */
  public ExportLogsServiceRequest toProto() {
    return proto;
  }

  /** The resource-level entries. */
  public List<ResourceLogs> resourceLogs() {
    return proto.getResourceLogsList();
  }

  @Override
  public Signal signal() {
    return Signal.LOGS;
  }

  @Override
  int countItems() {
    int n = 0;
    for (var rl : proto.getResourceLogsList()) {
      for (var sl : rl.getScopeLogsList()) {
        n += sl.getLogRecordsCount();
      }
    }
    return n;
  }

  @Override
  public Logs withMetadata(ClientMetadata metadata) {
    return metadata.equals(metadata()) ? this : new Logs(proto, metadata);
  }
}
