package io.sluice.api;

/**
 * Lifecycle shared by every component. The daemon starts exporters, then processors, then
 * receivers, and shuts down in the reverse order.
 *
 * <p>Rules, checked by the shared contract test every component's test extends: {@link #shutdown}
 * is idempotent, is safe without {@link #start}, and flushes what the component holds; {@link
 * #start} fails fast with a clear message (e.g. a port in use) and must not be called twice.
 */
public interface Component {

  /**
   * Starts the component: opens listeners, connections, threads.
   *
   * @throws Exception with a message saying what went wrong and how to fix it; the daemon stops
   */
  default void start() throws Exception {}

  /**
   * Stops the component, flushing or handing on whatever it holds. Must be idempotent and safe to
   * call without {@link #start}. Must not throw.
   */
  default void shutdown() {}
}
