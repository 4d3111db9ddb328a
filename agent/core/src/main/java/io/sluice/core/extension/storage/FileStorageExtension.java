package io.sluice.core.extension.storage;

import io.sluice.api.Extension;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.config.DataSize;
import io.sluice.api.storage.DurableQueue;
import io.sluice.api.storage.QueueStorage;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code file_storage} extension: persistent sending queues as segment files under one
 * directory, one sub-directory per queue, with a size limit shared by all of them.
 */
final class FileStorageExtension implements Extension, QueueStorage {
  private final FileStorageConfig config;
  private final Path directory;
  private final AtomicLong used = new AtomicLong();
  private final List<SegmentQueue> open = new CopyOnWriteArrayList<>();
  private volatile Thread syncer;

  FileStorageExtension(FileStorageConfig config, SelfTelemetry telemetry) {
    this.config = config;
    this.directory = Path.of(config.directory());
    telemetry.gauge("sluice_file_storage_used_bytes", "Bytes the persistent queues of this extension hold on disk.", used::get);
    telemetry.gauge("sluice_file_storage_max_bytes", "max_size of this extension.", () -> config.maxSize().bytes());
  }

  @Override
  public void start() throws IOException {
    if (!Files.isDirectory(directory)) {
      try {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
          Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(directory);
        }
      } catch (IOException e) {
        throw new IOException("file_storage: cannot create directory " + directory + " (" + e + "); set directory to a writable path", e);
      }
    }
    if (!Files.isWritable(directory)) {
      throw new IOException("file_storage: directory " + directory + " is not writable by this process; set directory to a writable path");
    }
    if ("interval".equals(config.fsync())) {
      syncer = Thread.ofVirtual().name("file-storage-fsync").start(this::syncPeriodically);
    }
  }

  private void syncPeriodically() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(config.fsyncInterval());
      } catch (InterruptedException e) {
        return;
      }
      open.forEach(SegmentQueue::syncActive);
    }
  }

  @Override
  public DurableQueue open(String name, DurableQueue.Listener listener) throws IOException {
    if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
      throw new IllegalArgumentException("queue name: \"" + name + "\" (expected: letters, digits, '.', '_' or '-')");
    }
    SegmentQueue q = SegmentQueue.open(directory.resolve(name), this, listener);
    open.add(q);
    return q;
  }

  @Override
  public void shutdown() {
    Thread t = syncer;
    if (t != null) {
      t.interrupt();
    }
    open.forEach(SegmentQueue::close);
  }

  void closed(SegmentQueue q) {
    open.remove(q);
  }

  boolean tryReserve(long n) {
    long max = config.maxSize().bytes();
    while (true) {
      long u = used.get();
      if (u + n > max) {
        return false;
      }
      if (used.compareAndSet(u, u + n)) {
        return true;
      }
    }
  }

  void reserved(long n) {
    used.addAndGet(n);
  }

  void released(long n) {
    used.addAndGet(-n);
  }

  long segmentSize() {
    return config.segmentSize().bytes();
  }

  DataSize maxSize() {
    return config.maxSize();
  }

  boolean fsyncAlways() {
    return "always".equals(config.fsync());
  }

  boolean fsyncEnabled() {
    return !"never".equals(config.fsync());
  }

  boolean dropOldest() {
    return "drop_oldest".equals(config.whenFull());
  }
}
