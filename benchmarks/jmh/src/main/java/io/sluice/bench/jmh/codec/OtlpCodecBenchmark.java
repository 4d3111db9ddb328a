package io.sluice.bench.jmh.codec;

import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.bench.loadgen.BenchSignal;
import io.sluice.bench.loadgen.TestbedData;
import java.util.concurrent.TimeUnit;
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
 * OTLP protobuf decode ({@code Traces/Metrics/Logs.parse}) and encode ({@code toByteArray}) of
 * testbed-shaped requests of {@value #ITEMS} items. Scores are per item (ns/op with one op = one
 * span, data point or log record); run with {@code -prof gc} for bytes allocated per item.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OtlpCodecBenchmark {
  /** Items per request, as in the collector testbed. */
  public static final int ITEMS = 100;

  @Param({"traces", "metrics", "logs"})
  public String signal;

  byte[] encoded;
  TelemetryData decoded;

  /** Builds the request once; the benchmark measures only the codec. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BenchSignal s = BenchSignal.valueOf(signal.toUpperCase(java.util.Locale.ROOT));
    encoded = TestbedData.request(s, ITEMS, 1).toByteArray();
    decoded = decode();
  }

  /** Parses the OTLP bytes into the pipeline data class. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public TelemetryData decode() throws Exception {
    return switch (signal) {
      case "traces" -> Traces.parse(encoded);
      case "metrics" -> Metrics.parse(encoded);
      default -> Logs.parse(encoded);
    };
  }

  /** Serialises the data class back to OTLP bytes. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public byte[] encode() {
    return decoded.toByteArray();
  }
}
