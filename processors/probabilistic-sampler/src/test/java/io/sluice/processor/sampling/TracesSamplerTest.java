package io.sluice.processor.sampling;

import static io.sluice.processor.sampling.SamplingTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentKind;
import io.sluice.api.Decision;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TracesSamplerTest {
  private static final String T1 = "5b8efff798038103d269b633813fc60c";
  private static final String T2 = "0af7651916cd43dd8448eb211c80319c";
  private static final String T3 = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String T4 = "00000000000000000000000000000001";

  private final TestContext context =
      new TestContext("probabilistic_sampler/edge", ComponentKind.PROCESSOR, "traces/edge");

  private TracesSampler sampler(SamplerConfig config) {
    return (TracesSampler) new ProbabilisticSamplerFactory()
        .createProcessor(context, config, Signal.TRACES, new CapturingConsumer());
  }

  private static SamplerConfig hashSeed(double pct, long seed) {
    return new SamplerConfig(pct, SamplerConfig.Mode.HASH_SEED, seed, true, 4, "traceID", "", "");
  }

  private static SamplerConfig mode(SamplerConfig.Mode mode, double pct) {
    return new SamplerConfig(pct, mode, 0, true, 4, "traceID", "", "");
  }

  static Span span(String traceId, int n, String traceState, KeyValue... attributes) {
    return Span.newBuilder().setTraceId(hex(traceId))
        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) n}))
        .setName("op" + n).setTraceState(traceState).addAllAttributes(List.of(attributes)).build();
  }

  static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(service))).build();
  }

  static Traces traces(Span... spans) {
    return Traces.of(List.of(ResourceSpans.newBuilder().setResource(resource("checkout"))
        .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s"))
            .addAllSpans(List.of(spans)))
        .build()));
  }

  private static List<Span> spans(Traces t) {
    List<Span> out = new ArrayList<>();
    if (t != null) {
      t.resourceSpans().forEach(rs -> rs.getScopeSpansList().forEach(ss -> out.addAll(ss.getSpansList())));
    }
    return out;
  }

  private static KeyValue priority(long v) {
    return KeyValue.newBuilder().setKey("sampling.priority").setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  @Test
  void hashSeedGoldenOutputMatchesTheCollector() {
    Traces out = sampler(hashSeed(10, 0)).sample(traces(span(T1, 1, ""), span(T2, 2, ""), span(T3, 3, ""), span(T4, 4, "")));
    assertThat(out).isEqualTo(traces(span(T3, 3, "ot=rv:fdc80d0b42008d;th:e668")));

    Traces seeded = sampler(hashSeed(10, 22)).sample(traces(span(T1, 1, ""), span(T2, 2, ""), span(T3, 3, ""), span(T4, 4, "vendor=a")));
    assertThat(seeded).isEqualTo(traces(span(T2, 2, "ot=rv:f984040d03019e;th:e668")));
  }

  @Test
  void proportionalWritesThresholdNextToExplicitRandomness() {
    Traces out = sampler(mode(SamplerConfig.Mode.PROPORTIONAL, 50))
        .sample(traces(span(T1, 1, "ot=th:0;rv:9b8233f7e3a151,vendor=x")));
    assertThat(spans(out)).extracting(Span::getTraceState).containsExactly("ot=rv:9b8233f7e3a151;th:8,vendor=x");
  }

  @Test
  void proportionalMultipliesAndEqualizingKeepsTheLowerArrivingProbability() {
    // Randomness 0xf0000000000000 passes both 25% (th c) and 12.5% (th e).
    String ts = "ot=th:c;rv:f0000000000000";
    assertThat(spans(sampler(mode(SamplerConfig.Mode.PROPORTIONAL, 50)).sample(traces(span(T1, 1, ts)))))
        .extracting(Span::getTraceState).containsExactly("ot=rv:f0000000000000;th:e");
    assertThat(spans(sampler(mode(SamplerConfig.Mode.EQUALIZING, 50)).sample(traces(span(T1, 1, ts)))))
        .extracting(Span::getTraceState).containsExactly(ts.replace("th:c;rv:f0000000000000", "rv:f0000000000000;th:c"));
    // Randomness from the trace id's low 56 bits when there is no rv: 0xce929d0e0e4736 >= th 8.
    assertThat(spans(sampler(mode(SamplerConfig.Mode.PROPORTIONAL, 50)).sample(traces(span(T3, 1, "")))))
        .extracting(Span::getTraceState).containsExactly("ot=th:8");
  }

  @Test
  void keptSpansThatDoNotChangeAreNotCopied() {
    Traces in = traces(span(T3, 1, "ot=th:0"), span(T2, 2, "ot=th:0"));
    assertThat(sampler(mode(SamplerConfig.Mode.PROPORTIONAL, 100)).sample(in)).isSameAs(in);

    Span unchanged = span(T3, 1, "ot=th:8");
    Traces mixed = traces(unchanged, span(T1, 2, "ot=th:8"));
    // T1's low 56 bits 0x69b633813fc60c are below th 8: dropped; T3 kept as the same object.
    Traces out = sampler(mode(SamplerConfig.Mode.EQUALIZING, 50)).sample(mixed);
    assertThat(spans(out)).hasSize(1);
    assertThat(spans(out).get(0)).isSameAs(unchanged);
  }

  @Test
  void samplingPriorityOverridesTheDecision() {
    Traces out = sampler(hashSeed(10, 0)).sample(traces(
        span(T3, 1, "", priority(0)), span(T3, 2, ""), span(T1, 3, "", priority(1))));
    assertThat(spans(out)).extracting(Span::getName).containsExactly("op2", "op3");
    assertThat(spans(out).get(1).getTraceState()).isEqualTo("ot=rv:a480091545d6df;th:0");
  }

  @Test
  void failClosedDropsItemsWithoutRandomnessAndFailOpenKeepsThem() {
    String zero = "00000000000000000000000000000000";
    assertThat(sampler(hashSeed(10, 0)).sample(traces(span(zero, 1, "")))).isNull();
    assertThat(sampler(mode(SamplerConfig.Mode.PROPORTIONAL, 10)).sample(traces(span(zero, 1, "")))).isNull();
    SamplerConfig open = new SamplerConfig(10, SamplerConfig.Mode.HASH_SEED, 0, false, 4, "traceID", "", "");
    assertThat(spans(sampler(open).sample(traces(span(zero, 1, ""))))).hasSize(1);
    // hash_seed refuses data that already carries OTel sampling information (the Collector's rule).
    assertThat(sampler(hashSeed(100, 0)).sample(traces(span(T3, 1, "ot=th:0")))).isNull();
  }

  @Test
  void zeroPercentKeepsNothingButPriority() {
    Traces out = sampler(hashSeed(0, 0)).sample(traces(span(T3, 1, ""), span(T1, 2, "", priority(5))));
    assertThat(spans(out)).extracting(Span::getName).containsExactly("op2");
    assertThat(spans(out).get(0).getTraceState()).isEqualTo("ot=th:0");
  }

  @Test
  void keptFractionOf100kRandomTracesIsWithinThreeSigma() {
    Random random = new Random(42);
    for (SamplerConfig config : List.of(hashSeed(10, 0), hashSeed(10, 1234), mode(SamplerConfig.Mode.PROPORTIONAL, 10))) {
      TracesSampler s = sampler(config);
      int n = 100_000;
      int kept = 0;
      for (int batch = 0; batch < n / 1000; batch++) {
        Span[] spans = new Span[1000];
        for (int i = 0; i < spans.length; i++) {
          byte[] id = new byte[16];
          random.nextBytes(id);
          spans[i] = Span.newBuilder().setTraceId(ByteString.copyFrom(id)).setName("x").build();
        }
        kept += spans(s.sample(traces(spans))).size();
      }
      double p = config.mode() == SamplerConfig.Mode.HASH_SEED ? 1638 / 16384.0 : 0.1;
      double sigma = Math.sqrt(p * (1 - p) / n);
      assertThat((double) kept / n).as("kept fraction for %s", config).isBetween(p - 3 * sigma, p + 3 * sigma);
    }
  }

  @Test
  void spansOfATraceSplitOverRequestsGetTheSameDecision() {
    Random random = new Random(7);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      ids.add(java.util.HexFormat.of().formatHex(id));
    }
    for (SamplerConfig config : List.of(hashSeed(10, 0), mode(SamplerConfig.Mode.PROPORTIONAL, 10))) {
      List<Set<ByteString>> keptPerRequest = new ArrayList<>();
      for (int part = 0; part < 3; part++) {
        // A fresh instance per request: the decision may not depend on state or instance.
        TracesSampler s = sampler(config);
        int p = part;
        Traces out = s.sample(traces(ids.stream().map(id -> span(id, p, "")).toArray(Span[]::new)));
        Set<ByteString> kept = new HashSet<>();
        spans(out).forEach(sp -> kept.add(sp.getTraceId()));
        keptPerRequest.add(kept);
      }
      assertThat(keptPerRequest.get(0)).isNotEmpty().isEqualTo(keptPerRequest.get(1)).isEqualTo(keptPerRequest.get(2));
    }
  }

  @Test
  void fastPathForSpansWithoutTracestateDecidesLikeTheFullPath() {
    Random random = new Random(11);
    for (SamplerConfig.Mode m : SamplerConfig.Mode.values()) {
      SamplerConfig config = new SamplerConfig(30, m, 99, true, 4, "traceID", "", "");
      Span[] plain = new Span[500];
      Span[] withVendor = new Span[500];
      for (int i = 0; i < plain.length; i++) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        String hex = java.util.HexFormat.of().formatHex(id);
        plain[i] = span(hex, i, "");
        withVendor[i] = span(hex, i, "zz=1");
      }
      List<Span> fast = spans(sampler(config).sample(traces(plain)));
      List<Span> full = spans(sampler(config).sample(traces(withVendor)));
      assertThat(fast).as("mode %s", m).hasSameSizeAs(full).isNotEmpty();
      for (int i = 0; i < fast.size(); i++) {
        assertThat(fast.get(i).getTraceId()).isEqualTo(full.get(i).getTraceId());
        assertThat(fast.get(i).getTraceState() + ",zz=1").isEqualTo(full.get(i).getTraceState());
      }
    }
  }

  @Test
  void reportsOneDecisionPerTracePerBatch() {
    context.recordDecisions();
    sampler(hashSeed(10, 0)).sample(traces(span(T3, 1, ""), span(T1, 2, ""), span(T3, 3, ""), span(T1, 4, "")));

    List<Decision> decisions = context.decisions();
    assertThat(decisions).hasSize(2);
    Decision kept = decisions.get(0);
    assertThat(kept.component()).hasToString("probabilistic_sampler/edge");
    assertThat(kept.pipeline()).isEqualTo("traces/edge");
    assertThat(kept.result()).isEqualTo(Decision.Result.KEPT);
    assertThat(kept.policy()).isEqualTo("hash_seed 10%");
    assertThat(kept.traceId()).isEqualTo(hex(T3));
    assertThat(kept.spanId()).isEqualTo(span(T3, 1, "").getSpanId());
    assertThat(kept.itemCount()).isEqualTo(2);
    assertThat(kept.resource()).isEqualTo(resource("checkout"));
    assertThat(kept.timeUnixNano()).isPositive();
    assertThat(kept.attributes()).isEqualTo(Map.of("sampling.probability", 1638 / 16384.0));
    Decision dropped = decisions.get(1);
    assertThat(dropped.result()).isEqualTo(Decision.Result.DROPPED);
    assertThat(dropped.traceId()).isEqualTo(hex(T1));
    assertThat(dropped.itemCount()).isEqualTo(2);
    assertThat(context.metric("otelcol_processor_probabilistic_sampler_count_traces_sampled",
        "policy", "trace_id_hash", "sampled", "false")).isEqualTo(2);
  }

  @Test
  void consecutiveAndScatteredSpansOfATraceCountTowardsOneDecision() {
    context.recordDecisions();
    sampler(hashSeed(10, 0)).sample(traces(span(T3, 1, ""), span(T3, 2, ""), span(T1, 3, ""),
        span(T3, 4, ""), span(T1, 5, ""), span(T1, 6, "")));

    assertThat(context.decisions()).extracting(Decision::traceId, Decision::itemCount)
        .containsExactly(tuple(hex(T3), 3), tuple(hex(T1), 3));
  }

  @Test
  void consistentModesReportTheThreshold() {
    context.recordDecisions();
    sampler(mode(SamplerConfig.Mode.PROPORTIONAL, 10)).sample(traces(span(T3, 1, "")));
    assertThat(context.decisions()).singleElement().satisfies(d -> {
      assertThat(d.policy()).isEqualTo("proportional 10%");
      assertThat(d.attributes()).isEqualTo(Map.of("sampling.threshold", "e666"));
    });
  }

  @Test
  void noDecisionsAreBuiltWithoutAListener() {
    sampler(hashSeed(10, 0)).sample(traces(span(T3, 1, "")));
    assertThat(context.decisions()).isEmpty();
  }
}
