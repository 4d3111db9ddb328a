package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon process as a user runs it: plugins, health, self-metrics, stop, start-up failures. */
class DaemonIT {
  @TempDir Path dir;

  private Path pluginDir() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build("com.example.heartbeat.HeartbeatFactory", PluginJars.HEARTBEAT, plugins.resolve("heartbeat-plugin.jar"));
    return plugins;
  }

  private Path config(int health, int metrics) throws Exception {
    Path conf = dir.resolve("sluice.conf");
    Files.writeString(conf, """
        receivers { heartbeat { interval = 100ms, message = "plugin says hi" } }
        exporters { debug { verbosity = normal } }
        extensions { health_check { endpoint = "127.0.0.1:%d" } }
        service {
          extensions = [health_check]
          telemetry.metrics.address = "127.0.0.1:%d"
          pipelines.logs { receivers = [heartbeat], exporters = [debug] }
        }
        """.formatted(health, metrics));
    return conf;
  }

  @Test
  void pluginJarAppearsInComponentsAndCarriesDataThroughARunningDaemon() throws Exception {
    Path plugins = pluginDir();
    var components = SluiceProcess.run(dir, Map.of(), "components", "--plugins-dir", plugins.toString());
    assertThat(components.exitCode()).as(components.output()).isZero();
    assertThat(components.output()).contains("heartbeat  [logs: alpha]  (heartbeat-plugin.jar)");

    int health = SluiceProcess.freePort();
    int metrics = SluiceProcess.freePort();
    try (SluiceProcess p = SluiceProcess.start(dir, Map.of("SLUICE_PLUGINS_DIR", plugins.toString()),
        "run", "--log-format", "json", "--config", config(health, metrics).toString())) {
      var ok = p.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
      assertThat(ok.body()).contains("\"status\":\"Server available\"");
      p.awaitOutput(o -> o.contains("debug logs: 1 log records") && o.contains("plugin says hi"), Duration.ofSeconds(30));
      var m = p.awaitHttp(metrics, "/metrics",
          r -> r.body().matches("(?s).*otelcol_exporter_sent_log_records_total\\{exporter=\"debug\"} [1-9].*"), Duration.ofSeconds(30));
      assertThat(m.body()).contains("jvm_memory_used_bytes");
      assertThat(p.stop()).isZero();
      assertThat(p.output()).contains("Sluice stopped");
      assertThat(p.output().lines().filter(l -> l.contains("Sluice is running")).findFirst())
          .as("--log-format json writes one JSON object per line")
          .hasValueSatisfying(l -> assertThat(l).startsWith("{").contains("\"level\":\"INFO\"")
              .contains("\"loggerName\":\"io.sluice.core.service.Service\""));
    }
  }

  @Test
  void theDefaultConfigServesSelfMetricsThoughItsProcessorsRunInEveryPipeline() throws Exception {
    Path examples = Path.of(System.getProperty("sluice.examples", "../config-examples"));
    int health = SluiceProcess.freePort();
    int metrics = SluiceProcess.freePort();
    Path ports = dir.resolve("ports.conf");
    Files.writeString(ports, """
        receivers.otlp.protocols.grpc.endpoint = "127.0.0.1:%d"
        receivers.otlp.protocols.http.endpoint = "127.0.0.1:%d"
        extensions.health_check.endpoint = "127.0.0.1:%d"
        service.telemetry.metrics.address = "127.0.0.1:%d"
        """.formatted(SluiceProcess.freePort(), SluiceProcess.freePort(), health, metrics));
    try (SluiceProcess p = SluiceProcess.start(dir, Map.of(), "run",
        "--config", examples.resolve("default.conf").toAbsolutePath().toString(), "--config", ports.toString())) {
      p.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
      var m = p.awaitHttp(metrics, "/metrics", r -> r.statusCode() == 200, Duration.ofSeconds(30));
      assertThat(m.body())
          .as("batch and memory_limiter run once per pipeline; each instance reports under its pipeline")
          .contains("otelcol_processor_batch_metadata_cardinality{pipeline=\"traces\",processor=\"batch\"}")
          .contains("otelcol_processor_batch_metadata_cardinality{pipeline=\"logs\",processor=\"batch\"}");
      assertThat(p.stop()).isZero();
    }
  }

  @Test
  void unreadablePluginJarStopsWithAClearMessage() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("bad-plugins"));
    Files.writeString(plugins.resolve("broken.jar"), "this is not a zip file");
    var r = SluiceProcess.run(dir, Map.of(), "components", "--plugins-dir", plugins.toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).contains("plugin jar " + plugins.resolve("broken.jar") + " cannot be read")
        .contains("replace it with a valid jar or remove it").doesNotContain("\tat ");
  }

  @Test
  void twoFactoriesClaimingOneTypeAreRefused() throws Exception {
    Path plugins = pluginDir();
    Files.copy(plugins.resolve("heartbeat-plugin.jar"), dir.resolve("copy.jar"));
    PluginJars.build("com.example.other.HeartbeatFactory",
        PluginJars.HEARTBEAT.replace("package com.example.heartbeat;", "package com.example.other;"),
        plugins.resolve("other-heartbeat.jar"));
    var r = SluiceProcess.run(dir, Map.of(), "components", "--plugins-dir", plugins.toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).contains("two receiver factories claim type \"heartbeat\"");
  }

  @Test
  void portInUseFailsStartUpWithExitCode3AndTheCause() throws Exception {
    Path plugins = pluginDir();
    try (var blocker = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int metrics = SluiceProcess.freePort();
      var r = SluiceProcess.run(dir, Map.of("SLUICE_PLUGINS_DIR", plugins.toString()),
          "run", "--config", config(blocker.getLocalPort(), metrics).toString());
      assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
      assertThat(r.output()).contains("extension health_check failed to start").contains("address already in use")
          .doesNotContain("\tat ");
    }
  }
}
