package io.sluice.processor.attributes.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.api.ClientMetadata;
import io.sluice.api.SelfTelemetry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiled attribute actions, applied in order to one attribute list. The list is copied only when
 * an action changes it, so data the actions do not touch passes on as the same objects. Data that
 * does not fit an action (e.g. {@code convert} of {@code "abc"} to int) is left unchanged and
 * counted in {@code sluice_processor_attributes_skipped_total{action}}.
 */
public final class Actions {
  private final List<Action> actions;
  private final Map<String, SelfTelemetry.Counter> skipped;

  private record Action(
      String kind, String key, Pattern pattern, AnyValue value, String fromAttribute,
      String fromContext, String convertedType, Map<String, String> groups) {}

  /** Compiles validated actions; {@code telemetry} gets the skip counter. */
  public Actions(List<ActionConfig> configs, SelfTelemetry telemetry) {
    List<Action> list = new ArrayList<>();
    for (ActionConfig c : configs) {
      GoRegex re = c.pattern() == null || c.pattern().isEmpty() ? null : GoRegex.compile(c.pattern());
      list.add(new Action(c.action(), c.key(), re == null ? null : re.pattern(),
          c.value() == null ? null : toAnyValue(c.value()), c.fromAttribute(), c.fromContext(),
          c.convertedType(), re == null ? Map.of() : re.groups()));
    }
    this.actions = List.copyOf(list);
    this.skipped = Map.of(
        "convert", telemetry.counter("sluice_processor_attributes_skipped",
            "Attribute actions not applied because the data did not fit them", "action", "convert"),
        "extract", telemetry.counter("sluice_processor_attributes_skipped",
            "Attribute actions not applied because the data did not fit them", "action", "extract"),
        "hash", telemetry.counter("sluice_processor_attributes_skipped",
            "Attribute actions not applied because the data did not fit them", "action", "hash"));
  }

  /** Whether there are no actions. */
  public boolean isEmpty() {
    return actions.isEmpty();
  }

  /**
   * Applies every action.
   *
   * @return {@code attributes} itself when nothing changed, otherwise the new list
   */
  public List<KeyValue> apply(List<KeyValue> attributes, ClientMetadata metadata) {
    List<KeyValue> cur = attributes;
    boolean copied = false;
    for (Action a : actions) {
      switch (a.kind()) {
        case "insert", "update", "upsert" -> {
          int idx = indexOf(cur, a.key());
          if ((a.kind().equals("insert") && idx >= 0) || (a.kind().equals("update") && idx < 0)) {
            continue;
          }
          AnyValue v = source(a, cur, metadata);
          if (v == null || (idx >= 0 && cur.get(idx).getValue().equals(v))) {
            continue;
          }
          if (!copied) {
            cur = new ArrayList<>(cur);
            copied = true;
          }
          set(cur, idx, a.key(), v);
        }
        case "delete" -> {
          for (int i = cur.size() - 1; i >= 0; i--) {
            if (keyMatches(a, cur.get(i).getKey())) {
              if (!copied) {
                cur = new ArrayList<>(cur);
                copied = true;
              }
              cur.remove(i);
            }
          }
        }
        case "hash" -> {
          for (int i = 0; i < cur.size(); i++) {
            if (keyMatches(a, cur.get(i).getKey())) {
              AnyValue h = hash(cur.get(i).getValue());
              if (h == null) {
                skipped.get("hash").increment();
                continue;
              }
              if (!copied) {
                cur = new ArrayList<>(cur);
                copied = true;
              }
              cur.set(i, kv(cur.get(i).getKey(), h));
            }
          }
        }
        case "extract" -> {
          int idx = indexOf(cur, a.key());
          if (idx < 0) {
            continue;
          }
          AnyValue v = cur.get(idx).getValue();
          Matcher m = v.hasStringValue() ? a.pattern().matcher(v.getStringValue()) : null;
          if (m == null || !m.find()) {
            skipped.get("extract").increment();
            continue;
          }
          if (!copied) {
            cur = new ArrayList<>(cur);
            copied = true;
          }
          for (Map.Entry<String, String> g : a.groups().entrySet()) {
            String s = m.group(g.getKey());
            if (s != null) {
              set(cur, indexOf(cur, g.getValue()), g.getValue(), str(s));
            }
          }
        }
        case "convert" -> {
          int idx = indexOf(cur, a.key());
          if (idx < 0) {
            continue;
          }
          AnyValue from = cur.get(idx).getValue();
          AnyValue to = convert(from, a.convertedType());
          if (to == null) {
            skipped.get("convert").increment();
            continue;
          }
          if (!to.equals(from)) {
            if (!copied) {
              cur = new ArrayList<>(cur);
              copied = true;
            }
            cur.set(idx, kv(a.key(), to));
          }
        }
        default -> throw new IllegalStateException("unvalidated action " + a.kind());
      }
    }
    return cur;
  }

  private static boolean keyMatches(Action a, String key) {
    // The Collector matches key patterns anywhere in the key (Go regexp MatchString).
    return a.pattern() != null ? a.pattern().matcher(key).find() : key.equals(a.key());
  }

  private static AnyValue source(Action a, List<KeyValue> cur, ClientMetadata metadata) {
    if (a.value() != null) {
      return a.value();
    }
    if (a.fromAttribute() != null && !a.fromAttribute().isEmpty()) {
      int i = indexOf(cur, a.fromAttribute());
      return i < 0 ? null : cur.get(i).getValue();
    }
    String ctx = a.fromContext();
    if (ctx.equals("client.address")) {
      return metadata.clientAddress() == null ? null : str(metadata.clientAddress());
    }
    List<String> values = metadata.get(ctx.substring("metadata.".length()));
    // The Collector joins several values of one header with ';'.
    return values.isEmpty() ? null : str(String.join(";", values));
  }

  /** The index of {@code key} in the list, or -1. */
  public static int indexOf(List<KeyValue> attributes, String key) {
    for (int i = 0; i < attributes.size(); i++) {
      if (attributes.get(i).getKey().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private static void set(List<KeyValue> list, int idx, String key, AnyValue v) {
    if (idx >= 0) {
      list.set(idx, kv(key, v));
    } else {
      list.add(kv(key, v));
    }
  }

  /** A key/value pair. */
  public static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  /** A string value. */
  public static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  /** A configured value as an attribute value: string, integer, double or boolean. */
  public static AnyValue toAnyValue(Object v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (v instanceof Boolean bool) {
      return b.setBoolValue(bool).build();
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return b.setIntValue(((Number) v).longValue()).build();
    } else if (v instanceof Number n) {
      return b.setDoubleValue(n.doubleValue()).build();
    }
    return b.setStringValue(String.valueOf(v)).build();
  }

  /**
   * The Collector's {@code hash}: SHA-256, hex-encoded, of a string's UTF-8 bytes, a bool's single
   * byte (1 or 0), or an int's or double's 8 little-endian bytes; null for other types.
   */
  static AnyValue hash(AnyValue v) {
    byte[] bytes;
    switch (v.getValueCase()) {
      case STRING_VALUE -> bytes = v.getStringValue().getBytes(StandardCharsets.UTF_8);
      case BOOL_VALUE -> bytes = new byte[] {(byte) (v.getBoolValue() ? 1 : 0)};
      case INT_VALUE -> bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v.getIntValue()).array();
      case DOUBLE_VALUE -> bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
          .putLong(Double.doubleToRawLongBits(v.getDoubleValue())).array();
      default -> {
        return null;
      }
    }
    try {
      return str(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The Collector's {@code convert}; null when the value does not convert. */
  static AnyValue convert(AnyValue v, String type) {
    AnyValue.Builder b = AnyValue.newBuilder();
    switch (type) {
      case "int" -> {
        switch (v.getValueCase()) {
          case INT_VALUE -> { return v; }
          case DOUBLE_VALUE -> { return b.setIntValue((long) v.getDoubleValue()).build(); }
          case BOOL_VALUE -> { return b.setIntValue(v.getBoolValue() ? 1 : 0).build(); }
          case STRING_VALUE -> {
            try {
              return b.setIntValue(Long.parseLong(v.getStringValue())).build();
            } catch (NumberFormatException e) {
              return null;
            }
          }
          default -> { return null; }
        }
      }
      case "double" -> {
        switch (v.getValueCase()) {
          case DOUBLE_VALUE -> { return v; }
          case INT_VALUE -> { return b.setDoubleValue(v.getIntValue()).build(); }
          case BOOL_VALUE -> { return b.setDoubleValue(v.getBoolValue() ? 1 : 0).build(); }
          case STRING_VALUE -> {
            try {
              return b.setDoubleValue(Double.parseDouble(v.getStringValue())).build();
            } catch (NumberFormatException e) {
              return null;
            }
          }
          default -> { return null; }
        }
      }
      default -> {
        return v.hasStringValue() ? v : str(asString(v));
      }
    }
  }

  /** A value as text, as the Collector's {@code AsString} (JSON for maps and lists, base64 for bytes). */
  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> java.math.BigDecimal.valueOf(v.getDoubleValue()).stripTrailingZeros().toPlainString();
      case BYTES_VALUE -> java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> v.toString();
      default -> "";
    };
  }

}
