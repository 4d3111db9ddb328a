package io.sluice.api.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a configuration.
 *
 * @param path the key path relative to the config being validated, e.g. {@code send_batch_size};
 *     the daemon prefixes the component's path and adds file and line
 * @param message what was found and what is expected, e.g. {@code -5 (expected: >= 0)}
 */
public record ConfigProblem(String path, String message) {
  /** Checks arguments. */
  public ConfigProblem {
    requireNonNull(path, "path");
    requireNonNull(message, "message");
  }

  /** The same problem with its path nested under {@code prefix}. */
  public ConfigProblem under(String prefix) {
    return new ConfigProblem(prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path, message);
  }
}
