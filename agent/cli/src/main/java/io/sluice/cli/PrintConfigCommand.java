package io.sluice.cli;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.ConfigRendering;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice print-config}: the merged, resolved configuration with secrets redacted. */
@Command(
    name = "print-config",
    mixinStandardHelpOptions = true,
    description = "Print the merged, resolved configuration (includes and environment substitutions applied) with secrets redacted.")
final class PrintConfigCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ConfigLoader.Loaded loaded = ConfigLoader.load(common.configs);
    if (loaded.config() == null) {
      Problems.print(loaded.issues(), "text", spec.commandLine().getErr());
      return Main.INVALID_CONFIG;
    }
    spec.commandLine().getOut().println(ConfigRendering.render(ConfigRendering.redact(loaded.config().root())));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
