package io.sluice.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The figures of one reliability run, from the sender's record and the back end's count. A span
 * is "sent" when the SDK handed it to its exporter, "acknowledged" when the daemon answered OK for
 * it, "refused" when the SDK gave up on it, "delivered" when the back end accepted it at least
 * once, "duplicated" for each acceptance after the first, and "lost" when it was acknowledged and
 * never delivered.
 */
record Tally(int sent, int acknowledged, int refused, int delivered, long duplicated, int lost, int unexpected,
    int altered) {

  static Tally of(AckRecorder sdk, SpanBackend backend) {
    Map<Long, String> sent = sdk.sent();
    Set<Long> acknowledged = sdk.acknowledged();
    Map<Long, SpanBackend.Delivery> deliveries = backend.deliveries();
    long duplicated = 0;
    int delivered = 0;
    int unexpected = 0;
    int altered = 0;
    for (var e : deliveries.entrySet()) {
      duplicated += e.getValue().count() - 1;
      String name = sent.get(e.getKey());
      if (name == null) {
        unexpected++;
      } else {
        delivered++;
        if (!name.equals(e.getValue().name())) {
          altered++;
        }
      }
    }
    Set<Long> lost = new HashSet<>(acknowledged);
    lost.removeAll(deliveries.keySet());
    return new Tally(sent.size(), acknowledged.size(), sdk.refused().size(), delivered, duplicated, lost.size(),
        unexpected, altered);
  }

  /** The one-line summary quoted in RELIABILITY.md. */
  String line(String scenario) {
    return "reliability " + scenario + ": sent=" + sent + " acknowledged=" + acknowledged + " refused=" + refused
        + " delivered=" + delivered + " duplicated=" + duplicated + " lost=" + lost;
  }

  /**
   * Prints the summary and the notes and writes them to {@code target/reliability/<scenario>.txt}
   * (relative to the module, where Surefire runs), so that the figures of a run can be quoted.
   */
  void report(String scenario, String notes) {
    String text = line(scenario) + (notes.isEmpty() ? "" : System.lineSeparator() + notes) + System.lineSeparator();
    System.out.print(text);
    try {
      Path dir = Files.createDirectories(Path.of("target", "reliability"));
      Files.writeString(dir.resolve(scenario + ".txt"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
