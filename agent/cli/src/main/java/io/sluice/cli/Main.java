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
  private static final String SLF4J_PROVIDER = "slf4j.provider";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the CLI. */
  public static void main(String[] args) {
    // Naming the SLF4J backend spares SLF4J a ServiceLoader scan of every jar on the class path,
    // which at start-up is the first to open them all (about 100 ms of CPU); SLF4J would then say
    // at INFO on stderr that it did as told.
    if (System.getProperty(SLF4J_PROVIDER) == null) {
      System.setProperty(SLF4J_PROVIDER, "ch.qos.logback.classic.spi.LogbackServiceProvider");
      System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
    }
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
