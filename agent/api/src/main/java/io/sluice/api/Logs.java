package io.sluice.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import java.util.List;

/**
 * A batch of log records, wrapping an OTLP {@code ExportLogsServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Logs implements TelemetryData {
  private static final Logs EMPTY = new Logs(ExportLogsServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);

  private final ExportLogsServiceRequest proto;
  private final ClientMetadata metadata;
  private int itemCount = -1;

  private Logs(ExportLogsServiceRequest proto, ClientMetadata metadata) {
    this.proto = requireNonNull(proto, "proto");
    this.metadata = requireNonNull(metadata, "metadata");
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
  public int itemCount() {
    int n = itemCount;
    if (n < 0) {
      n = 0;
      for (var rl : proto.getResourceLogsList()) {
        for (var sl : rl.getScopeLogsList()) {
          n += sl.getLogRecordsCount();
        }
      }
      itemCount = n;
    }
    return n;
  }

  @Override
  public ClientMetadata metadata() {
    return metadata;
  }

  @Override
  public Logs withMetadata(ClientMetadata metadata) {
    return metadata.equals(this.metadata) ? this : new Logs(proto, metadata);
  }

  @Override
  public byte[] toByteArray() {
    return proto.toByteArray();
  }

  @Override
  public int serializedSize() {
    return proto.getSerializedSize();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Logs other && proto.equals(other.proto) && metadata.equals(other.metadata);
  }

  @Override
  public int hashCode() {
    return proto.hashCode();
  }

  @Override
  public String toString() {
    return "Logs{items=" + itemCount() + ", metadata=" + metadata + "}";
  }
}
