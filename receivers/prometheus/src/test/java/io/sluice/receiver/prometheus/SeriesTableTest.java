package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeriesTableTest {
  private static final String[] NO_COMMON = {};

  @Test
  void targetLabelsAreShortInTheTableAndWholeInTheKey() {
    String[] common = {"instance", "host:9100", "job", "node\u0001\u0003"};
    SeriesTable t = new SeriesTable(false, common);
    Map<String, String> labels = new TreeMap<>(Map.of("instance", "host:9100", "job", "node\u0001\u0003",
        "mode", "idle\u0003"));
    int e = t.add("cpu\u0002", labels, null);
    assertThat(t.key(e)).isEqualTo(ScrapeConverter.key("cpu\u0002", labels, null));
    Map<String, String> other = new TreeMap<>(Map.of("instance", "host:9101", "job", "node\u0001\u0003",
        "mode", "idle\u0003"));
    int o = t.add("cpu\u0002", other, null);
    assertThat(o).isNotEqualTo(e);
    assertThat(t.key(o)).isEqualTo(ScrapeConverter.key("cpu\u0002", other, null));
  }
  @Test
  void keyIsTheConverterKeyWithTheSkippedLabelLeftOut() {
    SeriesTable t = new SeriesTable(false, NO_COMMON);
    Map<String, String> labels = new TreeMap<>(Map.of("le", "1", "path", "/a\u0000b\u0002", "zone", "ü"));
    int e = t.add("m\u0001", labels, "le");
    assertThat(t.key(e)).isEqualTo(ScrapeConverter.key("m\u0001", labels, "le"));
  }

  @Test
  void addingTheSameSeriesTwiceFindsTheFirstEntry() {
    SeriesTable t = new SeriesTable(false, NO_COMMON);
    int a = t.add("m", Map.of("a", "1"), null);
    int b = t.add("m", Map.of("a", "2"), null);
    assertThat(t.add("m", Map.of("a", "1"), null)).isEqualTo(a);
    assertThat(b).isNotEqualTo(a);
    assertThat(t.size()).isEqualTo(2);
  }

  @Test
  void aSeriesIsTakenOverOnceAndTheRestAreLeftForStaleMarkers() {
    SeriesTable old = new SeriesTable(true, NO_COMMON);
    for (int i = 0; i < 1000; i++) {
      old.set(old.add("c_total", Map.of("id", Integer.toString(i)), null), 100 + i, i, null);
    }
    SeriesTable now = new SeriesTable(true, NO_COMMON);
    int kept = now.add("c_total", Map.of("id", "7"), null);
    int o = old.take(now, kept);
    assertThat(old.start(o)).isEqualTo(107);
    assertThat(old.last(o)).isEqualTo(7.0);
    assertThat(old.take(now, kept)).isEqualTo(-1);
    assertThat(old.take(now, now.add("c_total", Map.of("id", "1000"), null))).isEqualTo(-1);
    List<String> notTaken = new ArrayList<>();
    old.forEachNotTaken(e -> notTaken.add(old.key(e)));
    assertThat(notTaken).hasSize(999).doesNotContain(ScrapeConverter.key("c_total", Map.of("id", "7"), null));
  }

  @Test
  void equalLayoutsOfNeighbouringEntriesAreShared() {
    SeriesTable t = new SeriesTable(true, NO_COMMON);
    int a = t.add("h", Map.of("id", "1"), null);
    int b = t.add("h", Map.of("id", "2"), null);
    t.set(a, 0, 0, new double[] {0.1, 1});
    t.set(b, 0, 0, new double[] {0.1, 1});
    assertThat(t.layout(b)).isSameAs(t.layout(a));
  }
}
