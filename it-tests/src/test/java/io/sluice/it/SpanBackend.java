package io.sluice.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP traces back end for the reliability tests. It counts every span it accepts by span
 * id, so that losses and duplicates show exactly; it can go down (listener closed: connection
 * refused) and come back on the same port; it can answer 503 to the first requests and then 429
 * with Retry-After, or answer slowly; and it logs when each request arrived and when it was
 * answered, on its own clock, so that a test can check what a sender did after a refusal.
 */
final class SpanBackend implements AutoCloseable {
  /** One request as the back end saw it; times are {@link System#nanoTime()}. */
  record Request(long arrivedNanos, long answeredNanos, int status, Duration retryAfter) {}

  /**
   * One span id: its name and the back end's generation (1, then +1 per restart) at its first
   * arrival, and how often it was accepted.
   */
  record Delivery(String name, int generation, int count) {}

  private final int port;
  private final ExecutorService handlers = Executors.newFixedThreadPool(4);
  private final AtomicInteger tickets = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<Long, Delivery> deliveries = new HashMap<>();
  private final List<Request> requests = new ArrayList<>();
  private volatile int unavailable;
  private volatile int throttled;
  private volatile Duration retryAfter = Duration.ZERO;
  private volatile Duration delay = Duration.ZERO;
  private int generation;
  private HttpServer server;

  /** Starts on a free port. */
  SpanBackend() throws IOException {
    this.port = SluiceProcess.freePort();
    start();
  }

  /**
   * Answers the first {@code unavailable} requests from now with 503 (no Retry-After), the next
   * {@code throttled} with 429 and {@code Retry-After: retryAfter}, and accepts the rest.
   */
  void refuseFirst(int unavailable, int throttled, Duration retryAfter) {
    this.unavailable = unavailable;
    this.throttled = throttled;
    this.retryAfter = retryAfter;
    tickets.set(0);
  }

  /** Takes {@code delay} over each request it accepts, as a loaded back end would. */
  void slowDown(Duration delay) {
    this.delay = delay;
  }

  /** Listens again on the same port; spans accepted from now on carry the next generation. */
  synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("back end already running on port " + port);
    }
    generation++;
    HttpServer s = bind();
    s.setExecutor(handlers);
    s.createContext("/", this::handle);
    s.start();
    server = s;
  }

  /**
   * Goes down: the listener closes, so senders get "connection refused". Requests already being
   * handled finish and are answered first, so that a span is never both accepted and refused.
   */
  void stop() {
    HttpServer s;
    synchronized (this) {
      s = server;
      server = null;
    }
    if (s != null) {
      s.stop(1);
    }
  }

  /** Binding right after a stop can race the kernel releasing the port; bounded retries. */
  private HttpServer bind() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
      } catch (BindException e) {
        if (attempt == 50) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  private void handle(HttpExchange ex) throws IOException {
    inFlight.incrementAndGet();
    try {
      answer(ex);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void answer(HttpExchange ex) throws IOException {
    long arrived = System.nanoTime();
    int status;
    try (ex) {
      InputStream in = ex.getRequestBody();
      if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
        in = new GZIPInputStream(in);
      }
      byte[] body = in.readAllBytes();
      if (!"/v1/traces".equals(ex.getRequestURI().getPath())) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      int ticket = tickets.getAndIncrement();
      if (ticket < unavailable) {
        status = 503;
      } else if (ticket < unavailable + throttled) {
        status = 429;
        ex.getResponseHeaders().set("Retry-After", Long.toString(retryAfter.toSeconds()));
      } else {
        status = 200;
        pause(delay);
        accept(ExportTraceServiceRequest.parseFrom(body));
        ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      }
      ex.sendResponseHeaders(status, -1);
    }
    // Logged once the exchange is closed, so that "answered" is never earlier than the sender
    // could have read the answer: a gap measured from it is a lower bound of the sender's wait.
    log(new Request(arrived, System.nanoTime(), status, status == 429 ? retryAfter : null));
  }

  private static void pause(Duration d) throws IOException {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private synchronized void accept(ExportTraceServiceRequest request) {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          deliveries.merge(spanId(span), new Delivery(span.getName(), generation, 1),
              (first, again) -> new Delivery(first.name(), first.generation(), first.count() + 1));
        }
      }
    }
  }

  private synchronized void log(Request r) {
    requests.add(r);
  }

  static long spanId(Span span) {
    return span.getSpanId().asReadOnlyByteBuffer().getLong();
  }

  /** Every span id accepted so far, with its first arrival and count. */
  synchronized Map<Long, Delivery> deliveries() {
    return Map.copyOf(deliveries);
  }

  /**
   * Waits (bounded) until no request is being handled: a request whose sender died is still
   * answered, and its spans count as delivered.
   */
  void awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(inFlight.get() + " requests still being handled after " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /** Whether every one of these span ids arrived at least once. */
  synchronized boolean hasAll(Collection<Long> ids) {
    return deliveries.keySet().containsAll(ids);
  }

  /** How many distinct span ids arrived. */
  synchronized int distinct() {
    return deliveries.size();
  }

  /** Every request answered so far, in the order the back end answered them. */
  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    stop();
    handlers.shutdownNow();
  }
}
