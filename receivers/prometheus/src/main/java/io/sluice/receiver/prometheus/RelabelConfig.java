package io.sluice.receiver.prometheus;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One step of {@code relabel_configs} or {@code metric_relabel_configs}, with Prometheus's keys
 * and defaults.
 *
 * @param sourceLabels labels whose values are joined with {@code separator}; default none
 * @param separator default {@code ;}
 * @param targetLabel the label written by replace, hashmod, lowercase, uppercase
 * @param regex anchored regular expression (RE2 subset in Java syntax); default {@code (.*)}
 * @param modulus for hashmod
 * @param replacement default {@code $1}; {@code ${1}} and {@code $name} also work
 * @param action default {@code replace}; one of replace, keep, drop, keepequal, dropequal,
 *     labelmap, labeldrop, labelkeep, lowercase, uppercase, hashmod
 */
public record RelabelConfig(
    List<String> sourceLabels,
    String separator,
    String targetLabel,
    String regex,
    long modulus,
    String replacement,
    String action)
    implements ComponentConfig {
  static final List<String> ACTIONS = List.of("replace", "keep", "drop", "keepequal", "dropequal",
      "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase", "hashmod");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** Prometheus's defaults. */
  public static RelabelConfig defaults() {
    return new RelabelConfig(List.of(), ";", "", "(.*)", 0, "$1", "replace");
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    String a = action == null ? null : action.toLowerCase(Locale.ROOT);
    ConfigChecks.oneOf(out, "action", a, ACTIONS);
    ConfigChecks.regex(out, "regex", regex);
    if (a == null) {
      return out;
    }
    boolean needsTarget = switch (a) {
      case "replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal" -> true;
      default -> false;
    };
    if (needsTarget && (targetLabel == null || targetLabel.isEmpty())) {
      out.add(new ConfigProblem("target_label", "\"\" (expected: a label name for action " + a + ")"));
    } else if (needsTarget && !a.equals("replace") && !LABEL_NAME.matcher(targetLabel).matches()) {
      out.add(new ConfigProblem("target_label", ConfigChecks.quote(targetLabel) + " (expected: a label name)"));
    }
    if (a.equals("hashmod") && modulus <= 0) {
      out.add(new ConfigProblem("modulus", modulus + " (expected: > 0 for action hashmod)"));
    }
    if ((a.equals("keepequal") || a.equals("dropequal") || a.equals("hashmod")
        || a.equals("lowercase") || a.equals("uppercase")) && sourceLabels.isEmpty()) {
      out.add(new ConfigProblem("source_labels", "[] (expected: at least one label for action " + a + ")"));
    }
    return out;
  }
}
