package io.sluice.processor.resource;

import static io.sluice.processor.attributes.internal.Actions.kv;
import static io.sluice.processor.attributes.internal.Actions.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentFactory;
import io.sluice.api.ComponentKind;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.Traces;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.ComponentContractTest;
import io.sluice.core.testing.ConfigTesting;
import io.sluice.core.testing.TestContext;
import io.sluice.processor.attributes.internal.ActionConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ResourceProcessorTest extends ComponentContractTest {
  private static final Detectors.Environment POD = new Detectors.Environment(
      Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.name=cart,team=a%20b%2Cc, bad , deployment.environment=staging",
          "K8S_POD_NAME", "cart-7d9f", "K8S_NAMESPACE_NAME", "shop", "K8S_NODE_NAME", "node-3"),
      Map.of("os.name", "Linux", "os.version", "6.1.0-13-amd64", "os.arch", "amd64"),
      () -> "cart-7d9f");

  private final ResourceProcessorFactory factory = new ResourceProcessorFactory(POD);
  private final TestContext context = new TestContext("resource", ComponentKind.PROCESSOR, "traces");

  @Override
  protected ComponentFactory<?> factory() {
    return new ResourceProcessorFactory();
  }

  @Test
  void loadsEveryOption() {
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "resource")).isEqualTo(ResourceConfig.DEFAULTS);
    assertThat(ConfigTesting.load(factory, "testdata/config.conf", "resource/sidecar")).isEqualTo(new ResourceConfig(
        List.of(
            new ActionConfig("deployment.environment", null, "upsert", "production", null, null, null),
            new ActionConfig("cloud.zone", null, "insert", null, null, "metadata.x-zone", null),
            new ActionConfig("process.command_line", null, "delete", null, null, null, null)),
        List.of("env", "host", "system"), false));
  }

  @TestFactory
  Stream<DynamicTest> rejectsInvalidConfigs() {
    return ConfigTesting.invalidConfigs(factory, "testdata/invalid_configs.conf");
  }

  private ResourceProcessor processor(ResourceConfig config) {
    return (ResourceProcessor) factory.createProcessor(context, config, Signal.TRACES, new CapturingConsumer());
  }

  @Test
  void detectsEnvironmentHostAndSystem() {
    ResourceProcessor p = processor(new ResourceConfig(List.of(), List.of("env", "host", "system"), true));
    assertThat(p.detected()).containsExactly(
        kv("service.name", str("cart")),
        kv("team", str("a b,c")),
        kv("deployment.environment", str("staging")),
        kv("k8s.pod.name", str("cart-7d9f")),
        kv("k8s.namespace.name", str("shop")),
        kv("k8s.node.name", str("node-3")),
        kv("host.name", str("cart-7d9f")),
        kv("host.arch", str("amd64")),
        kv("os.type", str("linux")),
        kv("os.description", str("Linux 6.1.0-13-amd64")));
  }

  @Test
  void podUidIsAddedWhenSet() {
    Detectors.Environment env = new Detectors.Environment(Map.of("K8S_POD_UID", "1234-abcd"), Map.of(), () -> null);
    assertThat(Detectors.detect(List.of("env"), env)).containsExactly(kv("k8s.pod.uid", str("1234-abcd")));
  }

  private static Resource resource(KeyValue... attrs) {
    return Resource.newBuilder().addAllAttributes(List.of(attrs)).build();
  }

  private static Traces traces(Resource r) {
    return Traces.of(List.of(ResourceSpans.newBuilder().setResource(r)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("s"))).build()));
  }

  @Test
  void overrideDecidesWhetherDetectedValuesReplaceExistingOnes() {
    Resource app = resource(kv("service.name", str("checkout")), kv("process.pid", str("1")));
    List<ActionConfig> actions = List.of(
        new ActionConfig("tenant", null, "insert", null, null, "metadata.x-tenant", null),
        new ActionConfig("process.pid", null, "delete", null, null, null, null));
    ClientMetadata md = ClientMetadata.of(Map.of("x-tenant", List.of("acme")), null);

    Traces keep = (Traces) processor(new ResourceConfig(actions, List.of("env"), false)).process(traces(app).withMetadata(md));
    assertThat(keep.resourceSpans().get(0).getResource()).isEqualTo(resource(
        kv("service.name", str("checkout")), kv("team", str("a b,c")), kv("deployment.environment", str("staging")),
        kv("k8s.pod.name", str("cart-7d9f")), kv("k8s.namespace.name", str("shop")), kv("k8s.node.name", str("node-3")),
        kv("tenant", str("acme"))));

    Traces replace = (Traces) processor(new ResourceConfig(List.of(), List.of("env"), true)).process(traces(app));
    assertThat(replace.resourceSpans().get(0).getResource().getAttributes(0)).isEqualTo(kv("service.name", str("cart")));
  }

  @Test
  void worksOnMetricsAndLogsAndPassesUnchangedDataThrough() {
    ResourceProcessor p = processor(new ResourceConfig(
        List.of(new ActionConfig("env", null, "upsert", "prod", null, null, null)), List.of(), true));
    Metrics m = Metrics.of(List.of(ResourceMetrics.newBuilder().setResource(resource()).build()));
    assertThat(((Metrics) p.process(m)).resourceMetrics().get(0).getResource()).isEqualTo(resource(kv("env", str("prod"))));
    Logs l = Logs.of(List.of(ResourceLogs.newBuilder().setResource(resource()).build()));
    assertThat(((Logs) p.process(l)).resourceLogs().get(0).getResource()).isEqualTo(resource(kv("env", str("prod"))));

    Traces already = traces(resource(kv("env", str("prod"))));
    assertThat(p.process(already)).isSameAs(already);
  }

  @Test
  void hostArchAndOsTypeFollowSemanticConventions() {
    assertThat(Detectors.arch("x86_64")).isEqualTo("amd64");
    assertThat(Detectors.arch("aarch64")).isEqualTo("arm64");
    assertThat(Detectors.osType("Mac OS X")).isEqualTo("darwin");
    assertThat(Detectors.osType("Windows Server 2022")).isEqualTo("windows");
    assertThat(Detectors.osType("FreeBSD")).isEqualTo("freebsd");
  }
}
