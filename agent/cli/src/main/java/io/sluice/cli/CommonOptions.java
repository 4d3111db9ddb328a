package io.sluice.cli;

import io.sluice.core.Daemon;
import io.sluice.core.plugin.ComponentRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the subcommands that read configuration. */
final class CommonOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "HOCON config file; repeat to merge several, later ones override earlier ones. Default: the embedded default config.")
  List<Path> configs = new ArrayList<>();

  @Option(
      names = "--plugins-dir",
      paramLabel = "DIR",
      description = "Directory of plugin jars (default: $SLUICE_PLUGINS_DIR, else ./plugins).")
  Path pluginsDir;

  Path pluginsDir() {
    if (pluginsDir != null) {
      return pluginsDir;
    }
    String env = System.getenv("SLUICE_PLUGINS_DIR");
    return Path.of(env != null && !env.isBlank() ? env : "plugins");
  }

  ComponentRegistry registry() throws ComponentRegistry.PluginException {
    return ComponentRegistry.discover(pluginsDir());
  }

  /** Loads and plans the configuration; on a plugin problem prints it and returns null. */
  Daemon.Prepared prepareOrReport(java.io.PrintWriter err) {
    try {
      return Daemon.prepare(configs, registry());
    } catch (ComponentRegistry.PluginException e) {
      err.println("sluice: " + e.getMessage());
      err.flush();
      return null;
    }
  }
}
