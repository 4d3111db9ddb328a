package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigIssue;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.extension.storage.FileStorageFactory;
import io.sluice.core.plugin.ComponentRegistry;
import io.sluice.core.testing.TestComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicePlannerTest {
  private static final ComponentRegistry REGISTRY = ComponentRegistry.of(
      Stream.concat(TestComponents.factories().stream(), Stream.of(new FileStorageFactory())).toList());

  @TempDir Path dir;

  private List<String> problems(String hocon) throws IOException {
    Path file = dir.resolve("sluice.conf");
    Files.writeString(file, hocon);
    ConfigLoader.Loaded loaded = ConfigLoader.load(List.of(file));
    if (loaded.config() == null) {
      return loaded.issues().stream().map(ConfigIssue::format).toList();
    }
    return ServicePlanner.plan(loaded.config(), REGISTRY).issues().stream().map(ConfigIssue::format).toList();
  }

  private static final String VALID = """
      receivers { test_receiver {} }
      processors { test_processor { tag = a } }
      exporters { test_exporter {} }
      service.pipelines.traces {
        receivers = [test_receiver]
        processors = [test_processor]
        exporters = [test_exporter]
      }
      """;

  @Test
  void validConfigHasNoProblems() throws IOException {
    assertThat(problems(VALID)).isEmpty();
  }

  @Test
  void reportsThreeDifferentMistakesAtOnceWithFileLineAndPath() throws IOException {
    String path = dir.resolve("sluice.conf").toString();
    List<String> p = problems("""
        receivers { test_receiver { endpoint = "localhost" } }
        processors { test_processor { tag = a, send_batch_sise = 5 } }
        exporters { test_exporter {} }
        service.pipelines.traces {
          receivers = [test_receiver]
          processors = [test_processor]
          exporters = [test_exportr]
        }
        """);
    assertThat(p).containsExactlyInAnyOrder(
        path + ":1: receivers.test_receiver.endpoint: \"localhost\" (expected: host:port, e.g. 127.0.0.1:4317)",
        path + ":2: processors.test_processor.send_batch_sise: unknown key (did you mean \"send_batch_size\"?) (valid keys: tag, pipelines, bridge, send_batch_size)",
        path + ":7: service.pipelines.traces.exporters[0]: exporter \"test_exportr\" is not defined under exporters (did you mean \"test_exporter\"?) (defined: test_exporter)",
        path + ":3: exporters.test_exporter: exporter is declared but not used in any pipeline (add it to a pipeline under service.pipelines, or remove it)",
        path + ":7: service.pipelines.traces.exporters: pipeline has no exporter (expected: at least one, e.g. exporters = [debug])");
  }

  @Test
  void reportsWrongTypesDurationsAndUnknownComponentTypes() throws IOException {
    List<String> p = problems("""
        receivers { test_reciever {} }
        processors { test_processor { send_batch_size = lots } }
        exporters { test_exporter { timeout = 5, sending_queue { queue_size = 0 } } }
        service { shutdown_timeout = soon, pipelines.traces { receivers = [], exporters = [test_exporter], processors = [test_processor] } }
        """);
    assertThat(p).anyMatch(s -> s.endsWith("receivers.test_reciever: unknown receiver type \"test_reciever\" (did you mean \"test_receiver\"?) (installed: test_receiver; run `sluice components` to list them, or add a plugin jar)"));
    assertThat(p).anyMatch(s -> s.endsWith("processors.test_processor.send_batch_size: \"lots\" (expected: an integer)"));
    assertThat(p).anyMatch(s -> s.endsWith("exporters.test_exporter.timeout: 5 (expected: a duration with a unit, such as 5s or 200ms)"));
    assertThat(p).anyMatch(s -> s.endsWith("exporters.test_exporter.sending_queue.queue_size: 0 (expected: >= 1)"));
    assertThat(p).anyMatch(s -> s.endsWith("service.shutdown_timeout: \"soon\" (expected: a duration with a unit, such as 5s or 200ms)"));
    assertThat(p).anyMatch(s -> s.endsWith("service.pipelines.traces.receivers: pipeline has no receiver (expected: at least one, e.g. receivers = [otlp])"));
  }

  @Test
  void sendingQueueStorageMustNameAnEnabledExtension() throws IOException {
    List<String> undeclared = problems(VALID.replace("exporters { test_exporter {} }",
        "exporters { test_exporter { sending_queue.storage = file_storag } }\nextensions { file_storage { directory = /tmp/q } }\nservice.extensions = [file_storage]"));
    assertThat(undeclared).singleElement().asString().endsWith("exporters.test_exporter.sending_queue.storage: "
        + "\"file_storag\" is not a declared extension (did you mean \"file_storage\"?) (expected: the id of a storage extension under extensions, e.g. file_storage)");
    List<String> disabled = problems(VALID.replace("exporters { test_exporter {} }",
        "exporters { test_exporter { sending_queue.storage = file_storage } }\nextensions { file_storage { directory = /tmp/q } }"));
    assertThat(disabled).anyMatch(s -> s.endsWith("exporters.test_exporter.sending_queue.storage: \"file_storage\" is declared but not enabled (add it to service.extensions)"));
  }

  @Test
  void rejectsComponentInPipelineOfUnsupportedSignal() throws IOException {
    List<String> p = problems(VALID.replace("service.pipelines.traces", "service.pipelines.metrics"));
    assertThat(p).singleElement().asString()
        .endsWith("service.pipelines.metrics.processors: processor \"test_processor\" does not support metrics (supports: traces, logs)");
  }

  @Test
  void rejectsTwoListenersOnOnePort() throws IOException {
    List<String> p = problems("""
        receivers { test_receiver { endpoint = "127.0.0.1:4317" }, "test_receiver/b" { endpoint = "0.0.0.0:4317" } }
        exporters { test_exporter {} }
        service.pipelines.traces { receivers = [test_receiver, test_receiver/b], exporters = [test_exporter] }
        """);
    assertThat(p).singleElement().asString()
        .endsWith("receivers.test_receiver/b.endpoint: port 4317 is also used by receivers.test_receiver.endpoint (expected: a different port for each listener)");
  }

  @Test
  void acceptsPipelineFedOnlyByBridgeAndRejectsMissingTargetAndCycles() throws IOException {
    String bridged = """
        receivers { test_receiver {} }
        processors { test_processor { tag = a, bridge = true, pipelines = [%s] } }
        exporters { test_exporter {} }
        service.pipelines {
          traces { receivers = [test_receiver], processors = [test_processor], exporters = [test_exporter] }
          logs/decisions { %s exporters = [test_exporter] }
        }
        """;
    assertThat(problems(bridged.formatted("logs/decisions", ""))).isEmpty();
    assertThat(problems(bridged.formatted("logs/decision", "")))
        .anyMatch(s -> s.contains("a processor feeds pipeline \"logs/decision\", which is not defined (did you mean \"logs/decisions\"?)"))
        .anyMatch(s -> s.contains("service.pipelines.logs/decisions.receivers: pipeline has no receiver"));
    assertThat(problems(bridged.formatted("logs/decisions", "processors = [test_processor], ").replace("tag = a, bridge", "bridge")
        .replace("pipelines = [logs/decisions]", "pipelines = [logs/decisions]")))
        .anyMatch(s -> s.contains("pipelines feed each other in a cycle: logs/decisions -> logs/decisions"));
  }

  @Test
  void syntaxErrorsNameFileAndLine() throws IOException {
    List<String> p = problems("receivers {\n  test_receiver {\n");
    assertThat(p).singleElement().asString().startsWith(dir.resolve("sluice.conf") + ":");
  }

  @Test
  void missingFileIsReported() {
    ConfigLoader.Loaded loaded = ConfigLoader.load(List.of(dir.resolve("nope.conf")));
    assertThat(loaded.issues()).singleElement().extracting(ConfigIssue::format).asString()
        .contains("nope.conf does not exist");
  }

  @Test
  void laterFilesOverrideEarlierOnesAndEnvironmentSubstitutes() throws IOException {
    Path a = dir.resolve("a.conf");
    Path b = dir.resolve("b.conf");
    Files.writeString(a, VALID + "\nreceivers.test_receiver.endpoint = \"127.0.0.1:1\"\n");
    Files.writeString(b, "receivers.test_receiver.endpoint = \"127.0.0.1:2\"\nexporters.test_exporter.endpoint = ${?HOME}\n");
    ConfigLoader.Loaded loaded = ConfigLoader.load(List.of(a, b));
    assertThat(loaded.config().getString("receivers.test_receiver.endpoint")).isEqualTo("127.0.0.1:2");
    assertThat(loaded.config().getString("exporters.test_exporter.endpoint")).isEqualTo(System.getenv("HOME"));
  }
}
