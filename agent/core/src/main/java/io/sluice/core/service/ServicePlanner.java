package io.sluice.core.service;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.ExporterFactory;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ExporterSettings;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.config.ConfigBinder;
import io.sluice.core.config.ConfigIssue;
import io.sluice.core.config.Suggestions;
import io.sluice.core.plugin.ComponentRegistry;
import io.sluice.core.service.ServicePlan.Bound;
import io.sluice.core.service.ServicePlan.Pipeline;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a merged configuration into a {@link ServicePlan}: binds every component's section to its
 * record, resolves pipelines and checks the graph. Collects every problem instead of stopping at
 * the first; opens no socket.
 *
 * <p>Graph rules: every id a pipeline names is declared; every declared receiver, processor and
 * exporter is used; a component supports its pipeline's signal; a pipeline has a receiver (or is
 * fed by a bridge) and an exporter; bridges name existing pipelines without forming a cycle; two
 * listeners do not share a port.
 */
public final class ServicePlanner {
  private static final List<String> TOP_LEVEL =
      List.of("receivers", "processors", "exporters", "extensions", "service");
  private static final List<String> SERVICE_KEYS =
      List.of("pipelines", "extensions", "telemetry", "shutdown_timeout");
  private static final List<String> PIPELINE_KEYS = List.of("receivers", "processors", "exporters");

  private final ComponentRegistry registry;
  private final List<ConfigIssue> issues = new ArrayList<>();

  private ServicePlanner(ComponentRegistry registry) {
    this.registry = registry;
  }

  /** Plans {@code config} with the factories of {@code registry}. */
  public static ServicePlan plan(Config config, ComponentRegistry registry) {
    return new ServicePlanner(registry).run(config);
  }

  private ServicePlan run(Config config) {
    ConfigObject root = config.root();
    for (Map.Entry<String, ConfigValue> e : root.entrySet()) {
      if (!TOP_LEVEL.contains(e.getKey())) {
        unknownKey(e.getValue().origin(), e.getKey(), TOP_LEVEL);
      }
    }
    Map<ComponentKind, Map<ComponentId, Bound>> components = new EnumMap<>(ComponentKind.class);
    for (ComponentKind kind : ComponentKind.values()) {
      components.put(kind, bindSection(root, kind));
    }

    ConfigObject service = object(root, "service", root.origin());
    ServiceSettings settings = ServiceSettings.DEFAULTS;
    List<Pipeline> pipelines = new ArrayList<>();
    List<ComponentId> extensions = new ArrayList<>();
    if (service == null) {
      issues.add(new ConfigIssue(root.origin(), "service",
          "missing (expected: a service section with pipelines, e.g. service.pipelines.traces"
              + " { receivers = [otlp], exporters = [debug] })"));
    } else {
      for (Map.Entry<String, ConfigValue> e : service.entrySet()) {
        if (!SERVICE_KEYS.contains(e.getKey())) {
          unknownKey(e.getValue().origin(), "service." + e.getKey(), SERVICE_KEYS);
        }
      }
      settings = bindSettings(service);
      extensions = idList(service, "extensions", "service.extensions", components.get(ComponentKind.EXTENSION), ComponentKind.EXTENSION);
      pipelines = pipelines(service, components);
    }
    if (service != null) {
      checkGraph(components, pipelines, extensions, service);
    }
    checkPorts(components, settings, root);
    return new ServicePlan(components, pipelines, extensions, settings, List.copyOf(issues));
  }

  private Map<ComponentId, Bound> bindSection(ConfigObject root, ComponentKind kind) {
    Map<ComponentId, Bound> out = new LinkedHashMap<>();
    ConfigObject section = object(root, kind.section(), root.origin());
    if (section == null) {
      return out;
    }
    for (Map.Entry<String, ConfigValue> e : section.entrySet()) {
      String path = kind.section() + "." + e.getKey();
      ConfigValue value = e.getValue();
      ComponentId id;
      try {
        id = ComponentId.parse(e.getKey());
      } catch (IllegalArgumentException ex) {
        issues.add(new ConfigIssue(value.origin(), path, ex.getMessage()));
        continue;
      }
      ComponentFactory<?> factory = registry.find(kind, id.type());
      if (factory == null) {
        String suggestion = Suggestions.nearest(id.type(), registry.types(kind));
        issues.add(new ConfigIssue(value.origin(), path,
            "unknown " + kind.label() + " type \"" + id.type() + "\""
                + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : "")
                + " (installed: " + String.join(", ", registry.types(kind))
                + "; run `sluice components` to list them, or add a plugin jar)"));
        continue;
      }
      ConfigObject body;
      if (value.valueType() == ConfigValueType.OBJECT) {
        body = (ConfigObject) value;
      } else if (value.valueType() == ConfigValueType.NULL) {
        body = null;
      } else {
        issues.add(new ConfigIssue(value.origin(), path,
            "a " + value.valueType().name().toLowerCase(java.util.Locale.ROOT)
                + " (expected: an object with the component's settings, or {} for defaults)"));
        continue;
      }
      ConfigBinder.Result<? extends ComponentConfig> bound =
          ComponentBinding.bind(factory, body, path, value.origin());
      issues.addAll(bound.issues());
      ExporterSettings helper = null;
      if (factory instanceof ExporterFactory<?> ef) {
        ConfigBinder.Result<ExporterSettings> hs =
            ComponentBinding.bindExporterSettings(ef, body, path, value.origin());
        issues.addAll(hs.issues());
        helper = hs.value();
      }
      out.put(id, new Bound(id, kind, factory, bound.value(), helper, value.origin()));
    }
    return out;
  }

  private ServiceSettings bindSettings(ConfigObject service) {
    Set<String> ignored = Set.of("pipelines", "extensions");
    ConfigBinder.Result<ServiceSettings> r =
        ConfigBinder.bind(ServiceSettings.class, ServiceSettings.DEFAULTS, service, "service",
            ignored, service.origin());
    issues.addAll(r.issues());
    return r.value() != null ? r.value() : ServiceSettings.DEFAULTS;
  }

  private List<Pipeline> pipelines(
      ConfigObject service, Map<ComponentKind, Map<ComponentId, Bound>> components) {
    List<Pipeline> out = new ArrayList<>();
    ConfigObject pipelines = object(service, "pipelines", service.origin());
    if (pipelines == null || pipelines.isEmpty()) {
      issues.add(new ConfigIssue(service.origin(), "service.pipelines",
          "no pipelines (expected: at least one, e.g. traces { receivers = [otlp], exporters = [debug] })"));
      return out;
    }
    for (Map.Entry<String, ConfigValue> e : pipelines.entrySet()) {
      String pid = e.getKey();
      String path = "service.pipelines." + pid;
      int slash = pid.indexOf('/');
      Signal signal = Signal.fromConfigName(slash < 0 ? pid : pid.substring(0, slash));
      if (signal == null || (slash >= 0 && slash == pid.length() - 1)) {
        issues.add(new ConfigIssue(e.getValue().origin(), path,
            "pipeline id \"" + pid + "\" (expected: traces, metrics or logs, optionally /name, e.g. traces/edge)"));
        continue;
      }
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        issues.add(new ConfigIssue(e.getValue().origin(), path, "expected: an object with receivers, processors, exporters"));
        continue;
      }
      ConfigObject p = (ConfigObject) e.getValue();
      for (Map.Entry<String, ConfigValue> k : p.entrySet()) {
        if (!PIPELINE_KEYS.contains(k.getKey())) {
          unknownKey(k.getValue().origin(), path + "." + k.getKey(), PIPELINE_KEYS);
        }
      }
      List<ComponentId> receivers = idList(p, "receivers", path + ".receivers", components.get(ComponentKind.RECEIVER), ComponentKind.RECEIVER);
      List<ComponentId> processors = idList(p, "processors", path + ".processors", components.get(ComponentKind.PROCESSOR), ComponentKind.PROCESSOR);
      List<ComponentId> exporters = idList(p, "exporters", path + ".exporters", components.get(ComponentKind.EXPORTER), ComponentKind.EXPORTER);
      checkSignal(signal, path, p, "receivers", receivers, components.get(ComponentKind.RECEIVER));
      checkSignal(signal, path, p, "processors", processors, components.get(ComponentKind.PROCESSOR));
      checkSignal(signal, path, p, "exporters", exporters, components.get(ComponentKind.EXPORTER));
      List<String> feeds = new ArrayList<>();
      for (ComponentId procId : processors) {
        Bound b = components.get(ComponentKind.PROCESSOR).get(procId);
        if (b != null && b.config() != null && b.factory() instanceof ProcessorFactory<?> pf) {
          feeds.addAll(feedsOf(pf, b.config()));
        }
      }
      out.add(new Pipeline(pid, signal, receivers, processors, exporters, List.copyOf(feeds)));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <C extends ComponentConfig> List<String> feedsOf(ProcessorFactory<C> f, ComponentConfig c) {
    return f.feedsPipelines((C) c);
  }

  private void checkGraph(
      Map<ComponentKind, Map<ComponentId, Bound>> components,
      List<Pipeline> pipelines,
      List<ComponentId> extensions,
      ConfigObject service) {
    Map<String, Pipeline> byId = new LinkedHashMap<>();
    pipelines.forEach(p -> byId.put(p.id(), p));
    Set<String> fedByBridge = new HashSet<>();
    ConfigObject pipelinesObj = object(service, "pipelines", service.origin());
    for (Pipeline p : pipelines) {
      ConfigOrigin origin = pipelinesObj.get(p.id()).origin();
      for (String target : p.feeds()) {
        if (!byId.containsKey(target)) {
          String suggestion = Suggestions.nearest(target, byId.keySet());
          issues.add(new ConfigIssue(origin, "service.pipelines." + p.id() + ".processors",
              "a processor feeds pipeline \"" + target + "\", which is not defined"
                  + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : "")
                  + " (defined: " + String.join(", ", byId.keySet()) + ")"));
        } else {
          fedByBridge.add(target);
        }
      }
    }
    for (Pipeline p : pipelines) {
      ConfigObject pobj = (ConfigObject) pipelinesObj.get(p.id());
      String path = "service.pipelines." + p.id();
      ConfigOrigin receiversOrigin = pobj.containsKey("receivers") ? pobj.get("receivers").origin() : pobj.origin();
      ConfigOrigin exportersOrigin = pobj.containsKey("exporters") ? pobj.get("exporters").origin() : pobj.origin();
      if (p.receivers().isEmpty() && !fedByBridge.contains(p.id())) {
        issues.add(new ConfigIssue(receiversOrigin, path + ".receivers",
            "pipeline has no receiver (expected: at least one, e.g. receivers = [otlp])"));
      }
      if (p.exporters().isEmpty()) {
        issues.add(new ConfigIssue(exportersOrigin, path + ".exporters",
            "pipeline has no exporter (expected: at least one, e.g. exporters = [debug])"));
      }
    }
    checkCycles(byId, pipelinesObj);
    for (ComponentKind kind : List.of(ComponentKind.RECEIVER, ComponentKind.PROCESSOR, ComponentKind.EXPORTER)) {
      Set<ComponentId> used = new HashSet<>();
      for (Pipeline p : pipelines) {
        used.addAll(switch (kind) {
          case RECEIVER -> p.receivers();
          case PROCESSOR -> p.processors();
          default -> p.exporters();
        });
      }
      for (Bound b : components.get(kind).values()) {
        if (!used.contains(b.id())) {
          issues.add(new ConfigIssue(b.origin(), kind.section() + "." + b.id(),
              kind.label() + " is declared but not used in any pipeline"
                  + " (add it to a pipeline under service.pipelines, or remove it)"));
        }
      }
    }
    for (Bound b : components.get(ComponentKind.EXPORTER).values()) {
      // Settings that failed to bind are null; their problems are already reported.
      String storage = b.exporterSettings() == null ? "" : b.exporterSettings().sendingQueue().storage();
      if (!storage.isEmpty()) {
        checkStorage(b, storage, components.get(ComponentKind.EXTENSION).keySet(), extensions);
      }
    }
    for (Bound b : components.get(ComponentKind.EXTENSION).values()) {
      if (!extensions.contains(b.id())) {
        issues.add(new ConfigIssue(b.origin(), "extensions." + b.id(),
            "extension is declared but not enabled (add it to service.extensions, or remove it)"));
      }
    }
  }

  /** {@code sending_queue.storage} must name an extension that is declared and enabled. */
  private void checkStorage(Bound exporter, String storage, Set<ComponentId> declared, List<ComponentId> enabled) {
    String path = "exporters." + exporter.id() + ".sending_queue.storage";
    ComponentId id;
    try {
      id = ComponentId.parse(storage);
    } catch (IllegalArgumentException e) {
      issues.add(new ConfigIssue(exporter.origin(), path, e.getMessage()));
      return;
    }
    if (!declared.contains(id)) {
      String suggestion = Suggestions.nearest(storage, declared.stream().map(ComponentId::toString).toList());
      issues.add(new ConfigIssue(exporter.origin(), path, ConfigChecks.quote(storage)
          + " is not a declared extension" + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : "")
          + " (expected: the id of a storage extension under extensions, e.g. file_storage)"));
    } else if (!enabled.contains(id)) {
      issues.add(new ConfigIssue(exporter.origin(), path, ConfigChecks.quote(storage)
          + " is declared but not enabled (add it to service.extensions)"));
    }
  }

  private void checkCycles(Map<String, Pipeline> byId, ConfigObject pipelinesObj) {
    Map<String, Integer> state = new HashMap<>();
    for (String start : byId.keySet()) {
      List<String> path = new ArrayList<>();
      if (cycleFrom(start, byId, state, path)) {
        path = path.subList(path.indexOf(path.get(path.size() - 1)), path.size());
        issues.add(new ConfigIssue(pipelinesObj.get(start).origin(), "service.pipelines." + start,
            "pipelines feed each other in a cycle: " + String.join(" -> ", path)
                + " (a bridge must not feed a pipeline that leads back to it)"));
        return;
      }
    }
  }

  private boolean cycleFrom(String id, Map<String, Pipeline> byId, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(id);
    if (s != null && s == 2) {
      return false;
    }
    path.add(id);
    if (s != null && s == 1) {
      return true;
    }
    state.put(id, 1);
    Pipeline p = byId.get(id);
    if (p != null) {
      for (String next : p.feeds()) {
        if (byId.containsKey(next) && cycleFrom(next, byId, state, path)) {
          return true;
        }
      }
    }
    state.put(id, 2);
    path.remove(path.size() - 1);
    return false;
  }

  private void checkSignal(
      Signal signal, String path, ConfigObject p, String key, List<ComponentId> ids, Map<ComponentId, Bound> declared) {
    for (ComponentId id : ids) {
      Bound b = declared.get(id);
      if (b != null && !b.factory().stability().containsKey(signal)) {
        List<String> supported = b.factory().stability().keySet().stream().sorted().map(Signal::configName).toList();
        issues.add(new ConfigIssue(p.get(key).origin(), path + "." + key,
            b.kind().label() + " \"" + id + "\" does not support " + signal.configName()
                + " (supports: " + String.join(", ", supported) + ")"));
      }
    }
  }

  private List<ComponentId> idList(
      ConfigObject parent, String key, String path, Map<ComponentId, Bound> declared, ComponentKind kind) {
    ConfigValue v = parent.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      return List.of();
    }
    if (v.valueType() != ConfigValueType.LIST) {
      issues.add(new ConfigIssue(v.origin(), path, "expected: a list of component ids, e.g. [otlp, otlp/gateway]"));
      return List.of();
    }
    Set<ComponentId> out = new LinkedHashSet<>();
    ConfigList list = (ConfigList) v;
    for (int i = 0; i < list.size(); i++) {
      ConfigValue item = list.get(i);
      String elemPath = path + "[" + i + "]";
      if (item.valueType() != ConfigValueType.STRING) {
        issues.add(new ConfigIssue(item.origin(), elemPath, "expected: a component id string"));
        continue;
      }
      String raw = (String) item.unwrapped();
      ComponentId id;
      try {
        id = ComponentId.parse(raw);
      } catch (IllegalArgumentException e) {
        issues.add(new ConfigIssue(item.origin(), elemPath, e.getMessage()));
        continue;
      }
      if (!declared.containsKey(id)) {
        List<String> names = declared.keySet().stream().map(ComponentId::toString).toList();
        String suggestion = Suggestions.nearest(raw, names);
        issues.add(new ConfigIssue(item.origin(), elemPath,
            kind.label() + " \"" + raw + "\" is not defined under " + kind.section()
                + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : "")
                + (names.isEmpty() ? " (none are defined)" : " (defined: " + String.join(", ", names) + ")")));
        continue;
      }
      if (!out.add(id)) {
        issues.add(new ConfigIssue(item.origin(), elemPath, "\"" + raw + "\" is listed twice"));
      }
    }
    return List.copyOf(out);
  }

  /** Two listeners on one port: every {@code endpoint} host:port of receivers and extensions. */
  private void checkPorts(Map<ComponentKind, Map<ComponentId, Bound>> components, ServiceSettings settings, ConfigObject root) {
    Map<Integer, String> owners = new HashMap<>();
    if (!"none".equals(settings.telemetry().metrics().level())) {
      claim(owners, settings.telemetry().metrics().address(), "service.telemetry.metrics.address", root.origin());
    }
    for (ComponentKind kind : List.of(ComponentKind.EXTENSION, ComponentKind.RECEIVER)) {
      for (Bound b : components.get(kind).values()) {
        if (b.config() != null) {
          for (Map.Entry<String, String> ep : Endpoints.of(b.config()).entrySet()) {
            claim(owners, ep.getValue(), kind.section() + "." + b.id() + "." + ep.getKey(), b.origin());
          }
        }
      }
    }
  }

  private void claim(Map<Integer, String> owners, String endpoint, String path, ConfigOrigin origin) {
    int port = Endpoints.port(endpoint);
    if (port <= 0) {
      return;
    }
    String previous = owners.putIfAbsent(port, path);
    if (previous != null) {
      issues.add(new ConfigIssue(origin, path,
          "port " + port + " is also used by " + previous + " (expected: a different port for each listener)"));
    }
  }

  private void unknownKey(ConfigOrigin origin, String path, List<String> valid) {
    String last = path.substring(path.lastIndexOf('.') + 1);
    String suggestion = Suggestions.nearest(last, valid);
    issues.add(new ConfigIssue(origin, path,
        "unknown key" + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : "")
            + " (valid keys: " + String.join(", ", valid) + ")"));
  }

  private ConfigObject object(ConfigObject parent, String key, ConfigOrigin origin) {
    ConfigValue v = parent.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      return null;
    }
    if (v.valueType() != ConfigValueType.OBJECT) {
      issues.add(new ConfigIssue(v.origin(), key, "expected: an object"));
      return null;
    }
    return (ConfigObject) v;
  }
}
