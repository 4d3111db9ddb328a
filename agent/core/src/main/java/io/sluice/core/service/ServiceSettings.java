package io.sluice.core.service;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.ServerTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's own settings under {@code service}, besides {@code pipelines} and {@code
 * extensions}.
 *
 * @param telemetry {@code service.telemetry}: self-metrics and logs
 * @param shutdownTimeout {@code service.shutdown_timeout} (default 30s): how long a stop may spend
 *     draining queues before what is left is counted as dropped
 */
public record ServiceSettings(Telemetry telemetry, Duration shutdownTimeout) implements ComponentConfig {
  /** Defaults. */
  public static final ServiceSettings DEFAULTS =
      new ServiceSettings(
          new Telemetry(new MetricsSettings("normal", "127.0.0.1:8888", null), new LogsSettings("info", "console")),
          Duration.ofSeconds(30));

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.duration(out, "shutdown_timeout", shutdownTimeout, false);
    ConfigChecks.oneOf(out, "telemetry.metrics.level", telemetry.metrics().level(), List.of("none", "basic", "normal", "detailed"));
    if (!"none".equals(telemetry.metrics().level())) {
      ConfigChecks.hostPort(out, "telemetry.metrics.address", telemetry.metrics().address());
      if (telemetry.metrics().tls() != null) {
        telemetry.metrics().tls().validate().forEach(p -> out.add(p.under("telemetry.metrics.tls")));
      }
    }
    ConfigChecks.oneOf(out, "telemetry.logs.level", telemetry.logs().level(), List.of("error", "warn", "info", "debug", "trace"));
    ConfigChecks.oneOf(out, "telemetry.logs.encoding", telemetry.logs().encoding(), List.of("console", "json"));
    return out;
  }

  /**
   * {@code service.telemetry}.
   *
   * @param metrics self-metrics endpoint
   * @param logs the daemon's log output
   */
  public record Telemetry(MetricsSettings metrics, LogsSettings logs) implements ComponentConfig {}

  /**
   * {@code service.telemetry.metrics}.
   *
   * @param level {@code none} turns the endpoint off; other levels (basic, normal, detailed) serve
   *     every metric
   * @param address where {@code /metrics} is served, default {@code 127.0.0.1:8888}
   * @param tls serve HTTPS (and, with {@code client_ca_file}, require client certificates);
   *     default none: plain HTTP
   */
  public record MetricsSettings(String level, String address, ServerTls tls) implements ComponentConfig {}

  /**
   * {@code service.telemetry.logs}.
   *
   * @param level error, warn, info (default), debug or trace
   * @param encoding {@code console} (human-readable, default) or {@code json}
   */
  public record LogsSettings(String level, String encoding) implements ComponentConfig {}
}
