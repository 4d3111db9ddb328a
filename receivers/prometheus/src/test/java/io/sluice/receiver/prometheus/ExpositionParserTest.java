package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.receiver.prometheus.ExpositionParser.Page;
import io.sluice.receiver.prometheus.ExpositionParser.ParseException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {

  private static Page text(String s) throws ParseException {
    return ExpositionParser.parse(s.getBytes(StandardCharsets.UTF_8), false);
  }

  private static Page om(String s) throws ParseException {
    return ExpositionParser.parse(s.getBytes(StandardCharsets.UTF_8), true);
  }

  @Test
  void parsesTextFormatWithMetadataEscapesAndTimestamps() throws Exception {
    Page p = text("""
        # HELP http_requests_total The total \\\\ requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400",} 3
        # a free comment
        
        msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
        metric_without_labels   12.47
        nan_value NaN
        inf_value{a="b"} +Inf
        minus_inf -Inf
        """);
    assertThat(p.samples()).hasSize(7);
    assertThat(p.families().get("http_requests_total").type).isEqualTo("counter");
    assertThat(p.families().get("http_requests_total").help).isEqualTo("The total \\ requests.");
    var first = p.samples().get(0);
    assertThat(first.name()).isEqualTo("http_requests_total");
    assertThat(first.labels()).containsExactly("method", "post", "code", "200");
    assertThat(first.value()).isEqualTo(1027);
    assertThat(first.timestampMs()).isEqualTo(1395066363000L);
    assertThat(p.samples().get(1).timestampMs()).isEqualTo(ExpositionParser.NO_TIMESTAMP);
    assertThat(p.samples().get(2).labels()).containsExactly("path", "C:\\DIR\\FILE.TXT", "error", "Cannot find file:\n\"FILE.TXT\"");
    assertThat(p.samples().get(4).value()).isNaN();
    assertThat(p.samples().get(5).value()).isInfinite().isPositive();
    assertThat(p.samples().get(6).value()).isInfinite().isNegative();
  }

  @Test
  void parsesOpenMetricsWithUnitCreatedExemplarsAndEof() throws Exception {
    Page p = om("""
        # TYPE req counter
        # UNIT req requests
        # HELP req Requests.
        req_total{path="/"} 5 1700000000.5 # {trace_id="0123456789abcdef0123456789abcdef"} 1 1700000000.1
        req_created{path="/"} 1699990000.25
        # TYPE lat histogram
        lat_bucket{le="0.1"} 1
        lat_bucket{le="+Inf"} 2 # {span_id="0123456789abcdef"} 7.5
        lat_sum 7.6
        lat_count 2
        # EOF
        """);
    assertThat(p.families().get("req").unit).isEqualTo("requests");
    assertThat(p.samples()).hasSize(6);
    var total = p.samples().get(0);
    assertThat(total.timestampMs()).isEqualTo(1700000000500L);
    assertThat(total.exemplar().labels()).containsExactly("trace_id", "0123456789abcdef0123456789abcdef");
    assertThat(total.exemplar().timestampMs()).isEqualTo(1700000000100L);
    assertThat(p.samples().get(3).exemplar().value()).isEqualTo(7.5);
  }

  @Test
  void helpUnescapesInOnePass() throws Exception {
    // C:\\new on the page: an escaped backslash, then "new"; not a backslash and a newline.
    Page p = text("# HELP dir C:\\\\new \\\\\\n x\\q\n# TYPE dir gauge\ndir 1\n");
    assertThat(p.families().get("dir").help).isEqualTo("C:\\new \\\n x\\q");
  }

  @Test
  void openMetricsNeedsEofAndNothingAfterIt() {
    assertThatThrownBy(() -> om("a 1\n")).hasMessageContaining("missing # EOF");
    assertThatThrownBy(() -> om("a 1\n# EOF\nb 2\n")).hasMessageContaining("line 3").hasMessageContaining("content after # EOF");
  }

  @Test
  void garbageFailsWithLineColumnAndExcerpt() {
    assertThatThrownBy(() -> text("ok 1\n<html><body>Not Found</body></html>\n"))
        .isInstanceOf(ParseException.class)
        .hasMessage("line 2, column 1: expected a metric name: \"<html><body>Not Found</body></html>\"");
    assertThatThrownBy(() -> text("a{b=\"c\"} one\n")).hasMessageContaining("invalid number \"one\"");
    assertThatThrownBy(() -> text("a{b=\"c} 1\n")).hasMessageContaining("unterminated label value");
    assertThatThrownBy(() -> text("a{b=\"c\",b=\"d\"} 1\n")).hasMessageContaining("duplicate label name \"b\"");
    assertThatThrownBy(() -> text("# TYPE a countr\n")).hasMessageContaining("unknown metric type \"countr\"");
    assertThatThrownBy(() -> text("a 1 1.5\n")).hasMessageContaining("invalid timestamp \"1.5\"");
    assertThatThrownBy(() -> text("a 1.0d\n")).hasMessageContaining("invalid number \"1.0d\"");
  }

  @Test
  void invalidUtf8IsRejectedWithItsLine() {
    byte[] page = "ok 1\nbad{v=\"\u00ff\"} 1\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> ExpositionParser.parse(page, false))
        .hasMessageStartingWith("line 2: invalid UTF-8");
  }

  @Test
  void aTenMegabyteLineIsReportedShortened() {
    String huge = "x".repeat(10 * 1024 * 1024);
    assertThatThrownBy(() -> text("metric{a=\"" + huge + "\" 1\n"))
        .hasMessageContaining("...(" + ("metric{a=\"" + huge + "\" 1").length() + " chars)")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    assertThatThrownBy(() -> text(huge + "\n"))
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> text("m{a=\"" + huge + "\"} 1\n"))).isNull();
  }
}
