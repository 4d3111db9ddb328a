package io.sluice.receiver.otlp;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Receiver;
import io.sluice.api.ReceiverFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import java.util.Map;

/**
 * The {@code otlp} receiver: OTLP over gRPC ({@code 127.0.0.1:4317}) and HTTP with protobuf or
 * JSON ({@code 127.0.0.1:4318}), for traces, metrics and logs.
 */
public final class OtlpReceiverFactory implements ReceiverFactory<OtlpReceiverConfig> {

  @Override
  public String type() {
    return "otlp";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public Class<OtlpReceiverConfig> configClass() {
    return OtlpReceiverConfig.class;
  }

  @Override
  public OtlpReceiverConfig defaultConfig() {
    return OtlpReceiverConfig.defaults();
  }

  @Override
  public Receiver createReceiver(
      ComponentContext context, OtlpReceiverConfig config, Map<Signal, DataConsumer> consumers) {
    return new OtlpReceiver(context, config, consumers);
  }
}
