package io.sluice.cli;

import io.sluice.core.Daemon;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice run}: start the daemon and run until SIGTERM or SIGINT. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the daemon until SIGTERM/SIGINT, then stop receivers, drain and stop exporters.")
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Mixin CommonOptions common;

  @Option(names = "--log-level", description = "error, warn, info, debug, trace (default: service.telemetry.logs.level, else info)")
  String logLevel;

  @Option(names = "--log-format", description = "console or json (default: service.telemetry.logs.encoding, else console)")
  String logFormat;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Daemon.Prepared prepared = common.prepareOrReport(spec.commandLine().getErr());
    if (prepared == null) {
      return Main.START_FAILED;
    }
    if (!prepared.issues().isEmpty()) {
      Problems.print(prepared.issues(), "text", spec.commandLine().getErr());
      return Main.INVALID_CONFIG;
    }
    var logs = prepared.plan().settings().telemetry().logs();
    Logging.configure(logLevel != null ? logLevel : logs.level(), logFormat != null ? logFormat : logs.encoding());
    log.info("Starting sluice {} with {}", Main.version(),
        common.configs.isEmpty() ? "the embedded default config" : common.configs);
    Daemon daemon = new Daemon(prepared.plan());
    CountDownLatch stopRequested = new CountDownLatch(1);
    // SIGTERM/SIGINT are handled here rather than in a shutdown hook so that a clean stop drains
    // and then exits 0 (a JVM ended by a signal exits 143). The hook stays as a fallback for
    // other ways the JVM may end.
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          log.info("Stopping: SIG{} received", sig.getName());
          stopRequested.countDown();
        });
      } catch (IllegalArgumentException e) {
        log.debug("Cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
    Thread hook = new Thread(daemon::stop, "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      daemon.start();
    } catch (Exception e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      String msg = e.getMessage() != null ? e.getMessage() : e.toString();
      log.debug("Start-up failure", e);
      spec.commandLine().getErr().println("sluice: " + msg);
      spec.commandLine().getErr().flush();
      return Main.START_FAILED;
    }
    try {
      stopRequested.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    daemon.stop();
    return 0;
  }
}
