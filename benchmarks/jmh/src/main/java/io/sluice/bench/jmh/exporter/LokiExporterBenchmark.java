package io.sluice.bench.jmh.exporter;

import static io.sluice.bench.loadgen.TestbedData.kv;
import static io.sluice.bench.loadgen.TestbedData.randomBytes;
import static io.sluice.bench.loadgen.TestbedData.str;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.Server;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValueFactory;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentKind;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Logs;
import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.config.ConfigBinder;
import io.sluice.core.testing.TestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The {@code loki} exporter on the otlp-to-loki path: a batch of {@value #RESOURCES} resources ×
 * {@value #RECORDS_PER_RESOURCE} log records (three resource attributes mapped to labels, five
 * record attributes, string bodies, trace and span ids, mixed severities) pushed as snappy'd
 * protobuf to an in-process HTTP server that answers 204 at once. The exporter is created through
 * the plugin SPI and configured from {@code bench-exporters.conf}, as the daemon does. The score
 * is per log record and includes one loopback HTTP request per batch, which is small next to
 * building the body from a thousand records; run with {@code -prof gc} for bytes per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LokiExporterBenchmark {
  static final int RESOURCES = 2;
  static final int RECORDS_PER_RESOURCE = 500;
  /** Log records per batch. */
  public static final int ITEMS = RESOURCES * RECORDS_PER_RESOURCE;
  private static final int BATCHES = 8;
  private static final long START_NANOS = 1_700_000_000_000_000_000L;

  Server server;
  Exporter exporter;
  Logs[] batches;
  /** The body of the last push, for the smoke test (Armeria's aggregated body is a heap copy). */
  volatile HttpData lastBody;
  private int next;

  /** Starts the server and the exporter and builds the batches. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    server = Server.builder()
        .http(0)
        .service("/loki/api/v1/push", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(r -> {
          lastBody = r.content();
          return HttpResponse.of(HttpStatus.NO_CONTENT);
        })))
        .build();
    server.start().join();
    exporter = create("loki", "http://127.0.0.1:" + server.activeLocalPort() + "/loki/api/v1/push");
    exporter.start();
    batches = new Logs[BATCHES];
    for (int i = 0; i < BATCHES; i++) {
      batches[i] = batch(i);
    }
  }

  /** Stops the exporter and the server. */
  @TearDown(Level.Trial)
  public void tearDown() {
    exporter.shutdown();
    server.stop().join();
  }

  /** Pushes one batch and waits for the server's answer. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public Object push() {
    return exporter.push(batches[next++ & (BATCHES - 1)]).join();
  }

  /** A batch as the batch processor hands it on: parsed OTLP messages. */
  static Logs batch(long index) {
    SplittableRandom random = new SplittableRandom(index);
    List<ResourceLogs> resources = new ArrayList<>(RESOURCES);
    for (int r = 0; r < RESOURCES; r++) {
      ScopeLogs.Builder scope = ScopeLogs.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("io.example.checkout").setVersion("1.4.2"));
      for (int i = 0; i < RECORDS_PER_RESOURCE; i++) {
        long seq = (index * RESOURCES + r) * RECORDS_PER_RESOURCE + i;
        SeverityNumber severity = switch (random.nextInt(10)) {
          case 0 -> SeverityNumber.SEVERITY_NUMBER_ERROR;
          case 1, 2 -> SeverityNumber.SEVERITY_NUMBER_WARN;
          default -> SeverityNumber.SEVERITY_NUMBER_INFO;
        };
        scope.addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(START_NANOS + seq * 100_000L)
            .setObservedTimeUnixNano(START_NANOS + seq * 100_000L + 5_000L)
            .setSeverityNumber(severity)
            .setSeverityText(severity.name().substring("SEVERITY_NUMBER_".length()))
            .setBody(str("order " + seq + " processed for customer c-" + random.nextInt(10_000)
                + " in " + random.nextInt(500) + " ms"))
            .setTraceId(randomBytes(random, 16))
            .setSpanId(randomBytes(random, 8))
            .addAttributes(kv("http.method", str(random.nextBoolean() ? "GET" : "POST")))
            .addAttributes(kv("http.status_code", AnyValue.newBuilder().setIntValue(200).build()))
            .addAttributes(kv("user.id", str("u-" + random.nextInt(100_000))))
            .addAttributes(kv("duration_ms", AnyValue.newBuilder().setDoubleValue(random.nextDouble() * 100).build()))
            .addAttributes(kv("thread.name", str("worker-" + random.nextInt(16)))));
      }
      resources.add(ResourceLogs.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(kv("service.name", str("checkout-" + r)))
              .addAttributes(kv("deployment.environment", str("production")))
              .addAttributes(kv("host.name", str("node-" + r + ".example.net")))
              .addAttributes(kv("service.version", str("2.3.1")))
              .addAttributes(kv("process.pid", AnyValue.newBuilder().setIntValue(4000 + r).build())))
          .addScopeLogs(scope)
          .build());
    }
    return Logs.of(resources);
  }

  /** The exporter of {@code type} configured by its section in {@code bench-exporters.conf}. */
  static Exporter create(String type, String endpoint) {
    Config file = ConfigFactory.parseResources(LokiExporterBenchmark.class.getClassLoader(), "bench-exporters.conf");
    ConfigObject section = file.getObject(type).withValue("endpoint", ConfigValueFactory.fromAnyRef(endpoint));
    for (ComponentFactory<?> factory : ServiceLoader.load(ComponentFactory.class)) {
      if (factory.kind() == ComponentKind.EXPORTER && factory.type().equals(type)) {
        return create((ExporterFactory<?>) factory, section);
      }
    }
    throw new IllegalArgumentException("no exporter of type " + type + " on the class path");
  }

  private static <C extends ComponentConfig> Exporter create(ExporterFactory<C> factory, ConfigObject section) {
    ConfigBinder.Result<C> bound = ComponentBinding.bind(factory, section, "exporters." + factory.type(), section.origin());
    if (!bound.ok()) {
      throw new IllegalArgumentException("bench-exporters.conf: " + bound.issues());
    }
    return factory.createExporter(
        new TestContext(factory.type(), ComponentKind.EXPORTER, "logs"), bound.value(), Signal.LOGS);
  }
}
