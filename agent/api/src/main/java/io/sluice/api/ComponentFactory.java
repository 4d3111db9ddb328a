package io.sluice.api;

import io.sluice.api.config.ComponentConfig;
import java.util.Map;

/**
 * The entry point of a component type, discovered with {@link java.util.ServiceLoader} (list the
 * class in {@code META-INF/services/io.sluice.api.ComponentFactory}) from the daemon's classpath
 * and from every jar in its {@code plugins/} directory.
 *
 * <p>Implement one of {@link ReceiverFactory}, {@link ProcessorFactory}, {@link ExporterFactory}
 * or {@link ExtensionFactory}.
 *
 * @param <C> the configuration record
 */
public interface ComponentFactory<C extends ComponentConfig> {

  /** The type name used in configuration, lower_snake_case, e.g. {@code probabilistic_sampler}. */
  String type();

  /** The kind; fixed by the sub-interface. */
  ComponentKind kind();

  /**
   * The signals this component supports, each with its stability. Extensions return an empty map.
   */
  Map<Signal, Stability> stability();

  /** The configuration record's class. */
  Class<C> configClass();

  /**
   * The configuration used for every key the user does not set. Empty configuration ({@code
   * receivers { otlp {} }}) must bind to exactly this.
   */
  C defaultConfig();
}
