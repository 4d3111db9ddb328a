package io.sluice.bench.procmeter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reading of a process from {@code /proc}: CPU ticks (user + system), resident set size, and
 * the CPU ticks of its JIT compiler threads (HotSpot's "C1 CompilerThreadN" / "C2 CompilerThreadN").
 */
public record ProcStat(long cpuTicks, long rssBytes, long jitTicks) {

  /** Reads {@code /proc/PID/stat}, {@code /proc/PID/status} and the stat of each thread. */
  public static ProcStat read(long pid) throws IOException {
    Path dir = Path.of("/proc", Long.toString(pid));
    return new ProcStat(parseCpuTicks(Files.readString(dir.resolve("stat"))), parseRssBytes(Files.readString(dir.resolve("status"))),
        jitTicks(dir));
  }

  /** The CPU ticks of the JIT compiler threads; a thread that ends between listing and reading is skipped. */
  static long jitTicks(Path dir) throws IOException {
    long sum = 0;
    try (var tasks = Files.list(dir.resolve("task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException e) {
          continue;
        }
        if (isJitThread(stat)) {
          sum += parseCpuTicks(stat);
        }
      }
    }
    return sum;
  }

  /** Whether a {@code /proc/PID/task/TID/stat} line is a HotSpot compiler thread's (comm is cut at 15 chars). */
  static boolean isJitThread(String stat) {
    int open = stat.indexOf('(');
    return stat.startsWith("C1 CompilerThre", open + 1) || stat.startsWith("C2 CompilerThre", open + 1);
  }

  /**
   * utime + stime (fields 14 and 15, in clock ticks) of a {@code /proc/PID/stat} line. The command
   * name in parentheses may hold spaces and parentheses, so fields are counted after the last ')'.
   */
  public static long parseCpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
    }
    // After ") " come field 3 (state), 4 (ppid) ... so utime (14) is index 11 and stime (15) index 12.
    String[] fields = stat.substring(close + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** VmRSS of a {@code /proc/PID/status} text, in bytes; 0 if absent (a zombie has none). */
  public static long parseRssBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring(6).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024L;
      }
    }
    return 0;
  }
}
