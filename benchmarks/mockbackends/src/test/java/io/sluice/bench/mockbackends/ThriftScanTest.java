package io.sluice.bench.mockbackends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Log;
import io.jaegertracing.thriftjava.Process;
import io.jaegertracing.thriftjava.Span;
import io.jaegertracing.thriftjava.SpanRef;
import io.jaegertracing.thriftjava.SpanRefType;
import io.jaegertracing.thriftjava.Tag;
import io.jaegertracing.thriftjava.TagType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.junit.jupiter.api.Test;

class ThriftScanTest {

  @Test
  void countsSpansOfABatchSerialisedByTheOfficialJaegerClasses() throws Exception {
    Process process = new Process("svc").setTags(List.of(
        new Tag("s", TagType.STRING).setVStr("v"),
        new Tag("d", TagType.DOUBLE).setVDouble(1.5),
        new Tag("b", TagType.BOOL).setVBool(true),
        new Tag("l", TagType.LONG).setVLong(7),
        new Tag("x", TagType.BINARY).setVBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}))));
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      spans.add(new Span(1, 2, i, 0, "op", 1, 1000, 10)
          .setTags(process.getTags())
          .setLogs(List.of(new Log(1000, List.of(new Tag("event", TagType.STRING).setVStr("e")))))
          .setReferences(List.of(new SpanRef(SpanRefType.CHILD_OF, 1, 2, 3))));
    }
    byte[] bytes = new TSerializer(new TBinaryProtocol.Factory()).serialize(new Batch(process, spans));

    assertThat(ThriftScan.countBatchSpans(bytes)).isEqualTo(7);
  }

  @Test
  void rejectsBytesThatAreNoThriftStruct() {
    assertThatThrownBy(() -> ThriftScan.countBatchSpans(new byte[] {12, 0, 1, 99}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a Thrift binary Batch");
  }
}
