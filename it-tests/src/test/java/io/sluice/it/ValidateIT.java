package io.sluice.it;

import io.sluice.core.testing.Certs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice validate} on the shipped examples and on broken configs, from the distribution. */
class ValidateIT {
  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> everyShippedExampleIsValid() throws Exception {
    Path examples = Path.of(System.getProperty("sluice.examples", "../config-examples"));
    List<Path> files;
    try (Stream<Path> s = Files.walk(examples)) {
      files = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertThat(files).as("config examples in %s", examples).isNotEmpty();
    // The gateway example reads its TLS certificate from files; validate checks they are readable.
    Certs certs = Certs.create(java.nio.file.Files.createDirectories(dir.resolve("certs")));
    Map<String, String> env = Map.of("SLUICE_TLS_CERT", certs.cert("server").toString(),
        "SLUICE_TLS_KEY", certs.key("server").toString());
    return files.stream().map(f -> DynamicTest.dynamicTest(examples.relativize(f).toString(), () -> {
      var r = SluiceProcess.run(dir, env, "validate", "--config", f.toAbsolutePath().toString());
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).contains("valid: ");
    }));
  }

  @Test
  void embeddedDefaultConfigIsValid() throws Exception {
    var r = SluiceProcess.run(dir, Map.of(), "validate");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("valid: embedded default config");
  }

  @Test
  void threeMistakesAreAllReportedWithFileLineAndKeyPath() throws Exception {
    Path conf = dir.resolve("broken.conf");
    Files.writeString(conf, """
        exporters {
          debug { verbosity = loud }
        }
        extensions { health_check { endpoint = "localhost" } }
        service {
          extensions = [health_check]
          pipelines.logs { receivers = [], exporters = [debug, otlp] }
        }
        """);
    var r = SluiceProcess.run(dir, Map.of(), "validate", "--config", conf.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output())
        .contains(conf + ":2: exporters.debug.verbosity: \"loud\" (expected: one of basic, normal, detailed)")
        .contains(conf + ":4: extensions.health_check.endpoint: \"localhost\" (expected: host:port, e.g. 127.0.0.1:4317)")
        .contains(conf + ":7: service.pipelines.logs.exporters[1]: exporter \"otlp\" is not defined under exporters")
        .contains(conf + ":7: service.pipelines.logs.receivers: pipeline has no receiver");
  }

  @Test
  void jsonFormatListsProblemsForTools() throws Exception {
    Path conf = dir.resolve("broken.conf");
    Files.writeString(conf, "exporters { debug { verbosity = loud } }\nservice.pipelines.logs { exporters = [debug] }\n");
    var r = SluiceProcess.run(dir, Map.of(), "validate", "--format", "json", "--config", conf.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("{\"valid\":false,\"problems\":[{\"file\":\"" + conf + "\",\"line\":1,\"path\":\"exporters.debug.verbosity\"");
  }

  @Test
  void printConfigRedactsSecretsAndResolvesEnvironment() throws Exception {
    Path conf = dir.resolve("secret.conf");
    Files.writeString(conf, """
        exporters { debug { headers { "X-Api-Key" = "s3cr3t" }, auth { bearer_token = ${?SLUICE_TEST_TOKEN} }, endpoint = ${?SLUICE_TEST_ENDPOINT} } }
        """);
    var r = SluiceProcess.run(dir, Map.of("SLUICE_TEST_TOKEN", "tok-123", "SLUICE_TEST_ENDPOINT", "http://x:1"),
        "print-config", "--config", conf.toString());
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("<redacted>").contains("http://x:1").doesNotContain("s3cr3t").doesNotContain("tok-123");
  }

  @Test
  void versionAndHelp() throws Exception {
    assertThat(SluiceProcess.run(dir, Map.of(), "--version").output()).contains("sluice 0.1.0-SNAPSHOT");
    var help = SluiceProcess.run(dir, Map.of(), "--help");
    assertThat(help.output()).contains("run").contains("validate").contains("components").contains("print-config")
        .contains("Exit codes:");
  }

  @Test
  void readmeListsExactlyTheInstalledComponents() throws Exception {
    var r = SluiceProcess.run(dir, Map.of(), "components", "--format", "json");
    assertThat(r.exitCode()).as(r.output()).isZero();
    java.util.Set<String> installed = new java.util.TreeSet<>();
    var m = java.util.regex.Pattern.compile("\\{\"kind\":\"(\\w+)\",\"type\":\"(\\w+)\"").matcher(r.output());
    while (m.find()) {
      installed.add(m.group(1) + " " + m.group(2));
    }
    String readme = Files.readString(Path.of(System.getProperty("sluice.examples", "../config-examples")).resolve("../README.md"));
    java.util.Set<String> documented = new java.util.TreeSet<>();
    var row = java.util.regex.Pattern.compile("(?m)^\\| (receiver|processor|exporter|extension) \\| `(\\w+)` \\|").matcher(readme);
    while (row.find()) {
      documented.add(row.group(1) + " " + row.group(2));
    }
    assertThat(installed).hasSize(16);
    assertThat(documented).isEqualTo(installed);
  }
}
