package io.sluice.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import java.util.List;

/**
 * A batch of metric data points, wrapping an OTLP {@code ExportMetricsServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Metrics extends OtlpData<ExportMetricsServiceRequest> {
  private static final Metrics EMPTY = new Metrics(ExportMetricsServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);

  private Metrics(ExportMetricsServiceRequest proto, ClientMetadata metadata) {
    super(proto, metadata);
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
  int countItems() {
    int n = 0;
    for (var rm : proto.getResourceMetricsList()) {
      for (var sm : rm.getScopeMetricsList()) {
        for (var m : sm.getMetricsList()) {
          n += dataPointCount(m);
        }
      }
    }
    return n;
  }

  @Override
  public Metrics withMetadata(ClientMetadata metadata) {
    return metadata.equals(metadata()) ? this : new Metrics(proto, metadata);
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
