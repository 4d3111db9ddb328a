package io.sluice.api;

import java.util.function.DoubleSupplier;

/**
 * Self-metrics of one component, exposed by the daemon in Prometheus text format. Every
 * instrument gets the component's label added ({@code receiver="otlp"}, {@code
 * exporter="otlp/gateway"}, ...); name instruments like the OpenTelemetry Collector does ({@code
 * otelcol_receiver_accepted_spans}) so existing dashboards work. Counters are exposed with the
 * {@code _total} suffix.
 *
 * <p>Label pairs are given as alternating names and values: {@code "transport", "grpc"}. The same
 * metric name must always be used with the same label names.
 */
public interface SelfTelemetry {

  /** A monotonically increasing count. */
  Counter counter(String name, String help, String... labelPairs);

  /** A value read when metrics are scraped (e.g. queue size). */
  void gauge(String name, String help, DoubleSupplier value, String... labelPairs);

  /** A distribution with the given bucket upper bounds. */
  Histogram histogram(String name, String help, double[] buckets, String... labelPairs);

  /** A counter handle; cheap to call on a hot path. */
  @FunctionalInterface
  interface Counter {
    /** Adds {@code n}, which must not be negative. */
    void add(long n);

    /** Adds one. */
    default void increment() {
      add(1);
    }
  }

  /** A histogram handle. */
  @FunctionalInterface
  interface Histogram {
    /** Records one observation. */
    void record(double value);
  }

  /** Telemetry that records nothing, for tests and tools. */
  SelfTelemetry NOOP =
      new SelfTelemetry() {
        @Override
        public Counter counter(String name, String help, String... labelPairs) {
          return n -> {};
        }

        @Override
        public void gauge(String name, String help, DoubleSupplier value, String... labelPairs) {}

        @Override
        public Histogram histogram(
            String name, String help, double[] buckets, String... labelPairs) {
          return v -> {};
        }
      };
}
