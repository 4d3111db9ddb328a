package io.sluice.bench.promtarget;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A Prometheus target serving {@code --series} changing series at {@code /metrics}; the output is
 * streamed (chunked), so a million series need no large buffer.
 */
@Command(name = "promtarget", mixinStandardHelpOptions = true, description = "Serves N generated series (counters, gauges, histograms) for Prometheus to scrape.")
public final class PromTarget implements Callable<Integer>, AutoCloseable {

  @Option(names = "--series", defaultValue = "10000", description = "series per scrape (default: ${DEFAULT-VALUE})")
  long series;

  @Option(names = "--port", defaultValue = "0", description = "(default: ephemeral)")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "(default: ${DEFAULT-VALUE})")
  String host;

  private final AtomicLong scrapes = new AtomicLong();
  private HttpServer server;
  private java.util.concurrent.ExecutorService executor;

  /** Runs the CLI; serves until terminated. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new PromTarget()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    new CountDownLatch(1).await();
    return 0;
  }

  /** Starts serving and prints one {@code ready} line with the port and the exact series count. */
  void start() throws IOException {
    Exposition exposition = new Exposition(series);
    server = HttpServer.create(new InetSocketAddress(host, port), 64);
    executor = Executors.newFixedThreadPool(2);
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> serve(exposition, exchange));
    server.start();
    System.out.println("promtarget ready port=" + port() + " series=" + exposition.series());
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void serve(Exposition exposition, HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", Exposition.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        exposition.write(scrapes.incrementAndGet(), out);
      }
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
