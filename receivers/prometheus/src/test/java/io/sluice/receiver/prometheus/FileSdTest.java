package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.testing.junit5.server.ServerExtension;
import io.sluice.api.ComponentKind;
import io.sluice.api.Signal;
import io.sluice.api.config.DataSize;
import io.sluice.core.testing.CapturingConsumer;
import io.sluice.core.testing.TestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FileSdTest {
  @RegisterExtension
  static final ServerExtension server = new ServerExtension() {
    @Override
    protected void configure(ServerBuilder sb) {
      sb.service("/metrics", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT, "a 1\n"));
    }
  };

  @TempDir
  Path dir;

  private static void await(String what, BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!check.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void targetFilesAreReReadWhenTheyChangeAndRelabelingApplies() throws Exception {
    String target = "127.0.0.1:" + server.httpPort();
    Path file = dir.resolve("targets.json");
    Files.writeString(file, "[{\"targets\": [\"" + target + "\"], \"labels\": {\"team\": \"a\"}}]");
    ScrapeConfig sc = new ScrapeConfig("files", Duration.ofSeconds(1), Duration.ofMillis(500), "/metrics", "http",
        Map.of(), List.of(), List.of(new ScrapeConfig.FileSdConfig(List.of(dir.resolve("*.json").toString()),
            Duration.ofMinutes(5))),
        false, true,
        List.of(new RelabelConfig(List.of("skip"), ";", "", "yes", 0, "$1", "drop")), List.of(),
        ScrapeConfig.BasicAuth.defaults(), ScrapeConfig.Authorization.defaults(), ScrapeConfig.TlsConfig.defaults(),
        0, 0, DataSize.ofBytes(0), ScrapeConfig.DEFAULT_PROTOCOLS);
    CapturingConsumer consumer = new CapturingConsumer();
    TestContext context = new TestContext("prometheus", ComponentKind.RECEIVER);
    PrometheusReceiver receiver = new PrometheusReceiver(context,
        new PrometheusReceiverConfig(new PrometheusReceiverConfig.PromConfig(
            PrometheusReceiverConfig.Global.defaults(), List.of(sc))), Map.of(Signal.METRICS, consumer));
    receiver.start();
    try {
      assertThat(receiver.targetCount()).isEqualTo(1);
      await("a scrape of the file target", () -> consumer.itemCount() > 0);
      await("accepted points counted", () -> context.metric("otelcol_receiver_accepted_metric_points",
          "transport", "http") >= 6);
      Files.writeString(file, "[{\"targets\": [\"" + target + "\"], \"labels\": {\"team\": \"a\"}},"
          + "{\"targets\": [\"" + target + "\"], \"labels\": {\"team\": \"b\"}},"
          + "{\"targets\": [\"" + target + "\"], \"labels\": {\"team\": \"c\", \"skip\": \"yes\"}}]");
      await("two targets after the change", () -> receiver.targetCount() == 2);
      Files.writeString(file, "not json");
      Thread.sleep(1500);
      assertThat(receiver.targetCount()).as("a broken file keeps its previous targets").isEqualTo(2);
      Files.delete(file);
      await("no targets after the file is deleted", () -> receiver.targetCount() == 0);
    } finally {
      receiver.shutdown();
    }
  }
}
