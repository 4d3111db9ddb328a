package io.sluice.receiver.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.sluice.api.Metrics;
import io.sluice.receiver.prometheus.ScrapeConverter.ScrapedSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScrapeConverterTest {

  private static ScrapedSample gauge(Map<String, String> labels) {
    return new ScrapedSample("g", new TreeMap<>(labels), 1, ExpositionParser.NO_TIMESTAMP, null);
  }

  @Test
  void staleMarkerKeepsLabelValuesHoldingTheKeysControlCharacters() {
    ScrapeConverter c = new ScrapeConverter("http");
    String odd = "a\u0000b\u0001c\u0002d";
    c.convert(new ArrayList<>(List.of(gauge(Map.of("job", "j", "odd", odd)))), Map.of(), 1_000, List.of());
    Metrics stale = c.convert(List.of(), Map.of(), 2_000, List.of());

    NumberDataPoint p = stale.resourceMetrics().get(0).getScopeMetrics(0).getMetrics(0).getGauge().getDataPoints(0);
    assertThat(p.getFlags()).isEqualTo(ScrapeConverter.NO_RECORDED_VALUE);
    assertThat(p.getAttributesList()).extracting(KeyValue::getKey).containsExactly("odd");
    assertThat(p.getAttributes(0).getValue().getStringValue()).isEqualTo(odd);
  }

  @Test
  void instanceWhosePortIsNoNumberKeepsItsIdWithoutServerPort() {
    ScrapeConverter c = new ScrapeConverter("http");
    Metrics m = c.convert(new ArrayList<>(List.of(gauge(Map.of("job", "j", "instance", "host:99999999999999999999")))), Map.of(), 1_000,
        List.of());

    assertThat(m.resourceMetrics().get(0).getResource().getAttributesList()).extracting(KeyValue::getKey)
        .containsExactly("service.name", "service.instance.id", "url.scheme");
    Metrics ok = c.convert(new ArrayList<>(List.of(gauge(Map.of("job", "j", "instance", "host:9100")))), Map.of(), 2_000, List.of());
    assertThat(ok.resourceMetrics().get(0).getResource().getAttributesList()).extracting(KeyValue::getKey)
        .contains("server.address", "server.port");
  }
}
