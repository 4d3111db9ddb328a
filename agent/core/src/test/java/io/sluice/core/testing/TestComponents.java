package io.sluice.core.testing;

import io.sluice.api.ComponentContext;
import io.sluice.api.ComponentFactory;
import io.sluice.api.DataConsumer;
import io.sluice.api.Decision;
import io.sluice.api.DecisionSink;
import io.sluice.api.Exporter;
import io.sluice.api.ExporterFactory;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Receiver;
import io.sluice.api.ReceiverFactory;
import io.sluice.api.Signal;
import io.sluice.api.Stability;
import io.sluice.api.TelemetryData;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigChecks;
import io.sluice.api.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Small components for testing the daemon core: a receiver the test drives, a processor that tags
 * data and can report decisions or feed pipelines, and an exporter that records or fails. Instances
 * are registered in static maps by id so a test can reach them; call {@link #reset()} first.
 */
public final class TestComponents {
  private TestComponents() {}

  /** Receivers by id, after creation. */
  public static final Map<String, TestReceiver> RECEIVERS = new ConcurrentHashMap<>();
  /** Exporter instances by "id|signal", after creation. */
  public static final Map<String, TestExporter> EXPORTERS = new ConcurrentHashMap<>();
  /** Lifecycle events in order, e.g. "start exporter test_exporter". */
  public static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  /** Clears the static state. */
  public static void reset() {
    RECEIVERS.clear();
    EXPORTERS.clear();
    EVENTS.clear();
  }

  /** Every test factory. */
  public static List<ComponentFactory<?>> factories() {
    return List.of(new ReceiverF(), new ProcessorF(), new ExporterF());
  }

  private static final Map<Signal, Stability> ALL =
      Map.of(Signal.TRACES, Stability.DEVELOPMENT, Signal.METRICS, Stability.DEVELOPMENT, Signal.LOGS, Stability.DEVELOPMENT);

  /** {@code test_receiver} config. */
  public record ReceiverConfig(String endpoint) implements ComponentConfig {
    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.hostPort(out, "endpoint", endpoint);
      return out;
    }
  }

  /** {@code test_processor} config: {@code pipelines} it feeds, whether it is a decision bridge. */
  public record ProcessorConfig(String tag, List<String> pipelines, boolean bridge, int sendBatchSize) implements ComponentConfig {
    @Override
    public List<ConfigProblem> validate() {
      List<ConfigProblem> out = new ArrayList<>();
      ConfigChecks.atLeast(out, "send_batch_size", sendBatchSize, 0);
      return out;
    }
  }

  /** {@code test_exporter} config. */
  public record ExporterConfig(String endpoint) implements ComponentConfig {}

  /** A receiver the test drives with {@link #send}. */
  public static final class TestReceiver implements Receiver {
    public final Map<Signal, DataConsumer> consumers;

    TestReceiver(Map<Signal, DataConsumer> consumers) {
      this.consumers = consumers;
    }

    /** Hands data to the pipelines of its signal. */
    public CompletableFuture<Void> send(TelemetryData data) {
      return consumers.get(data.signal()).consume(data);
    }

    @Override
    public void start() {
      EVENTS.add("start receiver");
    }

    @Override
    public void shutdown() {
      EVENTS.add("stop receiver");
    }
  }

  /** An exporter that records what it gets; {@link #behaviour} decides the result of each push. */
  public static final class TestExporter implements Exporter {
    public final List<TelemetryData> received = new CopyOnWriteArrayList<>();
    public volatile Function<TelemetryData, CompletableFuture<Void>> behaviour =
        d -> CompletableFuture.completedFuture(null);

    @Override
    public CompletableFuture<Void> push(TelemetryData batch) {
      CompletableFuture<Void> f = behaviour.apply(batch);
      f.thenRun(() -> received.add(batch));
      return f;
    }

    @Override
    public void start() {
      EVENTS.add("start exporter");
    }

    @Override
    public void shutdown() {
      EVENTS.add("stop exporter");
    }
  }

  static final class ReceiverF implements ReceiverFactory<ReceiverConfig> {
    @Override
    public String type() {
      return "test_receiver";
    }

    @Override
    public Map<Signal, Stability> stability() {
      return ALL;
    }

    @Override
    public Class<ReceiverConfig> configClass() {
      return ReceiverConfig.class;
    }

    @Override
    public ReceiverConfig defaultConfig() {
      return new ReceiverConfig("127.0.0.1:0");
    }

    @Override
    public Receiver createReceiver(ComponentContext context, ReceiverConfig config, Map<Signal, DataConsumer> consumers) {
      TestReceiver r = new TestReceiver(consumers);
      RECEIVERS.put(context.id().toString(), r);
      return r;
    }
  }

  static final class ProcessorF implements ProcessorFactory<ProcessorConfig> {
    @Override
    public String type() {
      return "test_processor";
    }

    @Override
    public Map<Signal, Stability> stability() {
      return Map.of(Signal.TRACES, Stability.ALPHA, Signal.LOGS, Stability.ALPHA);
    }

    @Override
    public Class<ProcessorConfig> configClass() {
      return ProcessorConfig.class;
    }

    @Override
    public ProcessorConfig defaultConfig() {
      return new ProcessorConfig("", List.of(), false, 10);
    }

    @Override
    public List<String> feedsPipelines(ProcessorConfig config) {
      return config.pipelines();
    }

    @Override
    public Processor createProcessor(ComponentContext context, ProcessorConfig config, Signal signal, DataConsumer next) {
      if (config.bridge()) {
        return new Bridge(context, config, next);
      }
      return new Processor() {
        @Override
        public CompletableFuture<Void> consume(TelemetryData data) {
          if (context.decisionSink().isEnabled()) {
            context.decisionSink().report(new Decision(context.id(), context.pipeline(), Decision.Result.DROPPED,
                "test " + config.tag(), com.google.protobuf.ByteString.EMPTY, com.google.protobuf.ByteString.EMPTY,
                io.opentelemetry.proto.resource.v1.Resource.getDefaultInstance(), data.itemCount(), 0, Map.of()));
          }
          return next.consume(data);
        }

        @Override
        public void start() {
          EVENTS.add("start processor " + config.tag());
        }

        @Override
        public void shutdown() {
          EVENTS.add("stop processor " + config.tag());
        }
      };
    }
  }

  /** A processor that is a decision sink and forwards each decision's count into its pipelines. */
  static final class Bridge implements Processor, DecisionSink {
    final ComponentContext context;
    final ProcessorConfig config;
    final DataConsumer next;
    final List<Decision> decisions = new CopyOnWriteArrayList<>();

    Bridge(ComponentContext context, ProcessorConfig config, DataConsumer next) {
      this.context = context;
      this.config = config;
      this.next = next;
    }

    @Override
    public CompletableFuture<Void> consume(TelemetryData data) {
      return next.consume(data);
    }

    @Override
    public boolean isEnabled() {
      return true;
    }

    @Override
    public void report(Decision decision) {
      decisions.add(decision);
      for (String p : config.pipelines()) {
        context.pipelineConsumer(p).orElseThrow().consume(io.sluice.api.Logs.empty());
      }
    }
  }

  static final class ExporterF implements ExporterFactory<ExporterConfig> {
    @Override
    public String type() {
      return "test_exporter";
    }

    @Override
    public Map<Signal, Stability> stability() {
      return ALL;
    }

    @Override
    public Class<ExporterConfig> configClass() {
      return ExporterConfig.class;
    }

    @Override
    public ExporterConfig defaultConfig() {
      return new ExporterConfig("http://localhost:1");
    }

    @Override
    public Exporter createExporter(ComponentContext context, ExporterConfig config, Signal signal) {
      TestExporter e = new TestExporter();
      EXPORTERS.put(context.id() + "|" + signal.configName(), e);
      return e;
    }
  }
}
