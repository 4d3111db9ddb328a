package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import io.sluice.receiver.prometheus.ExpositionParser.NativeHistogram;
import io.sluice.receiver.prometheus.ExpositionParser.ParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProtobufParserTest {

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    fields.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  /** One length-delimited MetricFamily "h" of type histogram, whose one metric is a native histogram. */
  private static byte[] page(int schema, long[][] spans, long... deltas) throws IOException {
    byte[] histogram = message(h -> {
      h.writeUInt64(1, Arrays.stream(deltas).sum());
      h.writeSInt32(5, schema);
      h.writeDouble(6, 1e-128);
      for (long[] span : spans) {
        h.writeByteArray(12, message(s -> {
          s.writeSInt32(1, (int) span[0]);
          s.writeUInt32(2, (int) span[1]);
        }));
      }
      for (long d : deltas) {
        h.writeSInt64(13, d);
      }
    });
    byte[] metric = message(m -> m.writeByteArray(7, histogram));
    byte[] family = message(f -> {
      f.writeString(1, "h");
      f.writeEnum(3, 4);
      f.writeByteArray(4, metric);
    });
    return message(o -> {
      o.writeUInt32NoTag(family.length);
      o.writeRawBytes(family);
    });
  }

  private static NativeHistogram parse(byte[] page) throws ParseException {
    return ProtobufParser.parse(page).samples().get(0).nativeHistogram();
  }

  @Test
  void spansAndDeltasBecomeContiguousCounts() throws Exception {
    NativeHistogram h = parse(page(3, new long[][] {{-2, 2}, {1, 1}}, 1, 1, -1));

    assertThat(h.schema()).isEqualTo(3);
    assertThat(h.positiveStart()).isEqualTo(-2);
    assertThat(h.positiveCounts()).containsExactly(1, 2, 0, 1);
    assertThat(h.negativeCounts()).isEmpty();
  }

  @Test
  void aWideGapLowersTheSchemaInsteadOfAllocatingEveryEmptyBucket() throws Exception {
    NativeHistogram h = parse(page(8, new long[][] {{1, 1}, {199_998, 1}}, 5, 0));

    // Indexes 1 and 200,000 at schema 8 are 1 and ceil(200000 / 64) = 3125 at schema 2.
    assertThat(h.schema()).isEqualTo(2);
    assertThat(h.positiveStart()).isEqualTo(1);
    assertThat(h.positiveCounts()).hasSize(3125).startsWith(5).endsWith(5);
    assertThat(Arrays.stream(h.positiveCounts()).sum()).isEqualTo(10);
  }

  @Test
  void spansThatDoNotMatchTheirCountsFailTheScrapeWithoutAllocatingThem() {
    // 33 bytes asking for 2^31 - 1 buckets: before, new long[2147483647] (OutOfMemoryError).
    assertThatThrownBy(() -> ProtobufParser.parse(page(0, new long[][] {{0, 0x7fffffffL}})))
        .isInstanceOf(ParseException.class)
        .hasMessage("protobuf metric family #1: native histogram h: spans need 2147483647 buckets, have 0");
    assertThatThrownBy(() -> ProtobufParser.parse(page(0, new long[][] {{0, 1}, {-3, 1}}, 1, 0)))
        .hasMessage("protobuf metric family #1: native histogram h: span 1 has offset -3 (expected: >= 0)");
    assertThatThrownBy(() -> ProtobufParser.parse(page(0, new long[][] {{2000, 1}}, 1)))
        .hasMessage("protobuf metric family #1: native histogram h: bucket index 2000 (expected: within +-1075 at schema 0)");
    assertThatThrownBy(() -> ProtobufParser.parse(page(0, new long[][] {{0, 2}}, 1, -2)))
        .hasMessage("protobuf metric family #1: native histogram h: bucket index 1 has count -1");
    assertThatThrownBy(() -> ProtobufParser.parse(page(9, new long[][] {{0, 1}}, 1)))
        .hasMessage("protobuf metric family #1: native histogram h: schema 9 (expected: -4 to 8)");
  }
}
