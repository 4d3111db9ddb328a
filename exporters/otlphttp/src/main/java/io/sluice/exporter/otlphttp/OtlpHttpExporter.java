package io.sluice.exporter.otlphttp;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.exporter.otlp.internal.Clients;
import io.sluice.exporter.otlp.internal.PartialSuccess;
import io.sluice.receiver.otlp.internal.Decompression;
import io.sluice.receiver.otlp.internal.OtlpJson;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends one signal as OTLP/HTTP POSTs, protobuf or JSON, classifying answers per the OTLP spec. */
final class OtlpHttpExporter implements Exporter {
  private static final Logger log = LoggerFactory.getLogger(OtlpHttpExporter.class);
  private static final MediaType PROTOBUF = MediaType.create("application", "x-protobuf");

  private final OtlpHttpExporterConfig config;
  private final String url;
  private final String path;
  private final ClientFactory factory;
  private final WebClient client;
  private final PartialSuccess partialSuccess;

  OtlpHttpExporter(ComponentContext context, OtlpHttpExporterConfig config, Signal signal) {
    this.config = config;
    this.url = config.url(signal);
    URI uri = URI.create(url);
    String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    this.path = uri.getRawQuery() == null ? rawPath : rawPath + "?" + uri.getRawQuery();
    this.factory = Clients.factory(config.tls());
    // The exporter helper's timeout bounds each push; this only frees a connection that hangs.
    this.client = WebClient.builder(uri.getScheme() + "://" + uri.getRawAuthority()).factory(factory)
        .responseTimeout(Duration.ofMinutes(2)).maxResponseLength(64L * 1024 * 1024).build();
    this.partialSuccess = new PartialSuccess(log, context.id(), signal);
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData batch) {
    boolean json = config.encoding() == OtlpHttpExporterConfig.Encoding.JSON;
    byte[] body = json ? OtlpJson.print(proto(batch)).getBytes(StandardCharsets.UTF_8) : batch.toByteArray();
    String encoding = config.compression().encoding();
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, path).contentType(json ? MediaType.JSON : PROTOBUF);
    if (encoding != null) {
      body = Decompression.compress(encoding, body);
      h.add(HttpHeaderNames.CONTENT_ENCODING, encoding);
    }
    config.headers().forEach(h::add);
    return client.execute(h.build(), body).aggregate().handle((res, err) -> {
      if (err != null) {
        throw PipelineException.retryable("otlphttp: cannot send to " + url + ": " + rootMessage(err), err);
      }
      check(res);
      return null;
    });
  }

  private static com.google.protobuf.Message proto(TelemetryData batch) {
    return switch (batch) {
      case Traces t -> t.toProto();
      case Metrics m -> m.toProto();
      case Logs l -> l.toProto();
    };
  }

  private void check(AggregatedHttpResponse res) {
    int status = res.status().code();
    MediaType type = res.contentType();
    boolean jsonBody = type != null && type.is(MediaType.JSON);
    if (status >= 200 && status < 300) {
      partialSuccess.check(res.content().array(), jsonBody, url);
      return;
    }
    String text = "otlphttp: " + url + " answered HTTP " + status + ": " + message(res, jsonBody);
    if (status == 429 || status == 502 || status == 503 || status == 504) {
      throw PipelineException.retryable(text, retryAfter(res.headers().get(HttpHeaderNames.RETRY_AFTER)));
    }
    throw PipelineException.permanent(text);
  }

  private static String message(AggregatedHttpResponse res, boolean json) {
    MediaType type = res.contentType();
    try {
      if (type != null && type.is(PROTOBUF)) {
        return RpcStatus.parse(res.content().array()).message();
      }
      if (json) {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(res.contentUtf8());
        if (node != null && node.hasNonNull("message")) {
          return node.get("message").asText();
        }
      }
    } catch (java.io.IOException e) {
      // Not a Status: fall through to the raw body.
    }
    String body = res.contentUtf8();
    return body.length() > 256 ? body.substring(0, 256) + "..." : body;
  }

  /** {@code Retry-After} in seconds or as an HTTP date; null if absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.format.DateTimeParseException ex) {
        return null;
      }
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": " + c.getMessage();
  }

  @Override
  public void shutdown() {
    factory.closeAsync();
  }
}
