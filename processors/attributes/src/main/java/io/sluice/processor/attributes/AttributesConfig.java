package io.sluice.processor.attributes;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigProblem;
import io.sluice.processor.attributes.internal.ActionConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the {@code attributes} processor, with the OpenTelemetry Collector's keys.
 *
 * @param actions {@code actions}: applied in order to every selected span, log record or metric
 *     data point; at least one
 * @param include {@code include}: when set, only matching items are changed
 * @param exclude {@code exclude}: when set, matching items are left alone
 */
public record AttributesConfig(List<ActionConfig> actions, MatchConfig include, MatchConfig exclude)
    implements ComponentConfig {

  /** No actions; the Collector likewise requires some. */
  public static final AttributesConfig DEFAULTS = new AttributesConfig(List.of(), null, null);

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>(ActionConfig.validateAll("actions", actions));
    if (include != null) {
      include.validate().forEach(p -> out.add(p.under("include")));
    }
    if (exclude != null) {
      exclude.validate().forEach(p -> out.add(p.under("exclude")));
    }
    return out;
  }
}
