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
 * The OTLP protobuf codec on testbed-shaped requests of {@value #ITEMS} items: {@code decode} is what
 * a receiver does ({@code Traces/Metrics/Logs.parse}: check the encoding and keep it), {@code parse}
 * what a processor or exporter that looks into the data adds (building the protobuf message),
 * {@code encode} serialising a message (data a processor changed), {@code forward} the bytes of
 * data nobody changed. Scores are per item (ns/op with one op = one span, data point or log
 * record); run with {@code -prof gc} for bytes allocated per item.
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
  TelemetryData received;
  TelemetryData changed;

  /** Builds the request once; the benchmark measures only the codec. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BenchSignal s = BenchSignal.valueOf(signal.toUpperCase(java.util.Locale.ROOT));
    encoded = TestbedData.request(s, ITEMS, 1).toByteArray();
    received = decode();
    changed = switch (signal) {
      case "traces" -> Traces.of(((Traces) received).toProto());
      case "metrics" -> Metrics.of(((Metrics) received).toProto());
      default -> Logs.of(((Logs) received).toProto());
    };
  }

  /** Checks the OTLP bytes and wraps them in the pipeline data class, as a receiver does. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public TelemetryData decode() throws Exception {
    return switch (signal) {
      case "traces" -> Traces.parse(encoded);
      case "metrics" -> Metrics.parse(encoded);
      default -> Logs.parse(encoded);
    };
  }

  /** Decodes and builds the protobuf message, as the first component that looks into the data does. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public Object parse() throws Exception {
    return switch (signal) {
      case "traces" -> Traces.parse(encoded).toProto();
      case "metrics" -> Metrics.parse(encoded).toProto();
      default -> Logs.parse(encoded).toProto();
    };
  }

  /** Serialises a message to OTLP bytes, as an exporter does with data a processor changed. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public byte[] encode() {
    return changed.toByteArray();
  }

  /** The OTLP bytes of data nobody changed: a copy of what arrived. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public byte[] forward() {
    return received.toByteArray();
  }
}
