package io.sluice.core.extension.health;

import io.sluice.api.ComponentContext;
import io.sluice.api.Extension;
import io.sluice.api.ExtensionFactory;
import io.sluice.core.service.Service;
import io.sluice.core.service.StatusRegistry;

/** The {@code health_check} extension: an HTTP endpoint that says whether the daemon is healthy. */
public final class HealthCheckFactory implements ExtensionFactory<HealthCheckConfig> {
  @Override
  public String type() {
    return "health_check";
  }

  @Override
  public Class<HealthCheckConfig> configClass() {
    return HealthCheckConfig.class;
  }

  @Override
  public HealthCheckConfig defaultConfig() {
    return HealthCheckConfig.DEFAULTS;
  }

  @Override
  public Extension createExtension(ComponentContext context, HealthCheckConfig config) {
    StatusRegistry registry = Service.statusRegistryOf(context);
    if (registry == null) {
      registry = new StatusRegistry();
      registry.setRunning(true);
    }
    return new HealthCheckExtension(config, registry);
  }
}
