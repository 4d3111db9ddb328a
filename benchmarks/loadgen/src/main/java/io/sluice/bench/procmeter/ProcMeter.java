package io.sluice.bench.procmeter;

import io.sluice.bench.loadgen.DurationConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Samples a process's CPU time and RSS from {@code /proc} every interval, for a duration or until
 * the process ends or this meter is terminated, then prints (and optionally writes) a JSON report:
 * CPU-seconds, CPU % of one core, average and peak RSS, and how much of the CPU went to the JIT
 * compiler threads (in the window, and since the process started).
 */
@Command(name = "procmeter", mixinStandardHelpOptions = true, description = "Meters a process's CPU and RSS from /proc.")
public final class ProcMeter implements Callable<Integer> {

  @Option(names = "--pid", required = true, description = "the process to meter")
  long pid;

  @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class, description = "(default: ${DEFAULT-VALUE})")
  Duration interval;

  @Option(names = "--duration", converter = DurationConverter.class, description = "stop after this long (default: until the process ends or SIGTERM)")
  Duration duration;

  @Option(names = "--out", description = "also write the JSON report to this file")
  Path out;

  /** Runs the CLI. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ProcMeter()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Meter meter = new Meter(pid, clockTicksPerSecond());
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              meter.sampleQuietly();
              report(meter.report());
              done.countDown();
            });
    Runtime.getRuntime().addShutdownHook(hook);
    meter.start();
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < deadline && meter.sampleQuietly()) {
      long sleep = Math.min(interval.toNanos(), deadline - System.nanoTime());
      if (sleep > 0) {
        TimeUnit.NANOSECONDS.sleep(sleep);
      }
    }
    // The hook does the final sample and the report exactly once, also on SIGTERM.
    Runtime.getRuntime().removeShutdownHook(hook);
    hook.run();
    done.await();
    return 0;
  }

  private void report(String json) {
    System.out.println(json);
    if (out != null) {
      try {
        Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        System.err.println("procmeter: cannot write " + out + ": " + e);
      }
    }
  }

  /** The kernel's clock ticks per second from {@code getconf CLK_TCK}; 100 if that fails. */
  static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      return Long.parseLong(s);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** The accumulated samples of one process. */
  static final class Meter {
    private final long pid;
    private final long ticksPerSecond;
    private long firstTicks = -1;
    private long lastTicks;
    private long firstJitTicks;
    private long lastJitTicks;
    private long startNanos;
    private long lastNanos;
    private long samples;
    private double rssSum;
    private long rssPeak;

    Meter(long pid, long ticksPerSecond) {
      this.pid = pid;
      this.ticksPerSecond = ticksPerSecond;
    }

    void start() {
      startNanos = System.nanoTime();
      sampleQuietly();
    }

    /** Takes one sample; false once the process is gone. */
    synchronized boolean sampleQuietly() {
      try {
        add(ProcStat.read(pid), System.nanoTime());
        return true;
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }

    synchronized void add(ProcStat stat, long nanos) {
      if (firstTicks < 0) {
        firstTicks = stat.cpuTicks();
        firstJitTicks = stat.jitTicks();
        startNanos = nanos;
      }
      lastTicks = stat.cpuTicks();
      lastJitTicks = stat.jitTicks();
      lastNanos = nanos;
      samples++;
      rssSum += stat.rssBytes();
      rssPeak = Math.max(rssPeak, stat.rssBytes());
    }

    synchronized String report() {
      double wall = Math.max((lastNanos - startNanos) / 1e9, 0);
      double cpu = firstTicks < 0 ? 0 : (double) (lastTicks - firstTicks) / ticksPerSecond;
      double mib = 1024.0 * 1024.0;
      return String.format(
          Locale.ROOT,
          "{\"pid\":%d,\"samples\":%d,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"cpu_pct_one_core\":%.2f,"
              + "\"rss_avg_mib\":%.1f,\"rss_peak_mib\":%.1f,\"jit_cpu_s\":%.3f,\"jit_cpu_s_since_start\":%.3f,\"clk_tck\":%d}",
          pid,
          samples,
          wall,
          cpu,
          wall > 0 ? 100.0 * cpu / wall : 0,
          samples == 0 ? 0 : rssSum / samples / mib,
          rssPeak / mib,
          firstTicks < 0 ? 0 : (double) (lastJitTicks - firstJitTicks) / ticksPerSecond,
          (double) lastJitTicks / ticksPerSecond,
          ticksPerSecond);
    }
  }
}
