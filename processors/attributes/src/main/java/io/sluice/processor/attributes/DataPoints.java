package io.sluice.processor.attributes;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.util.List;
import java.util.function.UnaryOperator;

/** Rewrites the attributes of every data point of a metric, whatever its type. */
final class DataPoints {
  private DataPoints() {}

  /**
   * The metric with {@code f} applied to each data point's attributes; the same metric when {@code
   * f} returned every list unchanged.
   */
  static Metric map(Metric m, UnaryOperator<List<KeyValue>> f) {
    return switch (m.getDataCase()) {
      case GAUGE -> {
        List<NumberDataPoint> p = numbers(m.getGauge().getDataPointsList(), f);
        yield p == null ? m : m.toBuilder().setGauge(m.getGauge().toBuilder().clearDataPoints().addAllDataPoints(p)).build();
      }
      case SUM -> {
        List<NumberDataPoint> p = numbers(m.getSum().getDataPointsList(), f);
        yield p == null ? m : m.toBuilder().setSum(m.getSum().toBuilder().clearDataPoints().addAllDataPoints(p)).build();
      }
      case HISTOGRAM -> {
        List<HistogramDataPoint> p = AttributesProcessor.mapList(m.getHistogram().getDataPointsList(), dp -> {
          List<KeyValue> a = f.apply(dp.getAttributesList());
          return a == dp.getAttributesList() ? dp : dp.toBuilder().clearAttributes().addAllAttributes(a).build();
        });
        yield p == null ? m
            : m.toBuilder().setHistogram(m.getHistogram().toBuilder().clearDataPoints().addAllDataPoints(p)).build();
      }
      case EXPONENTIAL_HISTOGRAM -> {
        List<ExponentialHistogramDataPoint> p =
            AttributesProcessor.mapList(m.getExponentialHistogram().getDataPointsList(), dp -> {
              List<KeyValue> a = f.apply(dp.getAttributesList());
              return a == dp.getAttributesList() ? dp : dp.toBuilder().clearAttributes().addAllAttributes(a).build();
            });
        yield p == null ? m : m.toBuilder().setExponentialHistogram(
            m.getExponentialHistogram().toBuilder().clearDataPoints().addAllDataPoints(p)).build();
      }
      case SUMMARY -> {
        List<SummaryDataPoint> p = AttributesProcessor.mapList(m.getSummary().getDataPointsList(), dp -> {
          List<KeyValue> a = f.apply(dp.getAttributesList());
          return a == dp.getAttributesList() ? dp : dp.toBuilder().clearAttributes().addAllAttributes(a).build();
        });
        yield p == null ? m : m.toBuilder().setSummary(m.getSummary().toBuilder().clearDataPoints().addAllDataPoints(p)).build();
      }
      case DATA_NOT_SET -> m;
    };
  }

  private static List<NumberDataPoint> numbers(List<NumberDataPoint> points, UnaryOperator<List<KeyValue>> f) {
    return AttributesProcessor.mapList(points, dp -> {
      List<KeyValue> a = f.apply(dp.getAttributesList());
      return a == dp.getAttributesList() ? dp : dp.toBuilder().clearAttributes().addAllAttributes(a).build();
    });
  }
}
