package io.sluice.bench.jmh.exporter;

import static io.sluice.bench.loadgen.TestbedData.kv;
import static io.sluice.bench.loadgen.TestbedData.randomBytes;
import static io.sluice.bench.loadgen.TestbedData.str;

import com.google.protobuf.ByteString;
import io.jaegertracing.thriftjava.Batch;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.sluice.api.Traces;
import io.sluice.bench.loadgen.TestbedData;
import io.sluice.exporter.jaeger.internal.JaegerTranslator;
import io.sluice.exporter.jaeger.internal.ThriftBatchWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TException;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The jaeger exporter's encoding for {@code protocol: thrift_http}: parsed OTLP spans (what {@code
 * Traces.toProto()} gives) to the binary-protocol Thrift {@code Batch} bodies it POSTs, one per
 * resource, on {@value #ITEMS} spans. {@code direct} is what the exporter does ({@code
 * ThriftBatchWriter}, one reused buffer, a copy per body); {@code thriftObjects} the translator to
 * jaeger-thrift objects and libthrift's serializer, which it did before (the UDP path still builds
 * the objects). {@code testbed} is the load generator's span (two int
 * attributes); {@code instrumented} is shaped like an instrumented HTTP server's: ten attributes of
 * mixed types, a parent, an event, a link, a status, scope name and version, five resource
 * attributes. Scores are per span; run with {@code -prof gc} for bytes allocated per span.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JaegerEncodeBenchmark {
  /** Spans per request, as in the collector testbed. */
  public static final int ITEMS = 100;
  private static final long START_NANOS = 1_700_000_000_000_000_000L;

  @Param({"testbed", "instrumented"})
  public String spans;

  Traces traces;
  private final ThriftBatchWriter writer = new ThriftBatchWriter(64 * 1024);

  /** Builds the request and parses it once: the benchmark measures only the encoding. */
  @Setup(Level.Trial)
  public void setUp() {
    ExportTraceServiceRequest request = spans.equals("testbed") ? TestbedData.traces(ITEMS, 1) : instrumented(ITEMS);
    traces = Traces.of(request);
    traces.toProto();
  }

  /** Writes each resource's body with the exporter's writer, reused from one call to the next. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public List<byte[]> direct() {
    List<byte[]> bodies = new ArrayList<>(1);
    for (ResourceSpans rs : traces.resourceSpans()) {
      if (writer.write(rs) > 0) {
        bodies.add(writer.toByteArray());
      }
    }
    return bodies;
  }

  /** Translates to jaeger-thrift objects and serialises them with libthrift's {@code TSerializer}. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public List<byte[]> thriftObjects() throws TException {
    List<Batch> batches = JaegerTranslator.toBatches(traces);
    List<byte[]> bodies = new ArrayList<>(batches.size());
    for (Batch b : batches) {
      bodies.add(new TSerializer(new TBinaryProtocol.Factory()).serialize(b));
    }
    return bodies;
  }

  /** {@code n} spans of an instrumented HTTP service in one resource and scope; deterministic. */
  static ExportTraceServiceRequest instrumented(int n) {
    SplittableRandom random = new SplittableRandom(42);
    ScopeSpans.Builder scope = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder()
        .setName("io.opentelemetry.armeria-1.3").setVersion("2.10.0-alpha"));
    for (int i = 0; i < n; i++) {
      long start = START_NANOS + i * 1_000_000L;
      ByteString traceId = randomBytes(random, 16);
      boolean error = i % 10 == 0;
      scope.addSpans(Span.newBuilder()
          .setTraceId(traceId)
          .setSpanId(randomBytes(random, 8))
          .setParentSpanId(randomBytes(random, 8))
          .setName("GET /api/v1/orders/{id}")
          .setKind(i % 2 == 0 ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_CLIENT)
          .setFlags(1)
          .setStartTimeUnixNano(start)
          .setEndTimeUnixNano(start + 3_500_000L + random.nextInt(1_000_000))
          .addAttributes(kv("http.request.method", str("GET")))
          .addAttributes(kv("url.full", str("https://shop.example.com/api/v1/orders/" + (10_000 + i) + "?expand=items")))
          .addAttributes(kv("http.route", str("/api/v1/orders/{id}")))
          .addAttributes(kv("http.response.status_code", AnyValue.newBuilder().setIntValue(error ? 500 : 200).build()))
          .addAttributes(kv("server.address", str("shop.example.com")))
          .addAttributes(kv("server.port", AnyValue.newBuilder().setIntValue(443).build()))
          .addAttributes(kv("network.protocol.version", str("1.1")))
          .addAttributes(kv("user_agent.original", str("Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0")))
          .addAttributes(kv("sampling.ratio", AnyValue.newBuilder().setDoubleValue(0.25).build()))
          .addAttributes(kv("cache.hit", AnyValue.newBuilder().setBoolValue(i % 3 == 0).build()))
          .addAttributes(kv("http.request.header.accept", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
              .addValues(str("application/json")).addValues(str("text/plain"))).build()))
          .addEvents(Span.Event.newBuilder()
              .setTimeUnixNano(start + 1_000_000L)
              .setName(error ? "exception" : "cache.lookup")
              .addAttributes(kv(error ? "exception.type" : "cache.key", str(error ? "java.io.IOException" : "order:" + i)))
              .addAttributes(kv("attempt", AnyValue.newBuilder().setIntValue(1).build())))
          .addLinks(Span.Link.newBuilder()
              .setTraceId(randomBytes(random, 16))
              .setSpanId(randomBytes(random, 8)))
          .setStatus(error
              ? Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("upstream timed out")
              : Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_UNSET))
          .build());
    }
    Resource resource = Resource.newBuilder()
        .addAttributes(kv("service.name", str("checkout")))
        .addAttributes(kv("service.version", str("1.42.0")))
        .addAttributes(kv("deployment.environment.name", str("production")))
        .addAttributes(kv("host.name", str("checkout-7d9f8c6b5-x2x9q")))
        .addAttributes(kv("telemetry.sdk.language", str("java")))
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope))
        .build();
  }
}
