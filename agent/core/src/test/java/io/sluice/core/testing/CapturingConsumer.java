package io.sluice.core.testing;

import io.sluice.api.DataConsumer;
import io.sluice.api.TelemetryData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A consumer that accepts everything and keeps it, for assertions. */
public final class CapturingConsumer implements DataConsumer {
  private final List<TelemetryData> received = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    received.add(data);
    return CompletableFuture.completedFuture(null);
  }

  /** Everything consumed, in order. */
  public List<TelemetryData> received() {
    return received;
  }

  /** The total item count consumed. */
  public int itemCount() {
    return received.stream().mapToInt(TelemetryData::itemCount).sum();
  }
}
