package io.sluice.exporter.otlphttp;

import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.exporter.otlp.ClientTls;
import io.sluice.exporter.otlp.Compression;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the {@code otlphttp} exporter, with the OpenTelemetry Collector's names. The
 * shared exporter helper options ({@code sending_queue}, {@code retry_on_failure}, {@code
 * timeout}) are bound by the daemon.
 *
 * @param endpoint base URL; {@code /v1/traces}, {@code /v1/metrics} or {@code /v1/logs} is
 *     appended; default {@code http://localhost:4318}
 * @param tracesEndpoint full URL for traces, overriding {@code endpoint}; default empty
 * @param metricsEndpoint full URL for metrics; default empty
 * @param logsEndpoint full URL for logs; default empty
 * @param headers added to every request; default none
 * @param compression {@code gzip} (default), {@code zstd} or {@code none}
 * @param encoding {@code proto} (default) or {@code json}
 * @param tls client TLS for https URLs ({@code insecure} is not used: the scheme decides)
 */
public record OtlpHttpExporterConfig(
    String endpoint,
    String tracesEndpoint,
    String metricsEndpoint,
    String logsEndpoint,
    Map<String, String> headers,
    Compression compression,
    Encoding encoding,
    ClientTls tls)
    implements ComponentConfig {

  /** {@code encoding} of request bodies. */
  public enum Encoding {
    /** {@code application/x-protobuf}. */
    PROTO,
    /** {@code application/json}, OTLP JSON. */
    JSON
  }

  /** The defaults. */
  public static OtlpHttpExporterConfig defaults() {
    return new OtlpHttpExporterConfig("http://localhost:4318", "", "", "", Map.of(), Compression.GZIP,
        Encoding.PROTO, ClientTls.defaults());
  }

  /** The URL data of {@code signal} is sent to. */
  public String url(Signal signal) {
    String specific = switch (signal) {
      case TRACES -> tracesEndpoint;
      case METRICS -> metricsEndpoint;
      case LOGS -> logsEndpoint;
    };
    if (specific != null && !specific.isEmpty()) {
      return specific;
    }
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return base + "/v1/" + signal.configName();
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.httpUrl(out, "endpoint", endpoint, "http://gateway.example.com:4318");
    optionalUrl(out, "traces_endpoint", tracesEndpoint);
    optionalUrl(out, "metrics_endpoint", metricsEndpoint);
    optionalUrl(out, "logs_endpoint", logsEndpoint);
    if (compression == null) {
      out.add(new ConfigProblem("compression", "null (expected: one of gzip, zstd, none)"));
    }
    if (encoding == null) {
      out.add(new ConfigProblem("encoding", "null (expected: one of proto, json)"));
    }
    if (tls == null) {
      out.add(new ConfigProblem("tls", "null (expected: a tls section)"));
    } else {
      tls.validate().forEach(p -> out.add(p.under("tls")));
    }
    return out;
  }

  private static void optionalUrl(List<ConfigProblem> out, String key, String value) {
    if (value != null && !value.isEmpty()) {
      ConfigChecks.httpUrl(out, key, value, "https://gateway.example.com/v1/traces");
    }
  }
}
