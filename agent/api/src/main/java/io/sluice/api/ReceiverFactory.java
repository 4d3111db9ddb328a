package io.sluice.api;

import io.sluice.api.config.ComponentConfig;
import java.util.Map;

/**
 * Creates receivers. A receiver id used by several pipelines, of one or several signals, is created
 * and started once: it gets one consumer per signal, which fans out to every pipeline of that
 * signal that lists the receiver.
 *
 * @param <C> the configuration record
 */
public interface ReceiverFactory<C extends ComponentConfig> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.RECEIVER;
  }

  /**
   * Creates the receiver.
   *
   * @param consumers the consumer for each signal the receiver is used with in some pipeline;
   *     signals without pipelines are absent
   */
  Receiver createReceiver(ComponentContext context, C config, Map<Signal, DataConsumer> consumers);
}
