package io.sluice.bench.promtarget;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.testing.Peers;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpositionTest {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{id=\"(\\d+)\"(?:,le=\"([^\"]+)\")?\\} (-?\\d+)");

  @Test
  void writesExactlyTheRequestedSeriesAsValidSampleLines() throws Exception {
    List<String> lines = scrape(new Exposition(10_007), 1);

    Set<String> series = new HashSet<>();
    Map<String, String> types = new HashMap<>();
    for (String line : lines) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        assertThat(types.put(parts[2], parts[3])).as("one TYPE per family: %s", line).isNull();
      } else if (!line.startsWith("# HELP ")) {
        Matcher m = SAMPLE.matcher(line);
        assertThat(m.matches()).as("sample line %s", line).isTrue();
        assertThat(series.add(m.group(1) + "|" + m.group(2) + "|" + m.group(3))).as("duplicate %s", line).isTrue();
        String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
        assertThat(types.containsKey(family) || types.containsKey(m.group(1))).as("TYPE before %s", line).isTrue();
      }
    }
    assertThat(series).hasSize(10_007);
    assertThat(types.values()).contains("counter", "gauge", "histogram");
  }

  @Test
  void everyValueChangesBetweenScrapesAndCountersOnlyGrow() throws Exception {
    Exposition exposition = new Exposition(2_000);
    List<String> first = samples(scrape(exposition, 5));
    List<String> second = samples(scrape(exposition, 6));

    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      Matcher a = SAMPLE.matcher(first.get(i));
      Matcher b = SAMPLE.matcher(second.get(i));
      assertThat(a.matches() && b.matches()).isTrue();
      assertThat(b.group(4)).as("%s then %s", first.get(i), second.get(i)).isNotEqualTo(a.group(4));
      if (!a.group(1).startsWith("bench_level_")) {
        assertThat(Long.parseLong(b.group(4))).isGreaterThan(Long.parseLong(a.group(4)));
      }
    }
  }

  @Test
  void servesOverHttpAndPassesPromtool(@TempDir Path dir) throws Exception {
    Path promtool = Peers.require("promtool", "prometheus");
    try (PromTarget target = new PromTarget()) {
      target.series = 3_000;
      target.port = 0;
      target.host = "127.0.0.1";
      target.start();
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.headers().firstValue("content-type")).hasValue(Exposition.CONTENT_TYPE);
      assertThat(samples(response.body().lines().toList())).hasSize(3_000);

      Path file = Files.writeString(dir.resolve("metrics.txt"), response.body());
      Process check =
          new ProcessBuilder(promtool.toString(), "check", "metrics")
              .redirectInput(file.toFile())
              .redirectErrorStream(true)
              .start();
      assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      // promtool lints naming (e.g. counters must end in _total) and exits non-zero on a parse error.
      assertThat(check.exitValue()).as(output).isZero();
    }
  }

  private static List<String> scrape(Exposition exposition, long scrape) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    exposition.write(scrape, out);
    return out.toString(StandardCharsets.US_ASCII).lines().toList();
  }

  private static List<String> samples(List<String> lines) {
    return lines.stream().filter(l -> !l.startsWith("#")).toList();
  }
}
