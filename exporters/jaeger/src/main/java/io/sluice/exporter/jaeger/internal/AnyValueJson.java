package io.sluice.exporter.jaeger.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;

/**
 * Writes OTLP array and key-value-list attribute values as JSON text, the form the specification
 * asks for when a format has no list type (Jaeger tags): strings quoted, bytes as base64 strings,
 * an unset value as {@code null}, non-finite doubles as the strings {@code "NaN"}, {@code
 * "Infinity"}, {@code "-Infinity"}.
 */
final class AnyValueJson {
  private AnyValueJson() {}

  /** The JSON text of {@code value}. */
  static String toJson(AnyValue value) {
    StringBuilder sb = new StringBuilder(32);
    append(sb, value);
    return sb.toString();
  }

  private static void append(StringBuilder sb, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> appendString(sb, v.getStringValue());
      case BOOL_VALUE -> sb.append(v.getBoolValue());
      case INT_VALUE -> sb.append(v.getIntValue());
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        if (Double.isFinite(d)) {
          sb.append(d);
        } else {
          appendString(sb, Double.toString(d));
        }
      }
      case BYTES_VALUE -> appendString(sb, Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        sb.append('[');
        int i = 0;
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          if (i++ > 0) {
            sb.append(',');
          }
          append(sb, e);
        }
        sb.append(']');
      }
      case KVLIST_VALUE -> {
        sb.append('{');
        int i = 0;
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          if (i++ > 0) {
            sb.append(',');
          }
          appendString(sb, kv.getKey());
          sb.append(':');
          append(sb, kv.getValue());
        }
        sb.append('}');
      }
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> sb.append("null");
    }
  }

  private static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
