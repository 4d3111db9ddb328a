package io.sluice.processor.attributes;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.processor.attributes.internal.GoRegex;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code include} or {@code exclude} block, with the OpenTelemetry Collector's keys. Every
 * property that is set must match (within a list, any entry may match; every listed attribute
 * must match). Properties of another signal are ignored (e.g. {@code span_names} in a logs
 * pipeline).
 *
 * @param matchType {@code strict} (equality) or {@code regexp} (full-match regexes); required
 * @param services {@code service.name} of the resource
 * @param spanNames span names (traces)
 * @param spanKinds span kinds such as {@code SPAN_KIND_SERVER} (traces)
 * @param logSeverityTexts severity texts such as {@code ERROR} (logs)
 * @param logSeverityNumber minimum severity number (logs)
 * @param metricNames metric names (metrics)
 * @param attributes record attributes: span, log record or data point attributes
 * @param resources resource attributes
 */
public record MatchConfig(
    String matchType,
    List<String> services,
    List<String> spanNames,
    List<String> spanKinds,
    List<String> logSeverityTexts,
    SeverityNumber logSeverityNumber,
    List<String> metricNames,
    List<Attribute> attributes,
    List<Attribute> resources)
    implements ComponentConfig {

  /** What an absent block binds over. */
  public static MatchConfig defaults() {
    return new MatchConfig(null, List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), List.of());
  }

  /**
   * An attribute condition.
   *
   * @param key the attribute key
   * @param value the value (a regex for {@code regexp}); absent: the key only has to exist
   */
  public record Attribute(String key, Object value) implements ComponentConfig {}

  /**
   * A log severity condition.
   *
   * @param min the lowest matching severity number, 1 (TRACE) to 24 (FATAL4)
   * @param matchUndefined whether records without a severity number (0) match
   */
  public record SeverityNumber(int min, boolean matchUndefined) implements ComponentConfig {}

  boolean regexp() {
    return "regexp".equals(matchType);
  }

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.oneOf(out, "match_type", matchType, List.of("strict", "regexp"));
    if (regexp()) {
      regexes(out, "services", services);
      regexes(out, "span_names", spanNames);
      regexes(out, "log_severity_texts", logSeverityTexts);
      regexes(out, "metric_names", metricNames);
      attributeRegexes(out, "attributes", attributes);
      attributeRegexes(out, "resources", resources);
    }
    for (int i = 0; i < spanKinds.size(); i++) {
      ConfigChecks.oneOf(out, "span_kinds[" + i + "]", spanKinds.get(i), List.of(
          "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
          "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"));
    }
    if (logSeverityNumber != null) {
      ConfigChecks.between(out, "log_severity_number.min", logSeverityNumber.min(), 1, 24);
    }
    checkKeys(out, "attributes", attributes);
    checkKeys(out, "resources", resources);
    if (services.isEmpty() && spanNames.isEmpty() && spanKinds.isEmpty() && logSeverityTexts.isEmpty()
        && logSeverityNumber == null && metricNames.isEmpty() && attributes.isEmpty() && resources.isEmpty()) {
      out.add(new ConfigProblem("", "no condition (expected: at least one of services, span_names, span_kinds, "
          + "log_severity_texts, log_severity_number, metric_names, attributes, resources)"));
    }
    return out;
  }

  private static void regexes(List<ConfigProblem> out, String path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      GoRegex.check(out, path + "[" + i + "]", values.get(i));
    }
  }

  private static void attributeRegexes(List<ConfigProblem> out, String path, List<Attribute> values) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).value() != null) {
        GoRegex.check(out, path + "[" + i + "].value", String.valueOf(values.get(i).value()));
      }
    }
  }

  private static void checkKeys(List<ConfigProblem> out, String path, List<Attribute> values) {
    for (int i = 0; i < values.size(); i++) {
      ConfigChecks.notBlank(out, path + "[" + i + "].key", values.get(i).key(), "an attribute key");
    }
  }
}
