package io.sluice.processor.attributes;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.processor.attributes.internal.Actions;
import io.sluice.processor.attributes.internal.GoRegex;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A compiled {@code include} / {@code exclude} block. Like the Collector's filterset, {@code
 * regexp} patterns match anywhere in the value unless anchored with {@code ^...$}.
 */
final class Matcher {
  private final List<Predicate<String>> services;
  private final List<Predicate<String>> spanNames;
  private final List<String> spanKinds;
  private final List<Predicate<String>> severityTexts;
  private final MatchConfig.SeverityNumber severityNumber;
  private final List<Predicate<String>> metricNames;
  private final List<AttributeCondition> attributes;
  private final List<AttributeCondition> resources;

  private record AttributeCondition(String key, Predicate<AnyValue> value) {}

  Matcher(MatchConfig c) {
    boolean re = c.regexp();
    this.services = strings(c.services(), re);
    this.spanNames = strings(c.spanNames(), re);
    this.spanKinds = List.copyOf(c.spanKinds());
    this.severityTexts = strings(c.logSeverityTexts(), re);
    this.severityNumber = c.logSeverityNumber();
    this.metricNames = strings(c.metricNames(), re);
    this.attributes = conditions(c.attributes(), re);
    this.resources = conditions(c.resources(), re);
  }

  private static List<Predicate<String>> strings(List<String> values, boolean regexp) {
    List<Predicate<String>> out = new ArrayList<>();
    for (String v : values) {
      if (regexp) {
        Pattern p = GoRegex.compile(v).pattern();
        out.add(s -> p.matcher(s).find());
      } else {
        out.add(v::equals);
      }
    }
    return out;
  }

  private static List<AttributeCondition> conditions(List<MatchConfig.Attribute> values, boolean regexp) {
    List<AttributeCondition> out = new ArrayList<>();
    for (MatchConfig.Attribute a : values) {
      Predicate<AnyValue> p;
      if (a.value() == null) {
        p = v -> true;
      } else if (regexp) {
        Pattern re = GoRegex.compile(String.valueOf(a.value())).pattern();
        p = v -> re.matcher(text(v)).find();
      } else {
        AnyValue expected = Actions.toAnyValue(a.value());
        p = expected::equals;
      }
      out.add(new AttributeCondition(a.key(), p));
    }
    return out;
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default -> "";
    };
  }

  boolean matchesSpan(Resource resource, Span span) {
    return common(resource, span.getAttributesList())
        && any(spanNames, span.getName())
        && (spanKinds.isEmpty() || spanKinds.contains(span.getKind().name()));
  }

  boolean matchesLog(Resource resource, LogRecord record) {
    if (severityNumber != null) {
      int n = record.getSeverityNumberValue();
      if (n == 0 ? !severityNumber.matchUndefined() : n < severityNumber.min()) {
        return false;
      }
    }
    return common(resource, record.getAttributesList()) && any(severityTexts, record.getSeverityText());
  }

  boolean matchesDataPoint(Resource resource, String metricName, List<KeyValue> attributes) {
    return common(resource, attributes) && any(metricNames, metricName);
  }

  private boolean common(Resource resource, List<KeyValue> recordAttributes) {
    if (!services.isEmpty()) {
      int i = Actions.indexOf(resource.getAttributesList(), "service.name");
      String service = i < 0 ? "" : text(resource.getAttributes(i).getValue());
      if (!any(services, service)) {
        return false;
      }
    }
    return all(resources, resource.getAttributesList()) && all(attributes, recordAttributes);
  }

  private static boolean any(List<Predicate<String>> predicates, String value) {
    if (predicates.isEmpty()) {
      return true;
    }
    for (Predicate<String> p : predicates) {
      if (p.test(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean all(List<AttributeCondition> conditions, List<KeyValue> attributes) {
    for (AttributeCondition c : conditions) {
      int i = Actions.indexOf(attributes, c.key());
      if (i < 0 || !c.value().test(attributes.get(i).getValue())) {
        return false;
      }
    }
    return true;
  }
}
