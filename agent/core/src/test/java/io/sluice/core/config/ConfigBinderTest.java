package io.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigKey;
import io.sluice.api.config.DataSize;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {
  enum Mode { HASH_SEED, PROPORTIONAL }

  record Tls(String certFile, boolean insecure) implements ComponentConfig {
    public static Tls defaults() {
      return new Tls("", true);
    }
  }

  record Sample(
      int size,
      long bytes,
      double ratio,
      boolean on,
      Duration timeout,
      DataSize limit,
      Mode mode,
      List<String> names,
      Map<String, String> labels,
      Tls tls,
      @ConfigKey("traces_url_path") String tracesPath) implements ComponentConfig {}

  private static final Sample DEFAULTS =
      new Sample(1, 2, 0.5, false, Duration.ofSeconds(5), DataSize.ofMebibytes(4), Mode.HASH_SEED, List.of("a"), Map.of(), null, "/v1/traces");

  private static ConfigBinder.Result<Sample> bind(String hocon) {
    return ConfigBinder.bind(Sample.class, DEFAULTS, ConfigFactory.parseString(hocon).root(), "x", Set.of(), null);
  }

  @Test
  void emptyBindsToDefaults() {
    assertThat(bind("").value()).isEqualTo(DEFAULTS);
  }

  @Test
  void bindsEveryType() {
    Sample s = bind("""
        size = 7, bytes = 9000000000, ratio = 0.25, on = yes, timeout = 200ms, limit = 512KiB, mode = proportional
        names = [b, c], labels { service.name = svc, "k8s.pod.name" = pod }, tls { cert_file = "/c.pem" }
        traces_url_path = /t
        """).value();
    assertThat(s).isEqualTo(new Sample(7, 9_000_000_000L, 0.25, true, Duration.ofMillis(200), DataSize.ofKibibytes(512),
        Mode.PROPORTIONAL, List.of("b", "c"), Map.of("service.name", "svc", "k8s.pod.name", "pod"),
        new Tls("/c.pem", true), "/t"));
  }

  @Test
  void reportsEveryProblemWithPath() {
    var r = bind("size = big, timeout = 5, limit = lots, mode = fast, names = x, tls { certfile = a }, extra = 1");
    assertThat(r.value()).isNull();
    assertThat(r.issues()).extracting(ConfigIssue::message).containsExactlyInAnyOrder(
        "\"big\" (expected: an integer)",
        "5 (expected: a duration with a unit, such as 5s or 200ms)",
        "\"lots\" (expected: a size in bytes, or with a unit such as 512KiB or 4MiB)",
        "\"fast\" (expected: one of hash_seed, proportional)",
        "\"x\" (expected: a list)",
        "unknown key (did you mean \"cert_file\"?) (valid keys: cert_file, insecure)",
        "unknown key (valid keys: size, bytes, ratio, on, timeout, limit, mode, names, labels, tls, traces_url_path)");
    assertThat(r.issues()).extracting(ConfigIssue::path)
        .containsExactlyInAnyOrder("x.size", "x.timeout", "x.limit", "x.mode", "x.names", "x.tls.certfile", "x.extra");
    assertThat(r.issues()).allSatisfy(i -> assertThat(i.line()).isEqualTo(1));
  }

  @Test
  void snakeCase() {
    assertThat(ConfigBinder.snake("sendBatchMaxSize")).isEqualTo("send_batch_max_size");
    assertThat(ConfigBinder.snake("maxRecvMsgSizeMib")).isEqualTo("max_recv_msg_size_mib");
  }
}
