package io.sluice.receiver.otlp;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cors} of the HTTP listener (the Collector's {@code confighttp.CORSConfig}).
 *
 * @param allowedOrigins origins allowed to send, e.g. {@code https://*.example.com}; {@code *}
 *     for any; required
 * @param allowedHeaders request headers allowed besides the CORS-safelisted ones and {@code
 *     Content-Type}; default none
 * @param maxAge seconds a browser may cache the preflight answer; default 0 (not sent)
 */
public record Cors(List<String> allowedOrigins, List<String> allowedHeaders, int maxAge)
    implements ComponentConfig {

  /** The defaults bound under a present {@code cors} section. */
  public static Cors defaults() {
    return new Cors(List.of(), List.of(), 0);
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    if (allowedOrigins == null || allowedOrigins.isEmpty()) {
      out.add(new ConfigProblem("allowed_origins", "empty (expected: at least one origin, e.g. https://*.example.com)"));
    }
    if (maxAge < 0) {
      out.add(new ConfigProblem("max_age", maxAge + " (expected: >= 0)"));
    }
    return out;
  }
}
