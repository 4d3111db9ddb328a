package io.sluice.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ExporterFactory;
import io.sluice.api.config.ComponentConfig;
import io.sluice.api.config.ExporterSettings;
import io.sluice.core.config.ComponentBinding;
import io.sluice.core.config.ConfigBinder;
import io.sluice.core.config.ConfigIssue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The three config tests every component has:
 *
 * <ol>
 *   <li>empty config equals defaults: {@link #bindEmpty};
 *   <li>{@code testdata/config.conf} equals a fully spelled-out record: {@link #load};
 *   <li>every case in {@code testdata/invalid_configs.conf} gives its message: {@link
 *       #invalidConfigs}.
 * </ol>
 *
 * <p>{@code config.conf} holds component sections keyed by id, e.g. {@code batch {}} and {@code
 * "batch/custom" { send_batch_size = 100 }}. {@code invalid_configs.conf} holds one object per case:
 * {@code "negative size" { config { send_batch_size = -1 }, error = "send_batch_size: -1" }}; the
 * error is a substring that must appear in one of the formatted problems ({@code file:line:
 * <kind>.<type>.<key>: message}).
 */
public final class ConfigTesting {
  private ConfigTesting() {}

  /** Binds {@code {}}; fails the test on any problem. */
  public static <C extends ComponentConfig> C bindEmpty(ComponentFactory<C> factory) {
    return bindOk(factory, ConfigFactory.empty().root(), factory.type());
  }

  /** Binds the section {@code id} of a classpath HOCON resource; fails the test on any problem. */
  public static <C extends ComponentConfig> C load(
      ComponentFactory<C> factory, String resource, String id) {
    Config file = parse(resource);
    ConfigValue v = file.root().get(id);
    assertThat(v).as("section \"%s\" in %s", id, resource).isNotNull();
    return bindOk(factory, (ConfigObject) v, id);
  }

  /** Binds the exporter helper settings of section {@code id} of a resource. */
  public static ExporterSettings loadExporterSettings(
      ExporterFactory<?> factory, String resource, String id) {
    ConfigObject section = (ConfigObject) parse(resource).root().get(id);
    ConfigBinder.Result<ExporterSettings> r =
        ComponentBinding.bindExporterSettings(factory, section, path(factory, id), section.origin());
    assertThat(r.issues()).as("problems binding %s", id).isEmpty();
    return r.value();
  }

  /** Every formatted problem from binding and validating {@code section}. */
  public static List<String> problems(ComponentFactory<?> factory, ConfigObject section) {
    List<String> out = new ArrayList<>();
    String path = path(factory, factory.type());
    List<ConfigIssue> issues =
        new ArrayList<>(ComponentBinding.bind(cast(factory), section, path, section.origin()).issues());
    if (factory instanceof ExporterFactory<?> ef) {
      issues.addAll(
          ComponentBinding.bindExporterSettings(ef, section, path, section.origin()).issues());
    }
    issues.forEach(i -> out.add(i.format()));
    return out;
  }

  /** One dynamic test per case of an {@code invalid_configs.conf} resource. */
  public static Stream<DynamicTest> invalidConfigs(ComponentFactory<?> factory, String resource) {
    Config file = parse(resource);
    assertThat(file.root().keySet()).as("cases in %s", resource).isNotEmpty();
    return file.root().entrySet().stream()
        .map(
            (Map.Entry<String, ConfigValue> e) -> {
              ConfigObject c = (ConfigObject) e.getValue();
              ConfigObject section = (ConfigObject) c.get("config");
              String expected = (String) c.get("error").unwrapped();
              return DynamicTest.dynamicTest(
                  e.getKey(),
                  () ->
                      assertThat(problems(factory, section))
                          .as("problems for case \"%s\"", e.getKey())
                          .anySatisfy(p -> assertThat(p).contains(expected)));
            });
  }

  private static <C extends ComponentConfig> C bindOk(
      ComponentFactory<C> factory, ConfigObject section, String id) {
    ConfigBinder.Result<C> r =
        ComponentBinding.bind(factory, section, path(factory, id), section.origin());
    assertThat(r.issues()).as("problems binding %s", id).isEmpty();
    return r.value();
  }

  private static String path(ComponentFactory<?> factory, String id) {
    return factory.kind().section() + "." + id;
  }

  @SuppressWarnings("unchecked")
  private static <C extends ComponentConfig> ComponentFactory<C> cast(ComponentFactory<?> f) {
    return (ComponentFactory<C>) f;
  }

  private static Config parse(String resource) {
    return ConfigFactory.parseResources(
        ConfigTesting.class.getClassLoader(),
        resource,
        ConfigParseOptions.defaults().setAllowMissing(false));
  }
}
