package io.sluice.exporter.loki;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Configuration of the {@code loki} exporter. The exporter helper's {@code sending_queue}, {@code
 * retry_on_failure} and {@code timeout} are bound by the daemon, not here.
 *
 * @param endpoint the push URL, e.g. {@code http://localhost:3100/loki/api/v1/push}; required
 * @param encoding {@code protobuf} (snappy-compressed, default) or {@code json}
 * @param tenantId the {@code X-Scope-OrgID} header when no other tenant source applies; empty = none
 * @param tenantFromMetadata a client metadata key (e.g. {@code x-scope-orgid}, kept by a
 *     receiver's {@code include_metadata}) whose value is the batch's tenant; empty = unused
 * @param headers extra request headers
 * @param basicAuth HTTP basic authentication
 * @param bearerToken an {@code Authorization: Bearer} token; empty = none
 * @param tls TLS settings for https endpoints
 * @param labels which attributes become stream labels
 * @param format how the rest of a record becomes the log line
 * @param structuredMetadata attribute names (record first, then resource) sent as structured
 *     metadata besides {@code trace_id} and {@code span_id}
 * @param maxStreams the most streams one request may hold (per tenant)
 * @param maxLabelValues the most distinct values one label may take within {@code
 *     label_values_window}
 * @param labelValuesWindow the window over which {@code max_label_values} is counted
 */
public record LokiExporterConfig(
    String endpoint,
    Encoding encoding,
    String tenantId,
    String tenantFromMetadata,
    Map<String, String> headers,
    BasicAuth basicAuth,
    String bearerToken,
    Tls tls,
    LabelRules labels,
    Format format,
    List<String> structuredMetadata,
    int maxStreams,
    int maxLabelValues,
    Duration labelValuesWindow)
    implements ComponentConfig {

  static final String EXAMPLE_ENDPOINT = "http://localhost:3100/loki/api/v1/push";
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The defaults: everything but {@code endpoint}, which has no default that works. */
  static LokiExporterConfig defaults() {
    return new LokiExporterConfig(
        "",
        Encoding.PROTOBUF,
        "",
        "",
        Map.of(),
        BasicAuth.defaults(),
        "",
        Tls.defaults(),
        LabelRules.defaults(),
        Format.JSON,
        List.of(),
        1000,
        100,
        Duration.ofMinutes(5));
  }

  /** The push request encoding. */
  public enum Encoding {
    /** Loki's {@code PushRequest} protobuf, snappy block-compressed. */
    PROTOBUF,
    /** Loki's JSON push format. */
    JSON
  }

  /** The log line format. */
  public enum Format {
    /** A JSON object: body, severity, attributes and resource attributes not used as labels. */
    JSON,
    /** {@code key=value} pairs in the order of otelcol's logfmt encoding. */
    LOGFMT,
    /** The body only. */
    RAW
  }

  /**
   * HTTP basic authentication; used when {@code username} is set.
   *
   * @param username default empty
   * @param password default empty
   */
  public record BasicAuth(String username, String password) implements ComponentConfig {
    /** No authentication. */
    public static BasicAuth defaults() {
      return new BasicAuth("", "");
    }

    boolean enabled() {
      return !username.isEmpty();
    }
  }

  /**
   * TLS client settings for {@code https} endpoints; the JDK's trust store is used when {@code
   * ca_file} is empty.
   *
   * @param insecureSkipVerify default false: do not verify the server's certificate
   * @param caFile PEM file of CAs to trust; default empty
   * @param certFile PEM client certificate for mutual TLS; default empty
   * @param keyFile PEM (PKCS#8) key of {@code cert_file}; default empty
   */
  public record Tls(boolean insecureSkipVerify, String caFile, String certFile, String keyFile)
      implements ComponentConfig {
    /** Verify with the JDK's trust store, no client certificate. */
    public static Tls defaults() {
      return new Tls(false, "", "", "");
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      fileExists(out, "ca_file", caFile);
      fileExists(out, "cert_file", certFile);
      fileExists(out, "key_file", keyFile);
      if (certFile.isEmpty() != keyFile.isEmpty()) {
        out.add(new ConfigProblem(certFile.isEmpty() ? "cert_file" : "key_file",
            "missing (expected: cert_file and key_file set together)"));
      }
      return out;
    }

    private static void fileExists(List<ConfigProblem> out, String path, String file) {
      if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
        out.add(new ConfigProblem(path, ConfigChecks.quote(file) + " (expected: a readable file)"));
      }
    }
  }

  /**
   * Which attributes become stream labels. Keys are attribute names, values label names.
   *
   * @param resource resource attribute → label; default {@code service.name = service_name}
   * @param attributes log record attribute → label; default none
   * @param level default true: a {@code level} label from the record's severity
   */
  public record LabelRules(
      Map<String, String> resource, Map<String, String> attributes, boolean level)
      implements ComponentConfig {
    /** {@code service.name} as {@code service_name}, and {@code level}. */
    public static LabelRules defaults() {
      return new LabelRules(Map.of("service.name", "service_name"), Map.of(), true);
    }

    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      labelNames(out, "resource", resource);
      labelNames(out, "attributes", attributes);
      return out;
    }

    private static void labelNames(List<ConfigProblem> out, String path, Map<String, String> map) {
      map.forEach((attr, label) -> {
        if (label == null || !LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
          out.add(new ConfigProblem(path + ".\"" + attr + "\"", ConfigChecks.quote(label)
              + " (expected: a Loki label name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)"));
        }
      });
    }
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.httpUrl(out, "endpoint", endpoint, EXAMPLE_ENDPOINT);
    if (basicAuth.enabled() && !bearerToken.isEmpty()) {
      out.add(new ConfigProblem("bearer_token",
          "set together with basic_auth (expected: one of basic_auth or bearer_token)"));
    }
    if (basicAuth.username().isEmpty() && !basicAuth.password().isEmpty()) {
      out.add(new ConfigProblem("basic_auth.username", "\"\" (expected: a user name when password is set)"));
    }
    tls.validate().forEach(p -> out.add(p.under("tls")));
    labels.validate().forEach(p -> out.add(p.under("labels")));
    for (int i = 0; i < structuredMetadata.size(); i++) {
      ConfigChecks.notBlank(out, "structured_metadata[" + i + "]", structuredMetadata.get(i),
          "an attribute name");
    }
    ConfigChecks.atLeast(out, "max_streams", maxStreams, 1);
    ConfigChecks.atLeast(out, "max_label_values", maxLabelValues, 1);
    ConfigChecks.duration(out, "label_values_window", labelValuesWindow, true);
    return out;
  }
}
