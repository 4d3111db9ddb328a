package io.sluice.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.List;

/**
 * A batch of spans, wrapping an OTLP {@code ExportTraceServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Traces extends OtlpData<ExportTraceServiceRequest> {
  private static final Traces EMPTY = new Traces(ExportTraceServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);

  private Traces(ExportTraceServiceRequest proto, ClientMetadata metadata) {
    super(proto, metadata);
  }

  /** An empty batch. */
  public static Traces empty() {
    return EMPTY;
  }

  /** Wraps an export request. */
  public static Traces of(ExportTraceServiceRequest request) {
    return new Traces(request, ClientMetadata.EMPTY);
  }

  /** Wraps resource-level entries. */
  public static Traces of(List<ResourceSpans> resourceSpans) {
    return new Traces(ExportTraceServiceRequest.newBuilder().addAllResourceSpans(resourceSpans).build(), ClientMetadata.EMPTY);
  }

  /**
   * Decodes the OTLP protobuf encoding of an export request.
   *
   * @throws InvalidProtocolBufferException if the bytes are not a valid message
   */
  public static Traces parse(byte[] otlpProtobuf) throws InvalidProtocolBufferException {
    return of(ExportTraceServiceRequest.parseFrom(otlpProtobuf));
  }

  /** The export request this batch holds. */
  public ExportTraceServiceRequest toProto() {
    return proto;
  }

  /** The resource-level entries. */
  public List<ResourceSpans> resourceSpans() {
    return proto.getResourceSpansList();
  }

  @Override
  public Signal signal() {
    return Signal.TRACES;
  }

  @Override
  int countItems() {
    int n = 0;
    for (var rs : proto.getResourceSpansList()) {
      for (var ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  @Override
  public Traces withMetadata(ClientMetadata metadata) {
    return metadata.equals(metadata()) ? this : new Traces(proto, metadata);
  }
}
