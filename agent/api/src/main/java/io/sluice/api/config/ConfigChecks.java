package io.sluice.api.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Common checks for {@link ComponentConfig#validate()}: each adds a problem with an
 * Armeria-style message ({@code "-5 (expected: >= 0)"}) to the list instead of throwing, so that
 * every problem is reported at once.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  /** {@code value >= min}. */
  public static void atLeast(List<ConfigProblem> out, String path, long value, long min) {
    if (value < min) {
      out.add(new ConfigProblem(path, value + " (expected: >= " + min + ")"));
    }
  }

  /** {@code min <= value <= max}. */
  public static void between(
      List<ConfigProblem> out, String path, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      out.add(new ConfigProblem(path, fmt(value) + " (expected: " + fmt(min) + " to " + fmt(max) + ")"));
    }
  }

  /** A duration that is not negative (and positive when {@code positive}). */
  public static void duration(
      List<ConfigProblem> out, String path, Duration value, boolean positive) {
    if (value == null) {
      out.add(new ConfigProblem(path, "missing (expected: a duration such as 5s)"));
    } else if (positive ? value.isZero() || value.isNegative() : value.isNegative()) {
      out.add(new ConfigProblem(path, text(value) + " (expected: " + (positive ? "> 0" : ">= 0") + ")"));
    }
  }

  /** A {@code host:port} endpoint, with a port from 0 to 65535; IPv6 hosts in brackets. */
  public static void hostPort(List<ConfigProblem> out, String path, String value) {
    if (value == null || !isHostPort(value)) {
      out.add(new ConfigProblem(path, quote(value) + " (expected: host:port, e.g. 127.0.0.1:4317)"));
    }
  }

  /** Whether {@code value} is {@code host:port}. */
  public static boolean isHostPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      return colon == 0 && value.length() > 1 && isPort(value.substring(1));
    }
    String host = value.substring(0, colon);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      return false;
    }
    return isPort(value.substring(colon + 1)) && !host.isBlank() && !host.contains(" ");
  }

  private static boolean isPort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p >= 0 && p <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * An absolute http or https URL with a host.
   *
   * @param example shown in the message, e.g. {@code http://localhost:3100/loki/api/v1/push}
   */
  public static void httpUrl(List<ConfigProblem> out, String path, String value, String example) {
    if (value == null || !isHttpUrl(value)) {
      out.add(new ConfigProblem(path, quote(value) + " (expected: an http or https URL, e.g. " + example + ")"));
    }
  }

  /** Whether {@code value} is an absolute http(s) URL with a host. */
  public static boolean isHttpUrl(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** A regular expression that compiles. */
  public static void regex(List<ConfigProblem> out, String path, String value) {
    try {
      Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      out.add(new ConfigProblem(path, quote(value) + " is not a valid regular expression: "
          + e.getDescription() + " near index " + e.getIndex()));
    } catch (NullPointerException e) {
      out.add(new ConfigProblem(path, "missing (expected: a regular expression)"));
    }
  }

  /** One of the allowed values. */
  public static void oneOf(
      List<ConfigProblem> out, String path, String value, Collection<String> allowed) {
    if (value == null || !allowed.contains(value)) {
      out.add(new ConfigProblem(path, quote(value) + " (expected: one of " + String.join(", ", allowed) + ")"));
    }
  }

  /** A non-blank string. */
  public static void notBlank(List<ConfigProblem> out, String path, String value, String expected) {
    if (value == null || value.isBlank()) {
      out.add(new ConfigProblem(path, quote(value) + " (expected: " + expected + ")"));
    }
  }

  /** A duration as configuration spells it: {@code 0s}, {@code 200ms}, {@code -5s}. */
  public static String text(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** The value in double quotes, or {@code null}. */
  public static String quote(String value) {
    return value == null ? "null" : "\"" + value + "\"";
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
