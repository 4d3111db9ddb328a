package io.sluice.exporter.loki;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ClientFactoryBuilder;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.Logs;
import io.sluice.api.PipelineException;
import io.sluice.api.TelemetryData;
import io.sluice.api.ThrottledLogger;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * Pushes log batches to Loki: one request per tenant, protobuf + snappy or JSON. Retryable: 429,
 * 5xx and connection errors (with the server's {@code Retry-After}); permanent: other 4xx, whose
 * message from Loki is logged at most once a minute.
 */
final class LokiExporter implements Exporter {
  static final String TENANT_HEADER = "X-Scope-OrgID";
  private static final int MAX_MESSAGE = 1024;

  private final LokiExporterConfig config;
  private final StreamBuilder streams;
  private final ThrottledLogger refused =
      new ThrottledLogger(LoggerFactory.getLogger(LokiExporter.class), Duration.ofMinutes(1));
  private final URI uri;
  private final MediaType contentType;
  /** The buffers of the last push, for the next: pushes at the same time take fresh ones. */
  private final AtomicReference<PushBuffers> spareBuffers = new AtomicReference<>();
  private volatile ClientFactory clientFactory;
  private volatile WebClient client;

  LokiExporter(ComponentContext context, LokiExporterConfig config) {
    this.config = config;
    this.streams = new StreamBuilder(config, context.telemetry());
    this.uri = URI.create(config.endpoint());
    this.contentType = MediaType.parse(
        config.encoding() == LokiExporterConfig.Encoding.JSON ? PushEncoder.JSON_TYPE : PushEncoder.PROTOBUF_TYPE);
  }

  @Override
  public void start() {
    ClientFactoryBuilder fb = ClientFactory.builder();
    LokiExporterConfig.Tls tls = config.tls();
    if (tls.insecureSkipVerify()) {
      fb.tlsNoVerify();
    }
    if (!tls.caFile().isEmpty() || !tls.certFile().isEmpty()) {
      fb.tlsCustomizer(b -> {
        if (!tls.caFile().isEmpty()) {
          b.trustManager(new File(tls.caFile()));
        }
        if (!tls.certFile().isEmpty()) {
          b.keyManager(new File(tls.certFile()), new File(tls.keyFile()));
        }
      });
    }
    clientFactory = fb.build();
    // Plain http is HTTP/1.1 (h1c): Loki's HTTP server does not speak cleartext HTTP/2, so no
    // upgrade attempt; https negotiates HTTP/2 or HTTP/1.1 with ALPN.
    String scheme = uri.getScheme().equalsIgnoreCase("https") ? "https" : "h1c";
    client = WebClient.builder(scheme + "://" + uri.getRawAuthority())
        .factory(clientFactory)
        .build();
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData batch) {
    WebClient c = client;
    if (c == null) {
      return CompletableFuture.failedFuture(PipelineException.retryable("loki exporter is not started"));
    }
    if (!(batch instanceof Logs logs)) {
      return CompletableFuture.failedFuture(
          PipelineException.permanent("loki exporter accepts logs only, got " + batch.signal().configName()));
    }
    PushBuffers buffers = spareBuffers.getAndSet(null);
    if (buffers == null) {
      buffers = new PushBuffers();
    }
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    try {
      PushBuffers b = buffers;
      streams.build(logs, b.lines).forEach((tenant, list) -> bodies.put(tenant,
          config.encoding() == LokiExporterConfig.Encoding.JSON
              ? PushEncoder.json(list) : PushEncoder.protobuf(list, b)));
    } finally {
      if (buffers.reset()) {
        spareBuffers.set(buffers);
      }
    }
    List<CompletableFuture<Void>> sends = new ArrayList<>(bodies.size());
    bodies.forEach((tenant, body) -> sends.add(send(c, tenant, body)));
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> send(WebClient c, String tenant, byte[] body) {
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, path)
        .contentType(contentType)
        .set(HttpHeaderNames.USER_AGENT, "sluice-loki-exporter");
    config.headers().forEach(h::set);
    if (!tenant.isEmpty()) {
      h.set(TENANT_HEADER, tenant);
    }
    if (config.basicAuth().enabled()) {
      String up = config.basicAuth().username() + ":" + config.basicAuth().password();
      h.set(HttpHeaderNames.AUTHORIZATION,
          "Basic " + Base64.getEncoder().encodeToString(up.getBytes(StandardCharsets.UTF_8)));
    } else if (!config.bearerToken().isEmpty()) {
      h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + config.bearerToken());
    }
    return c.execute(HttpRequest.of(h.build(), HttpData.wrap(body)))
        .aggregate()
        .handle((res, err) -> {
          if (err != null) {
            throw PipelineException.retryable(
                "cannot push to Loki at " + config.endpoint() + ": " + err, err);
          }
          check(res, tenant);
          return null;
        });
  }

  private void check(AggregatedHttpResponse res, String tenant) {
    HttpStatus status = res.status();
    if (status.isSuccess()) {
      return;
    }
    String message = res.contentUtf8().strip();
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "…";
    }
    String what = "Loki answered " + status.code() + " for tenant \"" + tenant + "\": " + message;
    if (status.code() == 429 || status.isServerError()) {
      throw PipelineException.retryable(what, retryAfter(res.headers().get(HttpHeaderNames.RETRY_AFTER)));
    }
    refused.warn("loki: push refused, entries dropped: {}", what);
    throw PipelineException.permanent(what);
  }

  /** {@code Retry-After} in seconds; an HTTP date or garbage gives null (use the backoff). */
  static Duration retryAfter(String value) {
    if (value == null) {
      return null;
    }
    try {
      long s = Long.parseLong(value.trim());
      return s >= 0 ? Duration.ofSeconds(s) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void shutdown() {
    ClientFactory f = clientFactory;
    clientFactory = null;
    client = null;
    if (f != null) {
      f.close();
    }
  }
}
