package io.sluice.exporter.prometheusremotewrite;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Hand-written encoder of the Remote-Write 1.0 {@code prometheus.WriteRequest} protobuf: the four
 * small messages are encoded straight from {@link PromSeries}, without generated classes or a
 * protoc toolchain.
 *
 * <pre>
 * WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 * TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3;
 *                  repeated Histogram histograms = 4; }
 * Histogram      { uint64 count_int = 1; double sum = 3; sint32 schema = 4; double zero_threshold = 5;
 *                  uint64 zero_count_int = 6; repeated BucketSpan negative_spans = 8;
 *                  repeated sint64 negative_deltas = 9; repeated BucketSpan positive_spans = 11;
 *                  repeated sint64 positive_deltas = 12; int64 timestamp = 15; }
 * BucketSpan     { sint32 offset = 1; uint32 length = 2; }
 * Label          { string name = 1; string value = 2; }
 * Sample         { double value = 1; int64 timestamp = 2; }
 * Exemplar       { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 * MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 * </pre>
 */
final class WriteRequestEncoder {
  private WriteRequestEncoder() {}

  /** A {@code MetricMetadata} entry. */
  record Metadata(int type, String family, String help, String unit) {
    static final int COUNTER = 1;
    static final int GAUGE = 2;
    static final int HISTOGRAM = 3;
    static final int SUMMARY = 5;
  }

  /**
   * The encoded {@code TimeSeries} message (without its field tag and length), sized first and
   * written into one exact array: a scrape of a million series encodes a million of these.
   */
  static byte[] series(PromSeries s) {
    try {
      List<NativeHistograms.NativeHistogram> histograms = s.histograms();
      byte[][] encodedHistograms = new byte[histograms.size()][];
      int size = labelsSize(1, s.labels);
      for (int i = 0; i < s.size(); i++) {
        int ss = sampleSize(s.value(i), s.timestamp(i));
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ss) + ss;
      }
      for (PromSeries.Exemplar e : s.exemplars()) {
        int es = exemplarSize(e);
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(es) + es;
      }
      for (int i = 0; i < encodedHistograms.length; i++) {
        encodedHistograms[i] = histogram(histograms.get(i));
        size += CodedOutputStream.computeByteArraySize(4, encodedHistograms[i]);
      }
      byte[] buf = new byte[size];
      CodedOutputStream out = CodedOutputStream.newInstance(buf);
      writeLabels(out, 1, s.labels);
      for (int i = 0; i < s.size(); i++) {
        double v = s.value(i);
        long t = s.timestamp(i);
        out.writeTag(2, 2);
        out.writeUInt32NoTag(sampleSize(v, t));
        if (Double.doubleToRawLongBits(v) != 0) {
          out.writeDouble(1, v);
        }
        if (t != 0) {
          out.writeInt64(2, t);
        }
      }
      for (PromSeries.Exemplar e : s.exemplars()) {
        out.writeTag(3, 2);
        out.writeUInt32NoTag(exemplarSize(e));
        writeLabels(out, 1, e.labels());
        out.writeDouble(2, e.value());
        out.writeInt64(3, e.timestampMs());
      }
      for (byte[] hb : encodedHistograms) {
        out.writeByteArray(4, hb);
      }
      out.checkNoSpaceLeft();
      return buf;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int exemplarSize(PromSeries.Exemplar e) {
    return labelsSize(1, e.labels()) + CodedOutputStream.computeDoubleSize(2, e.value())
        + CodedOutputStream.computeInt64Size(3, e.timestampMs());
  }

  private static byte[] histogram(NativeHistograms.NativeHistogram h) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream(64 + 4 * h.positiveDeltas().length);
    CodedOutputStream out = CodedOutputStream.newInstance(bos);
    out.writeUInt64(1, h.count());
    out.writeDouble(3, h.sum());
    out.writeSInt32(4, h.schema());
    out.writeDouble(5, h.zeroThreshold());
    out.writeUInt64(6, h.zeroCount());
    writeSide(out, 8, 9, h.negativeOffset(), h.negativeDeltas());
    writeSide(out, 11, 12, h.positiveOffset(), h.positiveDeltas());
    out.writeInt64(15, h.timestampMs());
    out.flush();
    return bos.toByteArray();
  }

  private static void writeSide(CodedOutputStream out, int spanField, int deltaField, int offset, long[] deltas)
      throws IOException {
    if (deltas.length == 0) {
      return;
    }
    int spanSize = CodedOutputStream.computeSInt32Size(1, offset) + CodedOutputStream.computeUInt32Size(2, deltas.length);
    out.writeTag(spanField, 2);
    out.writeUInt32NoTag(spanSize);
    out.writeSInt32(1, offset);
    out.writeUInt32(2, deltas.length);
    int size = 0;
    for (long d : deltas) {
      size += CodedOutputStream.computeSInt64SizeNoTag(d);
    }
    out.writeTag(deltaField, 2);
    out.writeUInt32NoTag(size);
    for (long d : deltas) {
      out.writeSInt64NoTag(d);
    }
  }

  /** The encoded {@code MetricMetadata} message. */
  static byte[] metadata(Metadata m) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream(64);
      CodedOutputStream out = CodedOutputStream.newInstance(bos);
      out.writeEnum(1, m.type());
      out.writeString(2, m.family());
      if (!m.help().isEmpty()) {
        out.writeString(4, m.help());
      }
      if (!m.unit().isEmpty()) {
        out.writeString(5, m.unit());
      }
      out.flush();
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The size a message takes as a length-delimited field of a {@code WriteRequest}. */
  static int fieldSize(byte[] message) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(message.length) + message.length;
  }

  /** A {@code WriteRequest} of already encoded series and metadata. */
  static byte[] request(List<byte[]> series, List<byte[]> metadata) {
    int size = 0;
    for (byte[] b : series) {
      size += fieldSize(b);
    }
    for (byte[] b : metadata) {
      size += fieldSize(b);
    }
    byte[] buf = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(buf);
    try {
      for (byte[] b : series) {
        out.writeByteArray(1, b);
      }
      for (byte[] b : metadata) {
        out.writeByteArray(3, b);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf;
  }

  private static int sampleSize(double v, long t) {
    return (Double.doubleToRawLongBits(v) != 0 ? 9 : 0)
        + (t != 0 ? CodedOutputStream.computeInt64Size(2, t) : 0);
  }

  private static int labelSize(String name, String value) {
    return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
  }

  private static int labelsSize(int field, String[] labels) {
    int size = 0;
    for (int i = 0; i < labels.length; i += 2) {
      int l = labelSize(labels[i], labels[i + 1]);
      size += CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(l) + l;
    }
    return size;
  }

  private static void writeLabels(CodedOutputStream out, int field, String[] labels) throws IOException {
    for (int i = 0; i < labels.length; i += 2) {
      out.writeTag(field, 2);
      out.writeUInt32NoTag(labelSize(labels[i], labels[i + 1]));
      out.writeString(1, labels[i]);
      out.writeString(2, labels[i + 1]);
    }
  }
}
