package io.sluice.bench.procmeter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcMeterTest {

  @Test
  void parsesOwnProcSelfStatAndStatus() throws Exception {
    long pid = ProcessHandle.current().pid();
    // Burn a little CPU so the tick count of this JVM is certainly above zero.
    long x = 0;
    for (int i = 0; i < 50_000_000; i++) {
      x += i ^ (x >>> 3);
    }
    ProcStat stat = ProcStat.read(pid);

    assertThat(x).isNotZero();
    assertThat(stat.cpuTicks()).isPositive();
    assertThat(stat.rssBytes()).isGreaterThan(1024L * 1024);
    assertThat(ProcStat.parseCpuTicks(Files.readString(Path.of("/proc/self/stat")))).isPositive();
  }

  @Test
  void countsFieldsAfterTheLastParenthesisOfTheCommandName() {
    String stat = "42 (my (odd) cmd) S 1 42 42 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 30 0 12345 1000000 500";
    assertThat(ProcStat.parseCpuTicks(stat)).isEqualTo(287);
  }

  @Test
  void recognisesHotSpotCompilerThreadsByTheirCutName() {
    assertThat(ProcStat.isJitThread("12 (C2 CompilerThre) S 1 2 3")).isTrue();
    assertThat(ProcStat.isJitThread("13 (C1 CompilerThre) S 1 2 3")).isTrue();
    assertThat(ProcStat.isJitThread("14 (VM Thread) S 1 2 3")).isFalse();
  }

  @Test
  void readsTheJitThreadsOfThisJvm() throws Exception {
    // This JVM has compiler threads (the test ran the loop above or will JIT something soon);
    // their CPU is part of the whole process's.
    ProcStat stat = ProcStat.read(ProcessHandle.current().pid());
    assertThat(stat.jitTicks()).isBetween(0L, stat.cpuTicks());
  }

  @Test
  void readsVmRssInKibibytes() {
    assertThat(ProcStat.parseRssBytes("Name:\tjava\nVmPeak:\t 900 kB\nVmRSS:\t   2048 kB\nThreads: 3\n")).isEqualTo(2048L * 1024);
    assertThat(ProcStat.parseRssBytes("Name:\tzombie\n")).isZero();
  }

  @Test
  void reportsCpuPercentOfOneCoreAndRssAverageAndPeak() {
    ProcMeter.Meter meter = new ProcMeter.Meter(7, 100);
    long mib = 1024L * 1024;
    meter.add(new ProcStat(1000, 10 * mib, 300), 0);
    meter.add(new ProcStat(1050, 30 * mib, 320), 1_000_000_000L);
    meter.add(new ProcStat(1100, 20 * mib, 325), 2_000_000_000L);

    assertThat(meter.report())
        .contains("\"samples\":3")
        .contains("\"wall_s\":2.000")
        .contains("\"cpu_s\":1.000")
        .contains("\"cpu_pct_one_core\":50.00")
        .contains("\"rss_avg_mib\":20.0")
        .contains("\"rss_peak_mib\":30.0")
        .contains("\"jit_cpu_s\":0.250")
        .contains("\"jit_cpu_s_since_start\":3.250");
  }

  @Test
  void clockTicksComeFromGetconf() {
    assertThat(ProcMeter.clockTicksPerSecond()).isPositive();
  }
}
