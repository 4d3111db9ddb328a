package io.sluice.bench.loadgen;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.google.protobuf.MessageLite;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends pre-serialised OTLP requests over gRPC (a unary call framed by hand over HTTP/2 cleartext)
 * or OTLP/HTTP protobuf, and records each outcome in {@link Stats}. Payloads are built (and
 * gzipped, if asked) once, so sending costs only the transport.
 */
final class Sender implements AutoCloseable {
  /** How many distinct payloads to rotate through: ids differ between them. */
  static final int PAYLOADS = 16;

  private final WebClient client;
  private final ClientFactory factory;
  private final RequestHeaders headers;
  private final List<HttpData> payloads;
  private final int itemsPerRequest;
  private final boolean grpc;
  private final Stats stats;
  private final AtomicLong next = new AtomicLong();

  Sender(String endpoint, Protocol protocol, BenchSignal signal, int itemsPerRequest, boolean gzip, Duration timeout,
      Stats stats) {
    this.grpc = protocol == Protocol.GRPC;
    this.itemsPerRequest = itemsPerRequest;
    this.stats = stats;
    this.factory = ClientFactory.builder().maxNumEventLoopsPerEndpoint(2).build();
    String base = endpoint.contains("://") ? endpoint : (grpc ? "h2c://" : "h1c://") + endpoint;
    this.client =
        WebClient.builder(base)
            .factory(factory)
            .responseTimeout(timeout)
            .maxResponseLength(16 * 1024 * 1024)
            .build();
    RequestHeadersBuilder h =
        grpc
            ? RequestHeaders.builder(HttpMethod.POST, signal.grpcPath())
                .contentType(MediaType.parse("application/grpc"))
                .add(HttpHeaderNames.TE, "trailers")
            : RequestHeaders.builder(HttpMethod.POST, signal.httpPath())
                .contentType(MediaType.parse("application/x-protobuf"));
    if (gzip) {
      h.add(grpc ? HttpHeaderNames.of("grpc-encoding") : HttpHeaderNames.CONTENT_ENCODING, "gzip");
    }
    this.headers = h.build();
    HttpData[] built = new HttpData[PAYLOADS];
    for (int i = 0; i < PAYLOADS; i++) {
      byte[] body = TestbedData.request(signal, itemsPerRequest, i).toByteArray();
      if (gzip) {
        body = gzip(body);
      }
      built[i] = HttpData.wrap(grpc ? grpcFrame(body, gzip) : body);
    }
    this.payloads = List.of(built);
  }

  /**
   * Sends one request; the future completes (never exceptionally) with its outcome once that is
   * recorded.
   */
  CompletableFuture<Stats.Outcome> send() {
    HttpData body = payloads.get((int) (next.getAndIncrement() % PAYLOADS));
    stats.requestsSent.increment();
    stats.itemsSent.add(itemsPerRequest);
    long start = System.nanoTime();
    return client
        .execute(HttpRequest.of(headers, body))
        .aggregate()
        .handle(
            (response, error) -> {
              long latency = System.nanoTime() - start;
              Stats.Outcome outcome;
              String code;
              if (error != null) {
                outcome = Stats.Outcome.FAILED;
                code = "error";
              } else if (grpc) {
                if (response.status().code() != 200) {
                  outcome = Stats.Outcome.REFUSED;
                  code = "http_" + response.status().code() / 100 + "xx";
                } else {
                  String status = response.trailers().get("grpc-status");
                  if (status == null) {
                    status = response.headers().get("grpc-status");
                  }
                  code = "grpc_" + (status == null ? "missing" : status);
                  outcome = "0".equals(status) ? Stats.Outcome.ACKED : Stats.Outcome.REFUSED;
                }
              } else {
                int http = response.status().code();
                outcome = http / 100 == 2 ? Stats.Outcome.ACKED : Stats.Outcome.REFUSED;
                code = "http_" + http / 100 + "xx";
              }
              stats.record(outcome, code, itemsPerRequest, latency);
              return outcome;
            });
  }

  /** Prefixes a message with the 5-byte gRPC length-prefixed-message header. */
  static byte[] grpcFrame(byte[] message, boolean compressed) {
    byte[] framed = new byte[message.length + 5];
    framed[0] = (byte) (compressed ? 1 : 0);
    int n = message.length;
    framed[1] = (byte) (n >>> 24);
    framed[2] = (byte) (n >>> 16);
    framed[3] = (byte) (n >>> 8);
    framed[4] = (byte) n;
    System.arraycopy(message, 0, framed, 5, n);
    return framed;
  }

  private static byte[] gzip(byte[] body) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length / 4);
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The serialised size of one payload, without framing. */
  static int payloadSize(BenchSignal signal, int items) {
    MessageLite m = TestbedData.request(signal, items, 0);
    return m.getSerializedSize();
  }

  @Override
  public void close() {
    factory.close();
  }

  /** Wire protocol. */
  enum Protocol {
    GRPC,
    HTTP
  }
}
