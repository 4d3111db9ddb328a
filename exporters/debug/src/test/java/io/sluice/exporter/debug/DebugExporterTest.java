package io.sluice.exporter.debug;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentFactory;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class DebugExporterTest extends ComponentContractTest {
  private final DebugExporterFactory factory = new DebugExporterFactory();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void fullConfigBindsEveryKey() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "debug/detailed"))
        .isEqualTo(new DebugConfig(DebugConfig.Verbosity.DETAILED, 10, 5));
    var helper = ConfigTesting.loadExporterSettings(factory, "testdata/config.conf", "debug/detailed");
    assertThat(helper.sendingQueue().enabled()).isTrue();
    assertThat(helper.sendingQueue().queueSize()).isEqualTo(50);
    assertThat(helper.timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void defaultsHaveNoQueueAndNoRetryLikeOtelcol() {
    var helper = ConfigTesting.loadExporterSettings(factory, "testdata/config.conf", "debug");
    assertThat(helper.sendingQueue().enabled()).isFalse();
    assertThat(helper.retryOnFailure().enabled()).isFalse();
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }

  @Test
  void basicWritesCountsNormalWritesOneLinePerSpan() {
    Traces traces = traces("GET /checkout", "POST /pay");
    List<String> lines = new ArrayList<>();
    new DebugExporter("debug", new DebugConfig(DebugConfig.Verbosity.BASIC, 100, 1), Signal.TRACES, lines::add)
        .push(traces).join();
    new DebugExporter("debug", new DebugConfig(DebugConfig.Verbosity.NORMAL, 100, 1), Signal.TRACES, lines::add)
        .push(traces).join();
    assertThat(lines.get(0)).isEqualTo("debug traces: 2 spans");
    assertThat(lines.get(1).split("\n"))
        .containsExactly(
            "debug traces: 2 spans",
            "  GET /checkout 0102030405060708090a0b0c0d0e0f10 0102030405060708 {http.status_code=200}",
            "  POST /pay 0102030405060708090a0b0c0d0e0f10 0102030405060708 {http.status_code=200}");
  }

  @Test
  void detailedWritesOtlpJson() {
    List<String> lines = new ArrayList<>();
    new DebugExporter("debug", new DebugConfig(DebugConfig.Verbosity.DETAILED, 100, 1), Signal.TRACES, lines::add)
        .push(traces("GET /checkout")).join();
    assertThat(lines.get(0)).contains("\"name\": \"GET /checkout\"").contains("\"intValue\": \"200\"");
  }

  @Test
  void samplesAfterTheInitialBatchesOfASecond() {
    List<String> lines = new ArrayList<>();
    DebugExporter e = new DebugExporter("debug", new DebugConfig(DebugConfig.Verbosity.BASIC, 2, 1000), Signal.TRACES, lines::add);
    for (int i = 0; i < 50; i++) {
      e.push(traces("x")).join();
    }
    assertThat(lines.size()).isBetween(2, 6);
  }

  private static Traces traces(String... names) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (String n : names) {
      scope.addSpans(Span.newBuilder().setName(n)
          .setTraceId(ByteString.fromHex("0102030405060708090a0b0c0d0e0f10"))
          .setSpanId(ByteString.fromHex("0102030405060708"))
          .addAttributes(KeyValue.newBuilder().setKey("http.status_code").setValue(AnyValue.newBuilder().setIntValue(200))));
    }
    return Traces.of(List.of(ResourceSpans.newBuilder().addScopeSpans(scope).build()));
  }
}
