package io.sluice.core.extension.storage;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

/**
 * One segment file. Written under the queue's lock; {@code size} and {@code synced} are volatile
 * because fsyncs read them outside it.
 */
final class Segment {
  final long seq;
  final FileChannel channel;
  final Object syncLock = new Object();
  FileChannel ackChannel;
  volatile long size;
  volatile long synced;
  int records;
  int acked;
  boolean closed;

  Segment(long seq, FileChannel channel) {
    this.seq = seq;
    this.channel = channel;
  }

  /** Forces the file up to {@code end}, unless another thread's force already did (group commit). */
  void syncTo(long end) throws IOException {
    if (synced >= end) {
      return;
    }
    synchronized (syncLock) {
      if (synced >= end) {
        return;
      }
      long target = size;
      try {
        channel.force(false);
      } catch (ClosedChannelException e) {
        // The segment was delivered and deleted before it needed syncing.
        return;
      }
      synced = target;
    }
  }

  /** Forces everything written so far. */
  void sync() throws IOException {
    syncTo(size);
  }

  void closeChannels() {
    try {
      channel.close();
      if (ackChannel != null) {
        ackChannel.close();
      }
    } catch (IOException ignored) {
      // Nothing is written after closing; the data was synced before if the policy asked for it.
    }
  }
}
