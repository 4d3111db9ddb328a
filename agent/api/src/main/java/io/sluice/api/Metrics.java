package io.sluice.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A batch of metric data points, wrapping an OTLP {@code ExportMetricsServiceRequest}. Immutable.
 *
 * @see TelemetryData
 */
public final class Metrics extends OtlpData<ExportMetricsServiceRequest> {
  private static final Metrics EMPTY = new Metrics(ExportMetricsServiceRequest.getDefaultInstance(), ClientMetadata.EMPTY);
  private static final WireCheck CHECK = WireCheck.of(ExportMetricsServiceRequest.getDescriptor(),
      Set.of(Gauge.getDescriptor().findFieldByNumber(Gauge.DATA_POINTS_FIELD_NUMBER),
          Sum.getDescriptor().findFieldByNumber(Sum.DATA_POINTS_FIELD_NUMBER),
          Histogram.getDescriptor().findFieldByNumber(Histogram.DATA_POINTS_FIELD_NUMBER),
          ExponentialHistogram.getDescriptor().findFieldByNumber(ExponentialHistogram.DATA_POINTS_FIELD_NUMBER),
          Summary.getDescriptor().findFieldByNumber(Summary.DATA_POINTS_FIELD_NUMBER)));

  private Metrics(ExportMetricsServiceRequest proto, ClientMetadata metadata) {
    super(proto, metadata);
  }

  private Metrics(byte[] wire, int offset, int length, int items, ClientMetadata metadata) {
    super(wire, offset, length, items, metadata);
  }

  private Metrics(Metrics other, ClientMetadata metadata) {
    super(other, metadata);
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
   * @see #parse(byte[], int, int)
   */
  public static Metrics parse(byte[] otlpProtobuf) throws InvalidProtocolBufferException {
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
  public static Metrics parse(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    int items = CHECK.check(bytes, offset, length);
    return new Metrics(bytes, offset, length, items, ClientMetadata.EMPTY);
  }

  /**
   * One batch holding every part's resource entries, in order, with {@code metadata}. Parts that
   * were never parsed are joined by concatenating their encodings, without parsing them.
   */
  public static Metrics concat(List<Metrics> parts, ClientMetadata metadata) {
    byte[] wire = concatWire(parts);
    if (wire != null) {
      return new Metrics(wire, 0, wire.length, sumItems(parts), metadata);
    }
    var b = ExportMetricsServiceRequest.newBuilder();
    for (Metrics t : parts) {
      b.addAllResourceMetrics(t.resourceMetrics());
    }
    return new Metrics(b.build(), metadata);
  }

  /** The export request this batch holds. */
  public ExportMetricsServiceRequest toProto() {
    return proto();
  }

  /** The resource-level entries. */
  public List<ResourceMetrics> resourceMetrics() {
    return proto().getResourceMetricsList();
  }

  /**
   * Hands each resource-level entry to {@code action}, in order. Data received as bytes and not
   * parsed yet stays so: each entry is parsed on its own and none is kept (where {@link
   * #resourceMetrics()} parses and keeps the whole request), so that an exporter translating one resource
   * at a time holds one resource's objects at a time.
   */
  public void forEachResourceMetrics(Consumer<? super ResourceMetrics> action) {
    forEachResource(ResourceMetrics.parser(), data -> data.getResourceMetricsList(), action);
  }

  @Override
  public Signal signal() {
    return Signal.METRICS;
  }

  @Override
  Parser<ExportMetricsServiceRequest> parser() {
    return ExportMetricsServiceRequest.parser();
  }

  @Override
  int countItems() {
    int n = 0;
    for (var rm : proto().getResourceMetricsList()) {
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
    return metadata.equals(metadata()) ? this : new Metrics(this, metadata);
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
