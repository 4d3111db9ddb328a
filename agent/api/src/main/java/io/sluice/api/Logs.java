package io.sluice.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A batch of log records, wrapping an OTLP {@code ExportLogsServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Logs extends OtlpData<ExportLogsServiceRequest> {
  private static final Logs EMPTY = new Logs(ExportLogsServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);
  private static final WireCheck CHECK = WireCheck.of(ExportLogsServiceRequest.getDescriptor(),
      Set.of(ScopeLogs.getDescriptor().findFieldByNumber(ScopeLogs.LOG_RECORDS_FIELD_NUMBER)));

  private Logs(ExportLogsServiceRequest proto, ClientMetadata metadata) {
    super(proto, metadata);
  }

  private Logs(byte[] wire, int offset, int length, int items, ClientMetadata metadata) {
    super(wire, offset, length, items, metadata);
  }

  private Logs(Logs other, ClientMetadata metadata) {
    super(other, metadata);
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
   * @see #parse(byte[], int, int)
   */
  public static Logs parse(byte[] otlpProtobuf) throws InvalidProtocolBufferException {
    return parse(otlpProtobuf, 0, otlpProtobuf.length);
  }

  /**
   * Checks and keeps {@code length} bytes of OTLP protobuf encoding from {@code offset}: they are
   * refused exactly when protobuf-java would refuse them, but the message is built only when code
   * asks for it ({@link #toProto()}); until then the encoding is forwarded as it is. The array is
   * kept, not copied: the caller must not change it afterwards.
   *
   * @throws InvalidProtocolBufferException if the bytes are not a valid message
   */
  public static Logs parse(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    int items = CHECK.check(bytes, offset, length);
    return new Logs(bytes, offset, length, items, ClientMetadata.EMPTY);
  }

  /**
   * One batch holding every part's resource entries, in order, with {@code metadata}. Parts that
   * were never parsed are joined by concatenating their encodings, without parsing them.
   */
  public static Logs concat(List<Logs> parts, ClientMetadata metadata) {
    byte[] wire = concatWire(parts);
    if (wire != null) {
      return new Logs(wire, 0, wire.length, sumItems(parts), metadata);
    }
    var b = ExportLogsServiceRequest.newBuilder();
    for (Logs t : parts) {
      b.addAllResourceLogs(t.resourceLogs());
    }
    return new Logs(b.build(), metadata);
  }

  /** The export request this batch holds. */
  public ExportLogsServiceRequest toProto() {
    return proto();
  }

  /** The resource-level entries. */
  public List<ResourceLogs> resourceLogs() {
    return proto().getResourceLogsList();
  }

  /**
   * Hands each resource-level entry to {@code action}, in order. Data received as bytes and not
   * parsed yet stays so: each entry is parsed on its own and none is kept (where {@link
   * #resourceLogs()} parses and keeps the whole request), so that an exporter translating one resource
   * at a time holds one resource's objects at a time.
   */
  public void forEachResourceLogs(Consumer<? super ResourceLogs> action) {
    forEachResource(ResourceLogs.parser(), data -> data.getResourceLogsList(), action);
  }

  @Override
  public Signal signal() {
    return Signal.LOGS;
  }

  @Override
  Parser<ExportLogsServiceRequest> parser() {
    return ExportLogsServiceRequest.parser();
  }

  @Override
  int countItems() {
    int n = 0;
    for (var rl : proto().getResourceLogsList()) {
      for (var sl : rl.getScopeLogsList()) {
        n += sl.getLogRecordsCount();
      }
    }
    return n;
  }

  @Override
  public Logs withMetadata(ClientMetadata metadata) {
    return metadata.equals(metadata()) ? this : new Logs(this, metadata);
  }
}
