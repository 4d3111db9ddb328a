package io.sluice.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.receiver.otlp.internal.Decompression;
import java.io.IOException;

/**
 * OTLP protobuf export requests from the network, over HTTP (the body is the message) and gRPC (the
 * body is one length-prefixed, maybe compressed message): each decodes as every signal's request or
 * is refused with an {@link IOException} naming what is wrong (the 400 / INVALID_ARGUMENT), and
 * what decodes encodes back to a message that decodes equal, with no more items than the bytes
 * (at most the limit, for gRPC) can hold. Seeds: the OpenTelemetry Java SDK's encoding of every
 * signal, framed as gRPC with and without gzip and zstd.
 */
class OtlpRequestFuzzTest {
  /** A small max_recv_msg_size so that the limit is reachable from small inputs. */
  private static final long MAX_MESSAGE_BYTES = 64 * 1024;

  /**
   * The receiver checks the encoding without parsing it (the wire form); protobuf-java's parser
   * is the reference: the same bytes are refused by both or by neither, and the item counts agree.
   */
  @FuzzTest(maxDuration = "30s")
  void protobuf(byte[] body) throws InvalidProtocolBufferException {
    for (Signal signal : Signal.values()) {
      TelemetryData reference = protobufJava(signal, body);
      TelemetryData data;
      try {
        data = SignalCodec.parseProto(signal, body);
      } catch (InvalidProtocolBufferException e) {
        assertThat(e.getMessage()).startsWith("invalid OTLP protobuf ");
        assertThat(reference).as("protobuf-java parses what the receiver refused").isNull();
        continue;
      }
      assertThat(reference).as("protobuf-java refuses what the receiver accepted").isNotNull();
      assertThat(data.itemCount()).isEqualTo(reference.itemCount());
      assertThat(data).isEqualTo(reference);
      checkDecoded(signal, data, body.length);
    }
  }

  /** protobuf-java's own parse of the bytes, or null if it refuses them. */
  private static TelemetryData protobufJava(Signal signal, byte[] body) {
    try {
      return switch (signal) {
        case TRACES -> io.sluice.api.Traces.of(
            io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.parseFrom(body));
        case METRICS -> io.sluice.api.Metrics.of(
            io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.parseFrom(body));
        case LOGS -> io.sluice.api.Logs.of(
            io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.parseFrom(body));
      };
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  @FuzzTest(maxDuration = "30s")
  void grpcUnary(byte[] body) throws IOException {
    for (Signal signal : Signal.values()) {
      for (String encoding : new String[] {null, "gzip", "zstd", "deflate"}) {
        TelemetryData data;
        try {
          data = GrpcExportService.decode(signal, encoding, body, MAX_MESSAGE_BYTES);
        } catch (Decompression.TooLargeException e) {
          assertThat(encoding).isNotNull();
          continue;
        } catch (IOException e) {
          assertThat(e.getMessage()).isNotBlank();
          continue;
        }
        checkDecoded(signal, data, (int) MAX_MESSAGE_BYTES);
      }
    }
  }

  private static void checkDecoded(Signal signal, TelemetryData data, int maxBytes) throws InvalidProtocolBufferException {
    assertThat(data.signal()).isEqualTo(signal);
    // An item is a message in a repeated field two levels down: at least a tag and a length byte.
    assertThat(data.itemCount()).isBetween(0, maxBytes / 2);
    // Not byte for byte, nor even shorter (fuzzing found a body that re-encodes 4 bytes longer:
    // the canonical encoding is not the shortest one a sender can use), but to the same message.
    assertThat(SignalCodec.parseProto(signal, data.toByteArray())).isEqualTo(data);
  }
}
