package io.sluice.exporter.prometheusremotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.exporter.prometheusremotewrite.PromNaming.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromNamingTest {

  @ParameterizedTest(name = "{0} [{1}] {2} -> {3}")
  @CsvSource({
      "http.server.duration, ms, OTHER, http_server_duration_milliseconds",
      "http.server.requests, {request}, COUNTER, http_server_requests_total",
      "process.cpu.time, s, COUNTER, process_cpu_time_seconds_total",
      "requests_total, 1, COUNTER, requests_total",
      "foo_total_bar, '', COUNTER, foo_bar_total",
      "cpu.utilization, 1, GAUGE, cpu_utilization_ratio",
      "cpu.utilization, 1, OTHER, cpu_utilization",
      "memory.usage, By, GAUGE, memory_usage_bytes",
      "memory_usage_bytes, By, GAUGE, memory_usage_bytes",
      "throughput, By/s, GAUGE, throughput_bytes_per_second",
      "temp, Cel, GAUGE, temp_celsius",
      "odd unit, furlongs, GAUGE, odd_unit_furlongs",
      "2xx.count, '', GAUGE, _2xx_count",
      "node_cpu_seconds_total, '', COUNTER, node_cpu_seconds_total",
      "node_timex_frequency_adjustment_ratio, '', GAUGE, node_timex_frequency_adjustment_ratio",
  })
  void normalisesNamesPerCompatibilitySpec(String name, String unit, Kind kind, String expected) {
    assertThat(PromNaming.metricName(name, unit == null ? "" : unit, kind, "", true)).isEqualTo(expected);
  }

  @Test
  void withoutSuffixesOnlySanitisesAndNamespaces() {
    assertThat(PromNaming.metricName("http.server.duration", "ms", Kind.OTHER, "edge", false))
        .isEqualTo("edge_http_server_duration");
  }

  @Test
  void labelNamesFollowCollectorRules() {
    assertThat(PromNaming.labelName("http.method")).isEqualTo("http_method");
    assertThat(PromNaming.labelName("0abc")).isEqualTo("key_0abc");
    assertThat(PromNaming.labelName("_private")).isEqualTo("key_private");
    assertThat(PromNaming.labelName("__reserved")).isEqualTo("__reserved");
    assertThat(PromNaming.labelName("ünï")).isEqualTo("key_n_");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "0, 0", "1, 1", "0.25, 0.25", "0.005, 0.005", "2.5, 2.5", "10, 10", "100000, 100000",
      "1000000, 1e+06", "1.5e6, 1.5e+06", "0.0001, 0.0001", "0.00001, 1e-05", "1.234e-7, 1.234e-07",
      "-3.5, -3.5", "Infinity, +Inf", "-Infinity, -Inf", "123456.7, 123456.7", "1e21, 1e+21",
  })
  void formatsFloatsLikeGo(double v, String expected) {
    assertThat(PromNaming.goFloat(v)).isEqualTo(expected);
  }
}
