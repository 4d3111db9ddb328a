package io.sluice.bench.loadgen;

/** The OTLP signals the load generator sends, with their gRPC method and HTTP path. */
public enum BenchSignal {
  TRACES("/opentelemetry.proto.collector.trace.v1.TraceService/Export", "/v1/traces", "spans"),
  METRICS("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "/v1/metrics", "metric_points"),
  LOGS("/opentelemetry.proto.collector.logs.v1.LogsService/Export", "/v1/logs", "log_records");

  private final String grpcPath;
  private final String httpPath;
  private final String itemName;

  BenchSignal(String grpcPath, String httpPath, String itemName) {
    this.grpcPath = grpcPath;
    this.httpPath = httpPath;
    this.itemName = itemName;
  }

  /** The gRPC method path, e.g. {@code /opentelemetry.proto.collector.trace.v1.TraceService/Export}. */
  public String grpcPath() {
    return grpcPath;
  }

  /** The OTLP/HTTP path, e.g. {@code /v1/traces}. */
  public String httpPath() {
    return httpPath;
  }

  /** The item unit: spans, metric_points or log_records. */
  public String itemName() {
    return itemName;
  }
}
