package io.sluice.api.storage;

import java.io.IOException;

/**
 * An extension that keeps exporters' sending queues outside memory, so that what a receiver
 * acknowledged survives a restart or a crash. An exporter whose {@code sending_queue.storage} names
 * the extension opens one queue per signal at start and closes it at shutdown.
 *
 * <p>Sluice's {@code file_storage} extension implements it with checksummed segment files; a
 * plugin may implement it on other media.
 */
public interface QueueStorage {

  /**
   * Opens the queue called {@code name}, creating it if it does not exist, and recovers what a
   * previous run left in it.
   *
   * @param name unique per exporter and signal, e.g. {@code otlphttp_gateway-traces}; made of
   *     characters that are safe in file names
   * @param listener told about corrupt records found while recovering and later
   * @throws IOException if the queue cannot be opened (permissions, another process holds it)
   */
  DurableQueue open(String name, DurableQueue.Listener listener) throws IOException;
}
