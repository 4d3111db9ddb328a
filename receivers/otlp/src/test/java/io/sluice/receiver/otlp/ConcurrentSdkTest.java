package io.sluice.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sluice.api.Signal;
import io.sluice.core.testing.CapturingConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several SDK exporters sending at once over one receiver. Four senders: the SDK's OkHttp sender
 * runs at most five calls at once and rejects more ("executor rejected"), whatever the server.
 */
class ConcurrentSdkTest {
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "http"})
  void concurrentSendersAllSucceed(String transport) throws Exception {
    List<SpanData> spans = SdkGolden.spans();
    CapturingConsumer capture = new CapturingConsumer();
    try (RunningReceiver r = new RunningReceiver(capture)) {
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        senders.add(CompletableFuture.runAsync(() -> {
          SpanExporter exporter = transport.equals("grpc")
              ? OtlpGrpcSpanExporter.builder().setEndpoint(r.grpcUrl()).build()
              : OtlpHttpSpanExporter.builder().setEndpoint(r.httpUrl() + "/v1/traces").build();
          try {
            for (int i = 0; i < 8; i++) {
              assertThat(exporter.export(spans).join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
            }
          } finally {
            exporter.shutdown();
          }
        }));
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(capture.itemCount()).isEqualTo(32 * spans.size());
      assertThat(r.accepted(Signal.TRACES, transport)).isEqualTo(32 * spans.size());
    }
  }
}
