package io.sluice.exporter.jaeger;

import io.sluice.api.ComponentFactory;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.exporter.jaeger.JaegerConfig.AuthConfig;
import io.sluice.exporter.jaeger.JaegerConfig.Protocol;
import io.sluice.exporter.jaeger.JaegerConfig.TlsConfig;
import java.util.Map;

/** The lifecycle contract again with the UDP transport (the default config is HTTP). */
class JaegerAgentContractTest extends ComponentContractTest {
  @Override
  protected ComponentFactory<?> factory() {
    return new JaegerExporterFactory();
  }

  @Override
  protected ComponentConfig lifecycleConfig() {
    return new JaegerConfig(Protocol.THRIFT_COMPACT_UDP, "127.0.0.1:6831", Map.of(), AuthConfig.defaults(),
        TlsConfig.defaults(), DataSize.ofBytes(65000));
  }
}
