package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.jaegertracing.agent.thrift.Agent;
import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.SpanRefType;
import io.jaegertracing.thriftjava.Tag;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP in, Jaeger Thrift out, through the real daemon: the same SDK spans to a collector over HTTP
 * (binary Thrift) and to an agent over UDP (compact Thrift), decoded with the official
 * jaeger-thrift classes and compared with what the SDK recorded.
 */
class JaegerIT {
  @TempDir Path dir;

  @Test
  void sdkSpansReachCollectorAndAgentWithEveryMappedField() throws Exception {
    List<Batch> httpBatches = new CopyOnWriteArrayList<>();
    List<Batch> udpBatches = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    collector.createContext("/api/traces", ex -> {
      try (ex) {
        Batch b = new Batch();
        new TDeserializer(new TBinaryProtocol.Factory()).deserialize(b, ex.getRequestBody().readAllBytes());
        httpBatches.add(b);
        ex.sendResponseHeaders(202, -1);
      } catch (Exception e) {
        ex.sendResponseHeaders(400, -1);
      }
    });
    collector.start();
    DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    agent.setReceiveBufferSize(4 << 20);
    Thread reader = Thread.ofPlatform().daemon().start(() -> {
      byte[] buf = new byte[70_000];
      while (!agent.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          agent.receive(p);
          TCompactProtocol proto = new TCompactProtocol(new TMemoryInputTransport(Arrays.copyOf(p.getData(), p.getLength())));
          TMessage m = proto.readMessageBegin();
          assertThat(m.name).isEqualTo("emitBatch");
          Agent.emitBatch_args args = new Agent.emitBatch_args();
          args.read(proto);
          udpBatches.add(args.getBatch());
        } catch (Exception e) {
          return;
        }
      }
    });

    int grpc = SluiceProcess.freePort();
    int health = SluiceProcess.freePort();
    Path conf = dir.resolve("jaeger.conf");
    Files.writeString(conf, """
        receivers { otlp { protocols { grpc { endpoint = "127.0.0.1:%d" } } } }
        processors { batch { timeout = 100ms } }
        exporters {
          jaeger { endpoint = "http://127.0.0.1:%d/api/traces" }
          "jaeger/agent" { protocol = thrift_compact_udp, endpoint = "127.0.0.1:%d" }
        }
        extensions { health_check { endpoint = "127.0.0.1:%d" } }
        service {
          extensions = [health_check]
          telemetry.metrics.level = none
          pipelines.traces { receivers = [otlp], processors = [batch], exporters = [jaeger, jaeger/agent] }
        }
        """.formatted(grpc, collector.getAddress().getPort(), agent.getLocalPort(), health));
    try (SluiceProcess sluice = SluiceProcess.start(dir, Map.of(), "run", "--config", conf.toString())) {
      sluice.awaitHttp(health, "/", r -> r.statusCode() == 200, Duration.ofSeconds(60));
      InMemorySpanExporter memory = InMemorySpanExporter.create();
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.getDefault().toBuilder().put("service.name", "checkout").put("host.name", "web-1").build())
          .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc).build()).build())
          .addSpanProcessor(SimpleSpanProcessor.create(memory))
          .build();
      Tracer tracer = provider.get("io.sluice.it.jaeger", "2.0.0");
      for (int i = 0; i < 200; i++) {
        Span root = tracer.spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER)
            .setAttribute("http.response.status_code", 500L).setAttribute("retry", true)
            .setAttribute("ratio", 0.5).setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b")).startSpan();
        Span child = tracer.spanBuilder("SELECT").setParent(Context.current().with(root)).setSpanKind(SpanKind.CLIENT)
            .addLink(root.getSpanContext()).startSpan();
        child.addEvent("retrying", Attributes.of(AttributeKey.longKey("attempt"), 2L));
        child.setStatus(StatusCode.ERROR, "deadlock");
        child.end();
        root.end();
      }
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(30, TimeUnit.SECONDS);
      List<SpanData> sent = memory.getFinishedSpanItems();
      sluice.awaitOutput(o -> count(httpBatches) >= sent.size() && count(udpBatches) >= sent.size(), Duration.ofSeconds(60));
      assertThat(sluice.stop()).isZero();

      for (List<Batch> batches : List.of(httpBatches, udpBatches)) {
        assertThat(count(batches)).isEqualTo(sent.size());
        Map<Long, io.jaegertracing.thriftjava.Span> bySpanId = new HashMap<>();
        for (Batch b : batches) {
          assertThat(b.getProcess().getServiceName()).isEqualTo("checkout");
          assertThat(b.getProcess().getTags()).anyMatch(t -> t.getKey().equals("host.name") && "web-1".equals(t.getVStr()));
          b.getSpans().forEach(s -> bySpanId.put(s.getSpanId(), s));
        }
        for (SpanData d : sent) {
          io.jaegertracing.thriftjava.Span s = bySpanId.get(Long.parseUnsignedLong(d.getSpanId(), 16));
          assertThat(s).as("span %s", d.getName()).isNotNull();
          assertThat(s.getOperationName()).isEqualTo(d.getName());
          assertThat(s.getTraceIdHigh()).isEqualTo(Long.parseUnsignedLong(d.getTraceId().substring(0, 16), 16));
          assertThat(s.getTraceIdLow()).isEqualTo(Long.parseUnsignedLong(d.getTraceId().substring(16), 16));
          assertThat(s.getStartTime()).isEqualTo(d.getStartEpochNanos() / 1000);
          assertThat(s.getDuration()).isEqualTo((d.getEndEpochNanos() - d.getStartEpochNanos()) / 1000);
          assertThat(tag(s, "otel.scope.name").getVStr()).isEqualTo("io.sluice.it.jaeger");
          assertThat(tag(s, "otel.scope.version").getVStr()).isEqualTo("2.0.0");
          if (d.getName().equals("GET /orders")) {
            assertThat(tag(s, "span.kind").getVStr()).isEqualTo("server");
            assertThat(tag(s, "http.response.status_code").getVLong()).isEqualTo(500L);
            assertThat(tag(s, "retry").isVBool()).isTrue();
            assertThat(tag(s, "ratio").getVDouble()).isEqualTo(0.5);
            assertThat(tag(s, "tags").getVStr()).isEqualTo("[\"a\",\"b\"]");
          } else {
            assertThat(tag(s, "span.kind").getVStr()).isEqualTo("client");
            assertThat(tag(s, "error").isVBool()).isTrue();
            assertThat(tag(s, "otel.status_code").getVStr()).isEqualTo("ERROR");
            assertThat(tag(s, "otel.status_description").getVStr()).isEqualTo("deadlock");
            assertThat(s.getParentSpanId()).isEqualTo(Long.parseUnsignedLong(d.getParentSpanId(), 16));
            assertThat(s.getReferences()).anyMatch(r -> r.getRefType() == SpanRefType.CHILD_OF)
                .anyMatch(r -> r.getRefType() == SpanRefType.FOLLOWS_FROM);
            assertThat(s.getLogs()).singleElement().satisfies(l -> assertThat(l.getFields())
                .anyMatch(f -> f.getKey().equals("event") && "retrying".equals(f.getVStr()))
                .anyMatch(f -> f.getKey().equals("attempt") && f.getVLong() == 2L));
          }
        }
      }
    } finally {
      collector.stop(0);
      agent.close();
      reader.join(1000);
    }
  }

  private static int count(List<Batch> batches) {
    return batches.stream().mapToInt(Batch::getSpansSize).sum();
  }

  private static Tag tag(io.jaegertracing.thriftjava.Span s, String key) {
    return s.getTags().stream().filter(t -> t.getKey().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no tag " + key + " in " + s.getTags()));
  }
}
