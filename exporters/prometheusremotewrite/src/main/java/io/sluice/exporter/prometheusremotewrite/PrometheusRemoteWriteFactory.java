package io.sluice.exporter.prometheusremotewrite;

import io.sluice.api.ComponentContext;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import io.sluice.api.config.ExporterSettings;
import java.util.Map;

/**
 * The {@code prometheusremotewrite} exporter: metrics to any Prometheus Remote-Write 1.0 receiver
 * (Prometheus with {@code --web.enable-remote-write-receiver}, Mimir, Thanos, VictoriaMetrics...).
 */
public final class PrometheusRemoteWriteFactory implements ExporterFactory<PrometheusRemoteWriteConfig> {

  @Override
  public String type() {
    return "prometheusremotewrite";
  }

  @Override
  public Map<Signal, Stability> stability() {
    return Map.of(Signal.METRICS, Stability.BETA);
  }

  @Override
  public Class<PrometheusRemoteWriteConfig> configClass() {
    return PrometheusRemoteWriteConfig.class;
  }

  @Override
  public PrometheusRemoteWriteConfig defaultConfig() {
    return PrometheusRemoteWriteConfig.defaults();
  }

  /**
   * One batch at a time by default ({@code sending_queue.num_consumers = 1}): batches are then sent
   * in the order they were queued, so a series' samples reach the back end in time order; the
   * concurrency lives inside a push, sharded by series ({@code remote_write_queue.num_consumers}).
   */
  @Override
  public ExporterSettings defaultExporterSettings() {
    ExporterSettings d = ExporterSettings.DEFAULTS;
    ExporterSettings.QueueSettings q = d.sendingQueue();
    return new ExporterSettings(
        new ExporterSettings.QueueSettings(q.enabled(), 1, q.queueSize(), q.storage()),
        d.retryOnFailure(), d.timeout());
  }

  @Override
  public Exporter createExporter(ComponentContext context, PrometheusRemoteWriteConfig config, Signal signal) {
    return new PrometheusRemoteWriteExporter(context, config);
  }
}
