package io.sluice.receiver.prometheus;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A target after relabeling: its labels (without {@code __} ones, with {@code job} and {@code
 * instance}) and where to scrape it.
 *
 * @param labels the target labels added to every sample
 * @param scheme http or https
 * @param address host:port
 * @param pathAndQuery metrics path with the {@code __param_*} query
 */
record ScrapeTarget(Map<String, String> labels, String scheme, String address, String pathAndQuery) {

  /** The identity used to tell targets apart across discoveries. */
  String key() {
    return scheme + "://" + address + pathAndQuery + labels;
  }

  /**
   * Applies Prometheus's target label rules to discovered labels: defaults, {@code relabel_configs},
   * {@code instance} from {@code __address__}, then drops {@code __}-labels.
   *
   * @return the target, or null if relabeling dropped it
   */
  static ScrapeTarget of(Map<String, String> discovered, ScrapeConfig sc, String interval, String timeout,
      Relabeler relabel) {
    Map<String, String> l = new TreeMap<>(discovered);
    l.putIfAbsent("job", sc.jobName());
    l.putIfAbsent("__scheme__", sc.scheme());
    l.putIfAbsent("__metrics_path__", sc.metricsPath());
    l.putIfAbsent("__scrape_interval__", interval);
    l.putIfAbsent("__scrape_timeout__", timeout);
    sc.params().forEach((k, v) -> {
      if (!v.isEmpty()) {
        l.putIfAbsent("__param_" + k, v.get(0));
      }
    });
    if (!relabel.apply(l)) {
      return null;
    }
    String address = l.getOrDefault("__address__", "");
    if (address.isEmpty()) {
      return null;
    }
    String scheme = l.getOrDefault("__scheme__", "http");
    if (address.lastIndexOf(':') <= address.lastIndexOf(']')) {
      address = address + (scheme.equals("https") ? ":443" : ":80");
    }
    l.putIfAbsent("instance", address);
    StringBuilder path = new StringBuilder(l.getOrDefault("__metrics_path__", "/metrics"));
    char sep = path.indexOf("?") < 0 ? '?' : '&';
    for (Map.Entry<String, String> e : l.entrySet()) {
      if (e.getKey().startsWith("__param_")) {
        String name = e.getKey().substring("__param_".length());
        List<String> values = sc.params().getOrDefault(name, List.of(e.getValue()));
        List<String> all = values.isEmpty() || !values.get(0).equals(e.getValue()) ? List.of(e.getValue()) : values;
        for (String v : all) {
          path.append(sep).append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
              .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
          sep = '&';
        }
      }
    }
    l.keySet().removeIf(k -> k.startsWith("__"));
    l.values().removeIf(String::isEmpty);
    return new ScrapeTarget(Map.copyOf(l), scheme, address, path.toString());
  }
}
