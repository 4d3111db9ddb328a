package io.sluice.bench.loadgen;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator CLI: sends testbed-shaped OTLP load at a fixed item rate or at saturation
 * with N concurrent senders, then prints a one-line JSON summary on standard output.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    description = "Sends OpenTelemetry-testbed-shaped OTLP traces, metrics or logs and counts acknowledged and refused items.")
public final class LoadGen implements Callable<Integer> {

  @Option(names = "--endpoint", defaultValue = "127.0.0.1:4317", description = "host:port, or a URL (default: ${DEFAULT-VALUE})")
  String endpoint;

  @Option(names = "--protocol", defaultValue = "grpc", description = "${COMPLETION-CANDIDATES} (http = OTLP/HTTP protobuf) (default: ${DEFAULT-VALUE})")
  Sender.Protocol protocol;

  @Option(names = "--signal", defaultValue = "traces", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  BenchSignal signal;

  @Option(names = "--rate", defaultValue = "0", description = "items per second; 0 means saturation mode (default: ${DEFAULT-VALUE})")
  long rate;

  @Option(names = "--concurrency", defaultValue = "4", description = "concurrent senders in saturation mode (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--max-in-flight", defaultValue = "256", description = "requests outstanding at most in rate mode; a request due when the limit is reached is skipped and counted (default: ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--items-per-request", defaultValue = "100", description = "(default: ${DEFAULT-VALUE})")
  int itemsPerRequest;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--compression", defaultValue = "gzip",
      description = "gzip or none; the otelcol testbed's sender is an otlp exporter with its default, gzip (default: ${DEFAULT-VALUE})")
  String compression;

  @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class, description = "per-request timeout (default: ${DEFAULT-VALUE})")
  Duration timeout;

  /** Runs the CLI. */
  public static void main(String[] args) {
    System.exit(commandLine(new LoadGen()).execute(args));
  }

  private static CommandLine commandLine(LoadGen command) {
    return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
  }

  /** Runs a load with these command-line arguments and returns the JSON summary (for tests and tools). */
  public static String run(String... args) throws InterruptedException {
    LoadGen command = new LoadGen();
    commandLine(command).parseArgs(args);
    return command.runLoad();
  }

  @Override
  public Integer call() throws InterruptedException {
    System.out.println(runLoad());
    return 0;
  }

  private String runLoad() throws InterruptedException {
    if (itemsPerRequest <= 0 || concurrency <= 0 || maxInFlight <= 0 || rate < 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--items-per-request, --concurrency, --max-in-flight must be > 0 and --rate >= 0");
    }
    Stats stats = new Stats();
    long startNanos;
    long endNanos;
    try (Sender sender = new Sender(endpoint, protocol, signal, itemsPerRequest, "gzip".equals(compression), timeout, stats)) {
      startNanos = System.nanoTime();
      long deadline = startNanos + duration.toNanos();
      Semaphore inFlight = new Semaphore(rate > 0 ? maxInFlight : concurrency);
      if (rate > 0) {
        runAtRate(sender, stats, inFlight, startNanos, deadline);
      } else {
        runSaturated(sender, inFlight, deadline);
      }
      endNanos = System.nanoTime();
      // Let outstanding requests finish so every sent item is counted one way or another.
      int permits = rate > 0 ? maxInFlight : concurrency;
      inFlight.tryAcquire(permits, timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("signal", signal.name().toLowerCase(java.util.Locale.ROOT));
    header.put("item", signal.itemName());
    header.put("protocol", protocol.name().toLowerCase(java.util.Locale.ROOT));
    header.put("endpoint", endpoint);
    header.put("mode", rate > 0 ? "rate" : "saturation");
    header.put("target_rate", rate);
    header.put("concurrency", rate > 0 ? 0 : concurrency);
    header.put("items_per_request", itemsPerRequest);
    header.put("request_bytes", Sender.payloadSize(signal, itemsPerRequest));
    return stats.toJson(header, (endNanos - startNanos) / 1e9);
  }

  private void runAtRate(Sender sender, Stats stats, Semaphore inFlight, long start, long deadline) {
    double requestsPerSecond = (double) rate / itemsPerRequest;
    long periodNanos = (long) (1e9 / requestsPerSecond);
    long due = start;
    while (true) {
      long now = System.nanoTime();
      if (now >= deadline) {
        return;
      }
      if (now < due) {
        LockSupport.parkNanos(Math.min(due - now, deadline - now));
        continue;
      }
      due += periodNanos;
      if (inFlight.tryAcquire()) {
        sender.send().whenComplete((v, e) -> inFlight.release());
      } else {
        stats.requestsSkipped.increment();
      }
    }
  }

  /** How long a sender whose request was refused waits before its next one. */
  static final long BACKOFF_MILLIS = 100;

  /**
   * Keeps {@code concurrency} requests in flight. A sender whose request was refused (429, 503,
   * UNAVAILABLE...) waits {@value #BACKOFF_MILLIS} ms before its next request, as a client that
   * backs off would (the OpenTelemetry SDKs wait a second before a retry): without it, a back end
   * slower than the daemon turns the measurement into one of how fast the daemon says no.
   */
  private static void runSaturated(Sender sender, Semaphore inFlight, long deadline) throws InterruptedException {
    Executor backoff = CompletableFuture.delayedExecutor(BACKOFF_MILLIS, TimeUnit.MILLISECONDS);
    while (System.nanoTime() < deadline) {
      if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (System.nanoTime() >= deadline) {
          inFlight.release();
          return;
        }
        sender.send().whenComplete((outcome, e) -> {
          if (outcome == Stats.Outcome.REFUSED) {
            backoff.execute(inFlight::release);
          } else {
            inFlight.release();
          }
        });
      }
    }
  }
}
