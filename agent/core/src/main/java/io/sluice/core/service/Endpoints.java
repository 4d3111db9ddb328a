package io.sluice.core.service;

import io.sluice.core.config.ConfigBinder;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/** Finds the listening endpoints in a bound config: every String record component named endpoint. */
final class Endpoints {
  private Endpoints() {}

  /** Relative key path → {@code host:port}, searched through nested records. */
  static Map<String, String> of(Object config) {
    Map<String, String> out = new LinkedHashMap<>();
    collect(config, "", out, 0);
    return out;
  }

  private static void collect(Object value, String path, Map<String, String> out, int depth) {
    if (value == null || depth > 6 || !value.getClass().isRecord()) {
      return;
    }
    for (RecordComponent rc : value.getClass().getRecordComponents()) {
      Object v;
      try {
        var accessor = rc.getAccessor();
        accessor.setAccessible(true);
        v = accessor.invoke(value);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      String key = ConfigBinder.keyOf(rc);
      String p = path.isEmpty() ? key : path + "." + key;
      if (v instanceof String s && key.equals("endpoint")) {
        out.put(p, s);
      } else if (v != null && v.getClass().isRecord()) {
        collect(v, p, out, depth + 1);
      }
    }
  }

  /** The port of {@code host:port}, or -1 when it has none or is not of that form. */
  static int port(String endpoint) {
    if (endpoint == null) {
      return -1;
    }
    int colon = endpoint.lastIndexOf(':');
    if (colon < 0 || endpoint.contains("://")) {
      return -1;
    }
    try {
      return Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
