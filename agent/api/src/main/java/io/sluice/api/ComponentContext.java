package io.sluice.api;

import java.util.Optional;

/** What the daemon gives a component when creating it. */
public interface ComponentContext {

  /** The component's id, e.g. {@code otlp/gateway}. */
  ComponentId id();

  /** The component's kind. */
  ComponentKind kind();

  /**
   * The pipeline this instance belongs to (processors: e.g. {@code traces/edge}); for receivers,
   * exporters and extensions, which may be shared, the empty string.
   */
  String pipeline();

  /** Self-metrics with this component's label added. */
  SelfTelemetry telemetry();

  /** Where processors report keep/drop decisions; {@link DecisionSink#NOOP} elsewhere. */
  DecisionSink decisionSink();

  /**
   * The entry consumer of another pipeline, e.g. {@code logs/decisions}, for components that feed
   * data into a pipeline of their own choosing (the decision-log bridge). Empty if there is no
   * such pipeline. The consumer may only be used after start.
   */
  Optional<DataConsumer> pipelineConsumer(String pipelineId);

  /**
   * A started extension by id, e.g. a {@code file_storage} for a persistent queue.
   *
   * @throws IllegalArgumentException if there is no such extension or it is not of that type
   */
  <T> T extension(ComponentId id, Class<T> type);

  /** Reports this component's health to the daemon (read by the {@code health_check}). */
  void reportStatus(HealthStatus status, String message);
}
