package io.sluice.api.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tls} of a listener (the Collector's {@code configtls.ServerConfig}): the OTLP receiver's
 * listeners, the {@code health_check} extension and the self-metrics endpoint.
 *
 * @param certFile PEM certificate chain; required
 * @param keyFile PEM private key (PKCS#8); required
 * @param clientCaFile PEM CA bundle; when set, clients must present a certificate it signed
 *     (mTLS); default none
 * @param minVersion lowest TLS version accepted: {@code 1.2} (default) or {@code 1.3}
 */
public record ServerTls(String certFile, String keyFile, String clientCaFile, String minVersion)
    implements ComponentConfig {

  /** The defaults bound under a present {@code tls} section. */
  public static ServerTls defaults() {
    return new ServerTls("", "", "", "1.2");
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    file(out, "cert_file", certFile, true);
    file(out, "key_file", keyFile, true);
    file(out, "client_ca_file", clientCaFile, false);
    ConfigChecks.oneOf(out, "min_version", minVersion, List.of("1.2", "1.3"));
    return out;
  }

  /** The TLS protocol names from {@code min_version} up, as the JDK spells them. */
  public String[] protocols() {
    return "1.3".equals(minVersion) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
  }

  private static void file(List<ConfigProblem> out, String key, String value, boolean required) {
    if (value == null || value.isEmpty()) {
      if (required) {
        out.add(new ConfigProblem(key, "empty (expected: the path of a PEM file)"));
      }
    } else if (!Files.isReadable(Path.of(value))) {
      out.add(new ConfigProblem(key, ConfigChecks.quote(value) + " is not a readable file (expected: the path of a PEM file)"));
    }
  }
}
