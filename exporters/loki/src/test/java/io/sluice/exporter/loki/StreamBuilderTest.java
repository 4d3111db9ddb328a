package io.sluice.exporter.loki;

import static io.sluice.exporter.loki.TestLogs.attr;
import static io.sluice.exporter.loki.TestLogs.record;
import static io.sluice.exporter.loki.TestLogs.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.sluice.api.ComponentKind;
import io.sluice.api.Logs;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.testing.TestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamBuilderTest {
  private final TestContext context = new TestContext("loki", ComponentKind.EXPORTER);

  private StreamBuilder builder(String hocon) {
    ConfigObject section = ConfigFactory
        .parseString("endpoint = \"http://localhost:3100/loki/api/v1/push\"\n" + hocon).root();
    var r = ComponentBinding.bind(new LokiExporterFactory(), section, "exporters.loki", section.origin());
    assertThat(r.issues()).isEmpty();
    return new StreamBuilder(r.value(), context.telemetry());
  }

  private static List<StreamBuilder.Stream> only(Map<String, List<StreamBuilder.Stream>> byTenant) {
    assertThat(byTenant).containsOnlyKeys("");
    return byTenant.get("");
  }

  @Test
  void logfmtLineFollowsOtelcolOrder() {
    Logs logs = Logs.of(List.of(resource(
        List.of(attr("service.name", "checkout"), attr("host.name", "h 1")),
        InstrumentationScope.newBuilder().setName("io.example").build(),
        record(1, SeverityNumber.SEVERITY_NUMBER_WARN, "WARN", "payment slow", attr("took_ms", 1200)))));
    Entry e = only(builder("format = logfmt").build(logs, new LineBuffer(64))).get(0).entries().get(0);
    assertThat(e.line()).isEqualTo("severity=WARN msg=\"payment slow\" attribute_took_ms=1200 "
        + "resource_host.name=\"h 1\" instrumentation_scope_name=io.example");
  }

  @Test
  void rawLineIsBodyOnly() {
    Logs logs = Logs.of(List.of(resource(List.of(attr("service.name", "s")),
        record(1, SeverityNumber.SEVERITY_NUMBER_INFO, "INFO", "hello", attr("k", "v")))));
    assertThat(only(builder("format = raw").build(logs, new LineBuffer(64))).get(0).entries().get(0).line()).isEqualTo("hello");
  }

  @Test
  void otelcolHintsPromoteSanitisedLabelsAndStayOutOfTheLine() {
    Logs logs = Logs.of(List.of(resource(
        List.of(attr("service.name", "s"), attr("k8s.pod.name", "p-1"), attr("loki.resource.labels", "k8s.pod.name")),
        record(1, SeverityNumber.SEVERITY_NUMBER_INFO, "", "x",
            attr("http.status-code", 200), attr("9lives", "yes"), attr("loki.attribute.labels", "http.status-code, 9lives")))));
    List<StreamBuilder.Stream> streams = only(builder("labels.level = false").build(logs, new LineBuffer(64)));
    assertThat(streams.get(0).labels().toMap()).containsExactly(
        Map.entry("_9lives", "yes"), Map.entry("http_status_code", "200"),
        Map.entry("k8s_pod_name", "p-1"), Map.entry("service_name", "s"));
    assertThat(streams.get(0).entries().get(0).line()).isEqualTo("{\"body\":\"x\"}");
  }

  @Test
  void formatHintChoosesTheLineFormatPerResource() {
    Logs logs = Logs.of(List.of(
        resource(List.of(attr("service.name", "a"), attr("loki.format", "raw")),
            record(1, SeverityNumber.SEVERITY_NUMBER_INFO, "INFO", "plain")),
        resource(List.of(attr("service.name", "b")),
            record(2, SeverityNumber.SEVERITY_NUMBER_INFO, "INFO", "structured"))));
    List<StreamBuilder.Stream> streams = only(builder("format = logfmt").build(logs, new LineBuffer(64)));
    assertThat(streams).extracting(s -> s.entries().get(0).line())
        .containsExactly("plain", "severity=INFO msg=structured");
  }

  @Test
  void batchWithoutRecordsGivesNoStreams() {
    Logs logs = Logs.of(List.of(resource(List.of(attr("service.name", "a")))));
    assertThat(builder("").build(logs, new LineBuffer(64))).isEmpty();
  }

  @Test
  void levelFromSeverityNumberThenText() {
    assertThat(List.of(1, 5, 9, 13, 17, 21, 24)).map(n ->
            StreamBuilder.level(LogRecord.newBuilder().setSeverityNumberValue(n).build()))
        .containsExactly("trace", "debug", "info", "warn", "error", "fatal", "fatal");
    assertThat(List.of("WARNING", "Critical", "err", "notice")).map(t ->
            StreamBuilder.level(LogRecord.newBuilder().setSeverityText(t).build()))
        .containsExactly("warn", "fatal", "error", "unknown");
  }

  @Test
  void recordWithoutAnyLabelGetsTheFallbackLabel() {
    Logs logs = Logs.of(List.of(resource(List.of(), record(1, SeverityNumber.SEVERITY_NUMBER_INFO, "", "x"))));
    assertThat(only(builder("labels.level = false").build(logs, new LineBuffer(64))).get(0).labels().toMap())
        .isEqualTo(Map.of("exporter", "sluice"));
  }

  @Test
  void labelBeyondMaxValuesMovesToStructuredMetadataAndIsCounted() {
    List<LogRecord.Builder> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      records.add(record(i, SeverityNumber.SEVERITY_NUMBER_INFO, "", "r" + i, attr("user", "u" + i)));
    }
    Logs logs = Logs.of(List.of(resource(List.of(attr("service.name", "s")),
        records.toArray(LogRecord.Builder[]::new))));
    StreamBuilder b = builder("labels.attributes { user = user }\nmax_label_values = 3\nlabels.level = false");

    List<StreamBuilder.Stream> streams = only(b.build(logs, new LineBuffer(64)));

    assertThat(streams).extracting(s -> s.labels().get("user")).containsExactly("u0", "u1", "u2", null);
    StreamBuilder.Stream rest = streams.get(3);
    assertThat(rest.labels().toMap()).isEqualTo(Map.of("service_name", "s"));
    assertThat(rest.entries()).extracting(e -> e.metadata().get("user")).containsExactly("u3", "u4");
    assertThat(context.metric("sluice_exporter_loki_demoted_labels", "reason", "max_label_values")).isEqualTo(2);
    // values admitted in this window stay labels in later batches
    assertThat(only(b.build(logs, new LineBuffer(64)))).hasSize(4);
  }

  @Test
  void demotedLabelIsTheOneSentAsMetadataWhateverItsPlaceAmongTheLabels() {
    Logs logs = Logs.of(List.of(resource(List.of(),
        record(1, SeverityNumber.SEVERITY_NUMBER_INFO, "", "x", attr("a", "1"), attr("b", "1"), attr("c", "1")),
        record(2, SeverityNumber.SEVERITY_NUMBER_INFO, "", "y", attr("a", "1"), attr("b", "2"), attr("c", "1")))));
    StreamBuilder b = builder("labels.resource {}\nlabels.attributes { a = a, b = b, c = c }\n"
        + "max_label_values = 1\nlabels.level = false");

    List<StreamBuilder.Stream> streams = only(b.build(logs, new LineBuffer(64)));

    // b, the middle label, is refused: it (not its neighbour c) goes to structured metadata
    assertThat(streams).extracting(s -> s.labels().toMap()).containsExactly(
        Map.of("a", "1", "b", "1", "c", "1"), Map.of("a", "1", "c", "1"));
    assertThat(streams.get(1).entries().get(0).metadata()).isEqualTo(Map.of("b", "2"));
  }

  @Test
  void tooManyStreamsDemoteTheMostVariedLabel() {
    List<LogRecord.Builder> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(record(10 - i, SeverityNumber.SEVERITY_NUMBER_INFO, "", "r" + i,
          attr("request", "q" + i), attr("region", i % 2 == 0 ? "eu" : "us")));
    }
    Logs logs = Logs.of(List.of(resource(List.of(attr("service.name", "s")),
        records.toArray(LogRecord.Builder[]::new))));
    StreamBuilder b = builder("labels.attributes { request = request, region = region }\nmax_streams = 2\n"
        + "labels.level = false");

    List<StreamBuilder.Stream> streams = only(b.build(logs, new LineBuffer(64)));

    assertThat(streams).extracting(s -> s.labels().toMap()).containsExactly(
        Map.of("region", "eu", "service_name", "s"), Map.of("region", "us", "service_name", "s"));
    assertThat(streams.get(0).entries()).extracting(Entry::line)
        .containsExactly("{\"body\":\"r4\"}", "{\"body\":\"r2\"}", "{\"body\":\"r0\"}");
    assertThat(streams.get(0).entries()).extracting(e -> e.metadata().get("request"))
        .containsExactly("q4", "q2", "q0");
    assertThat(context.metric("sluice_exporter_loki_demoted_labels", "reason", "max_streams")).isEqualTo(6);
  }

  @Test
  void labelNamesAreSanitisedLikeLokiExpects() {
    assertThat(StreamBuilder.labelName("service.name")).isEqualTo("service_name");
    assertThat(StreamBuilder.labelName("1st-try")).isEqualTo("_1st_try");
    assertThat(StreamBuilder.labelName("")).isEqualTo("_");
    assertThat(Labels.of(Map.of("b", "say \"hi\"\\", "a", "x")).selector())
        .isEqualTo("{a=\"x\", b=\"say \\\"hi\\\"\\\\\"}");
  }
}
