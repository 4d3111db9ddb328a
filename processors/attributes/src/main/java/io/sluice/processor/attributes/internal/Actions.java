package io.sluice.processor.attributes.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.api.ClientMetadata;
import io.sluice.api.SelfTelemetry;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiled attribute actions, applied in order to one attribute list. The list is copied only when
 * an action changes it, so data the actions do not touch passes on as the same objects. Data that
 * does not fit an action (e.g. {@code convert} of {@code "abc"} to int) is left unchanged and
 * counted in {@code sluice_processor_attributes_skipped_total{action}}.
 *
 * <p>Everything that does not depend on the data is prepared here once ({@link Action}: the action
 * kinds, the entries written for a configured {@code value}, the compiled patterns). What depends on
 * one request (its client metadata, the SHA-256 state {@code hash} uses) lives in a {@link Run}.
 */
public final class Actions {
  private final Action[] actions;
  /** Copied for each {@link Run} that hashes; null without a {@code hash} action. */
  private final MessageDigest sha256;

  /** Compiles validated actions; {@code telemetry} gets the skip counter. */
  public Actions(List<ActionConfig> configs, SelfTelemetry telemetry) {
    Map<String, SelfTelemetry.Counter> skipped = new HashMap<>();
    for (String action : List.of("convert", "extract", "hash")) {
      skipped.put(action, telemetry.counter("sluice_processor_attributes_skipped",
          "Attribute actions not applied because the data did not fit them", "action", action));
    }
    this.actions = new Action[configs.size()];
    for (int i = 0; i < actions.length; i++) {
      actions[i] = Action.compile(configs.get(i), i, skipped.get(configs.get(i).action()));
    }
    this.sha256 = Arrays.stream(actions).anyMatch(a -> a instanceof Action.Hash) ? Sha256Hex.prototype() : null;
  }

  /** Whether there are no actions. */
  public boolean isEmpty() {
    return actions.length == 0;
  }

  /**
   * Applies every action to one list; for the many lists of one request, {@link #run} once and apply
   * that.
   *
   * @return {@code attributes} itself when nothing changed, otherwise the new list
   */
  public List<KeyValue> apply(List<KeyValue> attributes, ClientMetadata metadata) {
    return run(metadata).apply(attributes);
  }

  /** The actions for the attribute lists of one request, whose client metadata is {@code metadata}. */
  public Run run(ClientMetadata metadata) {
    return new Run(metadata);
  }

  /**
   * The actions applied to the attribute lists of one request: values taken from its client
   * metadata are looked up once, and {@code hash} reuses one digest. Not thread-safe: one per
   * request and thread.
   */
  public final class Run {
    /** Per action: the entry a {@code from_context} write puts, or null when the metadata lacks it. */
    private final KeyValue[] contextEntries;
    private Sha256Hex hasher;

    private Run(ClientMetadata metadata) {
      KeyValue[] entries = null;
      for (int i = 0; i < actions.length; i++) {
        if (actions[i] instanceof Action.Write w && w.fromContext() != null) {
          if (entries == null) {
            entries = new KeyValue[actions.length];
          }
          AnyValue v = fromContext(w.fromContext(), metadata);
          entries[i] = v == null ? null : kv(w.key(), v);
        }
      }
      this.contextEntries = entries;
    }

    /**
     * Applies every action.
     *
     * @return {@code attributes} itself when nothing changed, otherwise the new list
     */
    public List<KeyValue> apply(List<KeyValue> attributes) {
      List<KeyValue> cur = attributes;
      for (Action a : actions) {
        cur = a.apply(cur, attributes, this);
      }
      return cur;
    }

    KeyValue contextEntry(int slot) {
      return contextEntries[slot];
    }

    AnyValue hash(AnyValue v) {
      if (hasher == null) {
        hasher = Sha256Hex.copyOf(sha256);
      }
      return hasher.hash(v);
    }
  }

  private static AnyValue fromContext(String ctx, ClientMetadata metadata) {
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
