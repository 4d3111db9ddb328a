package io.sluice.core.extension.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.sluice.core.internal.AdminTls;
import io.sluice.api.Extension;
import io.sluice.core.internal.Json;
import io.sluice.core.service.StatusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Serves 200 when every component is running and 503 with JSON naming the unhealthy ones. Uses the
 * JDK's HTTP server: an admin endpoint answering a probe every few seconds needs no event loop, and
 * it keeps the core free of Netty.
 */
final class HealthCheckExtension implements Extension {
  private final HealthCheckConfig config;
  private final StatusRegistry registry;
  private HttpServer server;

  HealthCheckExtension(HealthCheckConfig config, StatusRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  /** The bound port (after start). */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public synchronized void start() throws IOException {
    int colon = config.endpoint().lastIndexOf(':');
    String host = config.endpoint().substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(config.endpoint().substring(colon + 1));
    if (config.tls() != null) {
      HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 16);
      https.setHttpsConfigurator(AdminTls.configurator(config.tls()));
      server = https;
    } else {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    }
    server.createContext(config.path(), this::handle);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "health-check");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(config.path())) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Map<String, StatusRegistry.Entry> unhealthy = registry.unhealthy(config.includeRecoverable());
      boolean ok = registry.running() && unhealthy.isEmpty();
      StringBuilder body = new StringBuilder("{\"status\":");
      body.append(ok ? "\"Server available\"" : "\"Server not available\"");
      body.append(",\"running\":").append(registry.running());
      body.append(",\"unhealthy\":{");
      boolean first = true;
      for (Map.Entry<String, StatusRegistry.Entry> e : unhealthy.entrySet()) {
        if (!first) {
          body.append(',');
        }
        first = false;
        body.append(Json.quote(e.getKey())).append(":{\"status\":")
            .append(Json.quote(e.getValue().status().name()))
            .append(",\"message\":").append(Json.quote(e.getValue().message())).append('}');
      }
      body.append("}}");
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(ok ? 200 : 503, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public synchronized void shutdown() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }
}
