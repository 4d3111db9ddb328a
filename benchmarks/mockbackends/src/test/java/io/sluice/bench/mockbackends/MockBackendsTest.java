package io.sluice.bench.mockbackends;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.sluice.bench.loadgen.LoadGen;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class MockBackendsTest {
  private MockBackends mock;

  @BeforeEach
  void start() {
    mock = new MockBackends();
    mock.otlpGrpc = 0;
    mock.otlpHttp = 0;
    mock.remoteWrite = 0;
    mock.jaegerHttp = 0;
    mock.loki = 0;
    mock.control = 0;
    mock.host = "127.0.0.1";
    mock.start();
  }

  @AfterEach
  void stop() {
    mock.close();
  }

  @Test
  void countsEveryItemTheLoadGeneratorSawAcknowledgedOverGrpc() throws Exception {
    for (String signal : new String[] {"traces", "metrics", "logs"}) {
      String summary = LoadGen.run("--endpoint", "127.0.0.1:" + mock.port(MockBackends.OTLP_GRPC), "--signal", signal,
          "--rate", "2000", "--duration", "1s");
      assertThat(field(summary, "items_refused")).isZero();
      assertThat(field(summary, "items_acked")).isPositive();
      String unit = switch (signal) {
        case "traces" -> "spans";
        case "metrics" -> "metric_points";
        default -> "log_records";
      };
      assertThat(mock.counts.get(MockBackends.OTLP_GRPC, unit)).as(summary).isEqualTo(field(summary, "items_acked"));
    }
  }

  @Test
  void countsOtlpHttpProtobufAtSaturation() throws Exception {
    String summary = LoadGen.run("--endpoint", "127.0.0.1:" + mock.port(MockBackends.OTLP_HTTP), "--protocol", "http",
        "--concurrency", "2", "--duration", "1s");

    assertThat(summary).contains("\"mode\":\"saturation\"").contains("\"http_2xx\":");
    assertThat(mock.counts.get(MockBackends.OTLP_HTTP, "spans")).isEqualTo(field(summary, "items_acked")).isPositive();
  }

  @Test
  void injectedFailuresAreRefusedWithTheMappedGrpcStatusThenServiceResumes() throws Exception {
    AggregatedHttpResponse fail = control().post("/fail?status=503&count=3", "").aggregate().join();
    assertThat(fail.status().code()).isEqualTo(200);

    String summary = LoadGen.run("--endpoint", "127.0.0.1:" + mock.port(MockBackends.OTLP_GRPC), "--rate", "1000",
        "--duration", "1s", "--max-in-flight", "1");

    assertThat(field(summary, "items_refused")).as(summary).isEqualTo(300);
    assertThat(summary).contains("\"grpc_14\":3");
    assertThat(field(summary, "items_acked")).isPositive();
    assertThat(mock.counts.get(MockBackends.OTLP_GRPC, "failed_requests")).isEqualTo(3);
    assertThat(control().get("/counts").aggregate().join().contentUtf8())
        .contains("\"otlp_grpc\":{")
        .contains("\"failed_requests\":3");
  }

  @Test
  void countsRemoteWriteSamplesAfterSnappy() throws Exception {
    ByteArrayOutputStream series = new ByteArrayOutputStream();
    CodedOutputStream w = CodedOutputStream.newInstance(series);
    for (int s = 0; s < 2; s++) {
      ByteArrayOutputStream ts = new ByteArrayOutputStream();
      CodedOutputStream t = CodedOutputStream.newInstance(ts);
      t.writeBytes(1, label("__name__", "up"));
      for (int i = 0; i < 3; i++) {
        ByteArrayOutputStream sample = new ByteArrayOutputStream();
        CodedOutputStream x = CodedOutputStream.newInstance(sample);
        x.writeDouble(1, 1.0);
        x.writeInt64(2, 1_700_000_000_000L + i);
        x.flush();
        t.writeBytes(2, ByteString.copyFrom(sample.toByteArray()));
      }
      t.flush();
      w.writeBytes(1, ByteString.copyFrom(ts.toByteArray()));
    }
    w.writeBytes(3, ByteString.copyFromUtf8("metadata is skipped"));
    w.flush();

    AggregatedHttpResponse response = post(MockBackends.REMOTE_WRITE, "/api/v1/write", "application/x-protobuf",
        Snappy.compress(series.toByteArray()));

    assertThat(response.status().code()).isEqualTo(204);
    assertThat(mock.counts.get(MockBackends.REMOTE_WRITE, "samples")).isEqualTo(6);
  }

  @Test
  void countsJaegerThriftBatchSpansAfterSkippingTheProcess() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(12); // field 1: Process struct
    out.writeShort(1);
    out.writeByte(11); // serviceName string
    out.writeShort(1);
    byte[] name = "svc".getBytes(StandardCharsets.UTF_8);
    out.writeInt(name.length);
    out.write(name);
    out.writeByte(15); // tags: list<Tag> with one struct
    out.writeShort(2);
    out.writeByte(12);
    out.writeInt(1);
    out.writeByte(10); // Tag.vLong
    out.writeShort(5);
    out.writeLong(42);
    out.writeByte(0); // end Tag
    out.writeByte(0); // end Process
    out.writeByte(15); // field 2: list<Span>, 4 elements (not read)
    out.writeShort(2);
    out.writeByte(12);
    out.writeInt(4);
    out.flush();

    AggregatedHttpResponse response = post(MockBackends.JAEGER_HTTP, "/api/traces", "application/x-thrift", bytes.toByteArray());

    assertThat(response.status().code()).isEqualTo(202);
    assertThat(mock.counts.get(MockBackends.JAEGER_HTTP, "spans")).isEqualTo(4);
  }

  @Test
  void countsLokiEntriesInProtobufAndJson() throws Exception {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(stream);
    s.writeString(1, "{job=\"bench\"}");
    for (int i = 0; i < 5; i++) {
      ByteArrayOutputStream entry = new ByteArrayOutputStream();
      CodedOutputStream e = CodedOutputStream.newInstance(entry);
      e.writeString(2, "line " + i);
      e.flush();
      s.writeBytes(2, ByteString.copyFrom(entry.toByteArray()));
    }
    s.flush();
    ByteArrayOutputStream push = new ByteArrayOutputStream();
    CodedOutputStream p = CodedOutputStream.newInstance(push);
    p.writeBytes(1, ByteString.copyFrom(stream.toByteArray()));
    p.flush();
    String json = "{\"streams\":[{\"stream\":{\"job\":\"a\"},\"values\":[[\"1\",\"x\"],[\"2\",\"y\"]]},"
        + "{\"stream\":{\"job\":\"b\"},\"values\":[[\"3\",\"z\"]]}]}";

    assertThat(post(MockBackends.LOKI, "/loki/api/v1/push", "application/x-protobuf", Snappy.compress(push.toByteArray()))
        .status().code()).isEqualTo(204);
    assertThat(post(MockBackends.LOKI, "/loki/api/v1/push", "application/json", json.getBytes(StandardCharsets.UTF_8))
        .status().code()).isEqualTo(204);
    assertThat(mock.counts.get(MockBackends.LOKI, "log_records")).isEqualTo(8);
  }

  @Test
  void countsGzipBodiesOnOtlpHttpAndGrpc() throws Exception {
    byte[] request = io.sluice.bench.loadgen.TestbedData.logs(25, 1).toByteArray();
    byte[] gzipped = gzip(request);
    WebClient http = WebClient.of("http://127.0.0.1:" + mock.port(MockBackends.OTLP_HTTP));
    AggregatedHttpResponse viaHttp = http.execute(
            RequestHeaders.builder(HttpMethod.POST, "/v1/logs").contentType(MediaType.parse("application/x-protobuf"))
                .add("content-encoding", "gzip").build(),
            com.linecorp.armeria.common.HttpData.wrap(gzipped))
        .aggregate().join();
    byte[] frame = new byte[gzipped.length + 5];
    frame[0] = 1;
    frame[3] = (byte) (gzipped.length >>> 8);
    frame[4] = (byte) gzipped.length;
    System.arraycopy(gzipped, 0, frame, 5, gzipped.length);
    AggregatedHttpResponse viaGrpc = WebClient.of("h2c://127.0.0.1:" + mock.port(MockBackends.OTLP_GRPC)).execute(
            RequestHeaders.builder(HttpMethod.POST, "/opentelemetry.proto.collector.logs.v1.LogsService/Export")
                .contentType(MediaType.parse("application/grpc")).add("grpc-encoding", "gzip").build(),
            com.linecorp.armeria.common.HttpData.wrap(frame))
        .aggregate().join();

    assertThat(viaHttp.status().code()).isEqualTo(200);
    assertThat(viaGrpc.trailers().get("grpc-status")).isEqualTo("0");
    assertThat(mock.counts.get(MockBackends.OTLP_HTTP, "log_records")).isEqualTo(25);
    assertThat(mock.counts.get(MockBackends.OTLP_GRPC, "log_records")).isEqualTo(25);
  }

  @Test
  void rejectsMalformedBodiesWithBadRequest() {
    AggregatedHttpResponse response = post(MockBackends.OTLP_HTTP, "/v1/traces", "application/x-protobuf", new byte[] {10, 50, 1});

    assertThat(response.status().code()).isEqualTo(400);
    assertThat(mock.counts.get(MockBackends.OTLP_HTTP, "malformed_requests")).isEqualTo(1);
  }

  private WebClient control() {
    return WebClient.of("http://127.0.0.1:" + mock.port("control"));
  }

  private AggregatedHttpResponse post(String backend, String path, String contentType, byte[] body) {
    return WebClient.of("http://127.0.0.1:" + mock.port(backend))
        .execute(HttpRequest.of(RequestHeaders.builder(HttpMethod.POST, path).contentType(MediaType.parse(contentType)).build(),
            com.linecorp.armeria.common.HttpData.wrap(body)))
        .aggregate()
        .join();
  }

  private static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static ByteString label(String name, String value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, name);
    out.writeString(2, value);
    out.flush();
    return ByteString.copyFrom(bytes.toByteArray());
  }

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertThat(m.find()).as("%s in %s", name, json).isTrue();
    return Long.parseLong(m.group(1));
  }
}
