package io.sluice.receiver.prometheus;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0 text. One pass over the
 * page, no regular expressions; the first error stops it with a message naming the line and the
 * offending text (shortened), as a bad page must fail the scrape rather than half-ingest it.
 */
final class ExpositionParser {
  /** Marks a sample without a timestamp. */
  static final long NO_TIMESTAMP = Long.MIN_VALUE;

  private static final int EXCERPT = 60;

  private final String text;
  private final boolean openMetrics;
  private int pos;
  private int line = 1;
  private int lineStart;
  /** Recently seen names and values, by hash: see {@link #shared}. */
  private final String[] strings = new String[4096];

  /** One metric family's metadata. */
  static final class Family {
    String type = "";
    String help = "";
    String unit = "";
  }

  /** An OpenMetrics exemplar. */
  record Exemplar(String[] labels, double value, long timestampMs) {}

  /**
   * A native histogram from the protobuf format: Prometheus bucket indexes {@code start ...
   * start + counts.length - 1} on each side, counts not cumulative.
   */
  record NativeHistogram(int schema, double zeroThreshold, long zeroCount, long count, double sum,
      int positiveStart, long[] positiveCounts, int negativeStart, long[] negativeCounts) {}

  /**
   * One sample line.
   *
   * @param labels alternating names and values, in page order
   * @param timestampMs or {@link #NO_TIMESTAMP}
   * @param nativeHistogram set for a protobuf native histogram (then {@code value} is its count)
   */
  record Sample(String name, String[] labels, double value, long timestampMs, Exemplar exemplar,
      NativeHistogram nativeHistogram) {
    Sample(String name, String[] labels, double value, long timestampMs, Exemplar exemplar) {
      this(name, labels, value, timestampMs, exemplar, null);
    }
  }

  /** A parsed page. */
  record Page(List<Sample> samples, Map<String, Family> families) {}

  /** A page that does not follow the format. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    ParseException(String message) {
      super(message, null, false, false);
    }
  }

  private ExpositionParser(String text, boolean openMetrics) {
    this.text = text;
    this.openMetrics = openMetrics;
  }

  /** Parses a page; {@code openMetrics} selects the OpenMetrics rules. */
  static Page parse(byte[] body, boolean openMetrics) throws ParseException {
    return parse(decode(body), openMetrics);
  }

  /** Parses a page already {@link #decode decoded}, so that the caller can drop the bytes first. */
  static Page parse(String text, boolean openMetrics) throws ParseException {
    return new ExpositionParser(text, openMetrics).page();
  }

  /** The text of a page: strict UTF-8. */
  static String decode(byte[] body) throws ParseException {
    if (isAscii(body)) {
      // Most pages are ASCII: one copy into a compact (one byte per char) String, instead of the
      // decoder's char buffer (two bytes per char) and a second copy.
      return new String(body, StandardCharsets.ISO_8859_1);
    }
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      CharBuffer out = d.decode(in);
      return out.toString();
    } catch (MalformedInputException e) {
      int at = in.position();
      int lineNo = 1;
      for (int i = 0; i < Math.min(at, body.length); i++) {
        if (body[i] == '\n') {
          lineNo++;
        }
      }
      throw new ParseException("line " + lineNo + ": invalid UTF-8 (byte offset " + at + ")");
    } catch (CharacterCodingException e) {
      throw new ParseException("invalid UTF-8: " + e);
    }
  }

  private static boolean isAscii(byte[] body) {
    for (byte b : body) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The text between {@code start} and {@code end}, as a String shared with the earlier equal ones
   * this cache still holds. A page repeats its metric names, label names and many label values on
   * every line: sharing them saves a String per label and sample while the page is processed.
   */
  private String shared(int start, int end) {
    int h = 0;
    for (int i = start; i < end; i++) {
      h = 31 * h + text.charAt(i);
    }
    int slot = (h ^ (h >>> 16)) & (strings.length - 1);
    String s = strings[slot];
    int len = end - start;
    if (s != null && s.length() == len && text.regionMatches(start, s, 0, len)) {
      return s;
    }
    s = text.substring(start, end);
    strings[slot] = s;
    return s;
  }

  private Page page() throws ParseException {
    List<Sample> samples = new ArrayList<>();
    Map<String, Family> families = new HashMap<>();
    boolean eof = false;
    int n = text.length();
    while (pos < n) {
      lineStart = pos;
      if (eof) {
        throw error("content after # EOF");
      }
      char c = text.charAt(pos);
      if (c == '\n') {
        if (openMetrics) {
          throw error("empty line (not allowed in OpenMetrics)");
        }
        nextLine();
        continue;
      }
      if (c == '#') {
        eof = comment(families);
      } else if (!openMetrics && (c == ' ' || c == '\t')) {
        skipBlanks();
        if (pos < n && text.charAt(pos) != '\n') {
          samples.add(sample());
        }
      } else {
        samples.add(sample());
      }
      endOfLine();
    }
    if (openMetrics && !eof) {
      throw new ParseException("line " + line + ": missing # EOF at the end of the OpenMetrics page");
    }
    return new Page(samples, families);
  }

  /** Returns true on {@code # EOF}. */
  private boolean comment(Map<String, Family> families) throws ParseException {
    pos++;
    if (openMetrics && text.startsWith(" EOF", pos) && (pos + 4 == text.length() || text.charAt(pos + 4) == '\n')) {
      pos += 4;
      return true;
    }
    if (pos >= text.length() || text.charAt(pos) != ' ') {
      if (openMetrics) {
        throw error("expected '# HELP', '# TYPE', '# UNIT' or '# EOF'");
      }
      skipToEndOfLine();
      return false;
    }
    pos++;
    String keyword = word();
    if (!keyword.equals("HELP") && !keyword.equals("TYPE") && !(openMetrics && keyword.equals("UNIT"))) {
      if (openMetrics) {
        throw error("unknown comment '# " + keyword + "' (expected: HELP, TYPE, UNIT or EOF)");
      }
      skipToEndOfLine();
      return false;
    }
    expect(' ');
    String name = metricName();
    Family f = families.computeIfAbsent(name, k -> new Family());
    String rest = "";
    if (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
      int start = pos;
      skipToEndOfLine();
      rest = text.substring(start, pos);
    }
    switch (keyword) {
      case "HELP" -> f.help = unescapeHelp(rest);
      case "UNIT" -> f.unit = rest;
      default -> {
        String t = rest.strip();
        boolean ok = openMetrics
            ? t.matches("counter|gauge|histogram|gaugehistogram|stateset|info|summary|unknown")
            : t.matches("counter|gauge|histogram|summary|untyped");
        if (!ok) {
          throw error("unknown metric type \"" + shorten(t) + "\" for " + name);
        }
        if (!f.type.isEmpty()) {
          throw error("second TYPE line for " + name);
        }
        f.type = t;
      }
    }
    return false;
  }

  private Sample sample() throws ParseException {
    String name = metricName();
    String[] labels = NO_LABELS;
    if (pos < text.length() && text.charAt(pos) == '{') {
      labels = labels();
    }
    if (pos >= text.length() || (text.charAt(pos) != ' ' && text.charAt(pos) != '\t')) {
      throw error("expected a space and a value after " + name);
    }
    skipBlanks();
    double value = value();
    long ts = NO_TIMESTAMP;
    Exemplar exemplar = null;
    skipBlanks();
    if (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '#') {
      ts = timestamp(token());
      skipBlanks();
    }
    if (pos < text.length() && text.charAt(pos) == '#') {
      if (!openMetrics) {
        throw error("unexpected '#' after the value");
      }
      exemplar = exemplar();
    }
    return new Sample(name, labels, value, ts, exemplar);
  }

  private Exemplar exemplar() throws ParseException {
    pos++;
    expect(' ');
    if (pos >= text.length() || text.charAt(pos) != '{') {
      throw error("expected '{' to start the exemplar's labels");
    }
    String[] labels = labels();
    expect(' ');
    double value = number(token());
    long ts = NO_TIMESTAMP;
    if (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
      ts = timestamp(token());
    }
    return new Exemplar(labels, value, ts);
  }

  private static final String[] NO_LABELS = new String[0];

  private String[] labels() throws ParseException {
    pos++;
    List<String> out = new ArrayList<>(8);
    while (true) {
      skipBlanks();
      if (pos >= text.length()) {
        throw error("unterminated label set");
      }
      if (text.charAt(pos) == '}') {
        pos++;
        break;
      }
      String name = labelName();
      for (int i = 0; i < out.size(); i += 2) {
        if (out.get(i).equals(name)) {
          throw error("duplicate label name \"" + name + "\"");
        }
      }
      skipBlanks();
      expect('=');
      skipBlanks();
      out.add(name);
      out.add(quoted());
      skipBlanks();
      if (pos < text.length() && text.charAt(pos) == ',') {
        pos++;
      } else if (pos < text.length() && text.charAt(pos) != '}') {
        throw error("expected ',' or '}' after label " + name);
      }
    }
    return out.toArray(NO_LABELS);
  }

  private String quoted() throws ParseException {
    expect('"');
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        throw error("unterminated label value");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        String v = sb == null ? shared(start, pos) : sb.append(text, start, pos).toString();
        pos++;
        return v;
      }
      if (c == '\\') {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(text, start, pos);
        if (pos + 1 >= text.length()) {
          throw error("unterminated escape in label value");
        }
        char e = text.charAt(pos + 1);
        switch (e) {
          case '\\' -> sb.append('\\');
          case '"' -> sb.append('"');
          case 'n' -> sb.append('\n');
          default -> throw error("invalid escape \\" + e + " in label value");
        }
        pos += 2;
        start = pos;
      } else {
        pos++;
      }
    }
  }

  private String metricName() throws ParseException {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
          || (pos > start && c >= '0' && c <= '9');
      if (!ok) {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw error("expected a metric name");
    }
    return shared(start, pos);
  }

  private String labelName() throws ParseException {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
          || (pos > start && c >= '0' && c <= '9');
      if (!ok) {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw error("expected a label name");
    }
    return shared(start, pos);
  }

  private String token() throws ParseException {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n') {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw error("expected a number");
    }
    return text.substring(start, pos);
  }

  private String word() {
    int start = pos;
    while (pos < text.length() && text.charAt(pos) != ' ' && text.charAt(pos) != '\n') {
      pos++;
    }
    return text.substring(start, pos);
  }

  /**
   * A sample's value. A plain integer of up to 15 digits (most values on most pages) is read in
   * place, exactly, without the token String and the general parser.
   */
  private double value() throws ParseException {
    int start = pos;
    int i = start;
    boolean negative = i < text.length() && text.charAt(i) == '-';
    if (negative) {
      i++;
    }
    long v = 0;
    int digits = 0;
    while (i < text.length() && digits <= 15) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      digits++;
      i++;
    }
    boolean end = i == text.length() || text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\n';
    if (digits > 0 && digits <= 15 && end) {
      pos = i;
      // -0 stays -0.0, as Double.parseDouble("-0") gives.
      return negative ? -(double) v : v;
    }
    return number(token());
  }

  private double number(String s) throws ParseException {
    switch (s) {
      case "+Inf", "Inf", "+inf", "inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf", "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN", "nan" -> {
        return Double.NaN;
      }
      default -> {
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c == '_')) {
            throw error("invalid number \"" + shorten(s) + "\"");
          }
        }
        try {
          return Double.parseDouble(s.replace("_", ""));
        } catch (NumberFormatException e) {
          throw error("invalid number \"" + shorten(s) + "\"");
        }
      }
    }
  }

  private long timestamp(String s) throws ParseException {
    if (openMetrics) {
      double seconds = number(s);
      if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
        throw error("invalid timestamp \"" + shorten(s) + "\"");
      }
      return Math.round(seconds * 1000);
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw error("invalid timestamp \"" + shorten(s) + "\" (expected: milliseconds as an integer)");
    }
  }

  /** One pass: replacing {@code \n} first would turn an escaped backslash before an n into a newline. */
  private static String unescapeHelp(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
      if (c == '\\' && (next == 'n' || next == '\\' || next == '"')) {
        sb.append(next == 'n' ? '\n' : next);
        i++;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private void expect(char c) throws ParseException {
    if (pos >= text.length() || text.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipBlanks() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private void skipToEndOfLine() {
    int nl = text.indexOf('\n', pos);
    pos = nl < 0 ? text.length() : nl;
  }

  private void endOfLine() throws ParseException {
    if (!openMetrics) {
      skipBlanks();
    }
    if (pos < text.length()) {
      if (text.charAt(pos) != '\n') {
        throw error("unexpected text at end of line");
      }
      nextLine();
    }
  }

  private void nextLine() {
    pos++;
    line++;
  }

  private ParseException error(String what) {
    int end = text.indexOf('\n', lineStart);
    String content = text.substring(lineStart, end < 0 ? text.length() : end);
    int col = pos - lineStart + 1;
    String w = what.length() <= 2 * EXCERPT ? what : what.substring(0, 2 * EXCERPT) + "...";
    return new ParseException("line " + line + ", column " + col + ": " + w + ": \"" + shorten(content) + "\"");
  }

  private static String shorten(String s) {
    return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "...(" + s.length() + " chars)";
  }
}
