package io.sluice.receiver.prometheus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus relabeling over a mutable label map: the same actions, anchored regular expressions,
 * {@code $1}/{@code ${1}}/{@code ${name}} replacement and md5-based {@code hashmod}.
 */
final class Relabeler {
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern GROUP_REF = Pattern.compile("\\$(?:\\{(\\w+)}|(\\w+))");

  private record Step(RelabelConfig c, String action, Pattern regex) {}

  private final Step[] steps;

  Relabeler(List<RelabelConfig> configs) {
    steps = new Step[configs.size()];
    for (int i = 0; i < steps.length; i++) {
      RelabelConfig c = configs.get(i);
      steps[i] = new Step(c, c.action().toLowerCase(Locale.ROOT), Pattern.compile("^(?:" + c.regex() + ")$"));
    }
  }

  boolean isEmpty() {
    return steps.length == 0;
  }

  /**
   * Applies every step to {@code labels} (modified in place).
   *
   * @return false if the labels were dropped
   */
  boolean apply(Map<String, String> labels) {
    for (Step s : steps) {
      RelabelConfig c = s.c();
      String value = join(labels, c.sourceLabels(), c.separator());
      switch (s.action()) {
        case "replace" -> {
          Matcher m = s.regex().matcher(value);
          if (m.matches()) {
            String target = expand(m, c.targetLabel());
            String res = expand(m, c.replacement());
            if (LABEL_NAME.matcher(target).matches()) {
              if (res.isEmpty()) {
                labels.remove(target);
              } else {
                labels.put(target, res);
              }
            }
          }
        }
        case "keep" -> {
          if (!s.regex().matcher(value).matches()) {
            return false;
          }
        }
        case "drop" -> {
          if (s.regex().matcher(value).matches()) {
            return false;
          }
        }
        case "keepequal" -> {
          if (!value.equals(labels.getOrDefault(c.targetLabel(), ""))) {
            return false;
          }
        }
        case "dropequal" -> {
          if (value.equals(labels.getOrDefault(c.targetLabel(), ""))) {
            return false;
          }
        }
        case "hashmod" -> labels.put(c.targetLabel(), Long.toString(hashmod(value, c.modulus())));
        case "lowercase" -> labels.put(c.targetLabel(), value.toLowerCase(Locale.ROOT));
        case "uppercase" -> labels.put(c.targetLabel(), value.toUpperCase(Locale.ROOT));
        case "labelmap" -> {
          Map<String, String> copy = new java.util.TreeMap<>(labels);
          copy.forEach((k, v) -> {
            Matcher m = s.regex().matcher(k);
            if (m.matches()) {
              labels.put(expand(m, c.replacement()), v);
            }
          });
        }
        case "labeldrop" -> labels.keySet().removeIf(k -> s.regex().matcher(k).matches());
        case "labelkeep" -> labels.keySet().removeIf(k -> !s.regex().matcher(k).matches());
        default -> throw new IllegalStateException("unknown action " + s.action());
      }
    }
    return true;
  }

  /** Expands {@code $1}, {@code ${1}}, {@code $name} from a match; unknown groups become "". */
  private static String expand(Matcher m, String template) {
    if (template.indexOf('$') < 0) {
      return template;
    }
    Matcher g = GROUP_REF.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (g.find()) {
      String ref = g.group(1) != null ? g.group(1) : g.group(2);
      String v;
      try {
        v = ref.chars().allMatch(Character::isDigit) ? group(m, Integer.parseInt(ref)) : m.group(ref);
      } catch (IllegalArgumentException e) {
        v = "";
      }
      g.appendReplacement(sb, Matcher.quoteReplacement(v == null ? "" : v));
    }
    g.appendTail(sb);
    return sb.toString();
  }

  private static String group(Matcher m, int i) {
    return i <= m.groupCount() ? m.group(i) : "";
  }

  private static String join(Map<String, String> labels, List<String> names, String sep) {
    if (names.size() == 1) {
      return labels.getOrDefault(names.get(0), "");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        sb.append(sep);
      }
      sb.append(labels.getOrDefault(names.get(i), ""));
    }
    return sb.toString();
  }

  /** Prometheus's hashmod: the last 8 bytes of the md5 as a big-endian unsigned number, mod m. */
  static long hashmod(String value, long modulus) {
    try {
      byte[] sum = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 8; i < 16; i++) {
        h = (h << 8) | (sum[i] & 0xff);
      }
      return Long.remainderUnsigned(h, modulus);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
