package io.sluice.core.exporter;

import io.sluice.api.ClientMetadata;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a batch is stored in a persistent queue: a version byte, the client metadata (so that
 * per-tenant headers still apply after a restart), then the OTLP protobuf encoding of the batch.
 */
final class BatchCodec {
  private static final int VERSION = 1;

  private BatchCodec() {}

  static byte[] encode(TelemetryData data) {
    ClientMetadata md = data.metadata();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.serializedSize() + 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeBoolean(md.clientAddress() != null);
      if (md.clientAddress() != null) {
        out.writeUTF(md.clientAddress());
      }
      out.writeInt(md.asMap().size());
      for (Map.Entry<String, List<String>> e : md.asMap().entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().size());
        for (String v : e.getValue()) {
          out.writeUTF(v);
        }
      }
      out.write(data.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes what {@link #encode} wrote.
   *
   * @throws IOException if the bytes are not such an encoding
   */
  static TelemetryData decode(Signal signal, byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("stored batch has format version " + version + " (expected: " + VERSION + ")");
    }
    String address = in.readBoolean() ? in.readUTF() : null;
    int keys = in.readInt();
    if (keys < 0 || keys > payload.length) {
      throw new IOException("stored batch has " + keys + " metadata keys");
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      String key = in.readUTF();
      int n = in.readInt();
      if (n < 0 || n > payload.length) {
        throw new IOException("stored batch has " + n + " values for metadata key " + key);
      }
      List<String> v = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        v.add(in.readUTF());
      }
      values.put(key, v);
    }
    byte[] proto = in.readAllBytes();
    ClientMetadata md = ClientMetadata.of(values, address);
    TelemetryData data = switch (signal) {
      case TRACES -> Traces.parse(proto);
      case METRICS -> Metrics.parse(proto);
      case LOGS -> Logs.parse(proto);
    };
    return md == ClientMetadata.EMPTY ? data : data.withMetadata(md);
  }
}
