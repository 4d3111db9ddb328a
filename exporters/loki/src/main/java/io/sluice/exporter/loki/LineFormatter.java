package io.sluice.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.List;
import java.util.Set;

/**
 * Writes what is left of a log record after labels and structured metadata into the log line, in
 * the shape of otelcol's {@code loki} exporter: {@code json} (body, severity, attributes,
 * resources, instrumentation_scope), {@code logfmt} (severity, msg, attribute_*, resource_*,
 * instrumentation_scope_*) or {@code raw} (the body only).
 *
 * <p>A line ends with what its resource and scope give ({@link #tail}), the same for every record
 * of the scope: it is encoded once per scope and copied into each line.
 */
final class LineFormatter {
  private final LokiExporterConfig.Format format;

  LineFormatter(LokiExporterConfig.Format format) {
    this.format = format;
  }

  /**
   * The end of the lines of a scope's records, without the separator before it: {@code
   * "resources":{…},"instrumentation_scope":{…}} in json, {@code resource_…=… instrumentation_scope_…=…}
   * in logfmt, nothing in raw.
   *
   * @param skipResource resource attribute keys already sent as labels or structured metadata
   */
  byte[] tail(List<KeyValue> resource, InstrumentationScope scope, Set<String> skipResource) {
    LineBuffer out = new LineBuffer(64);
    switch (format) {
      case RAW -> { }
      case JSON -> {
        object(out, 0, "resources", resource, skipResource);
        if (!scope.getName().isEmpty()) {
          separate(out, 0, ',');
          out.append("\"instrumentation_scope\":{\"name\":");
          out.appendJson(scope.getName());
          if (!scope.getVersion().isEmpty()) {
            out.append(",\"version\":");
            out.appendJson(scope.getVersion());
          }
          out.append('}');
        }
      }
      case LOGFMT -> {
        for (int i = 0; i < resource.size(); i++) {
          KeyValue kv = resource.get(i);
          if (!skipResource.contains(kv.getKey())) {
            pair(out, 0, "resource_", kv.getKey(), Json.text(kv.getValue()));
          }
        }
        if (!scope.getName().isEmpty()) {
          pair(out, 0, "", "instrumentation_scope_name", scope.getName());
          if (!scope.getVersion().isEmpty()) {
            pair(out, 0, "", "instrumentation_scope_version", scope.getVersion());
          }
        }
      }
    }
    return out.copy(0);
  }

  /**
   * Appends the line for one record to {@code out}.
   *
   * @param skipAttributes record attribute keys already sent as labels or structured metadata
   * @param tail the {@link #tail} of the record's resource and scope
   */
  void line(LineBuffer out, LogRecord record, Set<String> skipAttributes, byte[] tail) {
    switch (format) {
      case RAW -> raw(out, record.getBody());
      case JSON -> json(out, record, skipAttributes, tail);
      case LOGFMT -> logfmt(out, record, skipAttributes, tail);
    }
  }

  /** The body as {@link Json#text} gives it, without the intermediate string. */
  private static void raw(LineBuffer out, AnyValue body) {
    if (body.hasStringValue()) {
      out.append(body.getStringValue());
    } else if (body.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
      out.appendJson(body);
    }
  }

  private static void json(LineBuffer out, LogRecord record, Set<String> skipAttributes, byte[] tail) {
    out.append('{');
    int start = out.size();
    if (record.hasBody()) {
      out.append("\"body\":");
      out.appendJson(record.getBody());
    }
    if (!record.getSeverityText().isEmpty()) {
      separate(out, start, ',');
      out.append("\"severity\":");
      out.appendJson(record.getSeverityText());
    }
    object(out, start, "attributes", record.getAttributesList(), skipAttributes);
    if (tail.length > 0) {
      separate(out, start, ',');
      out.append(tail);
    }
    out.append('}');
  }

  /** A JSON member {@code name} holding the attributes not skipped, if there are any. */
  private static void object(LineBuffer out, int start, String name, List<KeyValue> kvs, Set<String> skip) {
    boolean open = false;
    // by index: an iterator per record and list shows in profiles
    for (int i = 0; i < kvs.size(); i++) {
      KeyValue kv = kvs.get(i);
      if (skip.contains(kv.getKey())) {
        continue;
      }
      if (!open) {
        separate(out, start, ',');
        out.append('"');
        out.append(name);
        out.append("\":{");
        open = true;
      } else {
        out.append(',');
      }
      out.appendJson(kv.getKey());
      out.append(':');
      out.appendJson(kv.getValue());
    }
    if (open) {
      out.append('}');
    }
  }

  /** Appends {@code separator} if the line has something after {@code start}. */
  private static void separate(LineBuffer out, int start, char separator) {
    if (out.size() > start) {
      out.append(separator);
    }
  }

  private static void logfmt(LineBuffer out, LogRecord record, Set<String> skipAttributes, byte[] tail) {
    int start = out.size();
    if (!record.getSeverityText().isEmpty()) {
      pair(out, start, "", "severity", record.getSeverityText());
    }
    AnyValue body = record.getBody();
    if (body.hasKvlistValue()) {
      List<KeyValue> kvs = body.getKvlistValue().getValuesList();
      for (int i = 0; i < kvs.size(); i++) {
        pair(out, start, "", kvs.get(i).getKey(), Json.text(kvs.get(i).getValue()));
      }
    } else if (record.hasBody()) {
      pair(out, start, "", "msg", Json.text(body));
    }
    List<KeyValue> attributes = record.getAttributesList();
    for (int i = 0; i < attributes.size(); i++) {
      KeyValue kv = attributes.get(i);
      if (!skipAttributes.contains(kv.getKey())) {
        pair(out, start, "attribute_", kv.getKey(), Json.text(kv.getValue()));
      }
    }
    if (tail.length > 0) {
      separate(out, start, ' ');
      out.append(tail);
    }
  }

  /** A logfmt pair {@code prefix + key = value}, after a space unless it starts the line. */
  private static void pair(LineBuffer out, int start, String prefix, String key, String value) {
    separate(out, start, ' ');
    out.append(prefix);
    out.append(key);
    out.append('=');
    if (needsQuotes(value)) {
      out.appendJson(value);
    } else {
      out.append(value);
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
