package io.sluice.core.extension.storage;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import io.sluice.api.config.DataSize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code extensions.file_storage}: where persistent sending queues keep their data.
 *
 * @param directory default {@code /var/lib/sluice/file_storage} (the OpenTelemetry Collector's is
 *     {@code /var/lib/otelcol/file_storage}); created with mode 0700 if missing; each queue gets a
 *     sub-directory
 * @param fsync {@code always} (default): a batch is on stable storage before the receiver
 *     acknowledges it, concurrent appends sharing one fsync; {@code interval}: flushed every {@code
 *     fsync_interval}, so a power cut can lose that much acknowledged data (a process crash loses
 *     nothing); {@code never}: left to the operating system
 * @param fsyncInterval default 1s, for {@code fsync = interval}
 * @param maxSize default 1GiB: bytes on disk for all queues of this extension together
 * @param whenFull {@code refuse} (default): when {@code max_size} is reached, receivers get a
 *     retryable refusal; {@code drop_oldest}: the oldest undelivered batches are dropped (and
 *     counted) to make room
 * @param segmentSize default 8MiB: a queue's log is split into files of about this size; a file is
 *     deleted once everything in it was delivered
 */
public record FileStorageConfig(
    String directory,
    String fsync,
    Duration fsyncInterval,
    DataSize maxSize,
    String whenFull,
    DataSize segmentSize)
    implements ComponentConfig {
  static final FileStorageConfig DEFAULTS =
      new FileStorageConfig(
          "/var/lib/sluice/file_storage",
          "always",
          Duration.ofSeconds(1),
          DataSize.ofMebibytes(1024),
          "refuse",
          DataSize.ofMebibytes(8));

  static final List<String> FSYNC = List.of("always", "interval", "never");
  static final List<String> WHEN_FULL = List.of("refuse", "drop_oldest");

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.notBlank(out, "directory", directory, "a directory path, e.g. /var/lib/sluice/file_storage");
    ConfigChecks.oneOf(out, "fsync", fsync, FSYNC);
    ConfigChecks.duration(out, "fsync_interval", fsyncInterval, true);
    ConfigChecks.oneOf(out, "when_full", whenFull, WHEN_FULL);
    if (segmentSize.bytes() < 64 * 1024 || segmentSize.bytes() > 1L << 30) {
      out.add(new ConfigProblem("segment_size", segmentSize + " (expected: 64KiB to 1GiB)"));
    }
    if (maxSize.bytes() < 2 * segmentSize.bytes()) {
      out.add(new ConfigProblem("max_size", maxSize + " is less than twice segment_size " + segmentSize
          + " (expected: max_size >= 2 * segment_size)"));
    }
    return out;
  }
}
