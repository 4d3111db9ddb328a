package io.sluice.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A decoding OTLP/HTTP back end for tests: keeps every request it accepts, decoded with the
 * opentelemetry-proto classes. Can be told to answer 503 to make senders retry.
 */
final class OtlpBackend implements AutoCloseable {
  final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
  final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
  final List<ExportLogsServiceRequest> logs = new CopyOnWriteArrayList<>();
  final AtomicInteger refuse = new AtomicInteger();
  private volatile long refuseUntilNanos = Long.MIN_VALUE;
  final AtomicInteger refused = new AtomicInteger();
  private final HttpServer server;

  OtlpBackend() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Answers 503 with Retry-After to everything for {@code outage}, from now. */
  void refuseFor(java.time.Duration outage) {
    refuseUntilNanos = System.nanoTime() + outage.toNanos();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      boolean outage = refuseUntilNanos != Long.MIN_VALUE && System.nanoTime() - refuseUntilNanos < 0;
      if (outage || refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        refused.incrementAndGet();
        ex.getResponseHeaders().set("Retry-After", "1");
        ex.sendResponseHeaders(503, -1);
        return;
      }
      InputStream in = ex.getRequestBody();
      if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
        in = new GZIPInputStream(in);
      }
      byte[] body = in.readAllBytes();
      switch (ex.getRequestURI().getPath()) {
        case "/v1/traces" -> traces.add(ExportTraceServiceRequest.parseFrom(body));
        case "/v1/metrics" -> metrics.add(ExportMetricsServiceRequest.parseFrom(body));
        case "/v1/logs" -> logs.add(ExportLogsServiceRequest.parseFrom(body));
        default -> {
          ex.sendResponseHeaders(404, -1);
          return;
        }
      }
      ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      ex.sendResponseHeaders(200, 0);
    }
  }

  int spanCount() {
    return traces.stream().flatMap(r -> r.getResourceSpansList().stream())
        .flatMap(rs -> rs.getScopeSpansList().stream()).mapToInt(ss -> ss.getSpansCount()).sum();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
