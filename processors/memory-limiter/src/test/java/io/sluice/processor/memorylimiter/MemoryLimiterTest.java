package io.sluice.processor.memorylimiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentKind;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.core.testing.TestContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class MemoryLimiterTest extends ComponentContractTest {
  private static final long MIB = 1024 * 1024;
  private final MemoryLimiterFactory factory = new MemoryLimiterFactory();
  private final TestContext context = new TestContext("memory_limiter", ComponentKind.PROCESSOR, "traces");
  private final AtomicLong used = new AtomicLong();
  private final AtomicInteger gcs = new AtomicInteger();
  private final CapturingConsumer out = new CapturingConsumer();

  @Override
  protected ComponentFactory<?> factory() {
    return factory;
  }

  @Test
  void defaultsAreValidAndLoadEveryOption() {
    assertThat(ConfigTesting.bindEmpty(factory)).isEqualTo(new MemoryLimiterConfig(
        Duration.ofSeconds(1), 0, 0, 80, 0, Duration.ofSeconds(10), Duration.ZERO));
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "memory_limiter/mib")).isEqualTo(
        new MemoryLimiterConfig(Duration.ofSeconds(5), 4000, 800, 0, 0, Duration.ofSeconds(30), Duration.ofSeconds(1)));
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "memory_limiter/percent")).isEqualTo(
        new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 75, 15, Duration.ofSeconds(10), Duration.ZERO));
  }

  @TestFactory
  Stream<DynamicTest> rejectsInvalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }

  private MemoryLimiter limiter(MemoryLimiterConfig config) {
    return new MemoryLimiter(context, config, Signal.TRACES, out,
        new MemoryLimiter.Memory(used::get, 1000 * MIB, gcs::incrementAndGet));
  }

  private static Traces spans(int n) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) {
      ss.addSpans(Span.newBuilder().setName("s" + i));
    }
    return Traces.of(List.of(ResourceSpans.newBuilder().addScopeSpans(ss).build()));
  }

  @Test
  void limitsAreComputedFromPercentagesOfTheMaxHeapOrMib() {
    MemoryLimiter pct = limiter(MemoryLimiterConfig.DEFAULTS);
    assertThat(pct.hardLimit()).isEqualTo(800 * MIB);
    assertThat(pct.softLimit()).as("spike defaults to 20% of the limit").isEqualTo(640 * MIB);
    MemoryLimiter mib = limiter(new MemoryLimiterConfig(Duration.ofSeconds(1), 500, 100, 80, 0, Duration.ofSeconds(10), Duration.ZERO));
    assertThat(mib.hardLimit()).isEqualTo(500 * MIB);
    assertThat(mib.softLimit()).isEqualTo(400 * MIB);
    MemoryLimiter spikePct = limiter(new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 50, 10, Duration.ofSeconds(10), Duration.ZERO));
    assertThat(spikePct.softLimit()).isEqualTo(400 * MIB);
  }

  @Test
  void refusesWithARetryableErrorAboveTheSoftLimitAndCountsIt() {
    MemoryLimiter m = limiter(MemoryLimiterConfig.DEFAULTS);
    used.set(500 * MIB);
    m.check();
    assertThat(m.consume(spans(3))).isCompleted();
    assertThat(out.itemCount()).isEqualTo(3);
    assertThat(gcs).hasValue(0);

    used.set(700 * MIB);
    m.check();
    CompletableFuture<Void> refused = m.consume(spans(4));
    assertThat(refused).isCompletedExceptionally();
    PipelineException e = PipelineException.from(refused.handle((v, t) -> t).join());
    assertThat(e.isRetryable()).isTrue();
    assertThat(e).hasMessage("data refused due to high memory usage");
    assertThat(out.itemCount()).isEqualTo(3);
    assertThat(context.metric("otelcol_processor_refused_spans", "processor", "memory_limiter")).isEqualTo(4);
    assertThat(context.metric("otelcol_processor_accepted_spans", "processor", "memory_limiter")).isEqualTo(3);
    assertThat(gcs).as("soft-limited: one GC, then at most every 10s").hasValue(1);
    m.check();
    assertThat(gcs).hasValue(1);

    used.set(100 * MIB);
    m.check();
    assertThat(m.consume(spans(1))).isCompleted();
  }

  @Test
  void asksForGcAboveTheHardLimitAtMostOncePerInterval() {
    MemoryLimiter m = limiter(new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 80, 0, Duration.ofHours(1), Duration.ZERO));
    used.set(900 * MIB);
    m.check();
    m.check();
    assertThat(gcs).as("min_gc_interval_when_hard_limited 0: every check").hasValue(2);
    MemoryLimiter rateLimited = limiter(new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 80, 0, Duration.ofHours(1), Duration.ofHours(1)));
    rateLimited.check();
    rateLimited.check();
    assertThat(gcs).hasValue(3);
    assertThat(rateLimited.consume(spans(1))).isCompletedExceptionally();
  }

  @Test
  void recoversWhenGcFreesMemory() {
    MemoryLimiter m = new MemoryLimiter(context, MemoryLimiterConfig.DEFAULTS, Signal.TRACES, out,
        new MemoryLimiter.Memory(used::get, 1000 * MIB, () -> used.set(200 * MIB)));
    used.set(900 * MIB);
    m.check();
    assertThat(m.consume(spans(1))).as("GC brought use below the soft limit").isCompleted();
  }
}
