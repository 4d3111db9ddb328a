package io.sluice.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real daemon, started from the built distribution's {@code bin/sluice} as a user would, with
 * its output captured to a file. Every wait is bounded.
 */
final class SluiceProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path output;

  private SluiceProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** The distribution directory built by packaging/distribution. */
  static Path dist() {
    Path d = Path.of(System.getProperty("sluice.dist", "../packaging/distribution/target/sluice"));
    if (!Files.isExecutable(d.resolve("bin/sluice"))) {
      throw new IllegalStateException("no distribution at " + d.toAbsolutePath()
          + "; build it with ./mvnw -DskipTests package -pl packaging/distribution -am");
    }
    return d;
  }

  /** A free TCP port on loopback. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code bin/sluice args...} with extra environment variables. */
  static SluiceProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    return start(dist(), false, workDir, env, args);
  }

  /**
   * Starts {@code home/bin/sluice args...}; with {@code onlyEnv} the process sees only {@code env},
   * not this JVM's environment.
   */
  static SluiceProcess start(Path home, boolean onlyEnv, Path workDir, Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(home.resolve("bin/sluice").toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    Path out = Files.createTempFile(workDir, "sluice-", ".log");
    pb.redirectOutput(out.toFile());
    if (onlyEnv) {
      pb.environment().clear();
    }
    pb.environment().putAll(env);
    return new SluiceProcess(pb.start(), out);
  }

  /** Runs a CLI command to completion (bounded) and returns its exit code and output. */
  static Result run(Path workDir, Map<String, String> env, String... args) throws Exception {
    return run(dist(), false, workDir, env, args);
  }

  /** Like {@link #run(Path, Map, String...)} for {@code home/bin/sluice}, see {@link #start(Path, boolean, Path, Map, String...)}. */
  static Result run(Path home, boolean onlyEnv, Path workDir, Map<String, String> env, String... args) throws Exception {
    try (SluiceProcess p = start(home, onlyEnv, workDir, env, args)) {
      if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("sluice " + String.join(" ", args) + " did not finish in 60s:\n" + p.output());
      }
      return new Result(p.process.exitValue(), p.output());
    }
  }

  /** A finished command. */
  record Result(int exitCode, String output) {}

  /** Everything the process printed so far. */
  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read output: " + e + ")";
    }
  }

  /** Waits (bounded) until the output matches; fails with the output if the process exits first. */
  void awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.test(output())) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("sluice exited with " + process.exitValue() + " before the expected output:\n" + output());
      }
      Thread.sleep(100);
    }
    throw new AssertionError("expected output did not appear within " + timeout + ":\n" + output());
  }

  /** GETs {@code http://127.0.0.1:port/path}, retrying connection errors until the deadline. */
  HttpResponse<String> awaitHttp(int port, String path, Predicate<HttpResponse<String>> ok, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("sluice exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        last = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (ok.test(last)) {
          return last;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("GET :" + port + path + " did not answer as expected within " + timeout
        + (last == null ? " (never connected)" : " (last: " + last.statusCode() + " " + last.body() + ")") + ":\n" + output());
  }

  /** Sends SIGTERM and waits (bounded) for the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("sluice did not stop within 60s of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  /**
   * Kills the daemon with SIGKILL, as a crash or the OOM killer would: no shutdown hook, no flush.
   * Checks first that the process is the JVM itself ({@code bin/sluice} ends with {@code exec}), so
   * that the signal does not hit a wrapper shell and leave the daemon running.
   */
  void kill9() throws InterruptedException {
    String command = process.info().command().orElse("");
    if (!command.endsWith("/java")) {
      throw new IllegalStateException("pid " + process.pid() + " runs " + command + " (expected: the JVM, exec'd by bin/sluice)");
    }
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("sluice (pid " + process.pid() + ") still runs 30s after SIGKILL");
    }
    if (process.exitValue() != 128 + 9) {
      throw new AssertionError("sluice exited with " + process.exitValue() + " (expected: 137, killed by SIGKILL)");
    }
  }

  /** Whether the process is still running. */
  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
