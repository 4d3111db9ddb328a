package io.sluice.receiver.prometheus;

import io.sluice.api.ThrottledLogger;
import io.sluice.api.config.DataSize;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/**
 * A rough measurement, not a test: parse, relabel and convert a generated page of N series (half
 * counters, half gauges, five labels each) six times, then print the retained heap per series and
 * the time per sample of the last five rounds. Run with the command in the README.
 */
final class ScrapeMemoryBench {
  private ScrapeMemoryBench() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args.length > 0 ? args[0] : "100000");
    StringBuilder sb = new StringBuilder();
    for (String type : List.of("counter", "gauge")) {
      String name = type.equals("counter") ? "bench_requests_total" : "bench_inflight";
      sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      for (int i = 0; i < n / 2; i++) {
        sb.append(name).append("{path=\"/api/v1/item/").append(i % 1000).append("\",method=\"GET\",code=\"200\",shard=\"")
            .append(i / 1000).append("\"} ").append(i).append('\n');
      }
    }
    byte[] page = sb.toString().getBytes(StandardCharsets.UTF_8);
    ScrapeConfig sc = new ScrapeConfig("bench", Duration.ofSeconds(15), Duration.ofSeconds(10), "/metrics", "http",
        Map.of(), List.of(new ScrapeConfig.StaticConfig(List.of("127.0.0.1:9"), Map.of())), List.of(), false, true,
        List.of(), List.of(), ScrapeConfig.BasicAuth.defaults(), ScrapeConfig.Authorization.defaults(),
        ScrapeConfig.TlsConfig.defaults(), 0, 0, DataSize.ofBytes(0), ScrapeConfig.DEFAULT_PROTOCOLS);
    ThrottledLogger log = new ThrottledLogger(LoggerFactory.getLogger(ScrapeMemoryBench.class), Duration.ofMinutes(1));
    ScrapeJob job = new ScrapeJob(sc, PrometheusReceiverConfig.Global.defaults(), x -> { }, x -> { }, log);
    ScrapeLoop loop = new ScrapeLoop(job, job.targets().get(0), d -> CompletableFuture.completedFuture(null), log);
    ScrapeConverter converter = new ScrapeConverter("http");
    long t0 = 0;
    for (int round = 0; round < 6; round++) {
      if (round == 1) {
        t0 = System.nanoTime();
      }
      long ms = System.currentTimeMillis();
      ScrapeLoop.ScrapeResult r = loop.process(page, "text/plain; version=0.0.4", ms);
      converter.convert(r.samples(), r.families(), ms, List.of());
    }
    double perRound = (System.nanoTime() - t0) / 5e9;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(200);
    }
    long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    System.out.printf("series=%d retained_heap=%d MiB (incl. the %d KiB page and JVM baseline) "
        + "parse+relabel+convert=%.3f s per scrape (%.2f us/sample)%n",
        n, used >> 20, page.length >> 10, perRound, perRound * 1e6 / n);
    System.out.println(loop.target().address() + converter.hashCode() + job.interval());
  }
}
