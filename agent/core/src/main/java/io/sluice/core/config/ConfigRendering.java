package io.sluice.core.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.sluice.api.config.DataSize;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Renders configuration for people: a record's defaults as HOCON, and a config with secrets redacted. */
public final class ConfigRendering {
  /** Keys whose values are secrets (matched case-insensitively, anywhere in the key). */
  private static final Pattern SECRET_KEY =
      Pattern.compile("(?i).*(password|passwd|secret|token|authorization|api_key|apikey|credential|private_key).*");

  /** Shown instead of a secret. */
  public static final String REDACTED = "<redacted>";

  private static final ConfigRenderOptions HOCON =
      ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false).setFormatted(true);

  private ConfigRendering() {}

  /** A record (e.g. a factory's default config) as HOCON text, secrets redacted. */
  public static String recordToHocon(Object record) {
    ConfigValue v = ConfigValueFactory.fromAnyRef(toPlain(record));
    StringBuilder sb = new StringBuilder();
    if (v instanceof ConfigObject o) {
      writeEntries(redact(o), sb, "");
    } else {
      sb.append(v.render(ConfigRenderOptions.concise()));
    }
    return sb.toString();
  }

  /** Writes {@code key = value} lines in declaration order, nested objects in braces. */
  private static void writeEntries(ConfigObject o, StringBuilder sb, String indent) {
    for (Map.Entry<String, Object> e : o.unwrapped().entrySet()) {
      ConfigValue v = o.get(e.getKey());
      String key = e.getKey().matches("[A-Za-z0-9_-]+") ? e.getKey() : "\"" + e.getKey() + "\"";
      if (v instanceof ConfigObject child && !child.isEmpty()) {
        sb.append(indent).append(key).append(" {\n");
        writeEntries(child, sb, indent + "  ");
        sb.append(indent).append("}\n");
      } else {
        sb.append(indent).append(key).append(" = ").append(v.render(ConfigRenderOptions.concise())).append('\n');
      }
    }
  }

  /** A config object as HOCON text. */
  public static String render(ConfigObject object) {
    return object.render(HOCON);
  }

  /**
   * A copy of {@code object} with secrets replaced by {@link #REDACTED}: values of keys that look
   * like passwords, tokens, authorization or API keys, and every value under a {@code headers} key.
   */
  public static ConfigObject redact(ConfigObject object) {
    return (ConfigObject) redactValue(object, false);
  }

  private static ConfigValue redactValue(ConfigValue v, boolean secret) {
    if (v.valueType() == ConfigValueType.OBJECT) {
      ConfigObject o = (ConfigObject) v;
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
        boolean childSecret = secret || SECRET_KEY.matcher(e.getKey()).matches() || e.getKey().equals("headers");
        out.put(e.getKey(), redactValue(e.getValue(), childSecret));
      }
      return ConfigValueFactory.fromMap(out, o.origin().description());
    }
    if (v.valueType() == ConfigValueType.LIST) {
      List<Object> out = new ArrayList<>();
      for (ConfigValue item : (ConfigList) v) {
        out.add(redactValue(item, secret));
      }
      return ConfigValueFactory.fromIterable(out);
    }
    if (secret && v.valueType() != ConfigValueType.NULL) {
      String s = String.valueOf(v.unwrapped());
      return ConfigValueFactory.fromAnyRef(s.isEmpty() ? "" : REDACTED);
    }
    return v;
  }

  private static Object toPlain(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Duration d) {
      return durationText(d);
    }
    if (value instanceof DataSize s) {
      return s.toString();
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(i -> out.add(toPlain(i)));
      return out;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), toPlain(v)));
      return out;
    }
    if (value.getClass().isRecord()) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (RecordComponent rc : value.getClass().getRecordComponents()) {
        try {
          var accessor = rc.getAccessor();
          accessor.setAccessible(true);
          out.put(ConfigBinder.keyOf(rc), toPlain(accessor.invoke(value)));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return out;
    }
    return value;
  }

  /** {@code 200ms}, {@code 5s}, {@code 5m}: the shortest exact HOCON duration. */
  public static String durationText(Duration d) {
    long ms = d.toMillis();
    if (d.toNanos() % 1_000_000 != 0) {
      return d.toNanos() + "ns";
    }
    if (ms % 3_600_000 == 0 && ms != 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms != 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
