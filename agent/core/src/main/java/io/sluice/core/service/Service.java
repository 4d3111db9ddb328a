package io.sluice.core.service;

import io.sluice.api.Component;
import io.sluice.api.ComponentContext;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Extension;
import io.sluice.api.ExtensionFactory;
import io.sluice.api.HealthStatus;
import io.sluice.api.PipelineException;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Receiver;
import io.sluice.api.ReceiverFactory;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.core.exporter.ExporterHelper;
import io.sluice.core.service.ServicePlan.Bound;
import io.sluice.core.service.ServicePlan.Pipeline;
import io.sluice.core.telemetry.SelfMetrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running pipeline graph built from a {@link ServicePlan}. Receivers are created once per id
 * and shared by their pipelines; processors are created per pipeline; exporters once per id and
 * signal, each behind its own {@link ExporterHelper} so that one slow or failing exporter affects
 * only its own queue.
 *
 * <p>Start order: extensions, exporters, processors (last of a pipeline first), receivers. Stop
 * order is the reverse: receivers stop taking data, processors flush in pipeline order, exporters
 * drain their queues within {@code service.shutdown_timeout}, then extensions stop.
 */
public final class Service {
  private static final Logger log = LoggerFactory.getLogger(Service.class);

  private final ServicePlan plan;
  private final SelfMetrics metrics;
  private final StatusRegistry statuses;
  private final Map<ComponentId, Extension> extensions = new LinkedHashMap<>();
  private final Map<String, ExporterHelper> exporters = new LinkedHashMap<>();
  private final Map<String, List<Processor>> processors = new LinkedHashMap<>();
  private final Map<ComponentId, Receiver> receivers = new LinkedHashMap<>();
  private final Map<String, DataConsumer> pipelineEntries = new HashMap<>();
  private final Map<Object, CoreContext> contexts = new java.util.IdentityHashMap<>();
  private boolean startCalled;
  private boolean shutdownDone;

  /**
   * Creates every component of {@code plan} (opening nothing yet).
   *
   * @throws IllegalArgumentException if the plan has issues
   * @throws ComponentCreationException if a factory fails to create a component
   */
  public Service(ServicePlan plan, SelfMetrics metrics, StatusRegistry statuses) {
    if (!plan.ok()) {
      throw new IllegalArgumentException("the configuration has problems: " + plan.issues());
    }
    this.plan = plan;
    this.metrics = metrics;
    this.statuses = statuses;
    build();
  }

  /** A factory threw while creating a component. */
  public static final class ComponentCreationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ComponentCreationException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void build() {
    for (ComponentId id : plan.extensions()) {
      Bound b = plan.components().get(ComponentKind.EXTENSION).get(id);
      CoreContext ctx = context(b, "");
      Extension ext = create(b, () -> createExtension((ExtensionFactory<?>) b.factory(), ctx, b.config()));
      contexts.put(ext, ctx);
      extensions.put(id, ext);
    }
    Map<Signal, Map<ComponentId, List<DataConsumer>>> receiverTargets = new EnumMap<>(Signal.class);
    for (Pipeline p : plan.pipelines()) {
      List<DataConsumer> exporterConsumers = new ArrayList<>();
      for (ComponentId id : p.exporters()) {
        String key = id + "|" + p.signal().configName();
        ExporterHelper helper = exporters.get(key);
        if (helper == null) {
          Bound b = plan.components().get(ComponentKind.EXPORTER).get(id);
          CoreContext ctx = context(b, "");
          Exporter e = create(b, () -> createExporter((ExporterFactory<?>) b.factory(), ctx, b.config(), p.signal()));
          helper = new ExporterHelper(e, b.exporterSettings(), p.signal(), ctx);
          contexts.put(helper, ctx);
          exporters.put(key, helper);
        }
        exporterConsumers.add(helper);
      }
      DataConsumer next = FanOut.of(exporterConsumers);
      PipelineSink sink = new PipelineSink();
      List<Processor> chain = new ArrayList<>();
      List<ComponentId> procIds = p.processors();
      for (int i = procIds.size() - 1; i >= 0; i--) {
        Bound b = plan.components().get(ComponentKind.PROCESSOR).get(procIds.get(i));
        CoreContext ctx = context(b, p.id());
        ctx.sink = sink;
        DataConsumer downstream = next;
        Processor proc = create(b, () -> createProcessor((ProcessorFactory<?>) b.factory(), ctx, b.config(), p.signal(), downstream));
        contexts.put(proc, ctx);
        if (proc instanceof DecisionSink ds) {
          sink.targets.add(ds);
        }
        chain.add(0, proc);
        next = proc;
      }
      processors.put(p.id(), chain);
      pipelineEntries.put(p.id(), next);
      for (ComponentId r : p.receivers()) {
        receiverTargets.computeIfAbsent(p.signal(), s -> new LinkedHashMap<>())
            .computeIfAbsent(r, k -> new ArrayList<>()).add(next);
      }
    }
    for (Bound b : plan.components().get(ComponentKind.RECEIVER).values()) {
      Map<Signal, DataConsumer> consumers = new EnumMap<>(Signal.class);
      receiverTargets.forEach((signal, byReceiver) -> {
        List<DataConsumer> targets = byReceiver.get(b.id());
        if (targets != null) {
          consumers.put(signal, safe(FanOut.of(targets)));
        }
      });
      if (!consumers.isEmpty()) {
        CoreContext ctx = context(b, "");
        Receiver receiver = create(b, () -> createReceiver((ReceiverFactory<?>) b.factory(), ctx, b.config(), consumers));
        contexts.put(receiver, ctx);
        receivers.put(b.id(), receiver);
      }
    }
  }

  /** Starts everything in order; on failure stops what started and rethrows with the component named. */
  public synchronized void start() throws Exception {
    if (startCalled) {
      throw new IllegalStateException("service already started");
    }
    startCalled = true;
    try {
      for (Map.Entry<ComponentId, Extension> e : extensions.entrySet()) {
        startOne("extension", e.getKey().toString(), e.getValue());
      }
      for (Map.Entry<String, ExporterHelper> e : exporters.entrySet()) {
        startOne("exporter", e.getKey().replace('|', ' '), e.getValue());
      }
      for (Pipeline p : startOrder()) {
        List<Processor> chain = processors.get(p.id());
        for (int i = chain.size() - 1; i >= 0; i--) {
          startOne("processor", p.processors().get(i) + " in pipeline " + p.id(), chain.get(i));
        }
      }
      for (Map.Entry<ComponentId, Receiver> e : receivers.entrySet()) {
        startOne("receiver", e.getKey().toString(), e.getValue());
      }
    } catch (Exception e) {
      shutdown();
      throw e;
    }
    statuses.setRunning(true);
    log.info("Sluice is running: {} pipeline(s), {} receiver(s), {} exporter instance(s), {} extension(s)",
        plan.pipelines().size(), receivers.size(), exporters.size(), extensions.size());
  }

  /**
   * Pipelines in start order: a pipeline fed by a bridge (e.g. {@code logs/decisions}) starts
   * before the pipeline whose processor feeds it, and stops after it, so the bridge's last flush
   * on stop still finds its target running. The planner has rejected cycles.
   */
  private List<Pipeline> startOrder() {
    Map<String, Pipeline> byId = new LinkedHashMap<>();
    plan.pipelines().forEach(p -> byId.put(p.id(), p));
    List<Pipeline> out = new ArrayList<>();
    java.util.Set<String> done = new java.util.HashSet<>();
    for (Pipeline p : plan.pipelines()) {
      visit(p, byId, done, out);
    }
    return out;
  }

  private static void visit(Pipeline p, Map<String, Pipeline> byId, java.util.Set<String> done, List<Pipeline> out) {
    if (!done.add(p.id())) {
      return;
    }
    for (String fed : p.feeds()) {
      Pipeline target = byId.get(fed);
      if (target != null) {
        visit(target, byId, done, out);
      }
    }
    out.add(p);
  }

  private void startOne(String kind, String name, Component c) throws Exception {
    try {
      c.start();
    } catch (Exception e) {
      throw new StartException(kind + " " + name + " failed to start: " + message(e), e);
    }
    CoreContext ctx = contexts.get(c);
    if (ctx != null) {
      ctx.markStarted();
    }
  }

  /** A component failed to start; the message names it and the cause. */
  public static final class StartException extends Exception {
    private static final long serialVersionUID = 1L;

    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    if (t instanceof java.net.BindException || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
      return "address already in use (" + t.getMessage() + "); stop the other process or choose another port";
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /**
   * Stops in reverse order, draining, within {@code service.shutdown_timeout}. Idempotent; safe
   * without start.
   */
  public synchronized void shutdown() {
    if (shutdownDone) {
      return;
    }
    shutdownDone = true;
    statuses.setRunning(false);
    long deadline = System.nanoTime() + plan.settings().shutdownTimeout().toNanos();
    for (Receiver r : receivers.values()) {
      stopQuietly(r);
    }
    List<Pipeline> order = new ArrayList<>(startOrder());
    java.util.Collections.reverse(order);
    for (Pipeline p : order) {
      for (Processor proc : processors.getOrDefault(p.id(), List.of())) {
        stopQuietly(proc);
      }
    }
    for (ExporterHelper e : exporters.values()) {
      try {
        e.shutdown(deadline);
      } catch (RuntimeException ex) {
        log.warn("Exporter failed to stop cleanly: {}", ex.toString());
      }
    }
    List<Extension> ext = new ArrayList<>(extensions.values());
    for (int i = ext.size() - 1; i >= 0; i--) {
      stopQuietly(ext.get(i));
    }
    log.info("Sluice stopped");
  }

  private static void stopQuietly(Component c) {
    try {
      c.shutdown();
    } catch (RuntimeException e) {
      log.warn("{} failed to stop cleanly: {}", c.getClass().getSimpleName(), e.toString());
    }
  }

  /** The entry consumer of a pipeline (for tests and tools). */
  public Optional<DataConsumer> pipeline(String id) {
    return Optional.ofNullable(pipelineEntries.get(id));
  }

  /** The plan this service runs. */
  public ServicePlan plan() {
    return plan;
  }

  /** The daemon's status registry. */
  public StatusRegistry statuses() {
    return statuses;
  }

  private static DataConsumer safe(DataConsumer c) {
    return data -> {
      try {
        return c.consume(data);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(PipelineException.from(e));
      }
    };
  }

  private interface Creator<T> {
    T create();
  }

  private static <T> T create(Bound b, Creator<T> creator) {
    try {
      T t = creator.create();
      if (t == null) {
        throw new ComponentCreationException(b.kind().label() + " " + b.id() + ": factory returned null", null);
      }
      return t;
    } catch (ComponentCreationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ComponentCreationException(
          b.kind().label() + " " + b.id() + " could not be created: " + message(e), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <C extends ComponentConfig> Extension createExtension(ExtensionFactory<C> f, ComponentContext ctx, ComponentConfig c) {
    return f.createExtension(ctx, (C) c);
  }

  @SuppressWarnings("unchecked")
  private static <C extends ComponentConfig> Exporter createExporter(ExporterFactory<C> f, ComponentContext ctx, ComponentConfig c, Signal s) {
    return f.createExporter(ctx, (C) c, s);
  }

  @SuppressWarnings("unchecked")
  private static <C extends ComponentConfig> Processor createProcessor(
      ProcessorFactory<C> f, ComponentContext ctx, ComponentConfig c, Signal s, DataConsumer next) {
    return f.createProcessor(ctx, (C) c, s, next);
  }

  @SuppressWarnings("unchecked")
  private static <C extends ComponentConfig> Receiver createReceiver(
      ReceiverFactory<C> f, ComponentContext ctx, ComponentConfig c, Map<Signal, DataConsumer> consumers) {
    return f.createReceiver(ctx, (C) c, Map.copyOf(consumers));
  }

  private CoreContext context(Bound b, String pipeline) {
    return new CoreContext(b.id(), b.kind(), pipeline);
  }

  /** Decisions of a pipeline's processors, forwarded to its bridge processors. */
  private static final class PipelineSink implements DecisionSink {
    final List<DecisionSink> targets = new CopyOnWriteArrayList<>();

    @Override
    public boolean isEnabled() {
      return !targets.isEmpty();
    }

    @Override
    public void report(Decision decision) {
      for (DecisionSink t : targets) {
        t.report(decision);
      }
    }

    @Override
    public void reportAll(List<Decision> decisions) {
      for (DecisionSink t : targets) {
        t.reportAll(decisions);
      }
    }
  }

  /** The context handed to every component. */
  final class CoreContext implements ComponentContext {
    private final ComponentId id;
    private final ComponentKind kind;
    private final String pipeline;
    private final SelfTelemetry telemetry;
    private final String statusKey;
    DecisionSink sink = DecisionSink.NOOP;

    CoreContext(ComponentId id, ComponentKind kind, String pipeline) {
      this.id = id;
      this.kind = kind;
      this.pipeline = pipeline;
      this.telemetry = metrics.forComponent(kind, id, pipeline);
      this.statusKey = kind.label() + "/" + id + (pipeline.isEmpty() ? "" : "@" + pipeline);
      statuses.report(statusKey, HealthStatus.STARTING, "");
    }

    @Override
    public ComponentId id() {
      return id;
    }

    @Override
    public ComponentKind kind() {
      return kind;
    }

    @Override
    public String pipeline() {
      return pipeline;
    }

    @Override
    public SelfTelemetry telemetry() {
      return telemetry;
    }

    @Override
    public DecisionSink decisionSink() {
      return sink;
    }

    @Override
    public Optional<DataConsumer> pipelineConsumer(String pipelineId) {
      boolean exists = plan.pipelines().stream().anyMatch(p -> p.id().equals(pipelineId));
      if (!exists) {
        return Optional.empty();
      }
      return Optional.of(data -> {
        DataConsumer entry = pipelineEntries.get(pipelineId);
        if (entry == null) {
          return CompletableFuture.failedFuture(PipelineException.retryable("pipeline " + pipelineId + " is not built yet"));
        }
        return entry.consume(data);
      });
    }

    @Override
    public <T> T extension(ComponentId extensionId, Class<T> type) {
      Extension e = extensions.get(extensionId);
      if (e == null) {
        throw new IllegalArgumentException("extension \"" + extensionId + "\" is not enabled (add it to service.extensions)");
      }
      if (!type.isInstance(e)) {
        throw new IllegalArgumentException("extension \"" + extensionId + "\" is a " + e.getClass().getSimpleName()
            + " (expected: " + type.getSimpleName() + ")");
      }
      return type.cast(e);
    }

    @Override
    public void reportStatus(HealthStatus status, String message) {
      statuses.report(statusKey, status, message);
    }

    /** After a successful start: OK, unless the component already reported something else. */
    void markStarted() {
      StatusRegistry.Entry e = statuses.get(statusKey);
      if (e == null || e.status() == HealthStatus.STARTING) {
        statuses.report(statusKey, HealthStatus.OK, "");
      }
    }

    /** The daemon's status registry (for the built-in health check). */
    StatusRegistry statusRegistry() {
      return statuses;
    }
  }

  /** The status registry behind a context created by the daemon, or null for other contexts. */
  public static StatusRegistry statusRegistryOf(ComponentContext context) {
    return context instanceof CoreContext c ? c.statusRegistry() : null;
  }
}
