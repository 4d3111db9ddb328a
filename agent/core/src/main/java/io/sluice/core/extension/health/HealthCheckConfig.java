package io.sluice.core.extension.health;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.ServerTls;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code extensions.health_check}.
 *
 * @param endpoint where to listen, default {@code 127.0.0.1:13133}
 * @param path the path answering the check, default {@code /}
 * @param includeRecoverable whether a component in a recoverable error (e.g. an exporter whose back
 *     end is down) makes the check fail; default false, so an orchestrator does not restart a
 *     healthy daemon because a back end is away
 * @param tls serve HTTPS (and, with {@code client_ca_file}, require client certificates); default
 *     none: plain HTTP
 */
public record HealthCheckConfig(String endpoint, String path, boolean includeRecoverable, ServerTls tls)
    implements ComponentConfig {
  static final HealthCheckConfig DEFAULTS = new HealthCheckConfig("127.0.0.1:13133", "/", false, null);

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.hostPort(out, "endpoint", endpoint);
    if (path == null || !path.startsWith("/")) {
      out.add(new ConfigProblem("path", ConfigChecks.quote(path) + " (expected: a path starting with /)"));
    }
    if (tls != null) {
      tls.validate().forEach(p -> out.add(p.under("tls")));
    }
    return out;
  }
}
