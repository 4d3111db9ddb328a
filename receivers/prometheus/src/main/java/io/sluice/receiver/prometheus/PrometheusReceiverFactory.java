package io.sluice.receiver.prometheus;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Receiver;
import io.sluice.api.ReceiverFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/** The {@code prometheus} receiver: scrapes Prometheus and OpenMetrics endpoints like Prometheus. */
public final class PrometheusReceiverFactory implements ReceiverFactory<PrometheusReceiverConfig> {

  @Override
  public String type() {
    return "prometheus";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.METRICS, Stability.BETA);
  }

  @Override
  public Class<PrometheusReceiverConfig> configClass() {
    return PrometheusReceiverConfig.class;
  }

  @Override
  public PrometheusReceiverConfig defaultConfig() {
    return PrometheusReceiverConfig.defaults();
  }

  @Override
  public Receiver createReceiver(ComponentContext context, PrometheusReceiverConfig config,
      Map<Signal, DataConsumer> consumers) {
    return new PrometheusReceiver(context, config, consumers);
  }
}
