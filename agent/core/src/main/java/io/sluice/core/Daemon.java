package io.sluice.core;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.api.config.ServerTls;
import io.sluice.core.internal.AdminTls;
import io.sluice.core.config.ConfigIssue;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.plugin.ComponentRegistry;
import io.sluice.core.service.Service;
import io.sluice.core.service.ServicePlan;
import io.sluice.core.service.ServicePlanner;
import io.sluice.core.service.StatusRegistry;
import io.sluice.core.telemetry.SelfMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon as the CLI runs it: load and plan the configuration, serve self-metrics, start the
 * service, stop it on request.
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final ServicePlan plan;
  private final SelfMetrics metrics = new SelfMetrics();
  private final StatusRegistry statuses = new StatusRegistry();
  private Service service;
  private HTTPServer metricsServer;

  /**
   * A loaded and planned configuration.
   *
   * @param registry the installed factories
   * @param loaded the merged configuration (null when unreadable)
   * @param plan the plan (null when the configuration could not be read)
   */
  public record Prepared(ComponentRegistry registry, ConfigLoader.Loaded loaded, ServicePlan plan) {
    /** Every problem: reading and planning. */
    public List<ConfigIssue> issues() {
      return plan != null ? plan.issues() : loaded.issues();
    }
  }

  /** Loads {@code files} (none: the embedded default) and plans them with {@code registry}. */
  public static Prepared prepare(List<Path> files, ComponentRegistry registry) {
    ConfigLoader.Loaded loaded = ConfigLoader.load(files);
    if (loaded.config() == null) {
      return new Prepared(registry, loaded, null);
    }
    ServicePlan plan = ServicePlanner.plan(loaded.config(), registry);
    if (!loaded.issues().isEmpty()) {
      List<ConfigIssue> all = new java.util.ArrayList<>(loaded.issues());
      all.addAll(plan.issues());
      plan = new ServicePlan(plan.components(), plan.pipelines(), plan.extensions(), plan.settings(), List.copyOf(all));
    }
    return new Prepared(registry, loaded, plan);
  }

  /** A daemon for a valid plan. */
  public Daemon(ServicePlan plan) {
    this.plan = plan;
  }

  /**
   * Serves self-metrics and starts every component.
   *
   * @throws Exception with a message naming the failing part; everything started is stopped again
   */
  public synchronized void start() throws Exception {
    String level = plan.settings().telemetry().metrics().level();
    if (!"none".equals(level)) {
      registerJvmMetrics(metrics.registry());
      String address = plan.settings().telemetry().metrics().address();
      ServerTls tls = plan.settings().telemetry().metrics().tls();
      int colon = address.lastIndexOf(':');
      try {
        HTTPServer.Builder b = HTTPServer.builder()
            .hostname(address.substring(0, colon).replace("[", "").replace("]", ""))
            .port(Integer.parseInt(address.substring(colon + 1)))
            .registry(metrics.registry());
        if (tls != null) {
          b.httpsConfigurator(AdminTls.configurator(tls));
        }
        metricsServer = b.buildAndStart();
      } catch (BindException e) {
        throw new Service.ComponentCreationException(
            "service.telemetry.metrics.address " + address + ": address already in use; stop the other process, "
                + "choose another address, or set service.telemetry.metrics.level = none", e);
      } catch (IOException e) {
        throw new Service.ComponentCreationException(
            "service.telemetry.metrics.address " + address + ": cannot listen: " + e.getMessage(), e);
      }
      log.info("Self-metrics on {}://{}/metrics", tls != null ? "https" : "http", address);
    }
    try {
      service = new Service(plan, metrics, statuses);
      service.start();
    } catch (Exception e) {
      stop();
      throw e;
    }
  }

  /**
   * The JVM metrics of {@link io.prometheus.metrics.instrumentation.jvm.JvmMetrics}, except that
   * the native-memory ones are asked for only when Native Memory Tracking is on: probing for them
   * starts the platform MBean server, about 100 ms of start-up, to learn that there are none.
   */
  private static void registerJvmMetrics(PrometheusRegistry registry) {
    JvmThreadsMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmMemoryPoolAllocationMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
    boolean nmt = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(a -> a.startsWith("-XX:NativeMemoryTracking=") && !a.endsWith("=off"));
    if (nmt) {
      JvmNativeMemoryMetrics.builder().register(registry);
    }
  }

  /** Stops the service (draining) and the metrics endpoint. Idempotent. */
  public synchronized void stop() {
    if (service != null) {
      service.shutdown();
    }
    if (metricsServer != null) {
      metricsServer.close();
      metricsServer = null;
    }
  }

  /** The daemon's self-metrics. */
  public SelfMetrics metrics() {
    return metrics;
  }

  /** The running service, or null before start. */
  public Service service() {
    return service;
  }
}
