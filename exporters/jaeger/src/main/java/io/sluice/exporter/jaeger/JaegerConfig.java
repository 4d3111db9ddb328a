package io.sluice.exporter.jaeger;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.DataSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Configuration of the {@code jaeger} exporter.
 *
 * @param protocol {@code thrift_http} (default): binary Thrift {@code Batch} POSTed to a Jaeger
 *     collector; {@code thrift_compact_udp}: compact Thrift {@code Agent.emitBatch} datagrams to a
 *     Jaeger agent
 * @param endpoint where to send; empty (default) means the protocol's default, {@value
 *     #DEFAULT_HTTP_ENDPOINT} for {@code thrift_http} and {@value #DEFAULT_UDP_ENDPOINT} for {@code
 *     thrift_compact_udp}
 * @param headers extra HTTP request headers (HTTP only); default none
 * @param auth basic or bearer-token authentication (HTTP only); default none
 * @param tls client TLS settings, used when the endpoint is {@code https} (HTTP only)
 * @param maxPacketSize the largest datagram sent (UDP only); default 65000 bytes, from 512 to 65507
 */
public record JaegerConfig(
    Protocol protocol,
    String endpoint,
    Map<String, String> headers,
    AuthConfig auth,
    TlsConfig tls,
    DataSize maxPacketSize)
    implements ComponentConfig {

  /** The Jaeger collector's Thrift-over-HTTP endpoint. */
  public static final String DEFAULT_HTTP_ENDPOINT = "http://localhost:14268/api/traces";

  /** The Jaeger agent's compact-Thrift UDP port. */
  public static final String DEFAULT_UDP_ENDPOINT = "localhost:6831";

  /** The largest UDP payload over IPv4. */
  static final long MAX_UDP_PAYLOAD = 65507;

  static final long MIN_PACKET_SIZE = 512;

  /** The defaults: Thrift over HTTP to a local collector. */
  public static final JaegerConfig DEFAULTS =
      new JaegerConfig(
          Protocol.THRIFT_HTTP,
          "",
          Map.of(),
          AuthConfig.defaults(),
          TlsConfig.defaults(),
          DataSize.ofBytes(65000));

  /** How spans are sent. */
  public enum Protocol {
    /** Binary-protocol Thrift {@code Batch} over HTTP POST, to a Jaeger collector. */
    THRIFT_HTTP,
    /** Compact-protocol Thrift {@code Agent.emitBatch} over UDP, to a Jaeger agent. */
    THRIFT_COMPACT_UDP;

    /** The configuration spelling, e.g. {@code thrift_http}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The endpoint to use: the configured one, or the protocol's default. */
  public String effectiveEndpoint() {
    if (endpoint != null && !endpoint.isEmpty()) {
      return endpoint;
    }
    return protocol == Protocol.THRIFT_COMPACT_UDP ? DEFAULT_UDP_ENDPOINT : DEFAULT_HTTP_ENDPOINT;
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    if (protocol == null) {
      out.add(new ConfigProblem("protocol", "null (expected: one of thrift_http, thrift_compact_udp)"));
      return out;
    }
    String ep = effectiveEndpoint();
    if (protocol == Protocol.THRIFT_HTTP) {
      ConfigChecks.httpUrl(out, "endpoint", ep, DEFAULT_HTTP_ENDPOINT);
    } else {
      ConfigChecks.hostPort(out, "endpoint", ep);
      if (ConfigChecks.isHostPort(ep) && ep.endsWith(":0")) {
        out.add(new ConfigProblem("endpoint", ConfigChecks.quote(ep) + " (expected: a port from 1 to 65535)"));
      }
      String httpOnly = "only used with protocol = thrift_http (expected: remove it, or use thrift_http)";
      if (!headers.isEmpty()) {
        out.add(new ConfigProblem("headers", httpOnly));
      }
      if (auth.isSet()) {
        out.add(new ConfigProblem("auth", httpOnly));
      }
    }
    headers.forEach((name, value) -> {
      if (name.isBlank() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        out.add(new ConfigProblem("headers", ConfigChecks.quote(name) + " (expected: an HTTP header name)"));
      }
    });
    auth.validate().forEach(p -> out.add(p.under("auth")));
    tls.validate().forEach(p -> out.add(p.under("tls")));
    if (maxPacketSize == null) {
      out.add(new ConfigProblem("max_packet_size", "missing (expected: a size such as 65000)"));
    } else if (maxPacketSize.bytes() < MIN_PACKET_SIZE || maxPacketSize.bytes() > MAX_UDP_PAYLOAD) {
      out.add(new ConfigProblem("max_packet_size", maxPacketSize.bytes()
          + " (expected: " + MIN_PACKET_SIZE + " to " + MAX_UDP_PAYLOAD + " bytes)"));
    }
    return out;
  }

  /**
   * {@code auth}: HTTP authentication; at most one of {@code basic} and {@code bearer_token}.
   *
   * @param basic {@code auth.basic.username} / {@code auth.basic.password}; default empty (off)
   * @param bearerToken {@code auth.bearer_token}: sent as {@code Authorization: Bearer <token>};
   *     default empty (off)
   */
  public record AuthConfig(BasicAuth basic, String bearerToken) implements ComponentConfig {

    /** No authentication. */
    public static AuthConfig defaults() {
      return new AuthConfig(BasicAuth.defaults(), "");
    }

    boolean isSet() {
      return basic.isSet() || !bearerToken.isEmpty();
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      if (basic.isSet() && !bearerToken.isEmpty()) {
        out.add(new ConfigProblem("bearer_token",
            "set together with basic (expected: only one of auth.basic and auth.bearer_token)"));
      }
      if (basic.username().isEmpty() && !basic.password().isEmpty()) {
        out.add(new ConfigProblem("basic.username", "\"\" (expected: a user name when a password is set)"));
      }
      if (basic.username().contains(":")) {
        out.add(new ConfigProblem("basic.username",
            ConfigChecks.quote(basic.username()) + " (expected: no ':' in a basic-auth user name)"));
      }
      return out;
    }
  }

  /**
   * {@code auth.basic}: HTTP basic authentication.
   *
   * @param username default empty (off)
   * @param password default empty
   */
  public record BasicAuth(String username, String password) implements ComponentConfig {
    /** Off. */
    public static BasicAuth defaults() {
      return new BasicAuth("", "");
    }

    boolean isSet() {
      return !username.isEmpty();
    }

    @Override
    public String toString() {
      return "BasicAuth[username=" + username + ", password=" + (password.isEmpty() ? "" : "***") + "]";
    }
  }

  /**
   * {@code tls}: client TLS for an {@code https} endpoint, with the OpenTelemetry Collector's
   * names.
   *
   * @param caFile PEM file of the CAs to trust; default empty (the JDK's trust store)
   * @param certFile PEM client certificate for mutual TLS; default empty
   * @param keyFile PEM (PKCS#8) private key of {@code cert_file}; default empty
   * @param insecureSkipVerify do not verify the server's certificate; default false
   */
  public record TlsConfig(String caFile, String certFile, String keyFile, boolean insecureSkipVerify)
      implements ComponentConfig {
    /** The JDK's trust store, no client certificate. */
    public static TlsConfig defaults() {
      return new TlsConfig("", "", "", false);
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      if (certFile.isEmpty() != keyFile.isEmpty()) {
        out.add(new ConfigProblem(certFile.isEmpty() ? "cert_file" : "key_file",
            "\"\" (expected: cert_file and key_file set together)"));
      }
      return out;
    }
  }
}
