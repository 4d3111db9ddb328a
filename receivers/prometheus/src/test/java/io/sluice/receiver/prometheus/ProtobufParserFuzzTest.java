package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.receiver.prometheus.ExpositionParser.NativeHistogram;
import io.sluice.receiver.prometheus.ExpositionParser.Page;
import io.sluice.receiver.prometheus.ExpositionParser.ParseException;
import io.sluice.receiver.prometheus.ExpositionParser.Sample;

/**
 * Scraped protobuf exposition pages (length-delimited {@code MetricFamily} messages): a page parses
 * or fails the scrape with a {@link ParseException}, and what parses has paired labels and native
 * histograms whose contiguous counts are bounded by the bytes that described them, at a scale OTLP
 * takes. Seeds: node_exporter's and the Prometheus Java client library's protobuf pages (classic
 * and native histograms, summaries).
 */
class ProtobufParserFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void delimited(byte[] body) {
    Page page;
    try {
      page = ProtobufParser.parse(body);
    } catch (ParseException e) {
      assertThat(e.getMessage()).startsWith("protobuf metric family #");
      return;
    }
    for (Sample s : page.samples()) {
      assertThat(s.name()).isNotEmpty();
      assertThat(s.labels().length % 2).isZero();
      NativeHistogram h = s.nativeHistogram();
      if (h != null) {
        // Contiguous counts cost 8 bytes each: at most a small multiple of the bytes that asked for them.
        assertThat((long) h.positiveCounts().length + h.negativeCounts().length)
            .isLessThanOrEqualTo(2 * Math.max(4096, 8L * body.length));
        assertThat(h.schema()).isBetween(-10, 8);
      }
    }
  }
}
