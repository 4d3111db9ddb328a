package io.sluice.exporter.prometheusremotewrite;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Configuration of the {@code prometheusremotewrite} exporter; names and defaults follow the
 * OpenTelemetry Collector's exporter of the same name.
 *
 * @param endpoint the remote-write URL; default {@code http://localhost:9090/api/v1/write}
 * @param headers extra HTTP headers sent with every request (e.g. {@code X-Scope-OrgID}); default
 *     none
 * @param namespace a prefix added to every metric name, joined with {@code _}; default none
 * @param externalLabels labels added to every series that does not already have them; default none
 * @param resourceToTelemetryConversion copy every resource attribute to a label
 * @param targetInfo the {@code target_info} series made from resource attributes
 * @param sendMetadata send type, help and unit of every metric family in the request; default
 *     false
 * @param addMetricSuffixes add unit, {@code _total} and {@code _ratio} suffixes; default true
 * @param maxBatchSizeBytes the largest uncompressed request body; default 3000000
 * @param remoteWriteQueue the concurrency of one push
 * @param basicAuth HTTP basic authentication; default none
 * @param bearerToken sent as {@code Authorization: Bearer <token>}; default none
 * @param tls TLS settings for https endpoints
 */
public record PrometheusRemoteWriteConfig(
    String endpoint,
    Map<String, String> headers,
    String namespace,
    Map<String, String> externalLabels,
    ResourceToTelemetryConversion resourceToTelemetryConversion,
    TargetInfo targetInfo,
    boolean sendMetadata,
    boolean addMetricSuffixes,
    int maxBatchSizeBytes,
    RemoteWriteQueue remoteWriteQueue,
    BasicAuth basicAuth,
    String bearerToken,
    Tls tls)
    implements ComponentConfig {
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern NAMESPACE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  /** The defaults. */
  public static PrometheusRemoteWriteConfig defaults() {
    return new PrometheusRemoteWriteConfig(
        "http://localhost:9090/api/v1/write",
        Map.of(),
        "",
        Map.of(),
        ResourceToTelemetryConversion.defaults(),
        TargetInfo.defaults(),
        false,
        true,
        3_000_000,
        RemoteWriteQueue.defaults(),
        BasicAuth.defaults(),
        "",
        Tls.defaults());
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.httpUrl(out, "endpoint", endpoint, "http://localhost:9090/api/v1/write");
    if (!namespace.isEmpty() && !NAMESPACE.matcher(namespace).matches()) {
      out.add(new ConfigProblem("namespace",
          ConfigChecks.quote(namespace) + " (expected: a metric name prefix matching [a-zA-Z_:][a-zA-Z0-9_:]*)"));
    }
    externalLabels.forEach((k, v) -> {
      if (!LABEL_NAME.matcher(k).matches() || k.startsWith("__")) {
        out.add(new ConfigProblem("external_labels." + k,
            ConfigChecks.quote(k) + " (expected: a label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)"));
      }
      if (v.isEmpty()) {
        out.add(new ConfigProblem("external_labels." + k, "\"\" (expected: a non-empty value)"));
      }
    });
    ConfigChecks.atLeast(out, "max_batch_size_bytes", maxBatchSizeBytes, 1024);
    remoteWriteQueue.validate().forEach(p -> out.add(p.under("remote_write_queue")));
    basicAuth.validate().forEach(p -> out.add(p.under("basic_auth")));
    if (!basicAuth.username().isEmpty() && !bearerToken.isEmpty()) {
      out.add(new ConfigProblem("bearer_token",
          "set together with basic_auth (expected: only one of basic_auth and bearer_token)"));
    }
    tls.validate().forEach(p -> out.add(p.under("tls")));
    return out;
  }

  /**
   * {@code resource_to_telemetry_conversion}.
   *
   * @param enabled default false: when true every resource attribute becomes a label of every
   *     series of that resource
   */
  public record ResourceToTelemetryConversion(boolean enabled) implements ComponentConfig {
    /** The defaults. */
    public static ResourceToTelemetryConversion defaults() {
      return new ResourceToTelemetryConversion(false);
    }
  }

  /**
   * {@code target_info}.
   *
   * @param enabled default true: one {@code target_info} series per resource that has attributes
   *     other than {@code service.name}, {@code service.namespace} and {@code service.instance.id}
   */
  public record TargetInfo(boolean enabled) implements ComponentConfig {
    /** The defaults. */
    public static TargetInfo defaults() {
      return new TargetInfo(true);
    }
  }

  /**
   * {@code remote_write_queue}.
   *
   * @param numConsumers default 5: how many requests of one push are sent at once; series are
   *     sharded by the hash of their labels, so one series' samples are never reordered
   */
  public record RemoteWriteQueue(int numConsumers) implements ComponentConfig {
    /** The defaults. */
    public static RemoteWriteQueue defaults() {
      return new RemoteWriteQueue(5);
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.atLeast(out, "num_consumers", numConsumers, 1);
      return out;
    }
  }

  /**
   * {@code basic_auth}.
   *
   * @param username default empty: no basic authentication
   * @param password default empty
   */
  public record BasicAuth(String username, String password) implements ComponentConfig {
    /** The defaults. */
    public static BasicAuth defaults() {
      return new BasicAuth("", "");
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      if (username.isEmpty() && !password.isEmpty()) {
        out.add(new ConfigProblem("username", "\"\" (expected: a user name when password is set)"));
      }
      return out;
    }
  }

  /**
   * {@code tls}.
   *
   * @param insecureSkipVerify default false: do not verify the server's certificate
   * @param caFile default empty: PEM file of CA certificates to trust instead of the JDK's
   * @param certFile default empty: PEM client certificate chain, with {@code key_file}
   * @param keyFile default empty: PEM PKCS#8 private key of {@code cert_file}
   */
  public record Tls(boolean insecureSkipVerify, String caFile, String certFile, String keyFile)
      implements ComponentConfig {
    /** The defaults. */
    public static Tls defaults() {
      return new Tls(false, "", "", "");
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
