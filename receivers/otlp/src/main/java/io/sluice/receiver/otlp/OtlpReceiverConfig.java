package io.sluice.receiver.otlp;

import io.sluice.api.config.ServerTls;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigKey;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.DataSize;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the {@code otlp} receiver, with the OpenTelemetry Collector's names.
 *
 * @param protocols which transports to serve; null (no {@code protocols} section) serves both on
 *     their default endpoints, a section serves exactly the protocols it lists
 */
public record OtlpReceiverConfig(Protocols protocols) implements ComponentConfig {

  /** No {@code protocols} section: both protocols on their default loopback endpoints. */
  public static OtlpReceiverConfig defaults() {
    return new OtlpReceiverConfig(null);
  }

  /** The protocols to serve: those listed, or both on their defaults when none is configured. */
  public Protocols effectiveProtocols() {
    return protocols != null ? protocols : new Protocols(Grpc.defaults(), Http.defaults());
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    Protocols protocols = effectiveProtocols();
    if (protocols.grpc() == null && protocols.http() == null) {
      out.add(new ConfigProblem("protocols", "no protocol enabled (expected: grpc, http or both)"));
      return out;
    }
    if (protocols.grpc() != null) {
      protocols.grpc().validate().forEach(p -> out.add(p.under("protocols.grpc")));
    }
    if (protocols.http() != null) {
      protocols.http().validate().forEach(p -> out.add(p.under("protocols.http")));
    }
    return out;
  }

  /**
   * {@code protocols}: a transport is served when its section is present, as in the OpenTelemetry
   * Collector ({@code protocols { grpc {} }} serves gRPC only).
   *
   * @param grpc {@code protocols.grpc}
   * @param http {@code protocols.http}
   */
  public record Protocols(Grpc grpc, Http http) implements ComponentConfig {}

  /**
   * {@code protocols.grpc}.
   *
   * @param endpoint where to listen; default {@code 127.0.0.1:4317}
   * @param maxRecvMsgSizeMib the largest request message after decompression, in MiB; default 4
   * @param tls server TLS; default off
   * @param auth bearer token check; default off
   * @param includeMetadata keep request headers with the data; default false
   */
  public record Grpc(
      String endpoint,
      @ConfigKey("max_recv_msg_size_mib") int maxRecvMsgSizeMib,
      ServerTls tls,
      Auth auth,
      boolean includeMetadata)
      implements ComponentConfig {

    /** The defaults. */
    public static Grpc defaults() {
      return new Grpc("127.0.0.1:4317", 4, null, null, false);
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.hostPort(out, "endpoint", endpoint);
      if (maxRecvMsgSizeMib < 1 || maxRecvMsgSizeMib > 2047) {
        out.add(new ConfigProblem("max_recv_msg_size_mib", maxRecvMsgSizeMib + " (expected: 1 to 2047)"));
      }
      nested(out, tls, "tls");
      nested(out, auth, "auth");
      return out;
    }
  }

  /**
   * {@code protocols.http}.
   *
   * @param endpoint where to listen; default {@code 127.0.0.1:4318}
   * @param maxRequestBodySize the largest request body, before and after decompression; default
   *     20MiB
   * @param tls server TLS; default off
   * @param auth bearer token check; default off
   * @param cors CORS for browser clients; default off
   * @param includeMetadata keep request headers with the data; default false
   * @param tracesUrlPath default {@code /v1/traces}
   * @param metricsUrlPath default {@code /v1/metrics}
   * @param logsUrlPath default {@code /v1/logs}
   */
  public record Http(
      String endpoint,
      DataSize maxRequestBodySize,
      ServerTls tls,
      Auth auth,
      Cors cors,
      boolean includeMetadata,
      String tracesUrlPath,
      String metricsUrlPath,
      String logsUrlPath)
      implements ComponentConfig {

    /** The defaults. */
    public static Http defaults() {
      return new Http("127.0.0.1:4318", DataSize.ofMebibytes(20), null, null, null, false,
          "/v1/traces", "/v1/metrics", "/v1/logs");
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.hostPort(out, "endpoint", endpoint);
      if (maxRequestBodySize == null || maxRequestBodySize.bytes() < 1 || maxRequestBodySize.bytes() > Integer.MAX_VALUE - 8) {
        out.add(new ConfigProblem("max_request_body_size", maxRequestBodySize + " (expected: 1 to 2047MiB)"));
      }
      urlPath(out, "traces_url_path", tracesUrlPath);
      urlPath(out, "metrics_url_path", metricsUrlPath);
      urlPath(out, "logs_url_path", logsUrlPath);
      if (tracesUrlPath != null && (tracesUrlPath.equals(metricsUrlPath) || tracesUrlPath.equals(logsUrlPath))
          || metricsUrlPath != null && metricsUrlPath.equals(logsUrlPath)) {
        out.add(new ConfigProblem("traces_url_path", "the three url paths must differ"));
      }
      nested(out, tls, "tls");
      nested(out, auth, "auth");
      nested(out, cors, "cors");
      return out;
    }

    private static void urlPath(List<ConfigProblem> out, String key, String path) {
      if (path == null || !path.startsWith("/") || path.contains(" ") || path.contains("?")) {
        out.add(new ConfigProblem(key, ConfigChecks.quote(path) + " (expected: an absolute path such as /v1/traces)"));
      }
    }
  }

  /**
   * {@code auth}: requests must carry {@code Authorization: Bearer <token>}.
   *
   * @param bearerToken the expected token, typically {@code ${?OTLP_TOKEN}}; required
   */
  public record Auth(String bearerToken) implements ComponentConfig {
    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      if (bearerToken == null || bearerToken.isBlank()) {
        out.add(new ConfigProblem("bearer_token", "empty (expected: the token clients send as Authorization: Bearer <token>)"));
      }
      return out;
    }
  }

  static void nested(List<ConfigProblem> out, ComponentConfig c, String key) {
    if (c != null) {
      c.validate().forEach(p -> out.add(p.under(key)));
    }
  }
}
