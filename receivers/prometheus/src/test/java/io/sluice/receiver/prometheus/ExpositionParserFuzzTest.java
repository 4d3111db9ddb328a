package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.receiver.prometheus.ExpositionParser.Exemplar;
import io.sluice.receiver.prometheus.ExpositionParser.Page;
import io.sluice.receiver.prometheus.ExpositionParser.ParseException;
import io.sluice.receiver.prometheus.ExpositionParser.Sample;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Scraped Prometheus text 0.0.4 and OpenMetrics 1.0 pages: a page parses or fails the scrape with a
 * {@link ParseException} naming the line; what parses has valid names and paired labels, and a
 * text page written back out parses to the same samples. Seeds: a node_exporter page and the
 * Prometheus Java client library's text and OpenMetrics pages (exemplars, units, {@code # EOF}).
 */
class ExpositionParserFuzzTest {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  @FuzzTest(maxDuration = "30s")
  void prometheusText(byte[] body) throws ParseException {
    Page page = parseOrReject(body, false);
    if (page != null) {
      Page again = ExpositionParser.parse(render(page).getBytes(StandardCharsets.UTF_8), false);
      assertThat(again.samples()).hasSameSizeAs(page.samples());
      for (int i = 0; i < page.samples().size(); i++) {
        Sample a = page.samples().get(i);
        Sample b = again.samples().get(i);
        assertThat(b.name()).isEqualTo(a.name());
        assertThat(b.labels()).containsExactly(a.labels());
        assertThat(Double.compare(b.value(), a.value())).as("value of %s: %s then %s", a.name(), a.value(), b.value())
            .isZero();
        assertThat(b.timestampMs()).isEqualTo(a.timestampMs());
      }
    }
  }

  @FuzzTest(maxDuration = "30s")
  void openMetrics(byte[] body) {
    parseOrReject(body, true);
  }

  /** The page, checked, or null if it was rejected as the parser documents. */
  private static Page parseOrReject(byte[] body, boolean openMetrics) {
    Page page;
    try {
      page = ExpositionParser.parse(body, openMetrics);
    } catch (ParseException e) {
      assertThat(e.getMessage()).matches("(?s)(line \\d+|invalid UTF-8).*");
      return null;
    }
    int lines = 1;
    for (byte b : body) {
      lines += b == '\n' ? 1 : 0;
    }
    assertThat(page.samples()).hasSizeLessThanOrEqualTo(lines);
    for (Sample s : page.samples()) {
      assertThat(s.name()).matches(METRIC_NAME);
      checkLabels(s.labels());
      Exemplar e = s.exemplar();
      if (e != null) {
        assertThat(openMetrics).isTrue();
        checkLabels(e.labels());
      }
    }
    page.families().keySet().forEach(name -> assertThat(name).matches(METRIC_NAME));
    return page;
  }

  private static void checkLabels(String[] labels) {
    assertThat(labels.length % 2).isZero();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < labels.length; i += 2) {
      assertThat(labels[i]).matches(LABEL_NAME);
      assertThat(names.add(labels[i])).as("duplicate label %s", labels[i]).isTrue();
      assertThat(labels[i + 1]).isNotNull();
    }
  }

  /** The samples in the text format, as a client library writes them. */
  private static String render(Page page) {
    StringBuilder sb = new StringBuilder();
    for (Sample s : page.samples()) {
      sb.append(s.name());
      String[] l = s.labels();
      if (l.length > 0) {
        sb.append('{');
        for (int i = 0; i < l.length; i += 2) {
          sb.append(i == 0 ? "" : ",").append(l[i]).append("=\"")
              .append(l[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        sb.append('}');
      }
      double v = s.value();
      sb.append(' ').append(Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : Double.toString(v));
      if (s.timestampMs() != ExpositionParser.NO_TIMESTAMP) {
        sb.append(' ').append(s.timestampMs());
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
