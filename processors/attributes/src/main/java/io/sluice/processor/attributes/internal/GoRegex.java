package io.sluice.processor.attributes.internal;

import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression written for the OpenTelemetry Collector (Go RE2 syntax), compiled for
 * Java. Named groups are the difference that matters in practice: Go writes {@code (?P<name>...)}
 * and allows {@code _} in names ({@code (?P<http_host>...)}), Java accepts neither; such groups are
 * renamed for Java and mapped back to their Go names.
 *
 * @param pattern the compiled Java pattern
 * @param groups named groups: Java name to the name written in the configuration, in order
 */
public record GoRegex(Pattern pattern, Map<String, String> groups) {

  /**
   * Compiles a Go-syntax regex.
   *
   * @throws java.util.regex.PatternSyntaxException if it does not compile
   */
  public static GoRegex compile(String regex) {
    StringBuilder out = new StringBuilder(regex.length() + 16);
    Map<String, String> groups = new LinkedHashMap<>();
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        out.append(c).append(regex.charAt(++i));
        continue;
      }
      if (inClass) {
        inClass = c != ']';
        out.append(c);
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        if (i + 1 < regex.length() && regex.charAt(i + 1) == ']') {
          out.append(regex.charAt(++i));
        }
        continue;
      }
      int nameStart = -1;
      if (regex.startsWith("(?P<", i)) {
        nameStart = i + 4;
      } else if (regex.startsWith("(?<", i) && i + 3 < regex.length()
          && regex.charAt(i + 3) != '=' && regex.charAt(i + 3) != '!') {
        nameStart = i + 3;
      }
      int end = nameStart < 0 ? -1 : regex.indexOf('>', nameStart);
      if (end > nameStart) {
        String name = regex.substring(nameStart, end);
        String javaName = "g" + (groups.size() + 1) + "x" + name.replaceAll("[^A-Za-z0-9]", "");
        groups.put(javaName, name);
        out.append("(?<").append(javaName).append('>');
        i = end;
        continue;
      }
      out.append(c);
    }
    return new GoRegex(Pattern.compile(out.toString()), Collections.unmodifiableMap(groups));
  }

  /**
   * Adds a problem when {@code regex} does not compile.
   *
   * @return the compiled regex, or null
   */
  public static GoRegex check(List<ConfigProblem> out, String path, String regex) {
    if (regex == null) {
      out.add(new ConfigProblem(path, "missing (expected: a regular expression)"));
      return null;
    }
    try {
      return compile(regex);
    } catch (PatternSyntaxException e) {
      out.add(new ConfigProblem(path, ConfigChecks.quote(regex)
          + " is not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex()));
      return null;
    }
  }
}
