package io.sluice.receiver.otlp;

import io.sluice.api.ClientMetadata;
import io.sluice.api.DataConsumer;
import io.sluice.api.PipelineException;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Hands decoded data of one transport to the pipelines and counts what was accepted and refused
 * ({@code otelcol_receiver_accepted_<items>} / {@code otelcol_receiver_refused_<items>} with the
 * {@code transport} label).
 */
final class Ingest {

  /** How a request ended downstream. */
  sealed interface Outcome {}

  /** Accepted; {@code rejected >= 0} means a partial success with that many items refused. */
  record Accepted(long rejected, String message) implements Outcome {}

  /** Refused as a whole. */
  record Refused(PipelineException cause) implements Outcome {}

  private final Map<Signal, DataConsumer> consumers;
  private final Map<Signal, SelfTelemetry.Counter> accepted = new EnumMap<>(Signal.class);
  private final Map<Signal, SelfTelemetry.Counter> refused = new EnumMap<>(Signal.class);

  Ingest(Map<Signal, DataConsumer> consumers, SelfTelemetry telemetry, String transport) {
    this.consumers = Map.copyOf(consumers);
    for (Signal s : consumers.keySet()) {
      String item = s.itemName();
      accepted.put(s, telemetry.counter("otelcol_receiver_accepted_" + item,
          "Number of " + item.replace('_', ' ') + " successfully pushed into the pipeline.", "transport", transport));
      refused.put(s, telemetry.counter("otelcol_receiver_refused_" + item,
          "Number of " + item.replace('_', ' ') + " that could not be pushed into the pipeline.", "transport", transport));
    }
  }

  /** The signals this receiver has pipelines for. */
  java.util.Set<Signal> signals() {
    return consumers.keySet();
  }

  /** Counts a request refused before it reached the pipeline (e.g. malformed). */
  void countRefused(Signal signal, long items) {
    refused.get(signal).add(items);
  }

  /** Passes {@code data} on; the future never fails. */
  CompletableFuture<Outcome> consume(TelemetryData data, ClientMetadata metadata) {
    Signal signal = data.signal();
    int items = data.itemCount();
    if (items == 0) {
      return CompletableFuture.completedFuture(new Accepted(-1, ""));
    }
    CompletableFuture<Void> f;
    try {
      f = consumers.get(signal).consume(metadata == ClientMetadata.EMPTY ? data : data.withMetadata(metadata));
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((ok, err) -> {
      if (err == null) {
        accepted.get(signal).add(items);
        return new Accepted(-1, "");
      }
      PipelineException pe = PipelineException.from(err);
      int rejected = pe.rejectedItems();
      if (rejected >= 0 && rejected < items) {
        accepted.get(signal).add(items - rejected);
        refused.get(signal).add(rejected);
        return new Accepted(rejected, String.valueOf(pe.getMessage()));
      }
      refused.get(signal).add(items);
      return new Refused(pe);
    });
  }
}
