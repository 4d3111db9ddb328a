package io.sluice.bench.jmh.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.github.loki4j.pkg.loki.protobuf.Push.StreamAdapter;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class LokiExporterBenchmarkTest {

  @Test
  void pushesEveryRecordOfTheBatchAsOneSnappyProtobufRequest() throws Exception {
    LokiExporterBenchmark bench = new LokiExporterBenchmark();
    bench.setUp();
    try {
      assertThat(bench.batches).allSatisfy(b -> assertThat(b.itemCount()).isEqualTo(LokiExporterBenchmark.ITEMS));
      bench.push();

      PushRequest request = PushRequest.parseFrom(Snappy.uncompress(bench.lastBody.array()));
      assertThat(request.getStreamsList().stream().mapToInt(StreamAdapter::getEntriesCount).sum())
          .isEqualTo(LokiExporterBenchmark.ITEMS);
      // two resources × three levels, each stream with the configured resource labels
      assertThat(request.getStreamsList()).hasSize(6).allSatisfy(s -> assertThat(s.getLabels())
          .contains("env=\"production\"", "host=\"node-", "service_name=\"checkout-", "level=\""));
      assertThat(request.getStreams(0).getEntries(0).getStructuredMetadataList())
          .extracting(p -> p.getName()).containsExactly("trace_id", "span_id");
      assertThat(request.getStreams(0).getEntries(0).getLine()).startsWith("{\"body\":\"order ");
    } finally {
      bench.tearDown();
    }
  }
}
