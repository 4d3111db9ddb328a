package io.sluice.processor.attributes.internal;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;

/**
 * One attribute action, with the OpenTelemetry Collector's keys (shared by the {@code attributes}
 * and {@code resource} processors).
 *
 * @param key the attribute the action works on
 * @param pattern for {@code delete} / {@code hash}: a regex over attribute keys (instead of {@code
 *     key}); for {@code extract}: the regex with named groups applied to {@code key}'s value
 * @param action {@code insert}, {@code update}, {@code upsert}, {@code delete}, {@code hash},
 *     {@code extract} or {@code convert}
 * @param value the value to write (string, integer, double or boolean)
 * @param fromAttribute write the value of this other attribute instead
 * @param fromContext write a client metadata value instead: {@code metadata.<header>} or {@code
 *     client.address}
 * @param convertedType for {@code convert}: {@code int}, {@code double} or {@code string}
 */
public record ActionConfig(
    String key,
    String pattern,
    String action,
    Object value,
    String fromAttribute,
    String fromContext,
    String convertedType)
    implements ComponentConfig {

  /** The actions, in the Collector's order. */
  public static final List<String> ACTIONS =
      List.of("insert", "update", "upsert", "delete", "hash", "extract", "convert");
  /** The types {@code convert} accepts. */
  public static final List<String> TYPES = List.of("int", "double", "string");

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.oneOf(out, "action", action, ACTIONS);
    boolean hasKey = key != null && !key.isEmpty();
    boolean hasPattern = pattern != null && !pattern.isEmpty();
    GoRegex compiled = hasPattern ? GoRegex.check(out, "pattern", pattern) : null;
    if (action == null) {
      return out;
    }
    switch (action) {
      case "insert", "update", "upsert" -> {
        requireKey(out, hasKey);
        int sources = (value != null ? 1 : 0) + (notEmpty(fromAttribute) ? 1 : 0) + (notEmpty(fromContext) ? 1 : 0);
        if (sources != 1) {
          out.add(new ConfigProblem("", action + " of " + ConfigChecks.quote(key)
              + " has " + sources + " value sources (expected: exactly one of value, from_attribute, from_context)"));
        }
        if (value != null && !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
          out.add(new ConfigProblem("value", "an object or list (expected: a string, number or boolean)"));
        }
        if (notEmpty(fromContext) && !fromContext.startsWith("metadata.") && !fromContext.equals("client.address")) {
          out.add(new ConfigProblem("from_context", ConfigChecks.quote(fromContext)
              + " (expected: metadata.<key>, e.g. metadata.x-tenant, or client.address)"));
        }
      }
      case "delete", "hash" -> {
        if (hasKey == hasPattern) {
          out.add(new ConfigProblem("", action + " (expected: exactly one of key or pattern)"));
        }
      }
      case "extract" -> {
        requireKey(out, hasKey);
        if (!hasPattern) {
          out.add(new ConfigProblem("pattern", "missing (expected: a regex with named groups, e.g. ^/api/(?<version>v\\d+)/)"));
        } else if (compiled != null && compiled.groups().isEmpty()) {
          out.add(new ConfigProblem("pattern", ConfigChecks.quote(pattern)
              + " has no named group (expected: e.g. (?P<name>...))"));
        }
      }
      case "convert" -> {
        requireKey(out, hasKey);
        ConfigChecks.oneOf(out, "converted_type", convertedType, TYPES);
      }
      default -> { }
    }
    return out;
  }

  private void requireKey(List<ConfigProblem> out, boolean hasKey) {
    if (!hasKey) {
      out.add(new ConfigProblem("key", "missing (expected: the attribute " + action + " works on)"));
    }
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  /** Validates a list of actions, with paths like {@code actions[2].key}. */
  public static List<ConfigProblem> validateAll(String path, List<ActionConfig> actions) {
    List<ConfigProblem> out = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      String p = path + "[" + i + "]";
      actions.get(i).validate().forEach(problem -> out.add(problem.under(p)));
    }
    return out;
  }
}
