package io.sluice.bench.mockbackends;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Mock back ends for benchmarks and fault tests: each enabled protocol listens on its own port,
 * accepts and counts items with minimal CPU, and a control port serves {@code GET /counts},
 * {@code POST /reset} and {@code POST /fail?status=503&count=N}.
 */
@Command(name = "mockbackends", mixinStandardHelpOptions = true, description = "Counting mock back ends for OTLP, remote write, Jaeger and Loki.")
public final class MockBackends implements Callable<Integer>, AutoCloseable {
  static final String OTLP_GRPC = "otlp_grpc";
  static final String OTLP_HTTP = "otlp_http";
  static final String REMOTE_WRITE = "remote_write";
  static final String JAEGER_HTTP = "jaeger_http";
  static final String LOKI = "loki";

  private static final String[][] JSON_SPANS = {{"resourceSpans"}, {"scopeSpans"}, {"spans"}};
  private static final String[][] JSON_POINTS = {
    {"resourceMetrics"}, {"scopeMetrics"}, {"metrics"}, {"gauge", "sum", "histogram", "exponentialHistogram", "summary"}, {"dataPoints"}
  };
  private static final String[][] JSON_LOGS = {{"resourceLogs"}, {"scopeLogs"}, {"logRecords"}};
  private static final String[][] JSON_LOKI = {{"streams"}, {"values"}};

  @Option(names = "--otlp-grpc", description = "OTLP/gRPC port (0 = ephemeral)")
  Integer otlpGrpc;

  @Option(names = "--otlp-http", description = "OTLP/HTTP port: /v1/traces, /v1/metrics, /v1/logs")
  Integer otlpHttp;

  @Option(names = "--remote-write", description = "Prometheus remote write port: /api/v1/write")
  Integer remoteWrite;

  @Option(names = "--jaeger-http", description = "Jaeger collector HTTP port: /api/traces (Thrift binary)")
  Integer jaegerHttp;

  @Option(names = "--loki", description = "Loki port: /loki/api/v1/push (protobuf+snappy or JSON)")
  Integer loki;

  @Option(names = "--control", defaultValue = "0", description = "control port: GET /counts, POST /reset, POST /fail?status=503&count=N (default: ephemeral)")
  int control;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  final Counts counts = new Counts();
  final FailureInjector failures = new FailureInjector();
  private final List<Server> servers = new ArrayList<>();
  private final Map<String, Integer> boundPorts = new LinkedHashMap<>();

  /** Runs the CLI; serves until terminated. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new MockBackends()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    new CountDownLatch(1).await();
    return 0;
  }

  /** Starts every enabled back end and the control port; prints one {@code ready} line with the ports. */
  void start() {
    if (otlpGrpc != null) {
      serve(OTLP_GRPC, otlpGrpc, sb -> sb
          .service("/opentelemetry.proto.collector.trace.v1.TraceService/Export", grpc(OTLP_GRPC, "spans", ProtoScan.SPANS))
          .service("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", grpc(OTLP_GRPC, "metric_points", ProtoScan.METRIC_POINTS))
          .service("/opentelemetry.proto.collector.logs.v1.LogsService/Export", grpc(OTLP_GRPC, "log_records", ProtoScan.LOG_RECORDS)));
    }
    if (otlpHttp != null) {
      serve(OTLP_HTTP, otlpHttp, sb -> sb
          .service("/v1/traces", otlpHttp("spans", ProtoScan.SPANS, JSON_SPANS))
          .service("/v1/metrics", otlpHttp("metric_points", ProtoScan.METRIC_POINTS, JSON_POINTS))
          .service("/v1/logs", otlpHttp("log_records", ProtoScan.LOG_RECORDS, JSON_LOGS)));
    }
    if (remoteWrite != null) {
      serve(REMOTE_WRITE, remoteWrite, sb -> sb.service("/api/v1/write", CountingService.http(
          REMOTE_WRITE, "samples",
          (headers, body) -> ProtoScan.count(org.xerial.snappy.Snappy.uncompress(body), ProtoScan.RW_SAMPLES),
          HttpStatus.NO_CONTENT, counts, failures)));
    }
    if (jaegerHttp != null) {
      serve(JAEGER_HTTP, jaegerHttp, sb -> sb.service("/api/traces", CountingService.http(
          JAEGER_HTTP, "spans",
          (headers, body) -> ThriftScan.countBatchSpans(Payloads.decode(headers, body)),
          HttpStatus.ACCEPTED, counts, failures)));
    }
    if (loki != null) {
      serve(LOKI, loki, sb -> sb.service("/loki/api/v1/push", CountingService.http(
          LOKI, "log_records",
          (headers, body) -> Payloads.isJson(headers)
              ? Payloads.countJson(Payloads.decode(headers, body), JSON_LOKI)
              : ProtoScan.count(org.xerial.snappy.Snappy.uncompress(body), ProtoScan.LOKI_ENTRIES),
          HttpStatus.NO_CONTENT, counts, failures)));
    }
    serve("control", control, sb -> sb
        .service("/counts", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, counts.toJson()))
        .service("/health", (ctx, req) -> HttpResponse.of(HttpStatus.OK))
        .service("/reset", (ctx, req) -> {
          counts.reset();
          failures.failNext(0, 0);
          return HttpResponse.of(HttpStatus.OK);
        })
        .service("/fail", (ctx, req) -> {
          int status = Integer.parseInt(ctx.queryParam("status") == null ? "503" : ctx.queryParam("status"));
          long count = Long.parseLong(ctx.queryParam("count") == null ? "1" : ctx.queryParam("count"));
          if (status != 0 && (status < 400 || status > 599)) {
            return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "status: " + status + " (expected: 0 or 400..599)");
          }
          failures.failNext(status, count);
          return HttpResponse.of(HttpStatus.OK);
        }));
    StringBuilder ready = new StringBuilder("mockbackends ready");
    boundPorts.forEach((name, port) -> ready.append(' ').append(name).append('=').append(port));
    System.out.println(ready);
  }

  /** The port a back end (or {@code control}) listens on, once started. */
  int port(String name) {
    return boundPorts.get(name);
  }

  private CountingService grpc(String backend, String unit, int[][] path) {
    return CountingService.grpc(backend, unit, (headers, message) -> ProtoScan.count(message, path), counts, failures);
  }

  private CountingService otlpHttp(String unit, int[][] protoPath, String[][] jsonPath) {
    return CountingService.http(
        OTLP_HTTP, unit,
        (headers, body) -> {
          byte[] decoded = Payloads.decode(headers, body);
          return Payloads.isJson(headers) ? Payloads.countJson(decoded, jsonPath) : ProtoScan.count(decoded, protoPath);
        },
        HttpStatus.OK, counts, failures);
  }

  private void serve(String name, int port, java.util.function.Consumer<ServerBuilder> routes) {
    ServerBuilder sb =
        Server.builder()
            .http(new InetSocketAddress(host, port))
            .maxRequestLength(64L * 1024 * 1024)
            .requestTimeout(Duration.ofSeconds(30))
            .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO);
    routes.accept(sb);
    Server server = sb.build();
    server.start().join();
    servers.add(server);
    boundPorts.put(name, server.activeLocalPort());
  }

  @Override
  public void close() {
    java.util.concurrent.CompletableFuture.allOf(servers.stream().map(Server::stop).toArray(java.util.concurrent.CompletableFuture[]::new)).join();
    servers.clear();
  }
}
