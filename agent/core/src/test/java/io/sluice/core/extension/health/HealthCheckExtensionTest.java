package io.sluice.core.extension.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentFactory;
import io.sluice.api.HealthStatus;
import io.sluice.api.config.ComponentConfig;
import io.sluice.core.service.StatusRegistry;
import io.sluice.core.testing.ComponentContractTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HealthCheckExtensionTest extends ComponentContractTest {
  @Override
  protected ComponentFactory<?> factory() {
    return new HealthCheckFactory();
  }

  @Override
  protected ComponentConfig lifecycleConfig() {
    return new HealthCheckConfig("127.0.0.1:0", "/", false);
  }

  private static HttpResponse<String> get(HealthCheckExtension ext, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ext.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answers503NamingTheUnhealthyComponentThen200() throws Exception {
    StatusRegistry registry = new StatusRegistry();
    registry.report("receiver/otlp", HealthStatus.STARTING, "");
    registry.report("exporter/otlp", HealthStatus.RECOVERABLE_ERROR, "connection refused");
    HealthCheckExtension ext = new HealthCheckExtension(new HealthCheckConfig("127.0.0.1:0", "/health", false), registry);
    ext.start();
    try {
      var starting = get(ext, "/health");
      assertThat(starting.statusCode()).isEqualTo(503);
      assertThat(starting.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(starting.body()).isEqualTo("{\"status\":\"Server not available\",\"running\":false,"
          + "\"unhealthy\":{\"receiver/otlp\":{\"status\":\"STARTING\",\"message\":\"\"}}}");

      registry.report("receiver/otlp", HealthStatus.OK, "");
      registry.setRunning(true);
      var ok = get(ext, "/health");
      assertThat(ok.statusCode()).as("a recoverable error does not fail the check by default").isEqualTo(200);
      assertThat(ok.body()).contains("\"status\":\"Server available\"");
      assertThat(get(ext, "/other").statusCode()).isEqualTo(404);
    } finally {
      ext.shutdown();
    }
  }

  @Test
  void includeRecoverableCountsABackEndThatIsDown() throws Exception {
    StatusRegistry registry = new StatusRegistry();
    registry.setRunning(true);
    registry.report("exporter/otlp", HealthStatus.RECOVERABLE_ERROR, "connection refused");
    HealthCheckExtension ext = new HealthCheckExtension(new HealthCheckConfig("127.0.0.1:0", "/", true), registry);
    ext.start();
    try {
      var r = get(ext, "/");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("\"exporter/otlp\":{\"status\":\"RECOVERABLE_ERROR\",\"message\":\"connection refused\"}");
    } finally {
      ext.shutdown();
    }
  }
}
