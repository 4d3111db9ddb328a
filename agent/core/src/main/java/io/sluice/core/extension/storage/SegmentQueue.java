package io.sluice.core.extension.storage;

import io.sluice.api.storage.DurableQueue;
import io.sluice.api.storage.QueueFullException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A durable queue kept as an append-only log of segment files in one directory.
 *
 * <p>Records are laid out as {@link RecordFormat} says. Acknowledgements are appended (as record offsets) to a sibling {@code .ack} file per segment, and
 * a segment is deleted once every record in it is acknowledged. Acknowledgements are never
 * fsynced: losing one to a power cut only sends a batch twice, which at-least-once delivery allows.
 *
 * <p>Appends from concurrent receivers share fsyncs (group commit): an appender whose data another
 * thread's fsync already covered returns without one.
 */
final class SegmentQueue implements DurableQueue {
  private final Path dir;
  private final FileStorageExtension storage;
  private final Listener listener;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition available = lock.newCondition();
  /** Records neither acknowledged nor handed out, oldest first. */
  private final ArrayDeque<Record> ready = new ArrayDeque<>();
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private Segment active;
  private long nextSeq;
  private int unacked;
  private long bytes;
  private boolean closed;

  private SegmentQueue(Path dir, FileStorageExtension storage, Listener listener, FileChannel lockChannel, FileLock fileLock) {
    this.dir = dir;
    this.storage = storage;
    this.listener = listener;
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
  }

  /** Opens the queue in {@code dir}, taking its lock and recovering the segments found there. */
  static SegmentQueue open(Path dir, FileStorageExtension storage, Listener listener) throws IOException {
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock fileLock;
    try {
      fileLock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      fileLock = null; // held by this process already
    } catch (IOException e) {
      lockChannel.close();
      throw e;
    }
    if (fileLock == null) {
      lockChannel.close();
      throw new IOException("queue directory " + dir + " is in use by another process (another Sluice with the same file_storage directory?)");
    }
    SegmentQueue q = new SegmentQueue(dir, storage, listener, lockChannel, fileLock);
    try {
      q.recover();
    } catch (IOException | RuntimeException e) {
      q.close();
      throw e;
    }
    return q;
  }

  private void recover() throws IOException {
    List<Long> seqs = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.seg"))
          .forEach(n -> seqs.add(Long.parseLong(n.substring(0, 20))));
    }
    seqs.sort(null);
    for (long seq : seqs) {
      Segment s = new Segment(seq, FileChannel.open(segmentFile(seq), StandardOpenOption.READ, StandardOpenOption.WRITE));
      segments.put(seq, s);
      s.closed = true;
      s.size = s.channel.size();
      s.synced = s.size; // what a previous run left is as durable as it will get
      bytes += s.size;
      storage.reserved(s.size);
      scan(s, readAcks(seq));
      nextSeq = seq + 1;
      if (s.acked == s.records) {
        delete(s);
      }
    }
    // Files of a finished segment whose .seg was deleted before its .ack (a crash in between).
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String n = p.getFileName().toString();
        if (n.matches("\\d{20}\\.ack") && !segments.containsKey(Long.parseLong(n.substring(0, 20)))) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private Set<Integer> readAcks(long seq) throws IOException {
    Path ack = ackFile(seq);
    Set<Integer> acked = new HashSet<>();
    if (Files.exists(ack)) {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(ack));
      // A torn last entry (fewer than 4 bytes) is ignored: its batch is sent again.
      while (b.remaining() >= 4) {
        acked.add(b.getInt());
      }
    }
    return acked;
  }

  /** Reads every record of a recovered segment; damaged regions are reported and skipped. */
  private void scan(Segment s, Set<Integer> acked) throws IOException {
    if (s.size > Integer.MAX_VALUE) {
      throw new IOException(segmentFile(s.seq) + " is larger than 2GiB; not a Sluice queue segment");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) s.size);
    RecordFormat.readFully(s.channel, buf, 0);
    buf.flip();
    int pos = 0;
    int limit = buf.limit();
    while (pos < limit) {
      int len = RecordFormat.validRecordAt(buf, pos);
      if (len >= 0) {
        int items = buf.getInt(pos + 8);
        s.records++;
        if (acked.contains(pos)) {
          s.acked++;
        } else {
          ready.add(new Record(s, pos, len, items, null));
          unacked++;
        }
        pos += RecordFormat.HEADER + len;
        continue;
      }
      int next = pos + 1;
      while (next < limit && RecordFormat.validRecordAt(buf, next) < 0) {
        next++;
      }
      listener.corrupt(segmentFile(s.seq) + " at offset " + pos + ": " + (next - pos) + " bytes"
          + (next == limit ? " up to the end of the file (a torn write?)" : "") + " fail their checksum and are skipped");
      pos = next;
    }
  }

  @Override
  public void append(byte[] payload, int items, Object attachment) throws IOException {
    ByteBuffer rec = RecordFormat.encode(payload, items);
    int recordLen = rec.remaining();
    Segment s;
    long end;
    lock.lock();
    try {
      if (closed) {
        throw new IOException("queue " + dir + " is closed");
      }
      makeRoom(recordLen);
      try {
        if (active == null || active.size >= storage.segmentSize()) {
          roll();
        }
      } catch (IOException e) {
        storage.released(recordLen);
        throw e;
      }
      s = active;
      long pos = s.size;
      try {
        while (rec.hasRemaining()) {
          s.channel.write(rec, pos + rec.position());
        }
      } catch (IOException e) {
        storage.released(recordLen);
        try {
          s.channel.truncate(pos);
        } catch (IOException ignored) {
          // The partial record fails its checksum on recovery and is skipped there.
        }
        throw e;
      }
      s.size += recordLen;
      bytes += recordLen;
      s.records++;
      unacked++;
      ready.add(new Record(s, pos, payload.length, items, attachment));
      available.signal();
      end = s.size;
    } finally {
      lock.unlock();
    }
    if (storage.fsyncAlways()) {
      s.syncTo(end);
    }
  }

  /** Reserves room for a record, dropping the oldest undelivered records if so configured. */
  private void makeRoom(int recordLen) throws IOException {
    if (storage.tryReserve(recordLen)) {
      return;
    }
    if (!storage.dropOldest()) {
      throw new QueueFullException("file_storage is full (max_size " + storage.maxSize() + ")");
    }
    int batches = 0;
    long items = 0;
    try {
      while (!storage.tryReserve(recordLen)) {
        Record victim = ready.pollFirst();
        if (victim == null) {
          throw new QueueFullException("file_storage is full (max_size " + storage.maxSize()
              + ") and this queue has no undelivered batch left to drop");
        }
        batches++;
        items += victim.items;
        acknowledgeLocked(victim);
        if (victim.segment == active && active.acked == active.records) {
          // Everything in the active segment is gone: retire it so that its bytes are freed.
          active.closed = true;
          delete(active);
          active = null;
        }
      }
    } finally {
      if (batches > 0) {
        listener.droppedOldest(batches, items);
      }
    }
  }

  private void roll() throws IOException {
    if (active != null) {
      if (storage.fsyncEnabled()) {
        active.sync();
      }
      active.closed = true;
      if (active.acked == active.records) {
        delete(active);
      }
    }
    long seq = nextSeq++;
    Segment s = new Segment(seq, FileChannel.open(segmentFile(seq),
        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE));
    if (storage.fsyncAlways()) {
      // The new file's directory entry must survive a power cut too.
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // Some file systems cannot open a directory; the file's data is still synced.
      }
    }
    segments.put(seq, s);
    active = s;
  }

  @Override
  public Entry poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (ready.isEmpty()) {
        if (closed || nanos <= 0) {
          return null;
        }
        nanos = available.awaitNanos(nanos);
      }
      return ready.pollFirst();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void acknowledge(Entry entry) {
    lock.lock();
    try {
      if (!closed) {
        acknowledgeLocked((Record) entry);
      }
    } finally {
      lock.unlock();
    }
  }

  private void acknowledgeLocked(Record r) {
    if (r.acked) {
      return;
    }
    r.acked = true;
    r.attachment = null;
    Segment s = r.segment;
    s.acked++;
    unacked--;
    if (s.closed && s.acked == s.records) {
      delete(s);
      return;
    }
    try {
      if (s.ackChannel == null) {
        s.ackChannel = FileChannel.open(ackFile(s.seq), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      }
      ByteBuffer b = ByteBuffer.allocate(4).putInt(0, (int) r.offset);
      while (b.hasRemaining()) {
        s.ackChannel.write(b);
      }
    } catch (IOException e) {
      // Without the acknowledgement on disk the batch is sent again after a restart: a duplicate,
      // which at-least-once delivery allows; losing data is not at stake.
      listener.corrupt("could not record a delivery in " + ackFile(s.seq) + " (" + e.getMessage()
          + "); the batch may be sent again after a restart");
    }
  }

  private void delete(Segment s) {
    segments.remove(s.seq);
    s.closeChannels();
    try {
      Files.deleteIfExists(segmentFile(s.seq));
      Files.deleteIfExists(ackFile(s.seq));
    } catch (IOException e) {
      listener.corrupt("could not delete delivered segment " + segmentFile(s.seq) + ": " + e.getMessage());
    }
    bytes -= s.size;
    storage.released(s.size);
  }

  /** Forces the active segment to disk if it has unsynced data (for {@code fsync = interval}). */
  void syncActive() {
    Segment s;
    lock.lock();
    try {
      s = active;
    } finally {
      lock.unlock();
    }
    if (s != null) {
      try {
        s.sync();
      } catch (IOException e) {
        listener.corrupt("fsync of " + segmentFile(s.seq) + " failed: " + e.getMessage());
      }
    }
  }

  @Override
  public int size() {
    lock.lock();
    try {
      return unacked;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long storedBytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      available.signalAll();
      for (Segment s : new ArrayList<>(segments.values())) {
        if (s.records == 0 || s.acked == s.records) {
          delete(s);
          continue;
        }
        try {
          if (storage.fsyncEnabled()) {
            s.sync();
          }
        } catch (IOException e) {
          listener.corrupt("fsync of " + segmentFile(s.seq) + " at close failed: " + e.getMessage());
        }
        s.closeChannels();
      }
      storage.released(bytes);
      storage.closed(this);
    } finally {
      lock.unlock();
      try {
        fileLock.release();
        lockChannel.close();
      } catch (IOException ignored) {
        // Closing the channel releases the lock in any case.
      }
    }
  }

  private Path segmentFile(long seq) {
    return dir.resolve(String.format(Locale.ROOT, "%020d.seg", seq));
  }

  private Path ackFile(long seq) {
    return dir.resolve(String.format(Locale.ROOT, "%020d.ack", seq));
  }

  @Override
  public String toString() {
    return "SegmentQueue[" + dir + "]";
  }
}
