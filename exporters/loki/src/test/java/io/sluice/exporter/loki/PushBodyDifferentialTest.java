package io.sluice.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentKind;
import io.sluice.api.Logs;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.testing.TestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xerial.snappy.Snappy;

/**
 * The push bodies of {@link StreamBuilder} and {@link PushEncoder} against {@link ReferencePath},
 * the implementation they replaced, on generated batches: every AnyValue type in attributes and
 * bodies, several resources, scopes and tenants, label collisions, the otelcol hints, records
 * without timestamps, equal timestamps, unpaired surrogates, and a cardinality guard that demotes.
 * The protobuf bodies must be the same bytes as loki4j's {@code PushRequest.toByteArray()}.
 */
class PushBodyDifferentialTest {
  private static final long NOW = 1_750_000_000_123_456_789L;
  private static final int BATCHES = 150;

  /** The configurations compared, each with the protobuf and the JSON encoding. */
  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "format = logfmt",
      "format = raw\nlabels.level = false",
      "labels.attributes { user = user, region = region, r.egion = region }",
      "labels.resource { service.name = service_name, host.name = host, env = level }\n"
          + "structured_metadata = [user, trace.id, host.name, \"1st\", service.name]",
      "labels.attributes { user = user, request = request }\nmax_label_values = 3\nmax_streams = 4",
      "labels.attributes { user = user }\nmax_label_values = 2\nlabels.level = false\n"
          + "structured_metadata = [user]\ntenant_from_metadata = x-scope-orgid",
      "labels.resource {}\nlabels.level = false\nmax_streams = 1",
      "labels.resource { exporter = exporter }\nlabels.level = false\nmax_streams = 2",
  })
  void bodiesEqualThoseOfTheReplacedPath(String hocon) throws Exception {
    for (boolean json : new boolean[] {false, true}) {
      LokiExporterConfig config = config(hocon + (json ? "\nencoding = json" : ""));
      TestContext context = new TestContext("loki", ComponentKind.EXPORTER);
      StreamBuilder builder = new StreamBuilder(config, context.telemetry(), () -> NOW);
      ReferencePath reference = new ReferencePath(config, context.telemetry(), NOW);
      PushBuffers buffers = new PushBuffers();
      int entries = 0;
      for (int i = 0; i < BATCHES; i++) {
        Logs logs = batch(new SplittableRandom(hocon.hashCode() * 1000L + i));
        Map<String, byte[]> expected = reference.bodies(logs, json);
        Map<String, byte[]> actual = new LinkedHashMap<>();
        // one set of buffers for all batches, as the exporter reuses them
        builder.build(logs, buffers.lines).forEach((tenant, streams) -> actual.put(tenant,
            json ? PushEncoder.json(streams) : uncompress(PushEncoder.protobuf(streams, buffers))));
        assertThat(buffers.reset()).isTrue();

        assertThat(actual.keySet()).as("tenants of batch %d", i).containsExactlyElementsOf(expected.keySet());
        for (String tenant : expected.keySet()) {
          if (json) {
            assertThat(new String(actual.get(tenant), StandardCharsets.UTF_8)).as("batch %d", i)
                .isEqualTo(new String(expected.get(tenant), StandardCharsets.UTF_8));
          } else {
            PushRequest decoded = PushRequest.parseFrom(actual.get(tenant));
            assertThat(decoded).as("batch %d", i).isEqualTo(PushRequest.parseFrom(expected.get(tenant)));
            assertThat(actual.get(tenant)).as("batch %d", i).isEqualTo(expected.get(tenant));
            entries += decoded.getStreamsList().stream().mapToInt(s -> s.getEntriesCount()).sum();
          }
        }
        for (String reason : List.of("max_label_values", "max_streams")) {
          assertThat(context.metric("sluice_exporter_loki_demoted_labels", "reason", reason))
              .as("%s after batch %d", reason, i)
              .isEqualTo(context.metric("ref_demoted", "reason", reason));
        }
      }
      if (!json) {
        assertThat(entries).as("the batches are not all empty").isGreaterThan(BATCHES);
      }
    }
  }

  @Test
  void theGuardDemotesInSomeComparedBatches() throws Exception {
    LokiExporterConfig config = config("labels.attributes { user = user, request = request }\n"
        + "max_label_values = 3\nmax_streams = 4");
    TestContext context = new TestContext("loki", ComponentKind.EXPORTER);
    StreamBuilder builder = new StreamBuilder(config, context.telemetry(), () -> NOW);
    for (int i = 0; i < 20; i++) {
      builder.build(batch(new SplittableRandom(i)), new LineBuffer(64));
    }
    assertThat(context.metric("sluice_exporter_loki_demoted_labels", "reason", "max_label_values")).isPositive();
    assertThat(context.metric("sluice_exporter_loki_demoted_labels", "reason", "max_streams")).isPositive();
  }

  @Test
  void jsonStringEscapesAsTheCharacterAtATimeVersionDid() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5000; i++) {
      String s = text(random);
      assertThat(Json.string(new StringBuilder(), s).toString())
          .isEqualTo(ReferencePath.string(new StringBuilder(), s).toString());
    }
  }

  @Test
  void lineBufferEncodesAsStringGetBytesDoes() {
    SplittableRandom random = new SplittableRandom(11);
    LineBuffer lines = new LineBuffer(1);
    for (int i = 0; i < 5000; i++) {
      String s = text(random) + text(random);
      int start = lines.append(new StringBuilder(s));
      byte[] expected = s.getBytes(StandardCharsets.UTF_8);
      assertThat(lines.size() - start).isEqualTo(expected.length);
      assertThat(java.util.Arrays.copyOfRange(lines.bytes(), start, lines.size())).isEqualTo(expected);
    }
  }

  @Test
  void lineBufferWritesJsonStringsAsJsonStringThenGetBytesDoes() {
    SplittableRandom random = new SplittableRandom(13);
    LineBuffer lines = new LineBuffer(1);
    for (int i = 0; i < 5000; i++) {
      String s = text(random) + text(random);
      int start = lines.size();
      lines.appendJson(s);
      byte[] expected = ReferencePath.string(new StringBuilder(), s).toString().getBytes(StandardCharsets.UTF_8);
      assertThat(java.util.Arrays.copyOfRange(lines.bytes(), start, lines.size())).as("%s", s).isEqualTo(expected);
    }
  }

  private static byte[] uncompress(byte[] body) {
    try {
      return Snappy.uncompress(body);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static LokiExporterConfig config(String hocon) {
    ConfigObject section = ConfigFactory
        .parseString("endpoint = \"http://localhost:3100/loki/api/v1/push\"\n" + hocon).root();
    var r = ComponentBinding.bind(new LokiExporterFactory(), section, "exporters.loki", section.origin());
    assertThat(r.issues()).isEmpty();
    return r.value();
  }

  /** A batch of 0–3 resources of 1–2 scopes of 0–25 records, from a small pool of names. */
  static Logs batch(SplittableRandom random) {
    List<ResourceLogs> resources = new ArrayList<>();
    int n = random.nextInt(4);
    for (int r = 0; r < n; r++) {
      Resource.Builder resource = Resource.newBuilder();
      attributes(random, resource::addAttributes, random.nextInt(6), List.of(
          "service.name", "host.name", "env", "tenant.attr", "exporter", "user", "1st",
          "loki.resource.labels", "loki.tenant", "loki.format"));
      ResourceLogs.Builder rl = ResourceLogs.newBuilder().setResource(resource);
      for (int s = 1 + random.nextInt(2); s > 0; s--) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder()
            .setName(random.nextBoolean() ? "io.example" : "")
            .setVersion(random.nextBoolean() ? "1.0" : ""));
        for (int i = random.nextInt(26); i > 0; i--) {
          sl.addLogRecords(record(random));
        }
        rl.addScopeLogs(sl);
      }
      resources.add(rl.build());
    }
    Logs logs = Logs.of(resources);
    return random.nextBoolean() ? logs : logs.withMetadata(ClientMetadata.of(Map.of("x-scope-orgid", List.of(
        random.nextBoolean() ? "team-" + random.nextInt(2) : "")), null));
  }

  private static LogRecord record(SplittableRandom random) {
    LogRecord.Builder r = LogRecord.newBuilder();
    // few distinct times, so that ties (kept in batch order) are common
    switch (random.nextInt(4)) {
      case 0 -> { }
      case 1 -> r.setObservedTimeUnixNano(1_700_000_000_000_000_000L + random.nextInt(5));
      default -> r.setTimeUnixNano(1_700_000_000_000_000_000L + random.nextInt(5) * 999_999_999L);
    }
    if (random.nextBoolean()) {
      r.setSeverityNumberValue(random.nextInt(25));
    }
    if (random.nextBoolean()) {
      r.setSeverityText(List.of("INFO", "Warning", "crit", "err", "notice", "").get(random.nextInt(6)));
    }
    if (random.nextInt(5) > 0) {
      r.setBody(value(random, 2));
    }
    if (random.nextInt(3) > 0) {
      r.setTraceId(bytes(random, random.nextInt(4) == 0 ? 1 + random.nextInt(20) : 16));
    }
    if (random.nextInt(3) > 0) {
      r.setSpanId(bytes(random, 8));
    }
    attributes(random, r::addAttributes, random.nextInt(7), List.of(
        "user", "region", "r.egion", "request", "trace.id", "service.name", "http.status", "1st",
        "loki.attribute.labels"));
    return r.build();
  }

  private static void attributes(SplittableRandom random, java.util.function.Consumer<KeyValue> add, int n,
      List<String> names) {
    for (int i = 0; i < n; i++) {
      String name = names.get(random.nextInt(names.size()));
      AnyValue value = switch (name) {
        case "loki.resource.labels" -> string(random.nextBoolean() ? "host.name, user" : "env,,1st ");
        case "loki.attribute.labels" -> string(random.nextBoolean() ? "http.status" : "request, region");
        case "loki.tenant" -> string("tenant.attr");
        case "loki.format" -> string(List.of("json", "LOGFMT", "raw", "xml").get(random.nextInt(4)));
        case "user", "request", "region" -> random.nextInt(4) == 0 ? value(random, 1) : string("v" + random.nextInt(5));
        default -> value(random, 1);
      };
      add.accept(KeyValue.newBuilder().setKey(name).setValue(value).build());
    }
  }

  /** Any AnyValue, arrays and maps nested up to {@code depth}. */
  private static AnyValue value(SplittableRandom random, int depth) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (random.nextInt(depth > 0 ? 9 : 7)) {
      case 0 -> { }
      case 1, 2 -> v.setStringValue(text(random));
      case 3 -> v.setBoolValue(random.nextBoolean());
      case 4 -> v.setIntValue(random.nextLong(-1000, 1000));
      case 5 -> v.setDoubleValue(List.of(1.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300).get(random.nextInt(5)));
      case 6 -> v.setBytesValue(bytes(random, random.nextInt(5)));
      case 7 -> {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = random.nextInt(3); i > 0; i--) {
          a.addValues(value(random, depth - 1));
        }
        v.setArrayValue(a);
      }
      default -> {
        KeyValueList.Builder kvs = KeyValueList.newBuilder();
        for (int i = random.nextInt(3); i > 0; i--) {
          kvs.addValues(KeyValue.newBuilder().setKey(text(random)).setValue(value(random, depth - 1)));
        }
        v.setKvlistValue(kvs);
      }
    }
    return v.build();
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  /** Short text with quotes, escapes, control characters, multi-byte and broken UTF-16. */
  static String text(SplittableRandom random) {
    String[] pieces = {"a", "x y", "=", "\"", "\\", "\n", "\t", "\u0001", "é", "€", "😀", "\ud83d", "\ude00", "", "42"};
    StringBuilder sb = new StringBuilder();
    for (int i = random.nextInt(6); i > 0; i--) {
      sb.append(pieces[random.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

  private static ByteString bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }
}
