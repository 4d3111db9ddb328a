package io.sluice.cli;

import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentKind;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import io.sluice.core.config.ConfigRendering;
import io.sluice.core.internal.Json;
import io.sluice.core.plugin.ComponentRegistry;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice components}: every installed component type. */
@Command(
    name = "components",
    mixinStandardHelpOptions = true,
    description = "List every installed component type (built in and from plugins) with kind, signals, stability and default config.")
final class ComponentsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  String format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ComponentRegistry registry;
    try {
      registry = common.registry();
    } catch (ComponentRegistry.PluginException e) {
      spec.commandLine().getErr().println("sluice: " + e.getMessage());
      return Main.START_FAILED;
    }
    PrintWriter out = spec.commandLine().getOut();
    if ("json".equals(format)) {
      out.println(registry.all().stream().map(f -> "{\"kind\":" + Json.quote(f.kind().label())
          + ",\"type\":" + Json.quote(f.type())
          + ",\"signals\":{" + f.stability().entrySet().stream()
              .map(e -> Json.quote(e.getKey().configName()) + ":" + Json.quote(e.getValue().label()))
              .collect(Collectors.joining(","))
          + "},\"source\":" + Json.quote(registry.source(f)) + "}")
          .collect(Collectors.joining(",", "[", "]")));
    } else {
      for (ComponentKind kind : ComponentKind.values()) {
        out.println(kind.section() + ":");
        for (String type : registry.types(kind)) {
          ComponentFactory<?> f = registry.find(kind, type);
          out.println("  " + type + "  [" + signals(f.stability()) + "]  (" + registry.source(f) + ")");
          for (String line : ConfigRendering.recordToHocon(f.defaultConfig()).split("\n")) {
            if (!line.isBlank()) {
              out.println("      " + line);
            }
          }
        }
      }
    }
    out.flush();
    return 0;
  }

  private static String signals(Map<Signal, Stability> s) {
    if (s.isEmpty()) {
      return "extension";
    }
    return s.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey().configName() + ": " + e.getValue().label())
        .collect(Collectors.joining(", "));
  }
}
