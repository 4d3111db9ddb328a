package io.sluice.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.PipelineException;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.plugin.ComponentRegistry;
import io.sluice.core.telemetry.SelfMetrics;
import io.sluice.core.testing.TestComponents;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceTest {
  private static final ComponentRegistry REGISTRY = ComponentRegistry.of(TestComponents.factories());

  @BeforeEach
  void reset() {
    TestComponents.reset();
  }

  private static Service service(String hocon) {
    ConfigLoader.Loaded loaded = ConfigLoader.parseString(hocon, "test.conf");
    ServicePlan plan = ServicePlanner.plan(loaded.config(), REGISTRY);
    assertThat(plan.issues()).isEmpty();
    return new Service(plan, new SelfMetrics(), new StatusRegistry());
  }

  private static Traces spans(int n) {
    ScopeSpans.Builder s = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) {
      s.addSpans(Span.newBuilder().setName("s" + i));
    }
    return Traces.of(List.of(ResourceSpans.newBuilder().addScopeSpans(s).build()));
  }

  @Test
  void sharedReceiverFansOutToPipelinesAndExporters() throws Exception {
    Service service = service("""
        receivers { test_receiver {} }
        processors { test_processor { tag = a } }
        exporters { test_exporter {}, "test_exporter/b" {} }
        service.pipelines {
          traces { receivers = [test_receiver], processors = [test_processor], exporters = [test_exporter, test_exporter/b] }
          traces/second { receivers = [test_receiver], exporters = [test_exporter] }
        }
        """);
    service.start();
    assertThat(TestComponents.RECEIVERS).containsOnlyKeys("test_receiver");
    assertThat(TestComponents.EXPORTERS).containsOnlyKeys("test_exporter|traces", "test_exporter/b|traces");
    TestComponents.RECEIVERS.get("test_receiver").send(spans(3)).join();
    service.shutdown();
    assertThat(TestComponents.EXPORTERS.get("test_exporter|traces").received).hasSize(2);
    assertThat(TestComponents.EXPORTERS.get("test_exporter/b|traces").received).hasSize(1);
  }

  @Test
  void startsExportersFirstAndStopsReceiversFirst() throws Exception {
    Service service = service("""
        receivers { test_receiver {} }
        processors { test_processor { tag = a }, "test_processor/b" { tag = b } }
        exporters { test_exporter {} }
        service.pipelines.traces { receivers = [test_receiver], processors = [test_processor, test_processor/b], exporters = [test_exporter] }
        """);
    service.start();
    service.shutdown();
    service.shutdown();
    assertThat(TestComponents.EVENTS).containsExactly(
        "start exporter", "start processor b", "start processor a", "start receiver",
        "stop receiver", "stop processor a", "stop processor b", "stop exporter");
  }

  @Test
  void failingExporterRefusesRetryablyToTheReceiver() throws Exception {
    Service service = service("""
        receivers { test_receiver {} }
        exporters { test_exporter { sending_queue.enabled = false, retry_on_failure.enabled = false } }
        service.pipelines.traces { receivers = [test_receiver], exporters = [test_exporter] }
        """);
    service.start();
    TestComponents.EXPORTERS.get("test_exporter|traces").behaviour =
        d -> CompletableFuture.failedFuture(PipelineException.retryable("back end down"));
    CompletableFuture<Void> f = TestComponents.RECEIVERS.get("test_receiver").send(spans(1));
    assertThat(f).failsWithin(java.time.Duration.ofSeconds(10))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(PipelineException.class).withMessage("back end down");
    service.shutdown();
  }

  @Test
  void decisionsReachTheBridgeOfTheSamePipelineWhichFeedsItsPipelines() throws Exception {
    Service service = service("""
        receivers { test_receiver {} }
        processors { test_processor { tag = s }, "test_processor/bridge" { bridge = true, pipelines = [logs/decisions] } }
        exporters { test_exporter {} }
        service.pipelines {
          traces { receivers = [test_receiver], processors = [test_processor, test_processor/bridge], exporters = [test_exporter] }
          logs/decisions { exporters = [test_exporter] }
        }
        """);
    service.start();
    TestComponents.RECEIVERS.get("test_receiver").send(spans(2)).join();
    service.shutdown();
    assertThat(TestComponents.EXPORTERS.get("test_exporter|logs").received).hasSize(1);
    assertThat(TestComponents.EXPORTERS.get("test_exporter|logs").received.get(0).signal()).isEqualTo(Signal.LOGS);
  }

  @Test
  void pipelineFedByABridgeStartsBeforeAndStopsAfterTheBridge() throws Exception {
    Service service = service("""
        receivers { test_receiver {} }
        processors { "test_processor/bridge" { tag = bridge, pipelines = [logs/decisions] }, "test_processor/fed" { tag = fed } }
        exporters { test_exporter {} }
        service.pipelines {
          traces { receivers = [test_receiver], processors = [test_processor/bridge], exporters = [test_exporter] }
          logs/decisions { processors = [test_processor/fed], exporters = [test_exporter] }
        }
        """);
    service.start();
    service.shutdown();
    assertThat(TestComponents.EVENTS).containsSubsequence("start processor fed", "start processor bridge",
        "stop processor bridge", "stop processor fed");
  }
}
