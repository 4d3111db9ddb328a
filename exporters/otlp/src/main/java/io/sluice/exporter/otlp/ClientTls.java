package io.sluice.exporter.otlp;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tls} of an OTLP exporter (the Collector's {@code configtls.ClientConfig}).
 *
 * @param insecure {@code otlp} only: with an endpoint without scheme, send in plain text (h2c);
 *     default false (TLS)
 * @param caFile PEM CA bundle to verify the server with; default: the JDK's trust store
 * @param certFile PEM client certificate for mTLS; default none
 * @param keyFile PEM (PKCS#8) key of {@code cert_file}; default none
 * @param insecureSkipVerify do not verify the server's certificate; default false
 */
public record ClientTls(
    boolean insecure, String caFile, String certFile, String keyFile, boolean insecureSkipVerify)
    implements ComponentConfig {

  /** TLS verified with the JDK's trust store, no client certificate. */
  public static ClientTls defaults() {
    return new ClientTls(false, "", "", "", false);
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    file(out, "ca_file", caFile);
    file(out, "cert_file", certFile);
    file(out, "key_file", keyFile);
    if (certFile.isEmpty() != keyFile.isEmpty()) {
      out.add(new ConfigProblem(certFile.isEmpty() ? "cert_file" : "key_file",
          "empty while " + (certFile.isEmpty() ? "key_file" : "cert_file") + " is set (expected: both or neither)"));
    }
    return out;
  }

  private static void file(List<ConfigProblem> out, String key, String value) {
    if (value == null) {
      out.add(new ConfigProblem(key, "null (expected: a file path or empty)"));
    } else if (!value.isEmpty() && !Files.isReadable(Path.of(value))) {
      out.add(new ConfigProblem(key, ConfigChecks.quote(value) + " is not a readable file (expected: the path of a PEM file)"));
    }
  }
}
