package io.sluice.exporter.prometheusremotewrite;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OTLP to Prometheus names, per the OpenTelemetry "Prometheus and OpenMetrics compatibility"
 * specification and the Collector's translator: metric names get the unit ({@code By} → {@code
 * _bytes}), {@code _total} for monotonic sums and {@code _ratio} for gauges of unit {@code 1};
 * runs of invalid characters become one {@code _}. Colons are kept, so recording-rule style names
 * ({@code job:requests:rate5m}) scraped from Prometheus come back unchanged.
 */
final class PromNaming {
  private static final Map<String, String> UNITS = Map.ofEntries(
      Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"),
      Map.entry("s", "seconds"), Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"),
      Map.entry("ns", "nanoseconds"), Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"),
      Map.entry("MiBy", "mebibytes"), Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tebibytes"),
      Map.entry("KBy", "kilobytes"), Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"),
      Map.entry("TBy", "terabytes"), Map.entry("m", "meters"), Map.entry("V", "volts"),
      Map.entry("A", "amperes"), Map.entry("J", "joules"), Map.entry("W", "watts"),
      Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
      Map.entry("%", "percent"));
  private static final Map<String, String> PER_UNITS = Map.of(
      "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month",
      "y", "year");

  private PromNaming() {}

  /** The kind of metric, for the suffix rules. */
  enum Kind { COUNTER, GAUGE, OTHER }

  /**
   * The Prometheus name of an OTLP metric (before {@code _bucket}/{@code _sum}/{@code _count}).
   *
   * @param addSuffixes whether to add unit, {@code _total} and {@code _ratio} suffixes
   */
  static String metricName(String name, String unit, Kind kind, String namespace, boolean addSuffixes) {
    String out;
    if (addSuffixes) {
      List<String> tokens = new ArrayList<>();
      for (String t : name.split("[^\\p{L}\\p{N}:]+")) {
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
      String main = unit;
      String per = "";
      int slash = unit.indexOf('/');
      if (slash >= 0) {
        main = unit.substring(0, slash);
        per = unit.substring(slash + 1);
      }
      String mainProm = unitName(main, UNITS);
      if (!mainProm.isEmpty() && !tokens.contains(mainProm)) {
        tokens.add(mainProm);
      }
      String perProm = unitName(per, PER_UNITS);
      if (!perProm.isEmpty() && !(tokens.size() >= 2
          && tokens.get(tokens.size() - 2).equals("per") && tokens.get(tokens.size() - 1).equals(perProm))) {
        tokens.add("per");
        tokens.add(perProm);
      }
      if (kind == Kind.COUNTER) {
        tokens.removeIf("total"::equals);
        tokens.add("total");
      }
      if (kind == Kind.GAUGE && unit.equals("1")) {
        tokens.removeIf("ratio"::equals);
        tokens.add("ratio");
      }
      out = sanitizeName(String.join("_", tokens));
    } else {
      out = sanitizeName(name);
    }
    if (!namespace.isEmpty()) {
      out = namespace + "_" + out;
    }
    return out;
  }

  private static String unitName(String unit, Map<String, String> table) {
    String u = unit.trim();
    if (u.isEmpty() || u.equals("1") || u.contains("{")) {
      return "";
    }
    String mapped = table.get(u);
    return sanitizeName(mapped != null ? mapped : u).replaceAll("^_+|_+$", "");
  }

  /** Replaces characters outside {@code [a-zA-Z0-9_:]}; prefixes a leading digit with {@code _}. */
  static String sanitizeName(String name) {
    StringBuilder sb = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
          || (c >= '0' && c <= '9');
      sb.append(ok ? c : '_');
    }
    if (!sb.isEmpty() && Character.isDigit(sb.charAt(0))) {
      sb.insert(0, '_');
    }
    return sb.toString();
  }

  /**
   * A label name from an attribute key: invalid characters become {@code _}, a leading digit gets
   * {@code key_}, a single leading underscore gets {@code key}.
   */
  static String labelName(String key) {
    if (isPlainLabelName(key)) {
      return key;
    }
    StringBuilder sb = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      sb.append(ok ? c : '_');
    }
    String s = sb.toString();
    if (s.isEmpty()) {
      return s;
    }
    if (Character.isDigit(s.charAt(0))) {
      return "key_" + s;
    }
    if (s.startsWith("_") && !s.startsWith("__")) {
      return "key" + s;
    }
    return s;
  }

  /** Whether {@link #labelName} leaves {@code key} as it is (the usual case, checked without copying). */
  private static boolean isPlainLabelName(String key) {
    int n = key.length();
    if (n == 0 || (key.charAt(0) >= '0' && key.charAt(0) <= '9')
        || (key.charAt(0) == '_' && (n == 1 || key.charAt(1) != '_'))) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Formats a double like Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}, which is what
   * Prometheus client libraries write into {@code le} and {@code quantile} labels ({@code 0.25},
   * {@code 1}, {@code 1e-05}, {@code +Inf}), so that series match those Prometheus scraped itself.
   */
  static String goFloat(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int nd = digits.length();
    int dp = nd - bd.scale();
    int exp = dp - 1;
    StringBuilder sb = new StringBuilder(24);
    if (v < 0) {
      sb.append('-');
    }
    if (exp < -4 || exp >= 6) {
      appendExp(sb, digits, exp);
    } else if (dp <= 0) {
      sb.append("0.");
      sb.append("0".repeat(-dp));
      sb.append(digits);
    } else if (dp >= nd) {
      sb.append(digits);
      sb.append("0".repeat(dp - nd));
    } else {
      sb.append(digits, 0, dp).append('.').append(digits, dp, nd);
    }
    return sb.toString();
  }

  private static void appendExp(StringBuilder sb, String digits, int exp) {
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exp < 0 ? '-' : '+');
    int a = Math.abs(exp);
    if (a < 10) {
      sb.append('0');
    }
    sb.append(a);
  }
}
