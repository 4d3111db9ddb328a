package io.sluice.core.testing;

import io.sluice.api.ComponentContext;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.HealthStatus;
import io.sluice.api.SelfTelemetry;
import io.sluice.core.telemetry.SelfMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ComponentContext} for unit tests: real self-metrics in a private registry (read them
 * with {@link #metric}), decisions recorded in {@link #decisions()}, pipelines and extensions
 * registered by the test.
 */
public final class TestContext implements ComponentContext {
  private final ComponentId id;
  private final ComponentKind kind;
  private final String pipeline;
  private final SelfMetrics metrics = new SelfMetrics();
  private final List<Decision> decisions = new CopyOnWriteArrayList<>();
  private final Map<String, DataConsumer> pipelines = new HashMap<>();
  private final Map<ComponentId, Object> extensions = new HashMap<>();
  private volatile HealthStatus status = HealthStatus.STARTING;
  private volatile boolean decisionsEnabled;
  private volatile DecisionSink decisionTarget;

  /** A context for component {@code id} of {@code kind}, in pipeline {@code pipeline}. */
  public TestContext(String id, ComponentKind kind, String pipeline) {
    this.id = ComponentId.parse(id);
    this.kind = kind;
    this.pipeline = pipeline;
  }

  /** A context outside any pipeline. */
  public TestContext(String id, ComponentKind kind) {
    this(id, kind, "");
  }

  /** Makes {@link #decisionSink()} enabled, recording into {@link #decisions()}. */
  public TestContext recordDecisions() {
    this.decisionsEnabled = true;
    return this;
  }

  /**
   * Makes {@link #decisionSink()} forward to {@code target} (e.g. a {@code decision_log} processor),
   * as the daemon wires a pipeline's processors to its bridge; nothing is recorded.
   */
  public TestContext forwardDecisions(DecisionSink target) {
    this.decisionTarget = target;
    return this;
  }

  /** Registers a pipeline's entry consumer for {@link #pipelineConsumer}. */
  public TestContext withPipeline(String pipelineId, DataConsumer consumer) {
    pipelines.put(pipelineId, consumer);
    return this;
  }

  /** Registers an extension for {@link #extension}. */
  public TestContext withExtension(String extensionId, Object extension) {
    extensions.put(ComponentId.parse(extensionId), extension);
    return this;
  }

  /** The sum of a self-metric's data points matching the label pairs (counters without _total). */
  public double metric(String name, String... labelPairs) {
    return metrics.value(name, labelPairs);
  }

  /** All self-metrics in Prometheus text format. */
  public String metricsText() {
    return metrics.scrapeText();
  }

  /** Decisions reported so far. */
  public List<Decision> decisions() {
    return decisions;
  }

  /** The last status the component reported. */
  public HealthStatus status() {
    return status;
  }

  @Override
  public ComponentId id() {
    return id;
  }

  @Override
  public ComponentKind kind() {
    return kind;
  }

  @Override
  public String pipeline() {
    return pipeline;
  }

  @Override
  public SelfTelemetry telemetry() {
    return metrics.forComponent(kind, id);
  }

  @Override
  public DecisionSink decisionSink() {
    DecisionSink target = decisionTarget;
    if (target != null) {
      return target;
    }
    return new DecisionSink() {
      @Override
      public boolean isEnabled() {
        return decisionsEnabled;
      }

      @Override
      public void report(Decision decision) {
        if (decisionsEnabled) {
          decisions.add(decision);
        }
      }
    };
  }

  @Override
  public Optional<DataConsumer> pipelineConsumer(String pipelineId) {
    return Optional.ofNullable(pipelines.get(pipelineId));
  }

  @Override
  public <T> T extension(ComponentId extensionId, Class<T> type) {
    Object e = extensions.get(extensionId);
    if (!type.isInstance(e)) {
      throw new IllegalArgumentException("no extension " + extensionId + " of type " + type.getSimpleName());
    }
    return type.cast(e);
  }

  @Override
  public void reportStatus(HealthStatus status, String message) {
    this.status = status;
  }
}
