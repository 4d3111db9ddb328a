package io.sluice.processor.batch;

import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Configuration of the {@code batch} processor, with the OpenTelemetry Collector's names and
 * defaults.
 *
 * @param sendBatchSize {@code send_batch_size}, default 8192: a batch is sent as soon as this many
 *     items are buffered; 0 sends on {@code timeout} only
 * @param sendBatchMaxSize {@code send_batch_max_size}, default 0 (no cap): the largest batch sent;
 *     larger requests are split. Must be 0 or {@code >= send_batch_size}
 * @param timeout {@code timeout}, default 200ms: the longest an item waits in the buffer; 0 sends
 *     every request at once (split by {@code send_batch_max_size})
 * @param metadataKeys {@code metadata_keys}, default none: client metadata keys (e.g. {@code
 *     x-tenant}) whose value combinations each get their own batcher
 * @param metadataCardinalityLimit {@code metadata_cardinality_limit}, default 1000: the most value
 *     combinations; data of a further combination is refused
 */
public record BatchConfig(
    int sendBatchSize,
    int sendBatchMaxSize,
    Duration timeout,
    List<String> metadataKeys,
    int metadataCardinalityLimit)
    implements ComponentConfig {

  /** The OpenTelemetry Collector's defaults. */
  public static final BatchConfig DEFAULTS =
      new BatchConfig(8192, 0, Duration.ofMillis(200), List.of(), 1000);

  @Override
  public List<ConfigProblem> validate() {
    List<ConfigProblem> out = new ArrayList<>();
    ConfigChecks.atLeast(out, "send_batch_size", sendBatchSize, 0);
    ConfigChecks.atLeast(out, "send_batch_max_size", sendBatchMaxSize, 0);
    if (sendBatchMaxSize > 0 && sendBatchMaxSize < sendBatchSize) {
      out.add(new ConfigProblem("send_batch_max_size",
          sendBatchMaxSize + " is smaller than send_batch_size " + sendBatchSize
              + " (expected: 0 for no cap, or >= send_batch_size)"));
    }
    ConfigChecks.duration(out, "timeout", timeout, false);
    ConfigChecks.atLeast(out, "metadata_cardinality_limit", metadataCardinalityLimit, 1);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < metadataKeys.size(); i++) {
      String k = metadataKeys.get(i);
      ConfigChecks.notBlank(out, "metadata_keys[" + i + "]", k, "a client metadata key, e.g. x-tenant");
      if (k != null && !seen.add(k.toLowerCase(Locale.ROOT))) {
        out.add(new ConfigProblem("metadata_keys[" + i + "]",
            ConfigChecks.quote(k) + " is listed twice (expected: each key once, case-insensitive)"));
      }
    }
    return out;
  }
}
