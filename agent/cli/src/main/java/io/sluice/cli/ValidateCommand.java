package io.sluice.cli;

import io.sluice.core.Daemon;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice validate}: parse, bind, validate and build the graph; open no socket. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check configuration files: syntax, every component's options, the pipeline graph. Opens no socket. Exit 0 when valid, 1 with every problem listed.")
final class ValidateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  Format format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  enum Format { text, json }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Daemon.Prepared prepared = common.prepareOrReport(spec.commandLine().getErr());
    if (prepared == null) {
      return Main.START_FAILED;
    }
    var issues = prepared.issues();
    if (format == Format.json) {
      Problems.print(issues, "json", out);
    } else if (issues.isEmpty()) {
      var plan = prepared.plan();
      int components = plan.components().values().stream().mapToInt(java.util.Map::size).sum();
      out.println("valid: " + (common.configs.isEmpty() ? "embedded default config" : common.configs)
          + " (" + plan.pipelines().size() + " pipelines, " + components + " components)");
    } else {
      Problems.print(issues, "text", spec.commandLine().getErr());
    }
    out.flush();
    return issues.isEmpty() ? 0 : Main.INVALID_CONFIG;
  }
}
