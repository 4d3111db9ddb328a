package io.sluice.exporter.loki;

import com.github.loki4j.pkg.google.protobuf.Timestamp;
import com.github.loki4j.pkg.loki.protobuf.Push.EntryAdapter;
import com.github.loki4j.pkg.loki.protobuf.Push.LabelPairAdapter;
import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.github.loki4j.pkg.loki.protobuf.Push.StreamAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/** Encodes streams as a Loki push request body: snappy-compressed protobuf, or JSON. */
final class PushEncoder {
  static final String PROTOBUF_TYPE = "application/x-protobuf";
  static final String JSON_TYPE = "application/json";

  private PushEncoder() {}

  /** Loki's {@code PushRequest}, snappy block-compressed as Loki expects. */
  static byte[] protobuf(List<StreamBuilder.Stream> streams) {
    PushRequest.Builder req = PushRequest.newBuilder();
    for (StreamBuilder.Stream s : streams) {
      StreamAdapter.Builder sb = req.addStreamsBuilder().setLabels(labelString(s.labels()));
      for (StreamBuilder.Entry e : s.entries()) {
        EntryAdapter.Builder eb = sb.addEntriesBuilder()
            .setTimestamp(Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(e.timeNanos(), 1_000_000_000L))
                .setNanos((int) Math.floorMod(e.timeNanos(), 1_000_000_000L)))
            .setLine(e.line());
        e.metadata().forEach((k, v) ->
            eb.addStructuredMetadata(LabelPairAdapter.newBuilder().setName(k).setValue(v)));
      }
    }
    try {
      return Snappy.compress(req.build().toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    }
  }

  /**
   * Loki's JSON push format: {@code {"streams":[{"stream":{labels},"values":[["<ns>","line",
   * {metadata}]]}]}}.
   */
  static byte[] json(List<StreamBuilder.Stream> streams) {
    StringBuilder sb = new StringBuilder(256).append("{\"streams\":[");
    for (int i = 0; i < streams.size(); i++) {
      StreamBuilder.Stream s = streams.get(i);
      sb.append(i == 0 ? "" : ",").append("{\"stream\":");
      object(sb, s.labels());
      sb.append(",\"values\":[");
      for (int j = 0; j < s.entries().size(); j++) {
        StreamBuilder.Entry e = s.entries().get(j);
        sb.append(j == 0 ? "[" : ",[").append('"').append(e.timeNanos()).append("\",");
        Json.string(sb, e.line());
        if (!e.metadata().isEmpty()) {
          object(sb.append(','), e.metadata());
        }
        sb.append(']');
      }
      sb.append("]}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void object(StringBuilder sb, Map<String, String> map) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      Json.string(sb, e.getKey()).append(':');
      Json.string(sb, e.getValue());
    }
    sb.append('}');
  }

  /** A stream selector as Loki parses it: {@code {a="x", b="y"}}, names sorted. */
  static String labelString(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(64).append('{');
    labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      // Loki parses label values as Go string literals, which accept JSON's escapes
      Json.string(sb.append(e.getKey()).append('='), e.getValue());
    });
    return sb.append('}').toString();
  }
}
