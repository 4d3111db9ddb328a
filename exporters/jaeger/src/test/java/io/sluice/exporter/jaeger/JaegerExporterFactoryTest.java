package io.sluice.exporter.jaeger;

import io.sluice.api.ComponentFactory;
import io.sluice.core.testing.ComponentContractTest;

class JaegerExporterFactoryTest extends ComponentContractTest {
  @Override
  protected ComponentFactory<?> factory() {
    return new JaegerExporterFactory();
  }
}
