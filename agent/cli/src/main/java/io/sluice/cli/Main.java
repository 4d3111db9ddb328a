package io.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} command.
 *
 * <p>Exit codes: 0 success; 1 the configuration has problems (all are printed); 2 usage error; 3
 * the daemon could not start (plugins, a component failing to start, a port in use).
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Sluice, a telemetry pipeline daemon: OTLP and Prometheus in; sampling, batching, enrichment; many back ends out.",
    subcommands = {
      RunCommand.class,
      ValidateCommand.class,
      ComponentsCommand.class,
      PrintConfigCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the configuration has problems (every one is printed)",
      "2:usage error",
      "3:the daemon could not start (plugins, a component, a port in use)"
    })
public final class Main implements Runnable {
  /** Exit code for an invalid configuration. */
  static final int INVALID_CONFIG = 1;
  /** Exit code for a start-up failure. */
  static final int START_FAILED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the CLI. */
  public static void main(String[] args) {
    Logging.configure("info", "console");
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sluice " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
  }

  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
