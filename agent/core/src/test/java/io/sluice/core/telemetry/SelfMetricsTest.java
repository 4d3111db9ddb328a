package io.sluice.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.ComponentId;
import io.sluice.api.ComponentKind;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {
  @Test
  void aProcessorInTwoPipelinesReportsOneSeriesPerPipeline() {
    SelfMetrics m = new SelfMetrics();
    ComponentId batch = ComponentId.parse("batch");
    m.forComponent(ComponentKind.PROCESSOR, batch, "traces").gauge("cardinality", "help", () -> 1);
    m.forComponent(ComponentKind.PROCESSOR, batch, "logs").gauge("cardinality", "help", () -> 2);
    m.forComponent(ComponentKind.PROCESSOR, batch, "traces").counter("items", "help").add(3);
    m.forComponent(ComponentKind.PROCESSOR, batch, "logs").counter("items", "help").add(4);
    assertThat(m.scrapeText())
        .contains("cardinality{pipeline=\"traces\",processor=\"batch\"} 1.0")
        .contains("cardinality{pipeline=\"logs\",processor=\"batch\"} 2.0")
        .contains("items_total{pipeline=\"logs\",processor=\"batch\"} 4.0");
    assertThat(m.value("items", "processor", "batch")).isEqualTo(7);
  }

  @Test
  void registeringAGaugeTwiceWithTheSameLabelsKeepsTheLatestAndStillScrapes() {
    SelfMetrics m = new SelfMetrics();
    ComponentId otlp = ComponentId.parse("otlp");
    m.forComponent(ComponentKind.EXPORTER, otlp).gauge("queue_size", "help", () -> 1, "data_type", "traces");
    m.forComponent(ComponentKind.EXPORTER, otlp).gauge("queue_size", "help", () -> 5, "data_type", "traces");
    assertThat(m.scrapeText()).contains("queue_size{data_type=\"traces\",exporter=\"otlp\"} 5.0")
        .doesNotContain("queue_size{data_type=\"traces\",exporter=\"otlp\"} 1.0");
  }
}
