package io.sluice.processor.attributes.internal;

import static io.sluice.processor.attributes.internal.Actions.kv;
import static io.sluice.processor.attributes.internal.Actions.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentKind;
import io.sluice.core.testing.TestContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionsTest {
  private final TestContext context = new TestContext("attributes", ComponentKind.PROCESSOR, "traces");

  private Actions actions(ActionConfig... configs) {
    for (ActionConfig c : configs) {
      assertThat(c.validate()).as("config %s", c).isEmpty();
    }
    return new Actions(List.of(configs), context.telemetry());
  }

  private static AnyValue i(long v) {
    return AnyValue.newBuilder().setIntValue(v).build();
  }

  private static AnyValue d(double v) {
    return AnyValue.newBuilder().setDoubleValue(v).build();
  }

  @Test
  void insertUpdateUpsertFromValueAttributeAndContext() {
    Actions a = actions(
        new ActionConfig("env", null, "insert", "prod", null, null, null),
        new ActionConfig("existing", null, "insert", "ignored", null, null, null),
        new ActionConfig("missing", null, "update", 1, null, null, null),
        new ActionConfig("existing", null, "update", true, null, null, null),
        new ActionConfig("copy", null, "upsert", null, "env", null, null),
        new ActionConfig("tenant", null, "upsert", null, null, "metadata.X-Tenant", null),
        new ActionConfig("peer", null, "insert", null, null, "client.address", null),
        new ActionConfig("ratio", null, "insert", 0.5, null, null, null));
    ClientMetadata md = ClientMetadata.of(Map.of("x-tenant", List.of("acme", "beta")), "10.1.2.3");

    List<KeyValue> out = a.apply(List.of(kv("existing", str("x"))), md);

    assertThat(out).containsExactly(
        kv("existing", AnyValue.newBuilder().setBoolValue(true).build()),
        kv("env", str("prod")),
        kv("copy", str("prod")),
        kv("tenant", str("acme;beta")),
        kv("peer", str("10.1.2.3")),
        kv("ratio", d(0.5)));
  }

  @Test
  void unchangedAttributesAreTheSameList() {
    Actions a = actions(new ActionConfig("absent", null, "update", "v", null, null, null),
        new ActionConfig("k", null, "upsert", "v", null, null, null));
    List<KeyValue> in = List.of(kv("k", str("v")));
    assertThat(a.apply(in, ClientMetadata.EMPTY)).isSameAs(in);
  }

  @Test
  void deleteAndHashByKeyOrPatternWithTheCollectorsSha256() {
    Actions a = actions(
        new ActionConfig(null, "^password", "delete", null, null, null, null),
        new ActionConfig("user.email", null, "hash", null, null, null, null),
        new ActionConfig(null, "^n\\.", "hash", null, null, null, null));
    List<KeyValue> out = a.apply(List.of(kv("password", str("s")), kv("password.old", str("t")),
        kv("user.email", str("user@example.com")), kv("n.int", i(1)), kv("n.bool", AnyValue.newBuilder().setBoolValue(true).build()),
        kv("n.double", d(1.5)), kv("n.map", AnyValue.newBuilder().setKvlistValue(
            io.opentelemetry.proto.common.v1.KeyValueList.getDefaultInstance()).build())), ClientMetadata.EMPTY);
    assertThat(out).extracting(KeyValue::getKey).containsExactly("user.email", "n.int", "n.bool", "n.double", "n.map");
    assertThat(out.get(0).getValue().getStringValue()).isEqualTo("b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514");
    assertThat(out.get(1).getValue().getStringValue()).isEqualTo("7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8");
    assertThat(out.get(2).getValue().getStringValue()).isEqualTo("4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a");
    assertThat(out.get(3).getValue().getStringValue()).isEqualTo("e163f8cb0f7067a7fc78ca859a77f849aea3214f38fb75b884e4a16be725c905");
    assertThat(out.get(4).getValue().hasKvlistValue()).as("maps are left unchanged").isTrue();
    assertThat(context.metric("sluice_processor_attributes_skipped", "action", "hash")).isEqualTo(1);
  }

  @Test
  void extractNamedGroupsIntoAttributes() {
    Actions a = actions(new ActionConfig("http.url", "^https?://(?P<http_host>[^/:]+)(:(?<http_port>\\d+))?/", "extract", null, null, null, null));
    assertThat(a.apply(List.of(kv("http.url", str("https://shop.example:8443/cart")), kv("http_host", str("old"))), ClientMetadata.EMPTY))
        .containsExactly(kv("http.url", str("https://shop.example:8443/cart")), kv("http_host", str("shop.example")),
            kv("http_port", str("8443")));
    List<KeyValue> noMatch = List.of(kv("http.url", str("not a url")));
    assertThat(a.apply(noMatch, ClientMetadata.EMPTY)).isSameAs(noMatch);
    assertThat(context.metric("sluice_processor_attributes_skipped", "action", "extract")).isEqualTo(1);
  }

  @Test
  void convertLeavesValuesThatDoNotFitUnchangedAndCountsThem() {
    Actions toInt = actions(new ActionConfig("code", null, "convert", null, null, null, "int"));
    assertThat(toInt.apply(List.of(kv("code", str("200"))), ClientMetadata.EMPTY)).containsExactly(kv("code", i(200)));
    assertThat(toInt.apply(List.of(kv("code", d(2.9))), ClientMetadata.EMPTY)).containsExactly(kv("code", i(2)));
    List<KeyValue> bad = List.of(kv("code", str("abc")));
    assertThat(toInt.apply(bad, ClientMetadata.EMPTY)).isSameAs(bad);
    assertThat(context.metric("sluice_processor_attributes_skipped", "action", "convert")).isEqualTo(1);

    Actions toDouble = actions(new ActionConfig("v", null, "convert", null, null, null, "double"));
    assertThat(toDouble.apply(List.of(kv("v", str("1.25"))), ClientMetadata.EMPTY)).containsExactly(kv("v", d(1.25)));
    Actions toString = actions(new ActionConfig("v", null, "convert", null, null, null, "string"));
    assertThat(toString.apply(List.of(kv("v", i(7))), ClientMetadata.EMPTY)).containsExactly(kv("v", str("7")));
    assertThat(toString.apply(List.of(kv("v", d(1.0))), ClientMetadata.EMPTY)).containsExactly(kv("v", str("1")));
  }

  @Test
  void oneRunHashesEveryListAfreshAndReadsTheMetadataForEach() {
    Actions a = actions(new ActionConfig("n", null, "hash", null, null, null, null),
        new ActionConfig("tenant", null, "insert", null, null, "metadata.x-tenant", null));
    Actions.Run run = a.run(ClientMetadata.of(Map.of("x-tenant", List.of("acme")), null));

    List<KeyValue> first = run.apply(List.of(kv("n", i(1))));
    List<KeyValue> second = run.apply(List.of(kv("n", str("user@example.com"))));
    List<KeyValue> third = run.apply(List.of(kv("n", i(1))));

    assertThat(first).containsExactly(
        kv("n", str("7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8")), kv("tenant", str("acme")));
    assertThat(second).as("the digest starts afresh after each value").containsExactly(
        kv("n", str("b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514")), kv("tenant", str("acme")));
    assertThat(third).isEqualTo(first);
  }

  @Test
  void metadataWithoutTheHeaderWritesNothing() {
    Actions a = actions(new ActionConfig("tenant", null, "upsert", null, null, "metadata.x-tenant", null));
    List<KeyValue> in = List.of(kv("k", str("v")));
    assertThat(a.run(ClientMetadata.EMPTY).apply(in)).isSameAs(in);
  }
}
