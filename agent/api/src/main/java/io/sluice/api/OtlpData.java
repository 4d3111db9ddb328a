package io.sluice.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What {@link Traces}, {@link Metrics} and {@link Logs} share: the export request, the client
 * metadata, the cached item count, the encoding. Package-private so that the representation stays
 * behind the three public classes.
 *
 * <p>Data has one or both of two forms. The <em>message</em> form is the protobuf-java object. The
 * <em>wire</em> form is the request's OTLP protobuf encoding as it arrived, checked by
 * {@link WireCheck} to be a message protobuf-java would parse. Data decoded from the network starts
 * in the wire form only and is parsed the first time code asks for the message; data that nobody
 * looks into (a pipeline from {@code otlp} through {@code batch} to {@code otlp}) is never parsed:
 * batches are put together by concatenating encodings (protobuf concatenates repeated fields) and
 * exporters send the bytes as they came.
 *
 * @param <P> the OTLP export request type
 */
abstract sealed class OtlpData<P extends Message> implements TelemetryData permits Traces, Metrics, Logs {
  /** The message; {@code null} until the wire form is first parsed. */
  private volatile P proto;
  /** The wire form, or {@code null}; never written to, and never handed out. */
  private final byte[] wire;
  private final int wireOffset;
  private final int wireLength;
  private final ClientMetadata metadata;
  private int itemCount = -1;
  /** The tag of field 1, length-delimited: an entry of the resource list. */
  private static final int RESOURCE_ENTRY = 1 << 3 | 2;

  /** The message form. */
  OtlpData(P proto, ClientMetadata metadata) {
    this.proto = requireNonNull(proto, "proto");
    this.wire = null;
    this.wireOffset = 0;
    this.wireLength = 0;
    this.metadata = requireNonNull(metadata, "metadata");
  }

  /** The wire form of {@code items} items, already checked. */
  OtlpData(byte[] wire, int offset, int length, int items, ClientMetadata metadata) {
    this.wire = requireNonNull(wire, "wire");
    this.wireOffset = offset;
    this.wireLength = length;
    this.itemCount = items;
    this.metadata = requireNonNull(metadata, "metadata");
  }

  /** The same data, in whichever forms {@code other} has, with other metadata. */
  OtlpData(OtlpData<P> other, ClientMetadata metadata) {
    this.proto = other.proto;
    this.wire = other.wire;
    this.wireOffset = other.wireOffset;
    this.wireLength = other.wireLength;
    this.itemCount = other.itemCount;
    this.metadata = requireNonNull(metadata, "metadata");
  }

  /** Counts the items of the message; called at most once, the result is cached. */
  abstract int countItems();

  /** The parser of {@code P}. */
  abstract Parser<P> parser();

  /** The message, parsed from the wire form on first use. */
  final P proto() {
    P p = proto;
    if (p == null) {
      try {
        p = parser().parseFrom(wire, wireOffset, wireLength);
      } catch (InvalidProtocolBufferException e) {
        // WireCheck refuses everything protobuf-java refuses; reaching this is a bug in it.
        throw new IllegalStateException("checked OTLP encoding failed to parse: " + e.getMessage(), e);
      }
      proto = p;
    }
    return p;
  }

  /**
   * Hands each entry of the request's resource list (field 1 of every OTLP export request) to
   * {@code action}, in order. Data that has not been parsed is not: each entry is parsed from the
   * wire form on its own and nothing is kept, so a caller that deals with one resource at a time
   * holds one resource's objects at a time, not the whole request's.
   */
  final <R> void forEachResource(Parser<R> entryParser, Function<P, List<R>> entries, Consumer<? super R> action) {
    if (wire == null || proto != null) {
      entries.apply(proto()).forEach(action);
      return;
    }
    CodedInputStream in = CodedInputStream.newInstance(wire, wireOffset, wireLength);
    try {
      for (int tag; (tag = in.readTag()) != 0; ) {
        if (tag != RESOURCE_ENTRY) {
          in.skipField(tag);
          continue;
        }
        int size = in.readRawVarint32();
        int at = wireOffset + in.getTotalBytesRead();
        R entry = entryParser.parseFrom(wire, at, size);
        in.skipRawBytes(size);
        action.accept(entry);
      }
    } catch (IOException e) {
      throw new IllegalStateException("checked OTLP encoding failed to parse: " + e.getMessage(), e);
    }
  }

  /** Whether this data has the wire form, so that its encoding costs a copy at most. */
  final boolean hasWire() {
    return wire != null;
  }

  /**
   * The concatenated encodings of {@code parts}, or {@code null} if one of them has no wire form
   * (then the caller merges messages instead, which keeps already-parsed data parsed).
   */
  static byte[] concatWire(List<? extends OtlpData<?>> parts) {
    long total = 0;
    for (OtlpData<?> p : parts) {
      if (p.wire == null) {
        return null;
      }
      total += p.wireLength;
    }
    if (total > Integer.MAX_VALUE - 8) {
      return null;
    }
    byte[] out = new byte[(int) total];
    int at = 0;
    for (OtlpData<?> p : parts) {
      System.arraycopy(p.wire, p.wireOffset, out, at, p.wireLength);
      at += p.wireLength;
    }
    return out;
  }

  /** The sum of the item counts of {@code parts}. */
  static int sumItems(List<? extends TelemetryData> parts) {
    long n = 0;
    for (TelemetryData p : parts) {
      n += p.itemCount();
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  @Override
  public final int itemCount() {
    int n = itemCount;
    if (n < 0) {
      n = countItems();
      itemCount = n;
    }
    return n;
  }

  @Override
  public final ClientMetadata metadata() {
    return metadata;
  }

  @Override
  public final byte[] toByteArray() {
    return wire != null ? Arrays.copyOfRange(wire, wireOffset, wireOffset + wireLength) : proto.toByteArray();
  }

  @Override
  public final void writeTo(OutputStream out) throws IOException {
    if (wire != null) {
      out.write(wire, wireOffset, wireLength);
    } else {
      proto.writeTo(out);
    }
  }

  @Override
  public final int serializedSize() {
    return wire != null ? wireLength : proto.getSerializedSize();
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof OtlpData<?> other && getClass() == other.getClass()
        && proto().equals(other.proto()) && metadata.equals(other.metadata);
  }

  @Override
  public final int hashCode() {
    return proto().hashCode();
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "{items=" + itemCount() + ", metadata=" + metadata + "}";
  }
}
