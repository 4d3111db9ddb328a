package io.sluice.receiver.prometheus;

import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Exporter;
import io.sluice.api.Receiver;
import io.sluice.api.Signal;
import io.sluice.core.testing.TestContext;
import io.sluice.exporter.prometheusremotewrite.PrometheusProcess;
import io.sluice.exporter.prometheusremotewrite.PrometheusRemoteWriteConfig;
import io.sluice.exporter.prometheusremotewrite.PrometheusRemoteWriteFactory;
import java.util.List;
import java.util.Map;

/** This receiver wired straight into the prometheusremotewrite exporter, writing into a real Prometheus. */
final class SluiceToPrometheus implements AutoCloseable {
  private final Exporter exporter;
  private final Receiver receiver;

  private SluiceToPrometheus(Exporter exporter, Receiver receiver) {
    this.exporter = exporter;
    this.receiver = receiver;
  }

  static SluiceToPrometheus start(PrometheusProcess prometheus, ScrapeConfig sc, boolean nativeHistograms)
      throws Exception {
    PrometheusRemoteWriteConfig d = PrometheusRemoteWriteConfig.defaults();
    Exporter exporter = new PrometheusRemoteWriteFactory().createExporter(
        new TestContext("prometheusremotewrite", ComponentKind.EXPORTER),
        new PrometheusRemoteWriteConfig(prometheus.remoteWriteUrl(), d.headers(), d.namespace(), d.externalLabels(),
            d.resourceToTelemetryConversion(), d.targetInfo(), d.sendMetadata(), d.addMetricSuffixes(),
            nativeHistograms, d.maxBatchSizeBytes(), d.remoteWriteQueue(), d.basicAuth(), d.bearerToken(), d.tls()),
        Signal.METRICS);
    exporter.start();
    Receiver receiver = new PrometheusReceiverFactory().createReceiver(
        new TestContext("prometheus", ComponentKind.RECEIVER),
        new PrometheusReceiverConfig(new PrometheusReceiverConfig.PromConfig(
            PrometheusReceiverConfig.Global.defaults(), List.of(sc))),
        Map.of(Signal.METRICS, (DataConsumer) exporter::push));
    receiver.start();
    return new SluiceToPrometheus(exporter, receiver);
  }

  @Override
  public void close() {
    receiver.shutdown();
    exporter.shutdown();
  }
}
