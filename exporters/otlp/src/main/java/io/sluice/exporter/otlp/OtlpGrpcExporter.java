package io.sluice.exporter.otlp;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.exporter.otlp.internal.Clients;
import io.sluice.exporter.otlp.internal.PartialSuccess;
import io.sluice.receiver.otlp.internal.Decompression;
import io.sluice.receiver.otlp.internal.GrpcWire;
import io.sluice.receiver.otlp.internal.RpcStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one signal as unary OTLP gRPC {@code Export} calls over Armeria's HTTP/2 client, framing
 * the message itself, and classifies failures as the OTLP spec says.
 */
final class OtlpGrpcExporter implements Exporter {
  private static final Logger log = LoggerFactory.getLogger(OtlpGrpcExporter.class);
  private static final MediaType GRPC = MediaType.parse("application/grpc");

  private final OtlpExporterConfig config;
  private final String path;
  private final ClientFactory factory;
  private final WebClient client;
  private final PartialSuccess partialSuccess;

  OtlpGrpcExporter(ComponentContext context, OtlpExporterConfig config, Signal signal) {
    this.config = config;
    this.path = switch (signal) {
      case TRACES -> "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
      case METRICS -> "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
      case LOGS -> "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    };
    this.factory = Clients.factory(config.tls());
    // The exporter helper's timeout bounds each push; this only frees a connection that hangs.
    this.client = WebClient.builder(config.target()).factory(factory)
        .responseTimeout(Duration.ofMinutes(2)).maxResponseLength(64L * 1024 * 1024).build();
    this.partialSuccess = new PartialSuccess(log, context.id(), signal);
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData batch) {
    String encoding = config.compression().encoding();
    byte[] message = batch.toByteArray();
    byte[] body = encoding == null
        ? GrpcWire.frame(message)
        : GrpcWire.frame(Decompression.compress(encoding, message), true);
    RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, path)
        .contentType(GRPC)
        .add("te", "trailers")
        .add("grpc-accept-encoding", GrpcWire.ACCEPT_ENCODING);
    if (encoding != null) {
      h.add("grpc-encoding", encoding);
    }
    config.headers().forEach(h::add);
    return client.execute(h.build(), body).aggregate().handle((res, err) -> {
      if (err != null) {
        throw PipelineException.retryable("otlp: cannot send to " + config.endpoint() + ": " + rootMessage(err), err);
      }
      check(res);
      return null;
    });
  }

  private void check(AggregatedHttpResponse res) {
    int http = res.status().code();
    HttpHeaders trailers = res.trailers().contains("grpc-status") ? res.trailers() : res.headers();
    String statusValue = trailers.get("grpc-status");
    int code;
    if (http != 200 || statusValue == null) {
      code = http == 200 ? GrpcWire.UNKNOWN : fromHttp(http);
    } else {
      try {
        code = Integer.parseInt(statusValue.trim());
      } catch (NumberFormatException e) {
        code = GrpcWire.UNKNOWN;
      }
    }
    if (code == GrpcWire.OK) {
      partialSuccess.check(responseMessage(res), false, config.endpoint());
      return;
    }
    String message = http != 200 ? "HTTP " + http : GrpcWire.percentDecode(trailers.get("grpc-message"));
    Duration retryDelay = retryDelay(trailers.get("grpc-status-details-bin"));
    String text = "otlp: " + config.endpoint() + " answered " + codeName(code) + ": " + message;
    if (isRetryable(code, retryDelay)) {
      throw PipelineException.retryable(text, retryDelay);
    }
    throw PipelineException.permanent(text);
  }

  private byte[] responseMessage(AggregatedHttpResponse res) {
    try {
      GrpcWire.Frame f = GrpcWire.unframe(ByteBuffer.wrap(res.content().array()));
      return f.compressed()
          ? Decompression.decompress(res.headers().get("grpc-encoding"), f.message(), 64L * 1024 * 1024)
          : f.message();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** OTLP spec: which gRPC codes may be retried; RESOURCE_EXHAUSTED only with RetryInfo. */
  static boolean isRetryable(int code, Duration retryDelay) {
    return switch (code) {
      case GrpcWire.CANCELLED, GrpcWire.DEADLINE_EXCEEDED, GrpcWire.ABORTED, GrpcWire.OUT_OF_RANGE,
          GrpcWire.UNAVAILABLE, GrpcWire.DATA_LOSS -> true;
      case GrpcWire.RESOURCE_EXHAUSTED -> retryDelay != null;
      default -> false;
    };
  }

  /** gRPC's mapping of an HTTP status without a gRPC status. */
  static int fromHttp(int http) {
    return switch (http) {
      case 400 -> GrpcWire.INTERNAL;
      case 401 -> GrpcWire.UNAUTHENTICATED;
      case 403 -> GrpcWire.PERMISSION_DENIED;
      case 404 -> GrpcWire.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> GrpcWire.UNAVAILABLE;
      default -> GrpcWire.UNKNOWN;
    };
  }

  private static Duration retryDelay(String details) {
    if (details == null) {
      return null;
    }
    try {
      return RpcStatus.parse(GrpcWire.unbase64(details)).retryDelay();
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String codeName(int code) {
    String[] names = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    return code >= 0 && code < names.length ? names[code] : "status " + code;
  }

  static String rootMessage(Throwable t) {
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
