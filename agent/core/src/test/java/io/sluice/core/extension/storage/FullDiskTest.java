package io.sluice.core.extension.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.sluice.api.ComponentKind;
import io.sluice.api.config.DataSize;
import io.sluice.api.storage.DurableQueue;
import io.sluice.api.storage.QueueFullException;
import io.sluice.core.testing.TestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: a 512 KiB tmpfs, smaller than {@code max_size}. Needs permission to mount
 * (root, as in CI); skipped with the reason otherwise.
 */
class FullDiskTest {
  @TempDir Path tmp;
  private Path mnt;
  private final List<String> corrupt = new CopyOnWriteArrayList<>();

  @BeforeEach
  void mountSmallDisk() throws Exception {
    mnt = Files.createDirectories(tmp.resolve("small-disk"));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mnt.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    assumeThat(mounted).as("mounting a 512k tmpfs needs root (CI runs as root): " + out.strip()).isTrue();
  }

  @AfterEach
  void unmount() throws Exception {
    new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
  }

  @Test
  void aFullDiskRefusesTheBatchKeepsWhatWasStoredAndRecoversWithoutCorruption() throws Exception {
    FileStorageExtension storage = new FileStorageExtension(
        new FileStorageConfig(mnt.toString(), "always", Duration.ofSeconds(1), DataSize.ofMebibytes(64), "refuse",
            DataSize.ofKibibytes(64)),
        new TestContext("file_storage", ComponentKind.EXTENSION).telemetry());
    storage.start();
    DurableQueue.Listener listener = new DurableQueue.Listener() {
      @Override
      public void corrupt(String where) {
        corrupt.add(where);
      }

      @Override
      public void droppedOldest(int batches, long items) {}
    };
    DurableQueue q = storage.open("q", listener);
    int stored = 0;
    IOException full = null;
    for (int i = 0; i < 100 && full == null; i++) {
      try {
        q.append(new byte[20_000], 1);
        stored++;
      } catch (IOException e) {
        full = e;
      }
    }
    assertThat(full).as("the disk filled up before max_size").isNotNull().isNotInstanceOf(QueueFullException.class);
    assertThat(full.getMessage()).containsIgnoringCase("no space left");
    assertThat(q.size()).isEqualTo(stored);

    // Delivering frees whole segments, after which the queue accepts again.
    List<DurableQueue.Entry> taken = new ArrayList<>();
    for (int i = 0; i < stored / 2; i++) {
      taken.add(q.poll(0, TimeUnit.SECONDS));
    }
    taken.forEach(q::acknowledge);
    q.append(new byte[20_000], 1);
    int left = q.size();
    q.close();

    DurableQueue again = storage.open("q", listener);
    assertThat(again.size()).isEqualTo(left);
    assertThat(corrupt).as("a failed append leaves no torn record behind").isEmpty();
    again.close();
    storage.shutdown();
  }
}
