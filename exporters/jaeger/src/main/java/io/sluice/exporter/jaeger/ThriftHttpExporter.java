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
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.sluice.api.Exporter;
import io.sluice.api.PipelineException;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import io.sluice.api.Traces;
import io.sluice.exporter.jaeger.internal.ThriftBatchWriter;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs one binary-protocol Thrift {@code Batch} per resource (consecutive resources with equal
 * attributes joined, see {@link Bodies}) to a Jaeger collector's {@code /api/traces}, with
 * Armeria's non-blocking client. The bodies are written straight from the OTLP
 * messages by {@link ThriftBatchWriter}, whose buffers are pooled across pushes.
 *
 * <p>When a push with several resources fails part-way, the resources already accepted are
 * remembered (weakly, keyed by the batch) so that the helper's retry sends only the rest: a
 * collector answering 503 then 200 receives every span once.
 */
final class ThriftHttpExporter implements Exporter {
  static final MediaType THRIFT_BINARY = MediaType.parse("application/vnd.apache.thrift.binary");
  private static final Logger logger = LoggerFactory.getLogger(ThriftHttpExporter.class);
  private static final int MAX_MESSAGE = 256;
  /** About a hundred spans of an instrumented service; the writer doubles it as needed. */
  private static final int INITIAL_BUFFER = 64 * 1024;
  /**
   * Writers kept for reuse, and the largest buffer kept: enough for a few concurrent workers on
   * batches of thousands of spans, without pinning the heap after one exceptional batch.
   */
  private static final int POOLED_WRITERS = 4;
  private static final int MAX_POOLED_BUFFER = 4 * 1024 * 1024;
  /** How much OTLP encoding one body takes at most, when it joins resources (about 1 MB of Thrift). */
  private static final long MAX_MERGED_RESOURCES_BYTES = 1024 * 1024;

  private final JaegerConfig config;
  private final URI endpoint;
  private final ThrottledLogger rejectedLog = new ThrottledLogger(logger, Duration.ofSeconds(30));
  private final Map<TelemetryData, BitSet> delivered = Collections.synchronizedMap(new WeakHashMap<>());
  private final Queue<ThriftBatchWriter> writers = new ArrayBlockingQueue<>(POOLED_WRITERS);
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
    BitSet done = delivered.isEmpty() ? null : delivered.remove(data);
    BitSet ok = done != null ? done : new BitSet();
    ThriftBatchWriter pooled = writers.poll();
    Bodies bodies = new Bodies(c, ok, pooled != null ? pooled : new ThriftBatchWriter(INITIAL_BUFFER));
    try {
      // One resource at a time, parsed from the received bytes and dropped once encoded: a batch of
      // thousands of spans parsed whole, in each of several workers, does not fit a sidecar's heap.
      ((Traces) data).forEachResourceSpans(bodies::add);
      bodies.close();
    } finally {
      if (bodies.writer.capacity() <= MAX_POOLED_BUFFER) {
        writers.offer(bodies.writer);
      }
    }
    List<CompletableFuture<Outcome>> sendList = bodies.sends;
    List<Integer> spans = bodies.spans;
    @SuppressWarnings("unchecked")
    CompletableFuture<Outcome>[] sends = sendList.toArray(new CompletableFuture[0]);
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
          rejected += spans.get(i);
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

  /**
   * Turns resources into request bodies: consecutive resources with equal attributes (whose
   * processes would be equal) share one {@code Batch}, up to {@link #MAX_MERGED_RESOURCES_BYTES} of
   * OTLP encoding, so that a batch of many small requests from one service is a few POSTs rather
   * than one per request. Body i is skipped when {@code ok} says an earlier try delivered it; the
   * grouping depends only on the data, so it is the same on every try.
   */
  private final class Bodies {
    final WebClient client;
    final BitSet ok;
    final ThriftBatchWriter writer;
    final List<CompletableFuture<Outcome>> sends = new ArrayList<>();
    final List<Integer> spans = new ArrayList<>();
    /** The attributes of the open body's resources, or null when none is open. */
    private List<KeyValue> open;
    private long openBytes;
    private int skippedSpans;

    Bodies(WebClient client, BitSet ok, ThriftBatchWriter writer) {
      this.client = client;
      this.ok = ok;
      this.writer = writer;
    }

    void add(ResourceSpans rs) {
      int n = ThriftBatchWriter.spanCount(rs);
      if (n == 0) {
        return;
      }
      List<KeyValue> attributes = rs.getResource().getAttributesList();
      if (open != null && (openBytes >= MAX_MERGED_RESOURCES_BYTES || !open.equals(attributes))) {
        close();
      }
      boolean delivered = ok.get(sends.size());
      if (open == null) {
        open = attributes;
        openBytes = 0;
        if (!delivered) {
          writer.begin(rs);
        }
      }
      openBytes += rs.getSerializedSize();
      if (delivered) {
        skippedSpans += n;
      } else {
        writer.append(rs);
      }
    }

    void close() {
      if (open == null) {
        return;
      }
      if (ok.get(sends.size())) {
        spans.add(skippedSpans);
        sends.add(CompletableFuture.completedFuture(Outcome.OK));
      } else {
        int n = writer.finish();
        spans.add(n);
        sends.add(send(client, writer.toByteArray(), n));
      }
      open = null;
      skippedSpans = 0;
    }
  }

  private CompletableFuture<Outcome> send(WebClient c, byte[] body, int spans) {
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
