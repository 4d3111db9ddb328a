package io.sluice.receiver.prometheus;

import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Receiver;
import io.sluice.api.Signal;
import io.sluice.api.ThrottledLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one scrape loop per target of every scrape config, and a discovery thread that re-reads
 * target files when they change and starts and stops loops to match.
 */
final class PrometheusReceiver implements Receiver {
  private static final Logger logger = LoggerFactory.getLogger(PrometheusReceiver.class);

  private final ComponentContext context;
  private final PrometheusReceiverConfig config;
  private final DataConsumer consumer;
  private final ThrottledLogger scrapeLog = new ThrottledLogger(logger, Duration.ofSeconds(30));
  private final ThrottledLogger sdLog = new ThrottledLogger(logger, Duration.ofMinutes(1));
  private final List<ScrapeJob> jobs = new ArrayList<>();
  private final Map<ScrapeJob, Map<String, ScrapeLoop>> loops = new HashMap<>();
  private volatile boolean running;
  private Thread discovery;

  PrometheusReceiver(ComponentContext context, PrometheusReceiverConfig config, Map<Signal, DataConsumer> consumers) {
    this.context = context;
    this.config = config;
    this.consumer = consumers.getOrDefault(Signal.METRICS, DataConsumer.DISCARD);
  }

  @Override
  public synchronized void start() {
    var accepted = context.telemetry().counter("otelcol_receiver_accepted_metric_points",
        "Metric points handed on to the pipeline", "transport", "http");
    var refused = context.telemetry().counter("otelcol_receiver_refused_metric_points",
        "Metric points the pipeline refused", "transport", "http");
    for (ScrapeConfig sc : config.config().scrapeConfigs()) {
      ScrapeJob job = new ScrapeJob(sc, config.config().global(), accepted, refused, sdLog);
      jobs.add(job);
      loops.put(job, new HashMap<>());
      job.refreshFiles(System.currentTimeMillis());
      reconcile(job);
    }
    running = true;
    if (jobs.stream().anyMatch(j -> !j.config().fileSdConfigs().isEmpty())) {
      discovery = Thread.ofVirtual().name("prometheus file_sd").start(this::watchFiles);
    }
  }

  private void watchFiles() {
    while (running) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (!running) {
          return;
        }
        for (ScrapeJob job : jobs) {
          if (job.refreshFiles(System.currentTimeMillis())) {
            reconcile(job);
          }
        }
      }
    }
  }

  /** Starts loops for new targets, stops (with stale markers) loops of vanished ones. */
  private void reconcile(ScrapeJob job) {
    Map<String, ScrapeLoop> current = loops.get(job);
    Map<String, ScrapeTarget> wanted = new HashMap<>();
    for (ScrapeTarget t : job.targets()) {
      wanted.put(t.key(), t);
    }
    List<String> gone = new ArrayList<>(current.keySet());
    gone.removeAll(wanted.keySet());
    for (String k : gone) {
      current.remove(k).stop();
    }
    wanted.forEach((k, t) -> current.computeIfAbsent(k, x -> {
      ScrapeLoop l = new ScrapeLoop(job, t, consumer, scrapeLog);
      l.start();
      return l;
    }));
    logger.debug("job {}: {} targets", job.config().jobName(), current.size());
  }

  /** Number of running target loops, for tests. */
  synchronized int targetCount() {
    return loops.values().stream().mapToInt(Map::size).sum();
  }

  @Override
  public void shutdown() {
    Thread d;
    synchronized (this) {
      running = false;
      d = discovery;
      discovery = null;
    }
    if (d != null) {
      d.interrupt();
    }
    synchronized (this) {
      loops.values().forEach(m -> m.values().parallelStream().forEach(ScrapeLoop::stop));
      loops.clear();
      jobs.forEach(ScrapeJob::close);
      jobs.clear();
    }
  }
}
