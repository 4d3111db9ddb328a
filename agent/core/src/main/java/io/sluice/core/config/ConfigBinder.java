package io.sluice.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigKey;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.DataSize;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds a HOCON object onto a configuration record over its defaults, collecting every problem
 * (unknown key with the nearest valid one, wrong type, bad duration or size) instead of stopping at
 * the first, then runs the record's own {@link ComponentConfig#validate()}.
 *
 * <p>Keys absent from the HOCON keep the default record's values. A nested record whose default is
 * null binds over the record's public static {@code defaults()} method when it has one, otherwise
 * over zero values (null, 0, false, empty collections).
 */
public final class ConfigBinder {

  /**
   * The outcome of binding.
   *
   * @param value the bound record, or null when binding failed
   * @param issues every problem found, binding and validation
   */
  public record Result<T>(T value, List<ConfigIssue> issues) {
    /** Whether there were no problems. */
    public boolean ok() {
      return issues.isEmpty();
    }
  }

  private ConfigBinder() {}

  /**
   * Binds {@code section} (may be null: all defaults) onto a record of type {@code type}.
   *
   * @param path the full key path of the section, e.g. {@code exporters.loki}, used in messages
   * @param ignoredKeys top-level keys of the section that belong to someone else (e.g. the exporter
   *     helper's {@code sending_queue}) and are neither bound nor reported unknown
   * @param fallbackOrigin where to point messages about keys absent from the file
   */
  public static <T> Result<T> bind(
      Class<T> type,
      T defaults,
      ConfigObject section,
      String path,
      Set<String> ignoredKeys,
      ConfigOrigin fallbackOrigin) {
    List<ConfigIssue> issues = new ArrayList<>();
    ConfigOrigin origin = section != null ? section.origin() : fallbackOrigin;
    Object value =
        bindRecord(type, defaults, section, path, ignoredKeys, origin, issues);
    List<ConfigIssue> unique = new ArrayList<>(new java.util.LinkedHashSet<>(issues));
    return new Result<>(unique.isEmpty() ? type.cast(value) : null, List.copyOf(unique));
  }

  /**
   * Runs a bound record's {@code validate()}. Every record that binds is validated, nested ones
   * too, so that a binding error in one part does not hide a range error in another; the caller
   * removes duplicates that a parent's validation repeats.
   */
  private static void validate(Object value, ConfigObject obj, String path, ConfigOrigin origin, List<ConfigIssue> issues) {
    if (!(value instanceof ComponentConfig cc)) {
      return;
    }
    List<ConfigProblem> problems;
    try {
      problems = cc.validate();
    } catch (RuntimeException e) {
      problems = List.of(new ConfigProblem("", "invalid: " + e.getMessage()));
    }
    for (ConfigProblem p : problems) {
      issues.add(new ConfigIssue(originOf(obj, p.path(), origin), join(path, p.path()), p.message()));
    }
  }

  /** The snake_case key of a record component. */
  public static String keyOf(RecordComponent rc) {
    ConfigKey key = rc.getAnnotation(ConfigKey.class);
    if (key == null) {
      key = rc.getAccessor().getAnnotation(ConfigKey.class);
    }
    return key != null ? key.value() : snake(rc.getName());
  }

  /** {@code sendBatchSize} → {@code send_batch_size}. */
  public static String snake(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static Object bindRecord(
      Class<?> type,
      Object defaults,
      ConfigObject obj,
      String path,
      Set<String> ignoredKeys,
      ConfigOrigin origin,
      List<ConfigIssue> issues) {
    RecordComponent[] components = type.getRecordComponents();
    if (components == null) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    if (defaults == null) {
      defaults = recordDefaults(type);
    }
    Map<String, RecordComponent> byKey = new LinkedHashMap<>();
    for (RecordComponent rc : components) {
      byKey.put(keyOf(rc), rc);
    }
    int before = issues.size();
    if (obj != null) {
      for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
        String key = e.getKey();
        if (!byKey.containsKey(key) && !ignoredKeys.contains(key)) {
          String suggestion = Suggestions.nearest(key, byKey.keySet());
          issues.add(
              new ConfigIssue(
                  e.getValue().origin(),
                  join(path, key),
                  "unknown key"
                      + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : "")
                      + " (valid keys: " + String.join(", ", byKey.keySet()) + ")"));
        }
      }
    }
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      String key = keyOf(rc);
      Object dflt = defaults == null ? zero(rc.getType()) : accessor(rc, defaults);
      ConfigValue v = obj == null ? null : obj.get(key);
      if (v == null) {
        args[i] = dflt;
      } else {
        args[i] = convert(v, rc.getGenericType(), dflt, join(path, key), issues);
      }
    }
    if (issues.size() > before) {
      return null;
    }
    try {
      Constructor<?> ctor =
          type.getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      ctor.setAccessible(true);
      Object value = ctor.newInstance(args);
      validate(value, obj, path, origin, issues);
      return value;
    } catch (InvocationTargetException e) {
      issues.add(new ConfigIssue(origin, path, "invalid: " + e.getCause().getMessage()));
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  private static Object recordDefaults(Class<?> type) {
    try {
      Method m = type.getMethod("defaults");
      if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getReturnType() == type) {
        return m.invoke(null);
      }
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type.getName() + ".defaults() failed", e);
    }
    return null;
  }

  private static Object accessor(RecordComponent rc, Object record) {
    try {
      Method m = rc.getAccessor();
      m.setAccessible(true);
      return m.invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object zero(Class<?> t) {
    if (t == boolean.class) {
      return false;
    } else if (t == int.class) {
      return 0;
    } else if (t == long.class) {
      return 0L;
    } else if (t == double.class) {
      return 0.0;
    } else if (t == List.class) {
      return List.of();
    } else if (t == Map.class) {
      return Map.of();
    }
    return null;
  }

  private static Object convert(
      ConfigValue v, Type type, Object dflt, String path, List<ConfigIssue> issues) {
    Class<?> raw = rawClass(type);
    ConfigValueType vt = v.valueType();
    if (vt == ConfigValueType.NULL) {
      if (raw.isPrimitive()) {
        issues.add(new ConfigIssue(v.origin(), path, "null (expected: " + describe(raw) + ")"));
      }
      return raw.isPrimitive() ? null : dflt instanceof Collection || dflt instanceof Map ? dflt : null;
    }
    try {
      if (raw == String.class) {
        if (vt == ConfigValueType.OBJECT || vt == ConfigValueType.LIST) {
          return fail(v, path, "a string", issues);
        }
        return String.valueOf(v.unwrapped());
      }
      if (raw == int.class || raw == Integer.class) {
        Config c = single(v);
        return c.getInt("v");
      }
      if (raw == long.class || raw == Long.class) {
        return single(v).getLong("v");
      }
      if (raw == double.class || raw == Double.class) {
        return single(v).getDouble("v");
      }
      if (raw == boolean.class || raw == Boolean.class) {
        return single(v).getBoolean("v");
      }
      if (raw == Duration.class) {
        if (vt == ConfigValueType.NUMBER) {
          return fail(v, path, "a duration with a unit, such as 5s or 200ms", issues);
        }
        try {
          return single(v).getDuration("v");
        } catch (ConfigException e) {
          return fail(v, path, "a duration with a unit, such as 5s or 200ms", issues);
        }
      }
      if (raw == DataSize.class) {
        try {
          return DataSize.ofBytes(single(v).getBytes("v"));
        } catch (ConfigException e) {
          return fail(v, path, "a size in bytes, or with a unit such as 512KiB or 4MiB", issues);
        }
      }
      if (raw.isEnum()) {
        if (vt != ConfigValueType.STRING) {
          return fail(v, path, "one of " + enumNames(raw), issues);
        }
        String s = ((String) v.unwrapped()).trim().replace('-', '_');
        for (Object constant : raw.getEnumConstants()) {
          if (((Enum<?>) constant).name().equalsIgnoreCase(s)) {
            return constant;
          }
        }
        return fail(v, path, "one of " + enumNames(raw), issues);
      }
      if (raw == List.class) {
        Type elem = typeArg(type, 0);
        if (vt != ConfigValueType.LIST) {
          return fail(v, path, "a list", issues);
        }
        ConfigList list = (ConfigList) v;
        List<Object> out = new ArrayList<>(list.size());
        int before = issues.size();
        for (int i = 0; i < list.size(); i++) {
          out.add(convert(list.get(i), elem, null, path + "[" + i + "]", issues));
        }
        return issues.size() > before ? null : java.util.Collections.unmodifiableList(out);
      }
      if (raw == Map.class) {
        Type valueType = typeArg(type, 1);
        if (vt != ConfigValueType.OBJECT) {
          return fail(v, path, "an object of key = value", issues);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        int before = issues.size();
        flattenInto((ConfigObject) v, valueType, "", path, out, issues);
        return issues.size() > before ? null : java.util.Collections.unmodifiableMap(out);
      }
      if (raw.isRecord()) {
        if (vt != ConfigValueType.OBJECT) {
          return fail(v, path, "an object", issues);
        }
        return bindRecord(raw, dflt, (ConfigObject) v, path, Set.of(), v.origin(), issues);
      }
      if (raw == Object.class) {
        return v.unwrapped();
      }
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      return fail(v, path, describe(raw), issues);
    }
    throw new IllegalArgumentException("unsupported config type " + type + " at " + path);
  }

  /**
   * Map values: a scalar-valued map flattens nested objects into dotted keys, so that HOCON's
   * {@code service.name = x} (which is a nested object) reads as the key {@code service.name}.
   */
  private static void flattenInto(
      ConfigObject obj,
      Type valueType,
      String prefix,
      String path,
      Map<String, Object> out,
      List<ConfigIssue> issues) {
    Class<?> raw = rawClass(valueType);
    boolean scalar = !raw.isRecord() && raw != Map.class && raw != List.class && raw != Object.class;
    for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
      String key = prefix + e.getKey();
      if (scalar && e.getValue().valueType() == ConfigValueType.OBJECT) {
        flattenInto((ConfigObject) e.getValue(), valueType, key + ".", path, out, issues);
      } else {
        out.put(key, convert(e.getValue(), valueType, null, path + ".\"" + key + "\"", issues));
      }
    }
  }

  private static Object fail(ConfigValue v, String path, String expected, List<ConfigIssue> issues) {
    issues.add(new ConfigIssue(v.origin(), path, render(v) + " (expected: " + expected + ")"));
    return null;
  }

  private static String render(ConfigValue v) {
    return switch (v.valueType()) {
      case STRING -> "\"" + v.unwrapped() + "\"";
      case OBJECT -> "an object";
      case LIST -> "a list";
      default -> String.valueOf(v.unwrapped());
    };
  }

  private static Config single(ConfigValue v) {
    return ConfigFactory.empty().withValue("v", v);
  }

  private static String describe(Class<?> raw) {
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      return "an integer";
    } else if (raw == double.class || raw == Double.class) {
      return "a number";
    } else if (raw == boolean.class || raw == Boolean.class) {
      return "true or false";
    }
    return raw.getSimpleName();
  }

  private static String enumNames(Class<?> raw) {
    List<String> names = new ArrayList<>();
    for (Object c : raw.getEnumConstants()) {
      names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
    }
    return String.join(", ", names);
  }

  private static Class<?> rawClass(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type typeArg(Type t, int i) {
    return t instanceof ParameterizedType p ? p.getActualTypeArguments()[i] : Object.class;
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "." + b;
  }

  /** The origin of the deepest value along {@code relPath} under {@code section}. */
  static ConfigOrigin originOf(ConfigObject section, String relPath, ConfigOrigin fallback) {
    if (section == null || relPath.isEmpty()) {
      return section != null ? section.origin() : fallback;
    }
    ConfigValue cur = section;
    ConfigOrigin best = section.origin();
    for (String part : relPath.split("\\.")) {
      String key = part.replaceAll("\\[\\d+]$", "");
      if (!(cur instanceof ConfigObject o) || !o.containsKey(key)) {
        break;
      }
      cur = o.get(key);
      best = cur.origin();
      int bracket = part.indexOf('[');
      if (bracket >= 0 && cur instanceof ConfigList list) {
        int idx = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
        if (idx < list.size()) {
          cur = list.get(idx);
          best = cur.origin();
        }
      }
    }
    return best;
  }
}
