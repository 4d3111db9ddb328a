package io.sluice.exporter.jaeger;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.testing.junit5.server.ServerExtension;
import io.jaegertracing.thriftjava.Batch;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.protocol.TBinaryProtocol;

/**
 * A Jaeger collector's {@code POST /api/traces} on an ephemeral port: answers with scripted
 * responses (200 when none is left) and decodes every accepted body with the official
 * jaeger-thrift classes and the binary protocol.
 */
final class FakeCollector extends ServerExtension {
  static final String PATH = "/api/traces";

  /** One request as received. */
  record Received(RequestHeaders headers, byte[] body, Batch batch) {}

  /** A scripted answer. */
  record Answer(HttpStatus status, String retryAfter, String body) {}

  private final TlsKeyPair tls;
  private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
  private final List<Received> accepted = new CopyOnWriteArrayList<>();
  private final List<Received> all = new CopyOnWriteArrayList<>();

  /** Plain HTTP. */
  FakeCollector() {
    this(null);
  }

  /** Also HTTPS with this key pair when not null. */
  FakeCollector(TlsKeyPair tls) {
    this.tls = tls;
  }

  @Override
  protected void configure(ServerBuilder sb) {
    sb.http(0);
    if (tls != null) {
      sb.https(0).tls(tls);
    }
    sb.service(PATH, (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
      byte[] body = agg.content().array();
      Batch batch = new Batch();
      try {
        new TDeserializer(new TBinaryProtocol.Factory()).deserialize(batch, body);
      } catch (Exception e) {
        return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "undecodable: " + e);
      }
      Received r = new Received(agg.headers(), body, batch);
      all.add(r);
      Answer a = script.poll();
      if (a == null || a.status().code() / 100 == 2) {
        accepted.add(r);
        return HttpResponse.of(HttpStatus.ACCEPTED);
      }
      com.linecorp.armeria.common.ResponseHeadersBuilder h = ResponseHeaders.builder(a.status()).contentType(MediaType.PLAIN_TEXT_UTF_8);
      if (a.retryAfter() != null) {
        h.set("retry-after", a.retryAfter());
      }
      return HttpResponse.of(h.build(), com.linecorp.armeria.common.HttpData.ofUtf8(a.body()));
    })));
  }

  /** Queues answers for the next requests. */
  void answer(Answer... answers) {
    script.addAll(List.of(answers));
  }

  /** Requests answered with 2xx. */
  List<Received> accepted() {
    return accepted;
  }

  /** Every decodable request. */
  List<Received> all() {
    return all;
  }

  void reset() {
    script.clear();
    accepted.clear();
    all.clear();
  }

  String endpoint() {
    return httpUri().resolve(PATH).toString();
  }
}
