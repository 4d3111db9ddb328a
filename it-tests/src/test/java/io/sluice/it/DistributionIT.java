package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball on a machine without Java: unpacked into a temporary directory and run with
 * an environment that has no {@code JAVA_HOME} and a {@code PATH} holding only the few tools the
 * launcher uses, none of them {@code java}. So the bundled {@code runtime/} must do.
 */
class DistributionIT {
  /** What bin/sluice needs besides the shell's built-ins (its #!/bin/sh is an absolute path). */
  private static final List<String> LAUNCHER_TOOLS = List.of("dirname", "sed", "head");

  @TempDir static Path unpacked;
  @TempDir Path dir;

  private static Path home;
  private static Map<String, String> noJava;

  @BeforeAll
  static void unpackTarball() throws Exception {
    Path tarball = Path.of(System.getProperty("sluice.tarball",
        "../packaging/distribution/target/sluice-0.1.0-SNAPSHOT-linux-x86_64.tar.gz"));
    assertThat(tarball).as("the release tarball (./mvnw package -pl packaging/distribution -am)").isRegularFile();
    Process tar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", unpacked.toString())
        .redirectErrorStream(true).start();
    assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
    try (var top = Files.list(unpacked)) {
      List<Path> dirs = top.toList();
      assertThat(dirs).hasSize(1);
      home = dirs.get(0);
    }
    assertThat(home.getFileName().toString()).startsWith("sluice-");

    Path tools = Files.createDirectories(unpacked.resolve("tools"));
    for (String tool : LAUNCHER_TOOLS) {
      Files.createSymbolicLink(tools.resolve(tool), Path.of("/usr/bin", tool));
    }
    assertThat(tools.resolve("java")).doesNotExist();
    noJava = Map.of("PATH", tools.toString(), "LANG", "C.UTF-8");
  }

  @Test
  void tarballHoldsTheLayoutWithExecutableLauncherAndRuntime() throws IOException {
    for (String f : List.of("bin/sluice", "runtime/bin/java", "runtime/lib/jspawnhelper", "conf/sluice.conf",
        "plugins/README.md", "LICENSE", "NOTICE", "runtime/lib/server/" + startArchive(), "runtime/release")) {
      assertThat(home.resolve(f)).as(f).isRegularFile();
    }
    assertThat(home.resolve("lib/sluice-cli-0.1.0-SNAPSHOT.jar")).isRegularFile();
    assertThat(home.resolve("bin/sluice")).isExecutable();
    assertThat(home.resolve("runtime/bin/java")).isExecutable();
    assertThat(home.resolve("runtime/lib/jspawnhelper")).isExecutable();
    assertThat(home.resolve("runtime/include")).doesNotExist();
    assertThat(home.resolve("runtime/man")).doesNotExist();
  }

  @Test
  void noticeListsEveryBundledThirdPartyJar() throws Exception {
    String notice = Files.readString(home.resolve("NOTICE"));
    try (var jars = Files.list(home.resolve("lib"))) {
      List<String> thirdParty = jars.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".jar") && !n.startsWith("sluice-")).toList();
      assertThat(thirdParty).isNotEmpty();
      assertThat(notice).contains(thirdParty);
    }
    assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
  }

  @Test
  void runsOnTheBundledRuntimeWithoutAnyJavaOnTheMachine() throws Exception {
    var r = run(Map.of("SLUICE_JAVA_OPTS", "-XshowSettings:properties"), "--version");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("sluice 0.1.0-SNAPSHOT")
        .contains("java.home = " + home.resolve("runtime").toRealPath());
    String release = Files.readString(home.resolve("runtime/release"));
    String javaVersion = release.replaceAll("(?s).*JAVA_VERSION=\"([^\"]+)\".*", "$1");
    assertThat(r.output()).contains("Java " + javaVersion);
  }

  @Test
  void startsFromTheAppCdsArchiveAfterUnpackingElsewhere() throws Exception {
    var withCds = run(Map.of("SLUICE_JAVA_OPTS", "-Xlog:class+load=info"), "--version");
    assertThat(withCds.exitCode()).as(withCds.output()).isZero();
    assertThat(withCds.output()).contains("io.sluice.cli.Main source: shared objects file");

    var withoutCds = run(Map.of("SLUICE_JAVA_OPTS", "-Xlog:class+load=info", "SLUICE_CDS", "0"), "--version");
    assertThat(withoutCds.exitCode()).as(withoutCds.output()).isZero();
    assertThat(withoutCds.output()).doesNotContain("io.sluice.cli.Main source: shared objects file")
        .contains("io.sluice.cli.Main source: file:");
  }

  /** The AOT cache on a runtime of JDK 25 or newer, the dynamic AppCDS archive before. */
  private String startArchive() throws IOException {
    String release = Files.readString(home.resolve("runtime/release"));
    Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
    assertThat(m.find()).as(release).isTrue();
    return Integer.parseInt(m.group(1)) >= 25 ? "sluice.aot" : "sluice.jsa";
  }

  @Test
  void validateComponentsAndRunWorkWithAPluginAndServeHealth() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build("com.example.heartbeat.HeartbeatFactory", PluginJars.HEARTBEAT, plugins.resolve("heartbeat-plugin.jar"));
    int health = SluiceProcess.freePort();
    Path conf = dir.resolve("small.conf");
    Files.writeString(conf, """
        # no self-metrics listener: only the health check's port is needed here
        service.telemetry.metrics.level = none
        service.extensions = [health_check]
        service.pipelines.logs { receivers = [heartbeat], exporters = [debug] }
        receivers.heartbeat { interval = 100ms, message = "from the tarball" }
        exporters.debug.verbosity = normal
        extensions.health_check.endpoint = "127.0.0.1:%d"
        """.formatted(health));
    Map<String, String> env = Map.of("SLUICE_PLUGINS_DIR", plugins.toString());

    var validate = run(env, "validate", "--config", conf.toString());
    assertThat(validate.exitCode()).as(validate.output()).isZero();
    assertThat(validate.output()).contains("valid: ");

    var components = run(env, "components");
    assertThat(components.exitCode()).as(components.output()).isZero();
    assertThat(components.output()).contains("debug").contains("health_check")
        .contains("heartbeat  [logs: alpha]  (heartbeat-plugin.jar)");

    try (SluiceProcess p = SluiceProcess.start(home, true, dir, withNoJava(env), "run", "--config", conf.toString())) {
      var ok = p.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
      assertThat(ok.body()).contains("\"status\":\"Server available\"");
      p.awaitOutput(o -> o.contains("from the tarball"), Duration.ofSeconds(30));
      assertThat(p.stop()).isZero();
      assertThat(p.output()).contains("Sluice stopped");
    }
  }

  @Test
  void profilesPickTheCollectorAndSluiceJavaOptsWinOverThem() throws Exception {
    var sidecar = run(Map.of("SLUICE_JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
    assertThat(sidecar.output()).containsPattern("bool UseSerialGC +=  ?true")
        .containsPattern("size_t MaxHeapSize += 268435456 ").containsPattern("intx TieredStopAtLevel += 1 ");

    var gateway = run(Map.of("SLUICE_PROFILE", "gateway", "SLUICE_JAVA_OPTS", "-XX:+PrintFlagsFinal -Xmx64m"), "--version");
    assertThat(gateway.exitCode()).as(gateway.output()).isZero();
    assertThat(gateway.output()).containsPattern("bool UseG1GC +=  ?true").containsPattern("size_t MaxHeapSize += 67108864 ");

    var unknown = run(Map.of("SLUICE_PROFILE", "huge"), "--version");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.output()).contains("SLUICE_PROFILE=huge (expected: sidecar or gateway)");
  }

  @Test
  void explicitJavaHomeThatIsNotAJavaFailsWithItsName() throws Exception {
    // SLUICE_JAVA_HOME wins over every other candidate, so a wrong one must fail loudly.
    var r = SluiceProcess.run(home, true, dir, withNoJava(Map.of("SLUICE_JAVA_HOME", dir.resolve("no-such-jdk").toString())),
        "--version");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).contains("SLUICE_JAVA_HOME=" + dir.resolve("no-such-jdk") + " is not a Java 21 or newer");
  }

  private static Map<String, String> withNoJava(Map<String, String> extra) {
    var env = new java.util.HashMap<>(noJava);
    env.putAll(extra);
    return env;
  }

  private SluiceProcess.Result run(Map<String, String> extra, String... args) throws Exception {
    return SluiceProcess.run(home, true, dir, withNoJava(extra), args);
  }
}
