package io.sluice.core.plugin;

import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Every installed component factory, found with {@link ServiceLoader} on the daemon's classpath and
 * in every jar of the plugins directory, so a third-party jar adds a component without rebuilding
 * Sluice. Factories are keyed by kind and type: one receiver type and one exporter type may share a
 * name (like {@code otlp}), two receivers may not.
 */
public final class ComponentRegistry {
  private final Map<ComponentKind, Map<String, ComponentFactory<?>>> byKind;
  private final Map<ComponentFactory<?>, String> sources;

  private ComponentRegistry(
      Map<ComponentKind, Map<String, ComponentFactory<?>>> byKind,
      Map<ComponentFactory<?>, String> sources) {
    this.byKind = byKind;
    this.sources = sources;
  }

  /** Thrown when the plugins cannot be loaded; the message names the cause and the fix. */
  public static final class PluginException extends Exception {
    private static final long serialVersionUID = 1L;

    PluginException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Discovers factories on the classpath and in {@code pluginsDir} (which may be null or absent).
   *
   * @throws PluginException for an unreadable plugin jar, a factory that fails to load, an invalid
   *     type name, or two factories claiming one type
   */
  public static ComponentRegistry discover(Path pluginsDir) throws PluginException {
    ClassLoader parent = ComponentRegistry.class.getClassLoader();
    ClassLoader loader = parent;
    List<URL> jars = new ArrayList<>();
    if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
      try (Stream<Path> files = Files.list(pluginsDir)) {
        for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
          checkReadable(jar);
          jars.add(jar.toUri().toURL());
        }
      } catch (IOException e) {
        throw new PluginException(
            "cannot list plugins directory " + pluginsDir + ": " + e.getMessage(), e);
      }
      if (!jars.isEmpty()) {
        loader = new URLClassLoader("sluice-plugins", jars.toArray(URL[]::new), parent);
      }
    }
    Map<ComponentKind, Map<String, ComponentFactory<?>>> byKind = new EnumMap<>(ComponentKind.class);
    Map<ComponentFactory<?>, String> sources = new java.util.IdentityHashMap<>();
    for (ComponentKind k : ComponentKind.values()) {
      byKind.put(k, new TreeMap<>());
    }
    try {
      for (ComponentFactory<?> f : ServiceLoader.load(ComponentFactory.class, loader)) {
        String source = sourceOf(f);
        if (!ComponentId.isValidType(f.type())) {
          throw new PluginException(
              "component factory " + f.getClass().getName() + " (" + source + ") has type \""
                  + f.type() + "\" (expected: lower_snake_case, e.g. my_exporter)", null);
        }
        ComponentFactory<?> previous = byKind.get(f.kind()).putIfAbsent(f.type(), f);
        if (previous != null && previous.getClass() != f.getClass()) {
          throw new PluginException(
              "two " + f.kind().label() + " factories claim type \"" + f.type() + "\": "
                  + previous.getClass().getName() + " (" + sources.get(previous) + ") and "
                  + f.getClass().getName() + " (" + source + "); remove one of the jars", null);
        }
        sources.putIfAbsent(f, source);
      }
    } catch (ServiceConfigurationError e) {
      throw new PluginException(
          "a component factory failed to load: " + e.getMessage()
              + " (check that the plugin jar was built against this Sluice version's sluice-api)", e);
    }
    return new ComponentRegistry(byKind, sources);
  }

  private static void checkReadable(Path jar) throws PluginException {
    try (JarFile ignored = new JarFile(jar.toFile())) {
      // Opening reads the central directory: a truncated or non-zip file fails here.
    } catch (IOException | SecurityException e) {
      throw new PluginException(
          "plugin jar " + jar + " cannot be read (" + e.getMessage()
              + "); replace it with a valid jar or remove it from the plugins directory", e);
    }
  }

  private static String sourceOf(ComponentFactory<?> f) {
    try {
      var cs = f.getClass().getProtectionDomain().getCodeSource();
      if (cs != null && cs.getLocation() != null) {
        return Path.of(cs.getLocation().toURI()).getFileName().toString();
      }
    } catch (Exception e) {
      return "unknown location";
    }
    return "unknown location";
  }

  /** The factory of {@code kind} for {@code type}, or null. */
  public ComponentFactory<?> find(ComponentKind kind, String type) {
    return byKind.get(kind).get(type);
  }

  /** Every type name of a kind, sorted. */
  public Collection<String> types(ComponentKind kind) {
    return byKind.get(kind).keySet();
  }

  /** Every factory, by kind then type. */
  public List<ComponentFactory<?>> all() {
    List<ComponentFactory<?>> out = new ArrayList<>();
    byKind.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  /** Where a factory was loaded from (a jar file name). */
  public String source(ComponentFactory<?> f) {
    return sources.getOrDefault(f, "unknown location");
  }

  /** Creates a registry from explicit factories (for tests). */
  public static ComponentRegistry of(List<ComponentFactory<?>> factories) {
    Map<ComponentKind, Map<String, ComponentFactory<?>>> byKind = new EnumMap<>(ComponentKind.class);
    for (ComponentKind k : ComponentKind.values()) {
      byKind.put(k, new TreeMap<>());
    }
    factories.forEach(f -> byKind.get(f.kind()).put(f.type(), f));
    return new ComponentRegistry(byKind, new java.util.IdentityHashMap<>());
  }

}
