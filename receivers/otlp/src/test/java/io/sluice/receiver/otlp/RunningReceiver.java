package io.sluice.receiver.otlp;

import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Signal;
import io.sluice.core.testing.TestContext;
import java.util.Map;

/** A started receiver with every signal going to one consumer; closes by shutting down. */
final class RunningReceiver implements AutoCloseable {
  final TestContext context = new TestContext("otlp", ComponentKind.RECEIVER);
  final OtlpReceiver receiver;

  RunningReceiver(OtlpReceiverConfig config, DataConsumer consumer) throws Exception {
    receiver = new OtlpReceiver(context, config,
        Map.of(Signal.TRACES, consumer, Signal.METRICS, consumer, Signal.LOGS, consumer));
    receiver.start();
  }

  RunningReceiver(DataConsumer consumer) throws Exception {
    this(TestConfigs.ephemeral(), consumer);
  }

  String grpcUrl() {
    return "http://127.0.0.1:" + receiver.grpcPort();
  }

  String httpUrl() {
    return "http://127.0.0.1:" + receiver.httpPort();
  }

  double accepted(Signal signal, String transport) {
    return context.metric("otelcol_receiver_accepted_" + signal.itemName(), "transport", transport);
  }

  double refused(Signal signal, String transport) {
    return context.metric("otelcol_receiver_refused_" + signal.itemName(), "transport", transport);
  }

  /**
   * Shuts down in the background: Armeria's graceful stop waits about two seconds for its event
   * loops, which every test would otherwise pay; each test has its own ephemeral ports. The
   * contract test covers a synchronous shutdown.
   */
  @Override
  public void close() {
    java.util.concurrent.CompletableFuture.runAsync(receiver::shutdown);
  }
}
