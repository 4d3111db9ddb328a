package io.sluice.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import java.util.List;

/**
 * A batch of metric data points, wrapping an OTLP {@code ExportMetricsServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Metrics implements TelemetryData {
  private static final Metrics EMPTY = new Metrics(ExportMetricsServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);

  private final ExportMetricsServiceRequest proto;
  private final ClientMetadata metadata;
  private int itemCount = -1;

  private Metrics(ExportMetricsServiceRequest proto, ClientMetadata metadata) {
    this.proto = requireNonNull(proto, "proto");
    this.metadata = requireNonNull(metadata, "metadata");
  }

  /** An empty batch. */
  public static Metrics empty() {
    return EMPTY;
  }

  /** Wraps an export request. */
  public static Metrics of(ExportMetricsServiceRequest request) {
    return new Metrics(request, ClientMetadata.EMPTY);
  }

  /** Wraps resource-level entries. */
  public static Metrics of(List<ResourceMetrics> resourceMetrics) {
    return new Metrics(ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(resourceMetrics).build(), ClientMetadata.EMPTY);
  }

  /**
   * Decodes the OTLP protobuf encoding of an export request.
   *
   * @throws InvalidProtocolBufferException if the bytes are not a valid message
   */
  public static Metrics parse(byte[] otlpProtobuf) throws InvalidProtocolBufferException {
    return of(ExportMetricsServiceRequest.parseFrom(otlpProtobuf));
  }

  /** The export request this batch holds. */
  public ExportMetricsServiceRequest toProto() {
    return proto;
  }

  /** The resource-level entries. */
  public List<ResourceMetrics> resourceMetrics() {
    return proto.getResourceMetricsList();
  }

  @Override
  public Signal signal() {
    return Signal.METRICS;
  }

  @Override
  public int itemCount() {
    int n = itemCount;
    if (n < 0) {
      n = 0;
      for (var rm : proto.getResourceMetricsList()) {
        for (var sm : rm.getScopeMetricsList()) {
          for (var m : sm.getMetricsList()) {
            n += dataPointCount(m);
          }
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
  public Metrics withMetadata(ClientMetadata metadata) {
    return metadata.equals(this.metadata) ? this : new Metrics(proto, metadata);
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
    return o instanceof Metrics other && proto.equals(other.proto) && metadata.equals(other.metadata);
  }

  @Override
  public int hashCode() {
    return proto.hashCode();
  }

  @Override
  public String toString() {
    return "Metrics{items=" + itemCount() + ", metadata=" + metadata + "}";
  }

  /** The number of data points of one metric, whatever its type. */
  public static int dataPointCount(io.opentelemetry.proto.metrics.v1.Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsCount();
      case SUM -> m.getSum().getDataPointsCount();
      case HISTOGRAM -> m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> m.getSummary().getDataPointsCount();
      case DATA_NOT_SET -> 0;
    };
  }
}
