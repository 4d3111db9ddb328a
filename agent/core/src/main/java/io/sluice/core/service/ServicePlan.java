package io.sluice.core.service;

import com.typesafe.config.ConfigOrigin;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ExporterSettings;
import io.sluice.core.config.ConfigIssue;
import java.util.List;
import java.util.Map;

/**
 * A validated configuration: every component bound to its record, every pipeline resolved. Built
 * by {@link ServicePlanner}; what {@code sluice validate} checks and {@code sluice run} starts.
 *
 * @param components bound components by kind and id (in declaration order)
 * @param pipelines the pipelines in declaration order
 * @param extensions ids listed in {@code service.extensions}, in start order
 * @param settings the daemon's own settings
 * @param issues every problem found; the plan may only be run when empty
 */
public record ServicePlan(
    Map<ComponentKind, Map<ComponentId, Bound>> components,
    List<Pipeline> pipelines,
    List<ComponentId> extensions,
    ServiceSettings settings,
    List<ConfigIssue> issues) {

  /**
   * One declared component.
   *
   * @param exporterSettings the helper settings, for exporters; null otherwise
   */
  public record Bound(
      ComponentId id,
      ComponentKind kind,
      ComponentFactory<?> factory,
      ComponentConfig config,
      ExporterSettings exporterSettings,
      ConfigOrigin origin) {}

  /**
   * One pipeline, e.g. {@code traces/edge}.
   *
   * @param feeds pipelines its processors send into (the decision-log bridge)
   */
  public record Pipeline(
      String id,
      Signal signal,
      List<ComponentId> receivers,
      List<ComponentId> processors,
      List<ComponentId> exporters,
      List<String> feeds) {}

  /** Whether the plan has no problems. */
  public boolean ok() {
    return issues.isEmpty();
  }
}
