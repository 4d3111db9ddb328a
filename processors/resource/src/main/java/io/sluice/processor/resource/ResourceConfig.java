package io.sluice.processor.resource;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.processor.attributes.internal.ActionConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Configuration of the {@code resource} processor: the OpenTelemetry Collector's {@code
 * attributes} actions, plus Sluice's detectors (from the Collector's {@code resourcedetection}).
 *
 * @param attributes {@code attributes}: actions applied to every resource, after detection
 * @param detectors {@code detectors}, default none: {@code env}, {@code host}, {@code system}
 * @param override {@code override}, default true: detected values replace existing ones
 */
public record ResourceConfig(List<ActionConfig> attributes, List<String> detectors, boolean override)
    implements ComponentConfig {

  /** No actions, no detectors. */
  public static final ResourceConfig DEFAULTS = new ResourceConfig(List.of(), List.of(), true);

  /** The known detectors. */
  static final List<String> DETECTORS = List.of("env", "host", "system");

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>(ActionConfig.validateAll("attributes", attributes));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < detectors.size(); i++) {
      ConfigChecks.oneOf(out, "detectors[" + i + "]", detectors.get(i), DETECTORS);
      if (!seen.add(detectors.get(i))) {
        out.add(new ConfigProblem("detectors[" + i + "]", ConfigChecks.quote(detectors.get(i))
            + " is listed twice (expected: each detector once)"));
      }
    }
    return out;
  }
}
