package io.sluice.bench.jmh.processor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.Processor;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.api.config.ComponentConfig;
import io.sluice.bench.loadgen.TestbedData;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.config.ConfigBinder;
import io.sluice.core.testing.TestContext;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A trace processor on the hot path, created through the plugin SPI exactly as the daemon does
 * (factory found by {@link ServiceLoader}, config bound from {@code bench-processors.conf}), fed
 * testbed-shaped requests of {@value #ITEMS} spans; its next consumer completes at once. Scores are
 * per span.
 *
 * <p>{@code batch} answers a request only once its batch has been exported (end-to-end
 * acknowledgement), so waiting would measure its 200 ms timer: for it the benchmark measures taking
 * a request into the batch, and a full batch (8192 spans) is flushed as the daemon would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProcessorBenchmark {
  /** Spans per request, as in the collector testbed. */
  public static final int ITEMS = 100;
  private static final int REQUESTS = 16;

  @Param({"probabilistic_sampler", "attributes", "resource", "batch"})
  public String processor;

  Processor instance;
  Traces[] requests;
  private boolean await;
  private int next;

  /** Creates and starts the processor and builds the requests. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    instance = create(processor, DataConsumer.DISCARD);
    instance.start();
    await = !processor.equals("batch");
    requests = new Traces[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
      requests[i] = Traces.of(TestbedData.traces(ITEMS, i));
    }
  }

  /** Stops the processor. */
  @TearDown(Level.Trial)
  public void tearDown() {
    instance.shutdown();
  }

  /** Hands one request to the processor and, except for {@code batch}, waits for its answer. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public Object consume() {
    Traces request = requests[next++ & (REQUESTS - 1)];
    var answer = instance.consume(request);
    return await ? answer.join() : answer;
  }

  /** The processor of {@code type} configured by its section in {@code bench-processors.conf}. */
  static Processor create(String type, DataConsumer next) {
    return create(type, new TestContext(type, ComponentKind.PROCESSOR, "traces"), next);
  }

  /** As {@link #create(String, DataConsumer)}, in a context the caller prepared (pipelines, decision sink). */
  static Processor create(String type, TestContext context, DataConsumer next) {
    Config file = ConfigFactory.parseResources(ProcessorBenchmark.class.getClassLoader(), "bench-processors.conf");
    for (ComponentFactory<?> factory : ServiceLoader.load(ComponentFactory.class)) {
      if (factory.kind() == ComponentKind.PROCESSOR && factory.type().equals(type)) {
        return create((ProcessorFactory<?>) factory, file.getObject(type), context, next);
      }
    }
    throw new IllegalArgumentException("no processor of type " + type + " on the class path");
  }

  private static <C extends ComponentConfig> Processor create(
      ProcessorFactory<C> factory, ConfigObject section, TestContext context, DataConsumer next) {
    ConfigBinder.Result<C> bound = ComponentBinding.bind(factory, section, "processors." + factory.type(), section.origin());
    if (!bound.ok()) {
      throw new IllegalArgumentException("bench-processors.conf: " + bound.issues());
    }
    return factory.createProcessor(context, bound.value(), Signal.TRACES, next);
  }
}
