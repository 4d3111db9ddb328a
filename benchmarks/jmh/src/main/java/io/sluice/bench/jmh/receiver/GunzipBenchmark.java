package io.sluice.bench.jmh.receiver;

import io.sluice.bench.loadgen.BenchSignal;
import io.sluice.bench.loadgen.TestbedData;
import io.sluice.receiver.otlp.internal.Decompression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decompressing a gzipped testbed-shaped OTLP traces request of 100 spans, as the {@code otlp}
 * receiver does for every request its clients gzip (the OpenTelemetry SDKs' default): {@code
 * receiver} is {@code Decompression.decompress} (a reused {@code Inflater} per thread, output sized
 * from the gzip trailer), {@code gzipInputStream} what it did before: a {@code GZIPInputStream} per
 * request, read into a growing array. Scores are per span (one request = {@value #ITEMS} spans), as
 * in the other benchmarks; run with {@code -prof gc} for bytes allocated per span.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GunzipBenchmark {
  /** Spans per request, as in the collector testbed. */
  public static final int ITEMS = 100;
  private static final long LIMIT = 16L << 20;

  byte[] plain;
  byte[] gzipped;

  /** Builds and gzips the request once. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    plain = TestbedData.request(BenchSignal.TRACES, ITEMS, 1).toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    gzipped = out.toByteArray();
  }

  /** What the receiver does now. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public byte[] receiver() throws IOException {
    return Decompression.decompress("gzip", gzipped, LIMIT);
  }

  /** The receiver's code before: a stream per request, read to a bounded, growing array. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public byte[] gzipInputStream() throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped), 8192)) {
      byte[] buf = new byte[gzipped.length * 4];
      int len = 0;
      for (int n; ; len += n) {
        if (len == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        n = in.read(buf, len, buf.length - len);
        if (n < 0) {
          break;
        }
      }
      return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }
  }
}
