package io.sluice.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;

/**
 * What {@link Traces}, {@link Metrics} and {@link Logs} share: the wrapped export request, the
 * client metadata, the cached item count, the encoding. Package-private so that the representation
 * stays behind the three public classes.
 *
 * @param <P> the OTLP export request type
 */
abstract sealed class OtlpData<P extends Message> implements TelemetryData permits Traces, Metrics, Logs {
  final P proto;
  private final ClientMetadata metadata;
  private int itemCount = -1;

  OtlpData(P proto, ClientMetadata metadata) {
    this.proto = requireNonNull(proto, "proto");
    this.metadata = requireNonNull(metadata, "metadata");
  }

  /** Counts the items of {@link #proto}; called once, the result is cached. */
  abstract int countItems();

  @Override
  public final int itemCount() {
    int n = itemCount;
    if (n < 0) {
      n = countItems();
      itemCount = n;
    }
    return n;
  }

  @Override
  public final ClientMetadata metadata() {
    return metadata;
  }

  @Override
  public final byte[] toByteArray() {
    return proto.toByteArray();
  }

  @Override
  public final int serializedSize() {
    return proto.getSerializedSize();
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof OtlpData<?> other && getClass() == other.getClass()
        && proto.equals(other.proto) && metadata.equals(other.metadata);
  }

  @Override
  public final int hashCode() {
    return proto.hashCode();
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "{items=" + itemCount() + ", metadata=" + metadata + "}";
  }
}
