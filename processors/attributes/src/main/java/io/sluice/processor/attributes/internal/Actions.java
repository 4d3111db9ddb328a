package io.sluice.processor.attributes.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.api.ClientMetadata;
import io.sluice.api.SelfTelemetry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiled attribute actions, applied in order to one attribute list. The list is copied only when
 * an action changes it, so data the actions do not touch passes on as the same objects. Data that
 * does not fit an action (e.g. {@code convert} of {@code "abc"} to int) is left unchanged and
 * counted in {@code sluice_processor_attributes_skipped_total{action}}.
 *
 * <p>Everything that does not depend on the data is prepared here once: the action kinds, the
 * entries written for a configured {@code value}, the compiled patterns. What depends on one request
 * (its client metadata, the SHA-256 state {@code hash} uses) lives in a {@link Run}.
 */
public final class Actions {
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final HexFormat HEX = HexFormat.of();

  private final Action[] actions;
  /** Cloned for each {@link Run} that hashes: a clone skips the provider lookup of {@code getInstance}. */
  private final MessageDigest sha256;
  private final SelfTelemetry.Counter convertSkipped;
  private final SelfTelemetry.Counter extractSkipped;
  private final SelfTelemetry.Counter hashSkipped;

  private sealed interface Action permits Write, Delete, Hash, Extract, Convert {}

  private enum Mode { INSERT, UPDATE, UPSERT }

  /**
   * {@code insert} / {@code update} / {@code upsert} from exactly one source: {@code entry} (a
   * configured value, built once), {@code fromAttribute} or {@code fromContext}.
   */
  private record Write(Mode mode, String key, KeyValue entry, String fromAttribute, String fromContext) implements Action {}

  private record Delete(Keys keys) implements Action {}

  private record Hash(Keys keys) implements Action {}

  private record Extract(String key, Pattern pattern, Map<String, String> groups) implements Action {}

  private record Convert(String key, String type) implements Action {}

  /** The attributes an action works on: one key, or every key a pattern finds a match in. */
  private record Keys(String key, Pattern pattern) {
    boolean matches(String k) {
      // The Collector matches key patterns anywhere in the key (Go regexp MatchString).
      return pattern != null ? pattern.matcher(k).find() : k.equals(key);
    }
  }

  /** Compiles validated actions; {@code telemetry} gets the skip counter. */
  public Actions(List<ActionConfig> configs, SelfTelemetry telemetry) {
    this.actions = new Action[configs.size()];
    for (int i = 0; i < actions.length; i++) {
      actions[i] = compile(configs.get(i));
    }
    try {
      this.sha256 = Arrays.stream(actions).anyMatch(a -> a instanceof Hash) ? MessageDigest.getInstance("SHA-256") : null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    this.convertSkipped = skipCounter(telemetry, "convert");
    this.extractSkipped = skipCounter(telemetry, "extract");
    this.hashSkipped = skipCounter(telemetry, "hash");
  }

  private static Action compile(ActionConfig c) {
    GoRegex re = c.pattern() == null || c.pattern().isEmpty() ? null : GoRegex.compile(c.pattern());
    Pattern pattern = re == null ? null : re.pattern();
    return switch (c.action()) {
      case "insert", "update", "upsert" -> new Write(Mode.valueOf(c.action().toUpperCase(Locale.ROOT)), c.key(),
          c.value() == null ? null : kv(c.key(), toAnyValue(c.value())),
          c.fromAttribute() == null || c.fromAttribute().isEmpty() ? null : c.fromAttribute(),
          c.fromContext() == null || c.fromContext().isEmpty() ? null : c.fromContext());
      case "delete" -> new Delete(new Keys(c.key(), pattern));
      case "hash" -> new Hash(new Keys(c.key(), pattern));
      case "extract" -> new Extract(c.key(), pattern, re.groups());
      case "convert" -> new Convert(c.key(), c.convertedType());
      default -> throw new IllegalArgumentException("unvalidated action " + c.action());
    };
  }

  private static SelfTelemetry.Counter skipCounter(SelfTelemetry telemetry, String action) {
    return telemetry.counter("sluice_processor_attributes_skipped",
        "Attribute actions not applied because the data did not fit them", "action", action);
  }

  /** Whether there are no actions. */
  public boolean isEmpty() {
    return actions.length == 0;
  }

  /**
   * Applies every action.
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
    private MessageDigest digest;
    private byte[] digestOut;
    private byte[] number;

    private Run(ClientMetadata metadata) {
      KeyValue[] entries = null;
      for (int i = 0; i < actions.length; i++) {
        if (actions[i] instanceof Write w && w.fromContext() != null) {
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
      for (int n = 0; n < actions.length; n++) {
        switch (actions[n]) {
          case Write w -> {
            int idx = indexOf(cur, w.key());
            if ((w.mode() == Mode.INSERT && idx >= 0) || (w.mode() == Mode.UPDATE && idx < 0)) {
              continue;
            }
            KeyValue entry = w.entry() != null ? w.entry()
                : w.fromAttribute() != null ? fromAttribute(cur, w) : contextEntries[n];
            if (entry == null || (idx >= 0 && cur.get(idx).getValue().equals(entry.getValue()))) {
              continue;
            }
            cur = writable(cur, attributes);
            if (idx >= 0) {
              cur.set(idx, entry);
            } else {
              cur.add(entry);
            }
          }
          case Delete d -> {
            for (int i = cur.size() - 1; i >= 0; i--) {
              if (d.keys().matches(cur.get(i).getKey())) {
                cur = writable(cur, attributes);
                cur.remove(i);
              }
            }
          }
          case Hash h -> {
            for (int i = 0; i < cur.size(); i++) {
              KeyValue kv = cur.get(i);
              if (h.keys().matches(kv.getKey())) {
                AnyValue hashed = hash(kv.getValue());
                if (hashed == null) {
                  hashSkipped.increment();
                  continue;
                }
                cur = writable(cur, attributes);
                cur.set(i, kv(kv.getKey(), hashed));
              }
            }
          }
          case Extract e -> {
            int idx = indexOf(cur, e.key());
            if (idx < 0) {
              continue;
            }
            AnyValue v = cur.get(idx).getValue();
            Matcher m = v.hasStringValue() ? e.pattern().matcher(v.getStringValue()) : null;
            if (m == null || !m.find()) {
              extractSkipped.increment();
              continue;
            }
            cur = writable(cur, attributes);
            for (Map.Entry<String, String> g : e.groups().entrySet()) {
              String s = m.group(g.getKey());
              if (s != null) {
                set(cur, indexOf(cur, g.getValue()), g.getValue(), str(s));
              }
            }
          }
          case Convert c -> {
            int idx = indexOf(cur, c.key());
            if (idx < 0) {
              continue;
            }
            AnyValue from = cur.get(idx).getValue();
            AnyValue to = convert(from, c.type());
            if (to == null) {
              convertSkipped.increment();
              continue;
            }
            if (!to.equals(from)) {
              cur = writable(cur, attributes);
              cur.set(idx, kv(c.key(), to));
            }
          }
        }
      }
      return cur;
    }

    /**
     * The Collector's {@code hash}: SHA-256, hex-encoded, of a string's UTF-8 bytes, a bool's single
     * byte (1 or 0), or an int's or double's 8 little-endian bytes; null for other types.
     */
    AnyValue hash(AnyValue v) {
      if (digest == null) {
        try {
          digest = (MessageDigest) sha256.clone();
        } catch (CloneNotSupportedException e) {
          throw new IllegalStateException("SHA-256 digests are cloneable", e);
        }
        digestOut = new byte[32];
        number = new byte[8];
      }
      switch (v.getValueCase()) {
        case STRING_VALUE -> digest.update(v.getStringValue().getBytes(StandardCharsets.UTF_8));
        case BOOL_VALUE -> digest.update((byte) (v.getBoolValue() ? 1 : 0));
        case INT_VALUE -> {
          LONG_LE.set(number, 0, v.getIntValue());
          digest.update(number);
        }
        case DOUBLE_VALUE -> {
          LONG_LE.set(number, 0, Double.doubleToRawLongBits(v.getDoubleValue()));
          digest.update(number);
        }
        default -> {
          return null;
        }
      }
      try {
        digest.digest(digestOut, 0, digestOut.length);
      } catch (DigestException e) {
        throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
      }
      return str(HEX.formatHex(digestOut));
    }
  }

  /** {@code attributes}' copy to change, made on the first change; {@code cur} once it is that copy. */
  private static List<KeyValue> writable(List<KeyValue> cur, List<KeyValue> attributes) {
    return cur != attributes ? cur : copy(attributes);
  }

  private static List<KeyValue> copy(List<KeyValue> attributes) {
    // Room for an insert or two without growing: the common change is an added attribute.
    List<KeyValue> out = new ArrayList<>(attributes.size() + 2);
    out.addAll(attributes);
    return out;
  }

  private static KeyValue fromAttribute(List<KeyValue> cur, Write w) {
    int i = indexOf(cur, w.fromAttribute());
    return i < 0 ? null : kv(w.key(), cur.get(i).getValue());
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
