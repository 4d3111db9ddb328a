package io.sluice.core.extension.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.ComponentKind;
import io.sluice.api.config.DataSize;
import io.sluice.api.storage.DurableQueue;
import io.sluice.api.storage.DurableQueue.Entry;
import io.sluice.api.storage.QueueFullException;
import io.sluice.core.testing.TestContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentQueueTest {
  @TempDir Path dir;
  private final List<String> corrupt = new CopyOnWriteArrayList<>();
  private final List<Long> dropped = new CopyOnWriteArrayList<>();
  private final DurableQueue.Listener listener = new DurableQueue.Listener() {
    @Override
    public void corrupt(String where) {
      corrupt.add(where);
    }

    @Override
    public void droppedOldest(int batches, long items) {
      dropped.add(items);
    }
  };
  private final List<FileStorageExtension> storages = new ArrayList<>();

  @AfterEach
  void shutdown() {
    storages.forEach(FileStorageExtension::shutdown);
  }

  private FileStorageExtension storage(String fsync, long maxSize, String whenFull) throws IOException {
    FileStorageExtension s = new FileStorageExtension(
        new FileStorageConfig(dir.toString(), fsync, Duration.ofMillis(20), DataSize.ofBytes(maxSize), whenFull,
            DataSize.ofKibibytes(64)),
        new TestContext("file_storage", ComponentKind.EXTENSION).telemetry());
    s.start();
    storages.add(s);
    return s;
  }

  private FileStorageExtension storage() throws IOException {
    return storage("always", 64L << 20, "refuse");
  }

  private static byte[] payload(int i, int size) {
    byte[] b = new byte[size];
    byte[] label = ("batch-" + i + "-").getBytes(UTF_8);
    for (int j = 0; j < size; j++) {
      b[j] = label[j % label.length];
    }
    return b;
  }

  private static List<String> drain(DurableQueue q, boolean ack) throws InterruptedException {
    List<String> out = new ArrayList<>();
    Entry e;
    while ((e = q.poll(0, TimeUnit.MILLISECONDS)) != null) {
      String s = new String(e.payload(), UTF_8);
      out.add(s.substring(0, s.indexOf('-', 6)));
      if (ack) {
        q.acknowledge(e);
      }
    }
    return out;
  }

  private Stream<Path> segmentFiles() throws IOException {
    return Files.list(dir.resolve("q")).filter(p -> p.toString().endsWith(".seg")).sorted();
  }

  @Test
  void deliversInOrderAndDeletesSegmentsOnceEverythingInThemIsAcknowledged() throws Exception {
    DurableQueue q = storage().open("q", listener);
    for (int i = 0; i < 40; i++) {
      q.append(payload(i, 10_000), 3);
    }
    assertThat(q.size()).isEqualTo(40);
    assertThat(segmentFiles().count()).as("64KiB segments roll").isGreaterThan(3);
    assertThat(drain(q, true)).containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, 40).mapToObj(i -> "batch-" + i).toList());
    assertThat(q.size()).isZero();
    assertThat(segmentFiles().count()).as("only the active segment is left").isEqualTo(1);
    q.close();
    assertThat(segmentFiles()).as("an empty queue leaves no segment behind").isEmpty();
    assertThat(corrupt).isEmpty();
  }

  @Test
  void reopenHandsOutWhatWasNotAcknowledgedOldestFirst() throws Exception {
    FileStorageExtension storage = storage();
    DurableQueue q = storage.open("q", listener);
    for (int i = 0; i < 20; i++) {
      q.append(payload(i, 9_000), 1);
    }
    List<Entry> taken = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      taken.add(q.poll(0, TimeUnit.SECONDS));
    }
    // Delivered out of order, as concurrent workers do; 3 and 5 are in flight when the daemon dies.
    for (int i : new int[] {0, 1, 2, 4, 6, 7}) {
      q.acknowledge(taken.get(i));
    }
    q.close();

    DurableQueue again = storage.open("q", listener);
    assertThat(again.size()).isEqualTo(14);
    List<String> expected = new ArrayList<>(List.of("batch-3", "batch-5"));
    for (int i = 8; i < 20; i++) {
      expected.add("batch-" + i);
    }
    assertThat(drain(again, true)).containsExactlyElementsOf(expected);
    assertThat(corrupt).isEmpty();
  }

  @Test
  void skipsAndReportsADamagedRecordAndATornTailAndDeliversTheRest() throws Exception {
    FileStorageExtension storage = storage();
    DurableQueue q = storage.open("q", listener);
    for (int i = 0; i < 5; i++) {
      q.append(payload(i, 1_000), 1);
    }
    q.close();
    Path seg = segmentFiles().findFirst().orElseThrow();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      int record = RecordFormat.HEADER + 1_000;
      f.seek(record + RecordFormat.HEADER + 500); // inside batch-1's payload
      f.write(new byte[] {0x7f, 0x7f, 0x7f});
      f.setLength(4L * record + 300); // batch-4 half written
    }

    DurableQueue again = storage.open("q", listener);
    assertThat(drain(again, true)).containsExactly("batch-0", "batch-2", "batch-3");
    assertThat(corrupt).hasSize(2);
    assertThat(corrupt.get(0)).contains(seg.getFileName().toString()).contains("at offset " + (RecordFormat.HEADER + 1_000));
    assertThat(corrupt.get(1)).contains("up to the end of the file");
  }

  @Test
  void aDamagedLengthFieldIsSkippedByFindingTheNextRecord() throws Exception {
    FileStorageExtension storage = storage();
    DurableQueue q = storage.open("q", listener);
    for (int i = 0; i < 3; i++) {
      q.append(payload(i, 2_000), 1);
    }
    q.close();
    Path seg = segmentFiles().findFirst().orElseThrow();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(4); // batch-0's length
      f.writeInt(1_000_000);
    }
    assertThat(drain(storage.open("q", listener), true)).containsExactly("batch-1", "batch-2");
    assertThat(corrupt).hasSize(1);
  }

  @Test
  void refusesWhenFullAndAcceptsAgainOnceDelivered() throws Exception {
    FileStorageExtension storage = storage("never", 256 * 1024, "refuse");
    DurableQueue q = storage.open("q", listener);
    int appended = 0;
    try {
      while (true) {
        q.append(payload(appended, 20_000), 1);
        appended++;
      }
    } catch (QueueFullException e) {
      assertThat(e).hasMessageContaining("file_storage is full (max_size 256KiB)");
    }
    assertThat(appended).isBetween(8, 13);
    assertThat(drain(q, true)).hasSize(appended);
    q.append(payload(99, 20_000), 1);
    assertThat(dropped).isEmpty();
  }

  @Test
  void dropOldestMakesRoomAndCountsWhatItDropped() throws Exception {
    FileStorageExtension storage = storage("never", 256 * 1024, "drop_oldest");
    DurableQueue q = storage.open("q", listener);
    for (int i = 0; i < 40; i++) {
      q.append(payload(i, 20_000), 5);
    }
    List<String> left = drain(q, true);
    assertThat(left).isNotEmpty().endsWith("batch-39");
    assertThat(left.get(0)).isNotEqualTo("batch-0");
    assertThat(dropped.stream().mapToLong(Long::longValue).sum()).isEqualTo(5L * (40 - left.size()));
  }

  @Test
  void theLimitIsSharedByEveryQueueOfTheExtension() throws Exception {
    FileStorageExtension storage = storage("never", 256 * 1024, "refuse");
    DurableQueue a = storage.open("a", listener);
    DurableQueue b = storage.open("b", listener);
    for (int i = 0; i < 8; i++) {
      a.append(payload(i, 20_000), 1);
    }
    assertThatThrownBy(() -> {
      for (int i = 0; i < 8; i++) {
        b.append(payload(i, 20_000), 1);
      }
    }).isInstanceOf(QueueFullException.class);
  }

  @Test
  void concurrentAppendsWithFsyncAreAllStored() throws Exception {
    FileStorageExtension storage = storage();
    DurableQueue q = storage.open("q", listener);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int base = t * 100;
      threads.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 50; i++) {
          try {
            q.append(payload(base + i, 3_000), 1);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    q.close();
    assertThat(drain(storage.open("q", listener), true)).hasSize(400).doesNotHaveDuplicates();
  }

  @Test
  void aSecondOpenOfTheSameQueueIsRefused() throws Exception {
    FileStorageExtension storage = storage();
    storage.open("q", listener);
    assertThatThrownBy(() -> storage.open("q", listener))
        .isInstanceOf(IOException.class).hasMessageContaining("is in use by another process");
  }

  @Test
  void pollWaitsForAnAppend() throws Exception {
    DurableQueue q = storage("interval", 64L << 20, "refuse").open("q", listener);
    Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(50);
        q.append(payload(1, 100), 1);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(q.poll(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void anAttachmentIsHandedBackWhileRunningButNeverStored() throws Exception {
    FileStorageExtension storage = storage();
    DurableQueue q = storage.open("q", listener);
    Object batch = new Object();
    q.append(payload(1, 100), 1, batch);
    q.append(payload(2, 100), 1, batch);
    assertThat(q.poll(0, TimeUnit.SECONDS).attachment()).isSameAs(batch);
    q.close();
    Entry recovered = storage.open("q", listener).poll(0, TimeUnit.SECONDS);
    assertThat(recovered.attachment()).isNull();
    assertThat(new String(recovered.payload(), UTF_8)).startsWith("batch-1-");
  }
}
