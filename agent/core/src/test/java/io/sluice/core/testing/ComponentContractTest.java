package io.sluice.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.typesafe.config.ConfigFactory;
import io.sluice.api.Component;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import io.sluice.api.DataConsumer;
import io.sluice.api.ExporterFactory;
import io.sluice.api.ExtensionFactory;
import io.sluice.api.ProcessorFactory;
import io.sluice.api.ReceiverFactory;
import io.sluice.api.Signal;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ConfigProblem;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The lifecycle and factory contract every component's test extends: type-name rule, discovery
 * through {@link ServiceLoader}, defaults that validate and bind from {@code {}} (apart from {@link
 * #requiredKeys()}), shutdown without start, start then shutdown twice — for every supported
 * signal.
 *
 * <p>Override {@link #lifecycleConfig()} when the default config cannot start in a test (e.g. to
 * listen on port 0), and {@link #context} to register extensions.
 */
public abstract class ComponentContractTest {

  /** The factory under test. */
  protected abstract ComponentFactory<?> factory();

  /** The configuration the lifecycle tests create components with; the defaults unless overridden. */
  protected ComponentConfig lifecycleConfig() {
    return factory().defaultConfig();
  }

  /** The context the lifecycle tests create components with. */
  protected TestContext context(Signal signal) {
    String pipeline = signal == null ? "" : signal.configName();
    return new TestContext(factory().type(), factory().kind(), pipeline);
  }

  @Test
  void typeFollowsNamingRule() {
    assertThat(ComponentId.isValidType(factory().type()))
        .as("type \"%s\" must be lower_snake_case", factory().type())
        .isTrue();
  }

  @Test
  void isDiscoveredByServiceLoader() {
    List<String> found =
        ServiceLoader.load(ComponentFactory.class).stream()
            .map(p -> p.type().getName())
            .toList();
    assertThat(found).contains(factory().getClass().getName());
  }

  @Test
  void declaresSignalsForItsKind() {
    if (factory().kind() == ComponentKind.EXTENSION) {
      assertThat(factory().stability()).isEmpty();
    } else {
      assertThat(factory().stability()).isNotEmpty();
    }
  }

  /**
   * Keys that have no working default and must be set by the user (e.g. an exporter's {@code
   * endpoint}): the default config reports exactly these as problems, and {@code {}} is refused
   * naming them. None unless overridden.
   */
  protected Set<String> requiredKeys() {
    return Set.of();
  }

  @Test
  void defaultConfigIsValid() {
    assertThat(factory().defaultConfig().validate())
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrderElementsOf(requiredKeys());
  }

  @Test
  void emptyConfigBindsToDefaults() {
    if (requiredKeys().isEmpty()) {
      assertThat((Object) ConfigTesting.bindEmpty(factory())).isEqualTo(factory().defaultConfig());
    } else {
      String prefix = factory().kind().section() + "." + factory().type() + ".";
      assertThat(ConfigTesting.problems(factory(), ConfigFactory.empty().root()))
          .hasSize(requiredKeys().size())
          .allSatisfy(p -> assertThat(requiredKeys()).anyMatch(k -> p.contains(prefix + k + ": ")));
    }
  }

  @TestFactory
  Stream<DynamicTest> shutdownWithoutStartIsSafe() {
    return signals().map(s -> DynamicTest.dynamicTest(String.valueOf(s), () -> {
      Component c = create(s);
      assertThatCode(c::shutdown).doesNotThrowAnyException();
      assertThatCode(c::shutdown).doesNotThrowAnyException();
    }));
  }

  @TestFactory
  Stream<DynamicTest> startThenShutdownTwice() {
    return signals().map(s -> DynamicTest.dynamicTest(String.valueOf(s), () -> {
      Component c = create(s);
      try {
        c.start();
      } finally {
        c.shutdown();
      }
      assertThatCode(c::shutdown).doesNotThrowAnyException();
    }));
  }

  private Stream<Signal> signals() {
    if (factory().kind() == ComponentKind.EXTENSION) {
      return Stream.of((Signal) null);
    }
    return factory().stability().keySet().stream().sorted();
  }

  /** Creates the component for a signal (null for extensions) with discarding consumers. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected Component create(Signal signal) {
    ComponentFactory f = factory();
    ComponentConfig config = lifecycleConfig();
    TestContext ctx = context(signal);
    return switch (f) {
      case ReceiverFactory r -> r.createReceiver(ctx, config, Map.of(signal, DataConsumer.DISCARD));
      case ProcessorFactory p -> p.createProcessor(ctx, config, signal, DataConsumer.DISCARD);
      case ExporterFactory e -> e.createExporter(ctx, config, signal);
      case ExtensionFactory x -> x.createExtension(ctx, config);
      default -> throw new IllegalStateException("unknown factory kind " + f);
    };
  }
}
