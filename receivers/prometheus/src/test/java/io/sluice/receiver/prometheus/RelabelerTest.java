package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RelabelerTest {

  private static RelabelConfig rc(List<String> src, String target, String regex, String replacement, String action) {
    return new RelabelConfig(src, ";", target, regex, 0, replacement, action);
  }

  private static Map<String, String> labels(String... kv) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void replaceJoinsSourcesAndExpandsGroups() {
    var r = new Relabeler(List.of(rc(List.of("__address__", "env"), "host", "([^:]+):\\d+;(.*)", "${1}-$2", "replace")));
    var l = labels("__address__", "web:80", "env", "prod");
    assertThat(r.apply(l)).isTrue();
    assertThat(l).containsEntry("host", "web-prod");
  }

  @Test
  void replaceWithEmptyResultRemovesTheLabel() {
    var r = new Relabeler(List.of(rc(List.of("x"), "y", "(.*)", "", "replace")));
    var l = labels("x", "1", "y", "2");
    r.apply(l);
    assertThat(l).doesNotContainKey("y");
  }

  @Test
  void keepDropAndEqualityActions() {
    assertThat(new Relabeler(List.of(rc(List.of("__name__"), "", "go_.*", "$1", "keep"))).apply(labels("__name__", "node_x"))).isFalse();
    assertThat(new Relabeler(List.of(rc(List.of("__name__"), "", "go_.*", "$1", "drop"))).apply(labels("__name__", "go_x"))).isFalse();
    assertThat(new Relabeler(List.of(rc(List.of("__name__"), "", "go_.*", "$1", "drop"))).apply(labels("__name__", "go_x_y", "a", "b"))).isFalse();
    var keepEqual = new Relabeler(List.of(rc(List.of("a"), "b", "(.*)", "$1", "keepequal")));
    assertThat(keepEqual.apply(labels("a", "1", "b", "1"))).isTrue();
    assertThat(keepEqual.apply(labels("a", "1", "b", "2"))).isFalse();
    var dropEqual = new Relabeler(List.of(rc(List.of("a"), "b", "(.*)", "$1", "dropequal")));
    assertThat(dropEqual.apply(labels("a", "1", "b", "1"))).isFalse();
  }

  @Test
  void labelMapDropKeepAndCase() {
    var l = labels("__meta_k8s_label_app", "web", "__meta_k8s_label_tier", "fe", "Keep", "MiXed", "drop_me", "1");
    new Relabeler(List.of(
        rc(List.of(), "", "__meta_k8s_label_(.+)", "$1", "labelmap"),
        rc(List.of(), "", "drop_.*", "$1", "labeldrop"),
        rc(List.of("Keep"), "lower", "(.*)", "$1", "lowercase"),
        rc(List.of("Keep"), "upper", "(.*)", "$1", "uppercase"),
        rc(List.of(), "", "app|tier|lower|upper", "$1", "labelkeep"))).apply(l);
    assertThat(l).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web", "tier", "fe", "lower", "mixed", "upper", "MIXED"));
  }

  @Test
  void hashmodMatchesPrometheus() {
    // md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8; low 8 bytes 0xedef654fccc4a4d8 mod 10
    assertThat(Relabeler.hashmod("foo", 10)).isEqualTo(Long.remainderUnsigned(0xedef654fccc4a4d8L, 10));
    var l = labels("__address__", "foo");
    new Relabeler(List.of(new RelabelConfig(List.of("__address__"), ";", "shard", "(.*)", 10, "$1", "hashmod"))).apply(l);
    assertThat(l).containsEntry("shard", Long.toString(Long.remainderUnsigned(0xedef654fccc4a4d8L, 10)));
  }
}
