package io.sluice.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.List;
import java.util.Set;

/**
 * {@link LineFormatter} as it was before lines were written as UTF-8 straight into the batch's
 * {@link LineBuffer} (a {@code String} per line, resource and scope formatted for every record),
 * frozen for {@link ReferencePath}: the lines of the reference are the lines of that version.
 */
final class ReferenceLineFormatter {
  private final LokiExporterConfig.Format format;

  ReferenceLineFormatter(LokiExporterConfig.Format format) {
    this.format = format;
  }

  /**
   * Writes the line for one record into {@code sb}, which must be empty: one builder serves every
   * line of a batch.
   *
   * @param skipAttributes record attribute keys already sent as labels or structured metadata
   * @param skipResource resource attribute keys already sent as labels or structured metadata
   */
  void line(
      StringBuilder sb,
      LogRecord record,
      List<KeyValue> resource,
      InstrumentationScope scope,
      Set<String> skipAttributes,
      Set<String> skipResource) {
    switch (format) {
      case RAW -> raw(sb, record.getBody());
      case JSON -> json(sb, record, resource, scope, skipAttributes, skipResource);
      case LOGFMT -> logfmt(sb, record, resource, scope, skipAttributes, skipResource);
    }
  }

  /** The body as {@link Json#text} gives it, without the intermediate string. */
  private static void raw(StringBuilder sb, AnyValue body) {
    switch (body.getValueCase()) {
      case STRING_VALUE -> sb.append(body.getStringValue());
      case VALUE_NOT_SET -> { }
      default -> Json.value(sb, body);
    }
  }

  private static void json(
      StringBuilder sb,
      LogRecord record,
      List<KeyValue> resource,
      InstrumentationScope scope,
      Set<String> skipAttributes,
      Set<String> skipResource) {
    sb.append('{');
    boolean first = true;
    if (record.hasBody()) {
      sb.append("\"body\":");
      Json.value(sb, record.getBody());
      first = false;
    }
    if (!record.getSeverityText().isEmpty()) {
      sb.append(first ? "" : ",").append("\"severity\":");
      Json.string(sb, record.getSeverityText());
      first = false;
    }
    first = object(sb, first, "attributes", record.getAttributesList(), skipAttributes);
    first = object(sb, first, "resources", resource, skipResource);
    if (!scope.getName().isEmpty()) {
      sb.append(first ? "" : ",").append("\"instrumentation_scope\":{\"name\":");
      Json.string(sb, scope.getName());
      if (!scope.getVersion().isEmpty()) {
        Json.string(sb.append(",\"version\":"), scope.getVersion());
      }
      sb.append('}');
    }
    sb.append('}');
  }

  private static boolean object(
      StringBuilder sb, boolean first, String name, List<KeyValue> kvs, Set<String> skip) {
    boolean open = false;
    for (KeyValue kv : kvs) {
      if (skip.contains(kv.getKey())) {
        continue;
      }
      if (!open) {
        sb.append(first ? "" : ",").append('"').append(name).append("\":{");
        open = true;
      } else {
        sb.append(',');
      }
      Json.string(sb, kv.getKey()).append(':');
      Json.value(sb, kv.getValue());
    }
    if (open) {
      sb.append('}');
    }
    return first && !open;
  }

  private static void logfmt(
      StringBuilder sb,
      LogRecord record,
      List<KeyValue> resource,
      InstrumentationScope scope,
      Set<String> skipAttributes,
      Set<String> skipResource) {
    if (!record.getSeverityText().isEmpty()) {
      pair(sb, "severity", record.getSeverityText());
    }
    AnyValue body = record.getBody();
    if (body.hasKvlistValue()) {
      for (KeyValue kv : body.getKvlistValue().getValuesList()) {
        pair(sb, kv.getKey(), Json.text(kv.getValue()));
      }
    } else if (record.hasBody()) {
      pair(sb, "msg", Json.text(body));
    }
    for (KeyValue kv : record.getAttributesList()) {
      if (!skipAttributes.contains(kv.getKey())) {
        pair(sb, "attribute_" + kv.getKey(), Json.text(kv.getValue()));
      }
    }
    for (KeyValue kv : resource) {
      if (!skipResource.contains(kv.getKey())) {
        pair(sb, "resource_" + kv.getKey(), Json.text(kv.getValue()));
      }
    }
    if (!scope.getName().isEmpty()) {
      pair(sb, "instrumentation_scope_name", scope.getName());
      if (!scope.getVersion().isEmpty()) {
        pair(sb, "instrumentation_scope_version", scope.getVersion());
      }
    }
  }

  private static void pair(StringBuilder sb, String key, String value) {
    if (!sb.isEmpty()) {
      sb.append(' ');
    }
    sb.append(key).append('=');
    if (needsQuotes(value)) {
      Json.string(sb, value);
    } else {
      sb.append(value);
    }
  }

  private static boolean needsQuotes(String v) {
    if (v.isEmpty()) {
      return true;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c <= ' ' || c == '=' || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }
}
