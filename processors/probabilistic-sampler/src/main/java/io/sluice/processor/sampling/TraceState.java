package io.sluice.processor.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A parsed W3C {@code tracestate} with its OpenTelemetry {@code ot} entry ({@code rv} randomness,
 * {@code th} threshold, other {@code key:value} pairs). Serializing puts {@code ot} first, as W3C
 * asks for a modified entry, and writes {@code rv} before {@code th} like the Collector.
 */
final class TraceState {
  private static final Pattern W3C_KEY =
      Pattern.compile("[a-z0-9][_0-9a-z\\-*/]{0,255}|[a-z0-9][_0-9a-z\\-*/]{0,240}@[a-z][_0-9a-z\\-*/]{0,13}");
  private static final Pattern W3C_VALUE =
      Pattern.compile("[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");
  private static final Pattern OT_KEY = Pattern.compile("[a-z][a-z0-9]*");
  private static final Pattern OT_VALUE = Pattern.compile("[a-zA-Z0-9._\\-]*");
  private static final int MAX_MEMBERS = 32;
  private static final int MAX_OT_LENGTH = 256;

  /** The rv value, or null. */
  String rv;
  /** The randomness rv encodes; meaningful when {@link #rv} is set. */
  long randomness;
  /** The th value, or null. */
  String th;
  /** The threshold th encodes; meaningful when {@link #th} is set. */
  long threshold;
  private final List<String> otExtras = new ArrayList<>(0);
  private final List<String> others = new ArrayList<>(0);

  private TraceState() {}

  /**
   * Parses a tracestate header value.
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  static TraceState parse(String raw) {
    TraceState ts = new TraceState();
    if (raw.isEmpty()) {
      return ts;
    }
    int members = 0;
    boolean seenOt = false;
    for (String part : raw.split(",", -1)) {
      String member = part.strip();
      if (member.isEmpty()) {
        continue;
      }
      if (++members > MAX_MEMBERS) {
        throw new IllegalArgumentException("tracestate has more than 32 members");
      }
      int eq = member.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("tracestate member without '=': " + member);
      }
      String key = member.substring(0, eq);
      String value = member.substring(eq + 1);
      if (!W3C_KEY.matcher(key).matches() || !W3C_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("malformed tracestate member: " + member);
      }
      if (key.equals("ot") && !seenOt) {
        seenOt = true;
        ts.parseOt(value);
      } else {
        ts.others.add(member);
      }
    }
    return ts;
  }

  private void parseOt(String value) {
    if (value.length() > MAX_OT_LENGTH) {
      throw new IllegalArgumentException("ot tracestate longer than 256 characters");
    }
    for (String kv : value.split(";", -1)) {
      int colon = kv.indexOf(':');
      if (colon < 1 || !OT_KEY.matcher(kv.substring(0, colon)).matches()
          || !OT_VALUE.matcher(kv.substring(colon + 1)).matches()) {
        throw new IllegalArgumentException("malformed ot tracestate: " + value);
      }
      String k = kv.substring(0, colon);
      String v = kv.substring(colon + 1);
      switch (k) {
        case "rv" -> {
          long r = Sampling.parseRvalue(v);
          if (r < 0) {
            throw new IllegalArgumentException("ot rv is not 14 hex digits: " + v);
          }
          rv = v;
          randomness = r;
        }
        case "th" -> {
          long t = Sampling.parseTvalue(v);
          if (t < 0) {
            throw new IllegalArgumentException("ot th is not 1 to 14 hex digits: " + v);
          }
          th = v;
          threshold = t;
        }
        default -> otExtras.add(kv);
      }
    }
  }

  /** Sets {@code rv}. */
  void setRandomness(long r) {
    randomness = r;
    rv = Sampling.rvalue(r);
  }

  /** Removes {@code th}, e.g. when it contradicts the randomness. */
  void clearThreshold() {
    th = null;
    threshold = 0;
  }

  /**
   * Records that the item was kept at threshold {@code t}, unless that would raise the sampling
   * probability above an existing threshold's (which would lose adjusted count).
   *
   * @return false when the existing threshold was kept for that reason
   */
  boolean updateThreshold(long t) {
    if (th != null && threshold > t) {
      return false;
    }
    String v = Sampling.tvalue(t);
    th = v.isEmpty() ? null : v;
    threshold = t;
    return true;
  }

  /** The header value. */
  String serialize() {
    StringBuilder sb = new StringBuilder(32);
    StringBuilder ot = new StringBuilder(32);
    if (rv != null) {
      ot.append("rv:").append(rv);
    }
    if (th != null) {
      ot.append(ot.isEmpty() ? "" : ";").append("th:").append(th);
    }
    for (String kv : otExtras) {
      ot.append(ot.isEmpty() ? "" : ";").append(kv);
    }
    if (!ot.isEmpty()) {
      sb.append("ot=").append(ot);
    }
    for (String m : others) {
      sb.append(sb.isEmpty() ? "" : ",").append(m);
    }
    return sb.toString();
  }
}
