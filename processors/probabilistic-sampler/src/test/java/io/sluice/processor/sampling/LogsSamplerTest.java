package io.sluice.processor.sampling;

import static io.sluice.processor.sampling.SamplingTest.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.sluice.api.ComponentKind;
import io.sluice.api.Decision;
import io.sluice.api.Logs;
import io.sluice.api.Signal;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogsSamplerTest {
  private final TestContext context = new TestContext("probabilistic_sampler", ComponentKind.PROCESSOR, "logs");

  private LogsSampler sampler(SamplerConfig config) {
    return (LogsSampler) new ProbabilisticSamplerFactory().createProcessor(context, config, Signal.LOGS, new CapturingConsumer());
  }

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static KeyValue attr(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  private static LogRecord record(String traceId, String body, KeyValue... attributes) {
    LogRecord.Builder b = LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(body))
        .addAllAttributes(List.of(attributes));
    if (traceId != null) {
      b.setTraceId(hex(traceId));
    }
    return b.build();
  }

  private static Logs logs(LogRecord... records) {
    return Logs.of(List.of(ResourceLogs.newBuilder().setResource(TracesSamplerTest.resource("api"))
        .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))).build()));
  }

  private static List<LogRecord> records(Logs l) {
    List<LogRecord> out = new ArrayList<>();
    if (l != null) {
      l.resourceLogs().forEach(rl -> rl.getScopeLogsList().forEach(sl -> out.addAll(sl.getLogRecordsList())));
    }
    return out;
  }

  @Test
  void hashSeedByTraceIdKeepsTheSameTracesAsTheTracesSampler() {
    SamplerConfig config = new SamplerConfig(10, SamplerConfig.Mode.HASH_SEED, 0, true, 4, "traceID", "", "");
    Logs out = sampler(config).sample(logs(
        record("5b8efff798038103d269b633813fc60c", "a"), record("4bf92f3577b34da6a3ce929d0e0e4736", "b")));
    assertThat(records(out)).singleElement().isEqualTo(record("4bf92f3577b34da6a3ce929d0e0e4736", "b",
        attr("sampling.randomness", "fdc80d0b42008d"), attr("sampling.threshold", "e668")));
  }

  @Test
  void recordSourceHashesTheAttribute() {
    SamplerConfig config = new SamplerConfig(50, SamplerConfig.Mode.HASH_SEED, 0, true, 4, "record", "logID", "");
    List<LogRecord> in = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      in.add(record(null, "r" + i, attr("logID", "id-" + i)));
    }
    List<LogRecord> kept = records(sampler(config).sample(logs(in.toArray(LogRecord[]::new))));
    assertThat(kept.size()).isBetween(70, 130);
    for (LogRecord r : kept) {
      String id = LogsSampler.attribute(r, "logID").getStringValue();
      assertThat(Sampling.hashBucket(com.google.protobuf.ByteString.copyFromUtf8(id), 0)).isLessThan(8192);
    }
    assertThat(records(sampler(config).sample(logs(record(null, "no id")))))
        .as("no randomness: fail_closed drops").isEmpty();
  }

  @Test
  void samplingPriorityAttributeRaisesOrZeroesTheProbability() {
    SamplerConfig config = new SamplerConfig(1, SamplerConfig.Mode.PROPORTIONAL, 0, true, 4, "traceID", "", "prio");
    // low 56 bits 0x69b633813fc60c (R ~ 0.41 of 2^56): dropped at 1% (needs p >= 0.59), kept at 60% and 100%.
    String t = "5b8efff798038103d269b633813fc60c";
    Logs out = sampler(config).sample(logs(record(t, "default"), record(t, "half", attr("prio", 60)),
        record(t, "all", attr("prio", 100)), record("4bf92f3577b34da6a3ce929d0e0e4736", "zero", attr("prio", 0))));
    assertThat(records(out)).extracting(r -> r.getBody().getStringValue()).containsExactly("half", "all");
    assertThat(LogsSampler.attribute(records(out).get(0), "sampling.threshold").getStringValue()).isEqualTo("6666");
  }

  @Test
  void reportsDecisionsPerTrace() {
    context.recordDecisions();
    SamplerConfig config = new SamplerConfig(10, SamplerConfig.Mode.HASH_SEED, 0, true, 4, "traceID", "", "");
    sampler(config).sample(logs(record("5b8efff798038103d269b633813fc60c", "a"), record("5b8efff798038103d269b633813fc60c", "b")));
    assertThat(context.decisions()).singleElement().satisfies(d -> {
      assertThat(d.result()).isEqualTo(Decision.Result.DROPPED);
      assertThat(d.itemCount()).isEqualTo(2);
      assertThat(d.policy()).isEqualTo("hash_seed 10%");
    });
  }
}
