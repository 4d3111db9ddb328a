package io.sluice.api;

import io.sluice.api.config.ComponentConfig;
import java.util.Map;

/**
 * Creates extensions, listed in {@code service.extensions}. They start before every pipeline
 * component and stop after.
 *
 * @param <C> the configuration record
 */
public interface ExtensionFactory<C extends ComponentConfig> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.EXTENSION;
  }

  @Override
  default Map<Signal, Stability> stability() {
    return Map.of();
  }

  /** Creates the extension. */
  Extension createExtension(ComponentContext context, C config);
}
