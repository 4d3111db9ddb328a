package io.sluice.bench.jmh.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Span;
import java.util.List;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JaegerEncodeBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"testbed", "instrumented"})
  void bothPathsEncodeEverySpanIntoTheSameBody(String spans) throws Exception {
    JaegerEncodeBenchmark bench = new JaegerEncodeBenchmark();
    bench.spans = spans;
    bench.setUp();

    List<byte[]> before = bench.thriftObjects();
    Batch batch = decodeOnly(before);
    assertThat(batch.getSpans()).hasSize(JaegerEncodeBenchmark.ITEMS);
    List<byte[]> direct = bench.direct();
    assertThat(direct).hasSize(1);
    assertThat(direct.get(0)).isEqualTo(before.get(0));
    // The writer is reused: a second call writes the same body again.
    assertThat(bench.direct().get(0)).isEqualTo(before.get(0));
  }

  @Test
  void instrumentedSpansCarryEveryPartOfTheMapping() throws Exception {
    JaegerEncodeBenchmark bench = new JaegerEncodeBenchmark();
    bench.spans = "instrumented";
    bench.setUp();

    Batch batch = decodeOnly(bench.thriftObjects());
    assertThat(batch.getProcess().getServiceName()).isEqualTo("checkout");
    assertThat(batch.getProcess().getTags()).hasSize(4);
    Span first = batch.getSpans().get(0);
    // 11 attributes, scope name and version (each twice), span.kind, otel.status_code, error,
    // otel.status_description.
    assertThat(first.getTags()).hasSize(11 + 4 + 4);
    assertThat(first.getLogs()).hasSize(1);
    assertThat(first.getReferences()).hasSize(2);
  }

  private static Batch decodeOnly(List<byte[]> bodies) throws Exception {
    assertThat(bodies).hasSize(1);
    Batch batch = new Batch();
    new TDeserializer(new TBinaryProtocol.Factory()).deserialize(batch, bodies.get(0));
    return batch;
  }
}
