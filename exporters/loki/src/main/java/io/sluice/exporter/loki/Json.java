package io.sluice.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;

/** A minimal JSON writer for log lines and the JSON push format: no object model, no reflection. */
final class Json {
  private Json() {}

  /** Appends {@code s} as a JSON string literal, copying the runs between escapes at once. */
  static StringBuilder string(StringBuilder out, String s) {
    out.append('"');
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, run, i).append(escape(c));
      run = i + 1;
    }
    return out.append(s, run, s.length()).append('"');
  }

  /** The escape of a character a JSON string cannot hold as it is: a quote, a backslash, below 0x20. */
  static String escape(char c) {
    return switch (c) {
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> String.format("\\u%04x", (int) c);
    };
  }

  /** Appends an OTLP value as JSON: bytes as base64, doubles that are not finite as strings. */
  static void value(StringBuilder out, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> string(out, v.getStringValue());
      case BOOL_VALUE -> out.append(v.getBoolValue());
      case INT_VALUE -> out.append(v.getIntValue());
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        if (Double.isFinite(d)) {
          out.append(d);
        } else {
          string(out, Double.toString(d));
        }
      }
      case BYTES_VALUE -> string(out, Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        out.append('[');
        for (int i = 0; i < v.getArrayValue().getValuesCount(); i++) {
          if (i > 0) {
            out.append(',');
          }
          value(out, v.getArrayValue().getValues(i));
        }
        out.append(']');
      }
      case KVLIST_VALUE -> {
        out.append('{');
        boolean first = true;
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          string(out, kv.getKey()).append(':');
          value(out, kv.getValue());
        }
        out.append('}');
      }
      default -> out.append("null");
    }
  }

  /** An OTLP value as text: strings as they are, everything else as JSON. */
  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case VALUE_NOT_SET -> "";
      default -> {
        StringBuilder sb = new StringBuilder();
        value(sb, v);
        yield sb.toString();
      }
    };
  }
}
