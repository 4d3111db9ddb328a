package io.sluice.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real peers for tests (Debian's {@code prometheus}, {@code prometheus-node-exporter}, ...). A test
 * whose peer binary is missing is skipped with a visible reason, or fails when the environment
 * variable {@code SLUICE_REQUIRE_PEERS=1} (set by {@code .ci/run}).
 */
public final class Peers {
  private Peers() {}

  /** Whether CI demands every peer. */
  public static boolean required() {
    return "1".equals(System.getenv("SLUICE_REQUIRE_PEERS"));
  }

  /** Finds an executable on PATH or in the given extra locations. */
  public static Optional<Path> find(String binary, String... extraLocations) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + ":/usr/bin:/usr/sbin:/usr/local/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
        return Optional.of(Path.of(dir, binary));
      }
    }
    for (String loc : extraLocations) {
      if (Files.isExecutable(Path.of(loc))) {
        return Optional.of(Path.of(loc));
      }
    }
    return Optional.empty();
  }

  /**
   * The binary's path; otherwise skips the test saying what to install, or fails when peers are
   * required.
   *
   * @param debianPackage the package that provides it, named in the message
   */
  public static Path require(String binary, String debianPackage, String... extraLocations) {
    Optional<Path> p = find(binary, extraLocations);
    if (p.isPresent()) {
      return p.get();
    }
    String reason =
        "real peer '" + binary + "' not found: install Debian's " + debianPackage
            + " (apt-get install " + debianPackage + "); .ci/run does this";
    if (required()) {
      Assertions.fail(reason + " [SLUICE_REQUIRE_PEERS=1]");
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }
}
