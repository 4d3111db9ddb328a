package io.sluice.processor.resource;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.processor.attributes.internal.Actions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Detects resource attributes from where the daemon runs (the sidecar case). Everything it reads
 * comes through {@link Environment}, so tests can inject it.
 */
final class Detectors {
  private Detectors() {}

  /**
   * What the detectors read.
   *
   * @param env environment variables
   * @param properties system properties ({@code os.name}, {@code os.version}, {@code os.arch})
   * @param hostname the host name, asked only when the {@code host} detector runs
   */
  record Environment(Map<String, String> env, Map<String, String> properties, Supplier<String> hostname) {

    /** The real process environment. */
    static Environment system() {
      Map<String, String> props = new LinkedHashMap<>();
      for (String k : List.of("os.name", "os.version", "os.arch")) {
        props.put(k, System.getProperty(k, ""));
      }
      return new Environment(System.getenv(), props, Detectors::localHostName);
    }
  }

  /** Kubernetes downward-API variables and the attributes they become. */
  static final Map<String, String> K8S = linked(
      "K8S_POD_NAME", "k8s.pod.name",
      "K8S_NAMESPACE_NAME", "k8s.namespace.name",
      "K8S_NODE_NAME", "k8s.node.name",
      "K8S_POD_UID", "k8s.pod.uid");

  private static Map<String, String> linked(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  /** Runs the detectors in order; a later detector's value for the same key wins. */
  static List<KeyValue> detect(List<String> detectors, Environment e) {
    Map<String, String> found = new LinkedHashMap<>();
    for (String d : detectors) {
      switch (d) {
        case "env" -> {
          found.putAll(parseResourceAttributes(e.env().getOrDefault("OTEL_RESOURCE_ATTRIBUTES", "")));
          K8S.forEach((var, attr) -> {
            String v = e.env().get(var);
            if (v != null && !v.isBlank()) {
              found.put(attr, v.strip());
            }
          });
        }
        case "host" -> {
          String name = e.hostname().get();
          if (name != null && !name.isBlank()) {
            found.put("host.name", name);
          }
          found.put("host.arch", arch(e.properties().getOrDefault("os.arch", "")));
        }
        case "system" -> {
          String os = e.properties().getOrDefault("os.name", "");
          found.put("os.type", osType(os));
          found.put("os.description", (os + " " + e.properties().getOrDefault("os.version", "")).strip());
        }
        default -> throw new IllegalArgumentException("unknown detector " + d);
      }
    }
    List<KeyValue> out = new ArrayList<>();
    found.forEach((k, v) -> out.add(Actions.kv(k, Actions.str(v))));
    return out;
  }

  /**
   * {@code OTEL_RESOURCE_ATTRIBUTES}: {@code key=value} pairs separated by commas, values
   * percent-encoded (W3C Baggage octets); malformed pairs are skipped as the SDKs do.
   */
  static Map<String, String> parseResourceAttributes(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : raw.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = pair.substring(0, eq).strip();
      String value = percentDecode(pair.substring(eq + 1).strip());
      if (!key.isEmpty() && value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  private static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** {@code host.arch} as semantic conventions spell it. */
  static String arch(String osArch) {
    return switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "x86";
      case "arm", "arm32" -> "arm32";
      case "ppc64", "ppc64le" -> "ppc64";
      case "s390x" -> "s390x";
      case "ppc", "ppc32" -> "ppc32";
      default -> osArch.toLowerCase(Locale.ROOT);
    };
  }

  /** {@code os.type} as semantic conventions spell it. */
  static String osType(String osName) {
    String n = osName.toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return "windows";
    } else if (n.startsWith("mac") || n.startsWith("darwin")) {
      return "darwin";
    } else if (n.startsWith("sunos") || n.startsWith("solaris")) {
      return "solaris";
    } else if (n.contains("bsd") || n.startsWith("linux") || n.startsWith("aix")) {
      return n.replace(" ", "");
    }
    return n.isEmpty() ? "unknown" : n.split(" ")[0];
  }

  private static String localHostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
