package io.sluice.exporter.prometheusremotewrite;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes a Remote-Write 1.0 {@code WriteRequest} for assertions (the test's independent reader). */
final class WriteRequestDecoder {
  private WriteRequestDecoder() {}

  record Sample(double value, long timestamp) {}

  record Series(Map<String, String> labels, List<Sample> samples, int exemplars) {
    String name() {
      return labels.get("__name__");
    }
  }

  record Meta(int type, String family, String help, String unit) {}

  record Request(List<Series> series, List<Meta> metadata) {}

  static Request decode(byte[] body) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(body);
    List<Series> series = new ArrayList<>();
    List<Meta> meta = new ArrayList<>();
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> series.add(series(CodedInputStream.newInstance(in.readByteArray())));
        case 3 -> meta.add(meta(CodedInputStream.newInstance(in.readByteArray())));
        default -> in.skipField(tag);
      }
    }
    return new Request(series, meta);
  }

  private static Series series(CodedInputStream in) throws IOException {
    Map<String, String> labels = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    int exemplars = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> {
          CodedInputStream l = CodedInputStream.newInstance(in.readByteArray());
          String name = "";
          String value = "";
          for (int t; (t = l.readTag()) != 0; ) {
            if (t >>> 3 == 1) {
              name = l.readString();
            } else {
              value = l.readString();
            }
          }
          labels.put(name, value);
        }
        case 2 -> {
          CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
          double v = 0;
          long ts = 0;
          for (int t; (t = s.readTag()) != 0; ) {
            if (t >>> 3 == 1) {
              v = s.readDouble();
            } else {
              ts = s.readInt64();
            }
          }
          samples.add(new Sample(v, ts));
        }
        case 3 -> {
          in.readByteArray();
          exemplars++;
        }
        default -> in.skipField(tag);
      }
    }
    return new Series(labels, samples, exemplars);
  }

  private static Meta meta(CodedInputStream in) throws IOException {
    int type = 0;
    String family = "";
    String help = "";
    String unit = "";
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (tag >>> 3) {
        case 1 -> type = in.readEnum();
        case 2 -> family = in.readString();
        case 4 -> help = in.readString();
        case 5 -> unit = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new Meta(type, family, help, unit);
  }
}
