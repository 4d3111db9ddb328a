package io.sluice.api.storage;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A persistent FIFO of encoded batches with explicit acknowledgement: an entry handed out by
 * {@link #poll} stays stored until {@link #acknowledge} removes it, so a crash between the two
 * hands it out again after restart (at-least-once delivery).
 *
 * <p>Thread-safe: several exporter workers poll and acknowledge concurrently, and receivers append
 * concurrently.
 */
public interface DurableQueue extends AutoCloseable {

  /**
   * Stores a batch. When this method returns, the batch is as durable as the storage's sync policy
   * makes it (with {@code fsync = always}, on stable storage), so the caller may acknowledge it to
   * its sender.
   *
   * @param payload the encoded batch
   * @param items how many telemetry items the batch holds (for accounting of dropped data)
   * @param attachment handed back by {@link Entry#attachment()} while this process runs, e.g. the
   *     batch not yet encoded, so that a consumer need not decode {@code payload} again; kept in
   *     memory until the entry is acknowledged, never stored; null for none
   * @throws QueueFullException if the storage is full and configured to refuse; retryable
   * @throws IOException if the batch could not be written (e.g. the disk is full); nothing of it
   *     stays stored
   */
  void append(byte[] payload, int items, Object attachment) throws IOException;

  /** {@link #append(byte[], int, Object)} without an attachment. */
  default void append(byte[] payload, int items) throws IOException {
    append(payload, items, null);
  }

  /**
   * Hands out the oldest entry that is neither acknowledged nor already handed out, waiting up to
   * {@code timeout} for one.
   *
   * @return the entry, or null if none arrived in time
   */
  Entry poll(long timeout, TimeUnit unit) throws InterruptedException;

  /**
   * Removes a delivered (or permanently refused) entry from storage. An entry handed out and never
   * acknowledged stays stored and is handed out again after the queue is next opened.
   */
  void acknowledge(Entry entry);

  /** Entries stored and not yet acknowledged, handed out or not. */
  int size();

  /** Bytes this queue occupies in storage. */
  long storedBytes();

  /** Closes the queue, keeping every entry not yet acknowledged for the next {@link QueueStorage#open}. */
  @Override
  void close();

  /** One stored batch. */
  interface Entry {
    /** The batch as given to {@link #append}. */
    byte[] payload();

    /** The item count given to {@link #append}. */
    int items();

    /** The attachment given to {@link #append}; null if none, and after a restart. */
    Object attachment();
  }

  /** Told about events that lose or skip data, so the owner can count and report them. */
  interface Listener {
    /**
     * A stored region failed its checksum (a torn write or a damaged file) and was skipped.
     *
     * @param where the file and offset, for the log
     */
    void corrupt(String where);

    /**
     * Entries were dropped to make room ({@code when_full = drop_oldest}).
     *
     * @param batches how many entries
     * @param items how many telemetry items they held
     */
    void droppedOldest(int batches, long items);

    /** A listener that ignores everything. */
    Listener NOOP = new Listener() {
      @Override
      public void corrupt(String where) {}

      @Override
      public void droppedOldest(int batches, long items) {}
    };
  }
}
