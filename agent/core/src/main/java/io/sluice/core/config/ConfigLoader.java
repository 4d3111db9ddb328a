package io.sluice.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads HOCON configuration files: {@code include} works, environment variables resolve through
 * substitutions ({@code ${?OTLP_ENDPOINT}}), and several files merge in order, a later file's keys
 * overriding an earlier one's. Problems (missing file, syntax error, unresolved substitution) are
 * collected, never thrown.
 */
public final class ConfigLoader {
  /** The classpath resource holding the embedded default configuration. */
  public static final String DEFAULT_RESOURCE = "sluice-default.conf";

  /**
   * The merged, resolved configuration, or null when a file could not be read.
   *
   * @param config the merged configuration
   * @param issues problems reading or resolving
   */
  public record Loaded(Config config, List<ConfigIssue> issues) {}

  private ConfigLoader() {}

  /** Loads and merges {@code files} in order; with no files, the embedded default. */
  public static Loaded load(List<Path> files) {
    if (files.isEmpty()) {
      return resolve(
          ConfigFactory.parseResources(
              ConfigLoader.class.getClassLoader(),
              DEFAULT_RESOURCE,
              ConfigParseOptions.defaults().setAllowMissing(false)),
          new ArrayList<>());
    }
    List<ConfigIssue> issues = new ArrayList<>();
    Config merged = ConfigFactory.empty();
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        issues.add(new ConfigIssue(null, "", "config file " + file + " does not exist or is not a file"));
        continue;
      }
      if (!Files.isReadable(file)) {
        issues.add(new ConfigIssue(null, "", "config file " + file + " is not readable"));
        continue;
      }
      try {
        Config c =
            ConfigFactory.parseFile(
                file.toFile(),
                ConfigParseOptions.defaults()
                    .setSyntax(ConfigSyntax.CONF)
                    .setAllowMissing(false));
        merged = c.withFallback(merged);
      } catch (ConfigException e) {
        issues.add(fromException(e));
      }
    }
    if (!issues.isEmpty()) {
      return new Loaded(null, issues);
    }
    return resolve(merged, issues);
  }

  /** Parses configuration text (for tests and tools); {@code name} is used in messages. */
  public static Loaded parseString(String hocon, String name) {
    try {
      return resolve(
          ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(name)),
          new ArrayList<>());
    } catch (ConfigException e) {
      return new Loaded(null, List.of(fromException(e)));
    }
  }

  private static Loaded resolve(Config merged, List<ConfigIssue> issues) {
    try {
      Config resolved = merged.resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
      return new Loaded(resolved, issues);
    } catch (ConfigException e) {
      issues.add(fromException(e));
      return new Loaded(null, issues);
    }
  }

  /** A Typesafe Config exception as an issue, without the origin repeated in the message. */
  static ConfigIssue fromException(ConfigException e) {
    String msg = e.getMessage();
    if (e.origin() != null) {
      String prefix = e.origin().description() + ": ";
      if (msg.startsWith(prefix)) {
        msg = msg.substring(prefix.length());
      }
    }
    return new ConfigIssue(e.origin(), "", msg);
  }
}
