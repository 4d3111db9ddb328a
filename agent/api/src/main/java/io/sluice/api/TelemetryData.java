package io.sluice.api;

/**
 * A batch of telemetry of one signal, as it travels through a pipeline. Instances are immutable:
 * a processor that changes data returns a new instance.
 *
 * <p>The classes wrap the OTLP protobuf messages today; the representation is kept behind them so
 * it can change (lazy parsing, byte-level batching) without breaking plugins. Code that needs the
 * protobuf form calls {@code toProto()}; code that only forwards bytes calls {@link #toByteArray()}.
 */
public sealed interface TelemetryData permits OtlpData {

  /** Which signal this is. */
  Signal signal();

  /**
   * The number of items: spans, metric data points, or log records. This is the unit of every
   * self-metric counter.
   */
  int itemCount();

  /** The metadata of the client that sent this data; {@link ClientMetadata#EMPTY} if none. */
  ClientMetadata metadata();

  /** The same data with other client metadata. */
  TelemetryData withMetadata(ClientMetadata metadata);

  /** The OTLP protobuf encoding of the export request (e.g. {@code ExportTraceServiceRequest}). */
  byte[] toByteArray();

  /**
   * Writes the OTLP protobuf encoding of the export request to {@code out}; for data that arrived
   * encoded and was not changed, these are the bytes as they arrived.
   */
  void writeTo(java.io.OutputStream out) throws java.io.IOException;

  /** The size of {@link #toByteArray()} in bytes, without encoding. */
  int serializedSize();

  /** Whether there are no items. */
  default boolean isEmpty() {
    return itemCount() == 0;
  }
}
