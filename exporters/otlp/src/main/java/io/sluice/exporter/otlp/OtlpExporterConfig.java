package io.sluice.exporter.otlp;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the {@code otlp} (gRPC) exporter, with the OpenTelemetry Collector's names.
 * The shared exporter helper options ({@code sending_queue}, {@code retry_on_failure}, {@code
 * timeout}) are bound by the daemon.
 *
 * @param endpoint {@code host:port} (TLS unless {@code tls.insecure}), or {@code http://host:port}
 *     (plain text) or {@code https://host:port} (TLS); default {@code localhost:4317}
 * @param headers added to every request, e.g. {@code authorization}; default none
 * @param compression {@code gzip} (default), {@code zstd} or {@code none}
 * @param tls client TLS
 */
public record OtlpExporterConfig(
    String endpoint, Map<String, String> headers, Compression compression, ClientTls tls)
    implements ComponentConfig {

  /** The defaults. */
  public static OtlpExporterConfig defaults() {
    return new OtlpExporterConfig("localhost:4317", Map.of(), Compression.GZIP, ClientTls.defaults());
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    if (endpoint == null || target() == null) {
      out.add(new ConfigProblem("endpoint", ConfigChecks.quote(endpoint)
          + " (expected: host:port or an http(s)://host:port URL, e.g. gateway.example.com:4317)"));
    }
    if (compression == null) {
      out.add(new ConfigProblem("compression", "null (expected: one of gzip, zstd, none)"));
    }
    if (tls == null) {
      out.add(new ConfigProblem("tls", "null (expected: a tls section)"));
    } else {
      tls.validate().forEach(p -> out.add(p.under("tls")));
    }
    return out;
  }

  /**
   * The Armeria URI to send to: {@code h2://host:port} for TLS, {@code h2c://host:port} for plain
   * text; null if the endpoint is not valid.
   */
  public String target() {
    if (endpoint == null) {
      return null;
    }
    String e = endpoint.trim();
    boolean plain = tls != null && tls.insecure();
    if (e.startsWith("http://") || e.startsWith("https://")) {
      try {
        URI uri = new URI(e);
        if (uri.getHost() == null || uri.getPort() < 0) {
          return null;
        }
        plain = uri.getScheme().equals("http");
        e = uri.getRawAuthority();
      } catch (java.net.URISyntaxException ex) {
        return null;
      }
    }
    if (!ConfigChecks.isHostPort(e) || e.startsWith(":")) {
      return null;
    }
    return (plain ? "h2c://" : "h2://") + e;
  }
}
