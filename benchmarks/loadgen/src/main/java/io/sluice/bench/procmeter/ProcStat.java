package io.sluice.bench.procmeter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One reading of a process from {@code /proc}: CPU ticks (user + system) and resident set size. */
public record ProcStat(long cpuTicks, long rssBytes) {

  /** Reads {@code /proc/PID/stat} and {@code /proc/PID/status}. */
  public static ProcStat read(long pid) throws IOException {
    Path dir = Path.of("/proc", Long.toString(pid));
    return new ProcStat(parseCpuTicks(Files.readString(dir.resolve("stat"))), parseRssBytes(Files.readString(dir.resolve("status"))));
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
