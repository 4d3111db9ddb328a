package io.sluice.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A batch of spans, wrapping an OTLP {@code ExportTraceServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Traces extends OtlpData<ExportTraceServiceRequest> {
  private static final Traces EMPTY = new Traces(ExportTraceServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);
  private static final WireCheck CHECK = WireCheck.of(ExportTraceServiceRequest.getDescriptor(),
      Set.of(ScopeSpans.getDescriptor().findFieldByNumber(ScopeSpans.SPANS_FIELD_NUMBER)));

  private Traces(ExportTraceServiceRequest proto, ClientMetadata metadata) {
    super(proto, metadata);
  }

  private Traces(byte[] wire, int offset, int length, int items, ClientMetadata metadata) {
    super(wire, offset, length, items, metadata);
  }

  private Traces(Traces other, ClientMetadata metadata) {
    super(other, metadata);
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
   * @see #parse(byte[], int, int)
   */
  public static Traces parse(byte[] otlpProtobuf) throws InvalidProtocolBufferException {
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
  public static Traces parse(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    int items = CHECK.check(bytes, offset, length);
    return new Traces(bytes, offset, length, items, ClientMetadata.EMPTY);
  }

  /**
   * One batch holding every part's resource entries, in order, with {@code metadata}. Parts that
   * were never parsed are joined by concatenating their encodings, without parsing them.
   */
  public static Traces concat(List<Traces> parts, ClientMetadata metadata) {
    byte[] wire = concatWire(parts);
    if (wire != null) {
      return new Traces(wire, 0, wire.length, sumItems(parts), metadata);
    }
    var b = ExportTraceServiceRequest.newBuilder();
    for (Traces t : parts) {
      b.addAllResourceSpans(t.resourceSpans());
    }
    return new Traces(b.build(), metadata);
  }

  /** The export request this batch holds. */
  public ExportTraceServiceRequest toProto() {
    return proto();
  }

  /** The resource-level entries. */
  public List<ResourceSpans> resourceSpans() {
    return proto().getResourceSpansList();
  }

  /**
   * Hands each resource-level entry to {@code action}, in order. Data received as bytes and not
   * parsed yet stays so: each entry is parsed on its own and none is kept (where {@link
   * #resourceSpans()} parses and keeps the whole request), so that an exporter translating one resource
   * at a time holds one resource's objects at a time.
   */
  public void forEachResourceSpans(Consumer<? super ResourceSpans> action) {
    forEachResource(ResourceSpans.parser(), data -> data.getResourceSpansList(), action);
  }

  @Override
  public Signal signal() {
    return Signal.TRACES;
  }

  @Override
  Parser<ExportTraceServiceRequest> parser() {
    return ExportTraceServiceRequest.parser();
  }

  @Override
  int countItems() {
    int n = 0;
    for (var rs : proto().getResourceSpansList()) {
      for (var ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  @Override
  public Traces withMetadata(ClientMetadata metadata) {
    return metadata.equals(metadata()) ? this : new Traces(this, metadata);
  }
}
