package io.sluice.processor.decisionlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.Logs;
import io.sluice.api.PipelineException;
import io.sluice.api.Processor;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.core.testing.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class DecisionLogProcessorTest extends ComponentContractTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final Resource APP = Resource.newBuilder()
      .addAttributes(kv("service.name", str("checkout"))).build();

  private final DecisionLogFactory factory = new DecisionLogFactory();
  private final CapturingConsumer decisions = new CapturingConsumer();
  private final CapturingConsumer next = new CapturingConsumer();
  private TestContext context;

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Override
  protected TestContext context(Signal signal) {
    return super.context(signal).withPipeline("logs/decisions", decisions);
  }

  @Test
  void emptyConfigIsDefaults() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "decision_log"))
        .isEqualTo(factory.defaultConfig());
  }

  @Test
  void fullConfigBindsEveryKey() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "decision_log/full"))
        .isEqualTo(new DecisionLogConfig(
            List.of("logs/decisions", "logs/audit"),
            List.of(Decision.Result.KEPT, Decision.Result.DROPPED),
            25,
            List.of("decision", "authz.decision"),
            true,
            500,
            Duration.ofSeconds(1),
            100));
  }

  @TestFactory
  Stream<DynamicTest> invalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }

  @Test
  void feedsTheConfiguredPipelines() {
    assertThat(factory.feedsPipelines(config("pipelines = [\"logs/a\", \"logs/b\"]")))
        .containsExactly("logs/a", "logs/b");
  }

  private static DecisionLogConfig config(String hocon) {
    ConfigObject section = ConfigFactory.parseString(hocon).root();
    var r = ComponentBinding.bind(new DecisionLogFactory(), section, "processors.decision_log", section.origin());
    assertThat(r.issues()).isEmpty();
    return r.value();
  }

  private Processor start(String hocon, Signal signal, DataConsumer target) throws Exception {
    context = new TestContext("decision_log", ComponentKind.PROCESSOR, signal.configName() + "/edge")
        .withPipeline("logs/decisions", target);
    Processor p = factory.createProcessor(context, config(hocon), signal, next);
    p.start();
    return p;
  }

  private static Decision decision(String traceHex, Decision.Result result) {
    return new Decision(
        ComponentId.parse("probabilistic_sampler/edge"),
        "traces/edge",
        result,
        "hash_seed 10%",
        ByteString.fromHex(traceHex),
        ByteString.fromHex(SPAN),
        APP,
        3,
        1_700_000_000_000_000_000L,
        Map.of("sampling.probability", 0.1));
  }

  private List<LogRecord> records(CapturingConsumer c) {
    List<LogRecord> out = new ArrayList<>();
    for (TelemetryData d : c.received()) {
      for (ResourceLogs rl : ((Logs) d).resourceLogs()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          out.addAll(sl.getLogRecordsList());
        }
      }
    }
    return out;
  }

  @Test
  void droppedDecisionBecomesGoldenRecord() throws Exception {
    Processor p = start("", Signal.TRACES, decisions);
    assertThat(p).isInstanceOf(DecisionSink.class);
    ((DecisionSink) p).report(decision(TRACE, Decision.Result.DROPPED));
    p.shutdown();

    assertThat(decisions.received()).hasSize(1);
    ResourceLogs rl = ((Logs) decisions.received().get(0)).resourceLogs().get(0);
    assertThat(rl.getResource()).isEqualTo(APP);
    assertThat(rl.getScopeLogs(0).getScope().getName()).isEqualTo("io.sluice.processor.decisionlog");
    LogRecord r = rl.getScopeLogs(0).getLogRecords(0);
    assertThat(r.getObservedTimeUnixNano()).isPositive();
    assertThat(r.toBuilder().clearObservedTimeUnixNano().build()).isEqualTo(LogRecord.newBuilder()
        .setTimeUnixNano(1_700_000_000_000_000_000L)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
        .setSeverityText("INFO")
        .setTraceId(ByteString.fromHex(TRACE))
        .setSpanId(ByteString.fromHex(SPAN))
        .setBody(str("trace 4bf92f… dropped by probabilistic_sampler/edge: hash_seed 10%"))
        .addAttributes(kv("decision.component", str("probabilistic_sampler/edge")))
        .addAttributes(kv("decision.pipeline", str("traces/edge")))
        .addAttributes(kv("decision.result", str("dropped")))
        .addAttributes(kv("decision.policy", str("hash_seed 10%")))
        .addAttributes(kv("sampling.probability", AnyValue.newBuilder().setDoubleValue(0.1).build()))
        .addAttributes(kv("decision.span_count", AnyValue.newBuilder().setIntValue(3).build()))
        .build());
    assertThat(context.metric("sluice_processor_decision_log_emitted_records")).isEqualTo(1);
  }

  @Test
  void recordsOfOneKindShareTheirPartsAndRecordsOfAnotherKindDoNot() throws Exception {
    Processor p = start("", Signal.TRACES, decisions);
    DecisionSink sink = (DecisionSink) p;
    sink.report(decision(TRACE, Decision.Result.DROPPED));
    sink.report(decision("0af7651916cd43dd8448eb211c80319c", Decision.Result.DROPPED));
    sink.report(new Decision(ComponentId.parse("probabilistic_sampler/edge"), "traces/edge",
        Decision.Result.DROPPED, "proportional 25%", ByteString.fromHex("ff0102030405060708090a0b0c0d0e0f"),
        ByteString.EMPTY, APP, 7, 1_700_000_000_000_000_000L, Map.of("sampling.threshold", "c")));
    p.shutdown();

    List<LogRecord> records = records(decisions);
    assertThat(records).extracting(r -> r.getBody().getStringValue()).containsExactly(
        "trace 4bf92f… dropped by probabilistic_sampler/edge: hash_seed 10%",
        "trace 0af765… dropped by probabilistic_sampler/edge: hash_seed 10%",
        "trace ff0102… dropped by probabilistic_sampler/edge: proportional 25%");
    assertThat(records).extracting(r -> r.getTraceId().toByteArray()[0]).containsExactly((byte) 0x4b, (byte) 0x0a, (byte) 0xff);
    assertThat(records.get(1).getAttributesList()).isEqualTo(records.get(0).getAttributesList());
    assertThat(records.get(2).getAttributesList()).extracting(KeyValue::getKey).containsExactly(
        "decision.component", "decision.pipeline", "decision.result", "decision.policy", "sampling.threshold",
        "decision.span_count");
    assertThat(records.get(2).getAttributes(3).getValue().getStringValue()).isEqualTo("proportional 25%");
    assertThat(records.get(2).getAttributes(4).getValue().getStringValue()).isEqualTo("c");
    assertThat(records.get(2).getAttributes(5).getValue().getIntValue()).isEqualTo(7);
  }

  @Test
  void aBatchOfDecisionsIsRecordedLikeSingleOnesWithOneObservedTime() throws Exception {
    Processor p = start("", Signal.TRACES, decisions);
    ((DecisionSink) p).reportAll(List.of(
        decision(TRACE, Decision.Result.DROPPED),
        decision(TRACE, Decision.Result.KEPT),
        decision("0af7651916cd43dd8448eb211c80319c", Decision.Result.DROPPED)));
    p.shutdown();

    List<LogRecord> records = records(decisions);
    assertThat(records).extracting(r -> r.getBody().getStringValue()).containsExactly(
        "trace 4bf92f… dropped by probabilistic_sampler/edge: hash_seed 10%",
        "trace 0af765… dropped by probabilistic_sampler/edge: hash_seed 10%");
    assertThat(records.get(1).getObservedTimeUnixNano()).isEqualTo(records.get(0).getObservedTimeUnixNano());
    assertThat(context.metric("sluice_processor_decision_log_skipped_decisions", "reason", "not_recorded"))
        .isEqualTo(1);
  }

  @Test
  void recordsOnlyConfiguredResultsAndCountsTheRest() throws Exception {
    Processor p = start("", Signal.TRACES, decisions);
    DecisionSink sink = (DecisionSink) p;
    sink.report(decision(TRACE, Decision.Result.KEPT));
    sink.report(decision(TRACE, Decision.Result.DROPPED));
    sink.report(decision(TRACE, Decision.Result.KEPT));
    p.shutdown();

    assertThat(records(decisions)).extracting(r -> r.getAttributes(2).getValue().getStringValue())
        .containsExactly("dropped");
    assertThat(context.metric("sluice_processor_decision_log_skipped_decisions", "reason", "not_recorded"))
        .isEqualTo(2);
  }

  @Test
  void ownSamplingIsPerTraceAndNearItsPercentage() throws Exception {
    Processor p = start("record = [kept, dropped]\nsampling_percentage = 20", Signal.TRACES, decisions);
    DecisionSink sink = (DecisionSink) p;
    java.util.Random random = new java.util.Random(7);
    int traces = 2000;
    for (int i = 0; i < traces; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      String hex = HexFormat.of().formatHex(id);
      sink.report(decision(hex, Decision.Result.KEPT));
      sink.report(decision(hex, Decision.Result.DROPPED));
    }
    p.shutdown();

    Map<ByteString, Long> perTrace = records(decisions).stream().collect(
        java.util.stream.Collectors.groupingBy(LogRecord::getTraceId, java.util.stream.Collectors.counting()));
    assertThat(perTrace.values()).containsOnly(2L);
    // 20% of 2000 = 400, standard deviation ~17.9: within 4 sigma
    assertThat(perTrace.size()).isBetween(328, 472);
    assertThat(context.metric("sluice_processor_decision_log_skipped_decisions", "reason", "sampled_out"))
        .isEqualTo(2.0 * (traces - perTrace.size()));
  }

  @Test
  void fullBufferDropsAndCounts() throws Exception {
    CompletableFuture<Void> never = new CompletableFuture<>();
    List<TelemetryData> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    Processor p = start("buffer_size = 3\nflush_size = 3\nflush_interval = 1h", Signal.TRACES, d -> {
      got.add(d);
      return never;
    });
    DecisionSink sink = (DecisionSink) p;
    for (int i = 0; i < 3; i++) {
      sink.report(decision(TRACE, Decision.Result.DROPPED));
    }
    // the first three are flushed (flush_size) into a pipeline that never answers
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (got.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(got).hasSize(1);
    for (int i = 0; i < 5; i++) {
      sink.report(decision(TRACE, Decision.Result.DROPPED));
    }
    assertThat(context.metric("sluice_processor_decision_log_dropped_records", "reason", "buffer_full"))
        .isEqualTo(2);
    never.complete(null);
    p.shutdown();
    assertThat(got).hasSize(2);
    assertThat(got.get(1).itemCount()).isEqualTo(3);
    assertThat(context.metric("sluice_processor_decision_log_emitted_records")).isEqualTo(6);
  }

  @Test
  void refusedByLogsPipelineIsCountedAsDropped() throws Exception {
    Processor p = start("", Signal.TRACES,
        d -> CompletableFuture.failedFuture(PipelineException.permanent("no")));
    ((DecisionSink) p).report(decision(TRACE, Decision.Result.DROPPED));
    p.shutdown();
    assertThat(context.metric("sluice_processor_decision_log_dropped_records", "reason", "downstream"))
        .isEqualTo(1);
    assertThat(context.metric("sluice_processor_decision_log_emitted_records")).isZero();
  }

  @Test
  void missingPipelineFailsStart() {
    TestContext ctx = new TestContext("decision_log", ComponentKind.PROCESSOR, "traces/edge");
    Processor p = factory.createProcessor(ctx, config("pipelines = [\"logs/nope\"]"), Signal.TRACES, next);
    org.assertj.core.api.Assertions.assertThatThrownBy(p::start)
        .hasMessage("decision_log decision_log: pipeline \"logs/nope\" does not exist "
            + "(expected: a logs pipeline declared under service.pipelines)");
    p.shutdown();
  }

  @Test
  void applicationDecisionsInSpansBecomeRecordsAndDataPassesUnchanged() throws Exception {
    Span withEvent = Span.newBuilder()
        .setTraceId(ByteString.fromHex(TRACE)).setSpanId(ByteString.fromHex(SPAN)).setName("authorize")
        .setStartTimeUnixNano(100).setEndTimeUnixNano(900)
        .addEvents(Span.Event.newBuilder().setName("decision").setTimeUnixNano(500)
            .addAttributes(kv("policy_id", str("p-7"))).addAttributes(kv("decision_result", str("deny"))))
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(600))
        .build();
    Span withAttribute = Span.newBuilder()
        .setTraceId(ByteString.fromHex(TRACE)).setSpanId(ByteString.fromHex("1111111111111111")).setName("alert")
        .setStartTimeUnixNano(1000).setEndTimeUnixNano(2000)
        .addAttributes(kv("decision.result", str("suppressed"))).addAttributes(kv("rule", str("r1")))
        .build();
    Span plain = Span.newBuilder().setTraceId(ByteString.fromHex(TRACE)).setName("db").build();
    Traces traces = Traces.of(List.of(ResourceSpans.newBuilder().setResource(APP)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(withEvent).addSpans(withAttribute).addSpans(plain))
        .build()));

    Processor p = start("", Signal.TRACES, decisions);
    p.consume(traces).join();
    p.shutdown();

    assertThat(next.received()).containsExactly(traces);
    List<LogRecord> recs = records(decisions);
    assertThat(recs).hasSize(2);
    assertThat(recs.get(0).getTraceId()).isEqualTo(ByteString.fromHex(TRACE));
    assertThat(recs.get(0).getSpanId()).isEqualTo(ByteString.fromHex(SPAN));
    assertThat(recs.get(0).getTimeUnixNano()).isEqualTo(500);
    assertThat(recs.get(0).getAttributesList()).isEqualTo(withEvent.getEvents(0).getAttributesList());
    assertThat(recs.get(0).getBody().getStringValue())
        .isEqualTo("trace 4bf92f… decision on span \"authorize\": policy_id=p-7, decision_result=deny");
    assertThat(recs.get(1).getSpanId()).isEqualTo(ByteString.fromHex("1111111111111111"));
    assertThat(recs.get(1).getTimeUnixNano()).isEqualTo(2000);
    assertThat(recs.get(1).getAttributesList()).isEqualTo(withAttribute.getAttributesList());
    assertThat(recs.get(1).getBody().getStringValue())
        .isEqualTo("trace 4bf92f… decision on span \"alert\": decision.result=suppressed");
    assertThat(((Logs) decisions.received().get(0)).resourceLogs().get(0).getResource()).isEqualTo(APP);
  }

  @Test
  void decisionLogRecordsAreCopiedOnlyWithCopyLogs() throws Exception {
    LogRecord decided = LogRecord.newBuilder().setBody(str("denied"))
        .setTraceId(ByteString.fromHex(TRACE)).addAttributes(kv("decision.result", str("deny"))).build();
    LogRecord other = LogRecord.newBuilder().setBody(str("hello")).build();
    Logs logs = Logs.of(List.of(ResourceLogs.newBuilder().setResource(APP)
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(decided).addLogRecords(other)).build()));

    Processor off = start("", Signal.LOGS, decisions);
    off.consume(logs).join();
    off.shutdown();
    assertThat(decisions.received()).isEmpty();

    Processor on = start("copy_logs = true", Signal.LOGS, decisions);
    on.consume(logs).join();
    on.shutdown();
    assertThat(records(decisions)).containsExactly(decided);
    assertThat(next.received()).containsExactly(logs, logs);
  }

  @Test
  void logsPipelineDecisionsCountLogRecords() throws Exception {
    Processor p = start("", Signal.LOGS, decisions);
    ((DecisionSink) p).report(decision(TRACE, Decision.Result.DROPPED));
    p.shutdown();
    assertThat(records(decisions).get(0).getAttributesList())
        .extracting(KeyValue::getKey).contains("decision.log_record_count").doesNotContain("decision.span_count");
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }
}
