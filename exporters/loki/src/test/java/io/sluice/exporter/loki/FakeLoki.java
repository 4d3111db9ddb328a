package io.sluice.exporter.loki;

import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xerial.snappy.Snappy;

/**
 * A Loki push endpoint for tests, on an ephemeral port: keeps every request and answers with
 * queued responses (then 204). Decodes bodies the way Loki does: snappy, then the {@code
 * loki-protobuf} classes.
 */
final class FakeLoki implements AutoCloseable {
  static final String PATH = "/loki/api/v1/push";

  record Request(RequestHeaders headers, byte[] body, String protocol) {
    PushRequest decode() {
      try {
        return PushRequest.parseFrom(Snappy.uncompress(body));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Queue<HttpResponse> answers = new ConcurrentLinkedQueue<>();
  private final Server server;

  private final boolean tls;

  FakeLoki() {
    this(false);
  }

  /** With {@code tls}, serves https with a self-signed certificate instead of http. */
  FakeLoki(boolean tls) {
    this.tls = tls;
    var b = Server.builder();
    if (tls) {
      b.https(0).tlsSelfSigned();
    } else {
      b.http(0);
    }
    server = b
        .gracefulShutdownTimeoutMillis(0, 0)
        .service(PATH, (ctx, req) -> HttpResponse.of(
            req.aggregate().thenApply(r -> answer(r, ctx.sessionProtocol().uriText()))))
        .build();
    server.start().join();
  }

  private HttpResponse answer(AggregatedHttpRequest req, String protocol) {
    requests.add(new Request(req.headers(), req.content().array(), protocol));
    HttpResponse r = answers.poll();
    return r != null ? r : HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  /** Forgets requests and queued answers, between tests sharing one server. */
  void reset() {
    requests.clear();
    answers.clear();
  }

  /** Queues the next answer. */
  FakeLoki answerNext(HttpStatus status, String body, String retryAfter) {
    ResponseHeaders h = retryAfter == null
        ? ResponseHeaders.of(status)
        : ResponseHeaders.builder(status).set("retry-after", retryAfter).build();
    answers.add(HttpResponse.of(h, com.linecorp.armeria.common.HttpData.ofUtf8(body)));
    return this;
  }

  String endpoint() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.activeLocalPort() + PATH;
  }

  List<Request> requests() {
    return requests;
  }

  static MediaType protobuf() {
    return MediaType.parse("application/x-protobuf");
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
