package io.sluice.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds a third-party plugin jar at test time, against the distribution's sluice-api only. */
final class PluginJars {
  private PluginJars() {}

  /** A receiver plugin of type {@code heartbeat} that emits one log record per interval. */
  static final String HEARTBEAT = """
      package com.example.heartbeat;

      import io.opentelemetry.proto.common.v1.AnyValue;
      import io.opentelemetry.proto.logs.v1.LogRecord;
      import io.opentelemetry.proto.logs.v1.ResourceLogs;
      import io.opentelemetry.proto.logs.v1.ScopeLogs;
      import io.sluice.api.*;
      import io.sluice.api.config.ComponentConfig;
      import java.time.Duration;
      import java.util.List;
      import java.util.Map;
      import java.util.concurrent.Executors;
      import java.util.concurrent.ScheduledExecutorService;
      import java.util.concurrent.TimeUnit;

      public final class HeartbeatFactory implements ReceiverFactory<HeartbeatFactory.Config> {
        public record Config(Duration interval, String message) implements ComponentConfig {}

        public String type() { return "heartbeat"; }
        public Map<Signal, Stability> stability() { return Map.of(Signal.LOGS, Stability.ALPHA); }
        public Class<Config> configClass() { return Config.class; }
        public Config defaultConfig() { return new Config(Duration.ofMillis(200), "beat"); }

        public Receiver createReceiver(ComponentContext ctx, Config config, Map<Signal, DataConsumer> consumers) {
          DataConsumer logs = consumers.get(Signal.LOGS);
          return new Receiver() {
            ScheduledExecutorService timer;
            public void start() {
              timer = Executors.newSingleThreadScheduledExecutor();
              timer.scheduleAtFixedRate(() -> logs.consume(Logs.of(List.of(ResourceLogs.newBuilder()
                  .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
                      .setBody(AnyValue.newBuilder().setStringValue(config.message()))))
                  .build()))), 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
            }
            public void shutdown() {
              if (timer != null) { timer.shutdownNow(); }
            }
          };
        }
      }
      """;

  /** Compiles {@code source} (class {@code className}) and packs it with its service file into {@code jar}. */
  static void build(String className, String source, Path jar) throws IOException {
    Path work = Files.createTempDirectory("plugin-src");
    Path src = work.resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(work.resolve("classes"));
    String classpath;
    try (Stream<Path> libs = Files.list(SluiceProcess.dist().resolve("lib"))) {
      classpath = String.join(java.io.File.pathSeparator,
          libs.filter(p -> p.getFileName().toString().matches("(sluice-api|opentelemetry-proto|protobuf-java)-.*\\.jar"))
              .map(Path::toString).toList());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("tests must run on a JDK (no system Java compiler)");
    }
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", classpath, "--release", "21", src.toString());
    if (rc != 0) {
      throw new IllegalStateException("plugin did not compile (javac exit " + rc + ")");
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      List<Path> files = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(classes)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
      for (Path f : files) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/io.sluice.api.ComponentFactory"));
      OutputStream o = out;
      o.write((className + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.closeEntry();
    }
  }
}
