package io.sluice.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.List;

/**
 * A batch of spans, wrapping an OTLP {@code ExportTraceServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Traces implements TelemetryData {
  private static final Traces EMPTY = new Traces(ExportTraceServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);

  private final ExportTraceServiceRequest proto;
  private final ClientMetadata metadata;
  private int itemCount = -1;

  private Traces(ExportTraceServiceRequest proto, ClientMetadata metadata) {
    this.proto = requireNonNull(proto, "proto");
    this.metadata = requireNonNull(metadata, "metadata");
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
  public int itemCount() {
    int n = itemCount;
    if (n < 0) {
      n = 0;
      for (var rs : proto.getResourceSpansList()) {
        for (var ss : rs.getScopeSpansList()) {
          n += ss.getSpansCount();
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
  public Traces withMetadata(ClientMetadata metadata) {
    return metadata.equals(this.metadata) ? this : new Traces(proto, metadata);
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
    return o instanceof Traces other && proto.equals(other.proto) && metadata.equals(other.metadata);
  }

  @Override
  public int hashCode() {
    return proto.hashCode();
  }

  @Override
  public String toString() {
    return "Traces{items=" + itemCount() + ", metadata=" + metadata + "}";
  }
}
