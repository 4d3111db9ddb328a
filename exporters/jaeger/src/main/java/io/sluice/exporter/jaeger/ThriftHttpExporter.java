package io.sluice.exporter.jaeger;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.jaegertracing.thriftjava.Batch;
import io.sluice.api.Exporter;
import io.sluice.api.PipelineException;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.Traces;
import io.sluice.exporter.jaeger.internal.JaegerTranslator;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.BitSet;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.TException;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs one binary-protocol Thrift {@code Batch} per resource to a Jaeger collector's {@code
 * /api/traces}, with Armeria's non-blocking client.
 *
 * <p>When a push with several resources fails part-way, the resources already accepted are
 * remembered (weakly, keyed by the batch) so that the helper's retry sends only the rest: a
 * collector answering 503 then 200 receives every span once.
 */
final class ThriftHttpExporter implements Exporter {
  static final MediaType THRIFT_BINARY = MediaType.parse("application/vnd.apache.thrift.binary");
  private static final Logger logger = LoggerFactory.getLogger(ThriftHttpExporter.class);
  private static final int MAX_MESSAGE = 256;

  private final JaegerConfig config;
  private final URI endpoint;
  private final ThrottledLogger rejectedLog = new ThrottledLogger(logger, Duration.ofSeconds(30));
  private final Map<TelemetryData, BitSet> delivered = Collections.synchronizedMap(new WeakHashMap<>());
  private volatile ClientFactory factory;
  private volatile WebClient client;
  private volatile RequestHeaders headers;

  ThriftHttpExporter(JaegerConfig config) {
    this.config = config;
    this.endpoint = URI.create(config.effectiveEndpoint());
  }

  @Override
  public void start() {
    JaegerConfig.TlsConfig tls = config.tls();
    requireReadable("tls.ca_file", tls.caFile());
    requireReadable("tls.cert_file", tls.certFile());
    requireReadable("tls.key_file", tls.keyFile());
    ClientFactoryBuilder fb = ClientFactory.builder();
    if (tls.insecureSkipVerify()) {
      fb.tlsNoVerify();
    }
    if (!tls.caFile().isEmpty()) {
      File ca = new File(tls.caFile());
      fb.tlsCustomizer(b -> b.trustManager(ca));
    }
    if (!tls.certFile().isEmpty()) {
      fb.tls(new File(tls.certFile()), new File(tls.keyFile()));
    }
    factory = fb.build();
    client = WebClient.builder(endpoint.getScheme() + "://" + endpoint.getRawAuthority())
        .factory(factory)
        .build();
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    if (endpoint.getRawQuery() != null) {
      path += "?" + endpoint.getRawQuery();
    }
    RequestHeadersBuilder hb = RequestHeaders.builder(HttpMethod.POST, path).contentType(THRIFT_BINARY);
    config.headers().forEach(hb::set);
    JaegerConfig.AuthConfig auth = config.auth();
    if (auth.basic().isSet()) {
      String pair = auth.basic().username() + ":" + auth.basic().password();
      hb.set(HttpHeaderNames.AUTHORIZATION,
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    } else if (!auth.bearerToken().isEmpty()) {
      hb.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + auth.bearerToken());
    }
    headers = hb.build();
  }

  /** Fails start-up, rather than every request later, on a TLS file that cannot be read. */
  private static void requireReadable(String key, String path) {
    if (!path.isEmpty() && !Files.isReadable(Path.of(path))) {
      throw new IllegalStateException(key + ": \"" + path + "\" is not a readable file (expected: a PEM file)");
    }
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData data) {
    WebClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(PipelineException.retryable("jaeger exporter is not started"));
    }
    List<Batch> batches = JaegerTranslator.toBatches((Traces) data);
    BitSet done = delivered.isEmpty() ? null : delivered.remove(data);
    BitSet ok = done != null ? done : new BitSet(batches.size());
    int[] spans = new int[batches.size()];
    @SuppressWarnings("unchecked")
    CompletableFuture<Outcome>[] sends = new CompletableFuture[batches.size()];
    for (int i = 0; i < batches.size(); i++) {
      spans[i] = batches.get(i).getSpansSize();
      sends[i] = ok.get(i) ? CompletableFuture.completedFuture(Outcome.OK) : send(c, batches.get(i));
      // Encoded now: let the Thrift objects go while the requests are in flight. With several
      // workers each holding a batch of thousands of spans, they would not fit a sidecar's heap.
      batches.set(i, null);
    }
    return CompletableFuture.allOf(sends).thenApply(unused -> {
      PipelineException retryable = null;
      PipelineException permanent = null;
      int rejected = 0;
      for (int i = 0; i < sends.length; i++) {
        Outcome o = sends[i].join();
        if (o.failure == null) {
          ok.set(i);
        } else if (o.failure.isRetryable()) {
          retryable = o.failure;
        } else {
          // Not worth retrying: count it as done so a retry for the others skips it.
          ok.set(i);
          rejected += spans[i];
          permanent = o.failure;
        }
      }
      if (retryable != null) {
        delivered.put(data, ok);
        throw retryable;
      }
      if (permanent != null) {
        throw rejected == data.itemCount() ? permanent : permanent.withRejectedItems(rejected);
      }
      return null;
    });
  }

  private CompletableFuture<Outcome> send(WebClient c, Batch batch) {
    byte[] body;
    try {
      body = new TSerializer(new TBinaryProtocol.Factory()).serialize(batch);
    } catch (TException e) {
      return CompletableFuture.completedFuture(
          new Outcome(PipelineException.permanent("cannot encode Jaeger batch: " + e, e)));
    }
    int spans = batch.getSpansSize();
    return c.execute(HttpRequest.of(headers, HttpData.wrap(body))).aggregate().handle((res, err) -> {
      if (err != null) {
        return new Outcome(PipelineException.retryable(
            "sending to Jaeger collector " + endpoint + " failed: " + err, err));
      }
      return new Outcome(classify(res, spans));
    });
  }

  private PipelineException classify(AggregatedHttpResponse res, int spans) {
    int code = res.status().code();
    if (code >= 200 && code < 300) {
      return null;
    }
    String body = res.contentUtf8().strip();
    if (body.length() > MAX_MESSAGE) {
      body = body.substring(0, MAX_MESSAGE) + "...";
    }
    String msg = "Jaeger collector " + endpoint + " answered HTTP " + code
        + (body.isEmpty() ? "" : ": " + body);
    if (code == 429 || code >= 500) {
      Duration retryAfter = retryAfter(res.headers().get(HttpHeaderNames.RETRY_AFTER));
      return retryAfter != null ? PipelineException.retryable(msg, retryAfter) : PipelineException.retryable(msg);
    }
    rejectedLog.warn("dropping {} spans: {}", spans, msg);
    return PipelineException.permanent(msg);
  }

  /** Delay-seconds or an HTTP-date; null if absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }

  @Override
  public void shutdown() {
    ClientFactory f = factory;
    factory = null;
    client = null;
    if (f != null) {
      f.closeAsync();
    }
  }

  private record Outcome(PipelineException failure) {
    static final Outcome OK = new Outcome(null);
  }
}
