package io.sluice.api.config;

import java.util.List;

/**
 * A component's configuration: a record, bound by the daemon from HOCON over the factory's default
 * instance. Record component names map to snake_case keys ({@code sendBatchSize} ↔ {@code
 * send_batch_size}) unless annotated with {@link ConfigKey}.
 *
 * <p>Supported component types: {@code String}, {@code boolean}, {@code int}, {@code long}, {@code
 * double} (and boxed forms), {@link java.time.Duration} ({@code 200ms}, {@code 5s}), {@link
 * DataSize} ({@code 512KiB}, or a byte count), enums (matched case-insensitively by name), nested
 * records implementing {@link ComponentConfig}, {@code List<T>} and {@code Map<String, T>} of those
 * types. Unknown keys and wrong types are errors reported with file, line and key path.
 */
public interface ComponentConfig {

  /**
   * Checks the values against each other and against their allowed ranges.
   *
   * @return every problem found, each with a key path relative to this config (e.g. {@code
   *     protocols.grpc.endpoint}); empty when valid. Never stop at the first problem.
   */
  default List<ConfigProblem> validate() {
    return List.of();
  }
}
