package io.sluice.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks that bytes are a message protobuf-java would parse, and counts its items, without building
 * the message: a walk over tags and lengths that allocates nothing. It refuses exactly what
 * {@code parseFrom} refuses: a malformed tag, varint or length, a field number 0, a wire type 6 or
 * 7, an unmatched end-group, a string field that is not UTF-8, a packed field whose length does not
 * fit its elements, nesting deeper than protobuf-java's default limit of 100. Unknown fields, and
 * known fields with another wire type (protobuf-java keeps those as unknown), are skipped like
 * protobuf-java skips them. The rules come from the message descriptors, so they follow the
 * generated classes.
 *
 * <p>Items are the occurrences of the given message fields (spans, log records, data points). In a
 * oneof, only the items of the member that arrived last count, but all of its occurrences do, even
 * those before another member arrived in between: protobuf-java's builder keeps one sub-builder per
 * member and merges into it (a {@code Metric} encoded as gauge, sum, gauge holds both gauges'
 * points). Only message members switch the case here; the one oneof with items below it,
 * {@code Metric.data}, has no other kind of member.
 */
final class WireCheck {
  /** protobuf-java's {@code CodedInputStream} default recursion limit. */
  private static final int RECURSION_LIMIT = 100;

  private static final byte SKIP = 0;
  private static final byte STRING = 1;
  private static final byte MESSAGE = 2;
  private static final byte PACKED_VARINT32 = 3;
  private static final byte PACKED_VARINT64 = 4;
  private static final byte PACKED_FIXED32 = 5;
  private static final byte PACKED_FIXED64 = 6;

  /** What a message's length-delimited fields are, indexed by field number. */
  private static final class Schema {
    byte[] kinds = new byte[0];
    /** Fields protobuf-java reads with {@code readRawVarint32} (int32, uint32, sint32, enum). */
    boolean[] varint32 = new boolean[0];
    Schema[] children = new Schema[0];
    boolean[] counted = new boolean[0];
    /** The index of the oneof a field belongs to, or -1. */
    int[] oneof = new int[0];
    int oneofCount;

    byte kind(int field) {
      return field < kinds.length ? kinds[field] : SKIP;
    }

    boolean varint32(int field) {
      return field < varint32.length && varint32[field];
    }
  }

  private final Schema root;

  private WireCheck(Schema root) {
    this.root = root;
  }

  /**
   * A checker for messages of {@code type}, counting occurrences of {@code itemFields}.
   *
   * @param itemFields repeated message fields somewhere below {@code type}
   */
  static WireCheck of(Descriptor type, Set<FieldDescriptor> itemFields) {
    return new WireCheck(schema(type, itemFields, new HashMap<>()));
  }

  private static Schema schema(Descriptor type, Set<FieldDescriptor> itemFields, Map<Descriptor, Schema> done) {
    Schema known = done.get(type);
    if (known != null) {
      return known; // a recursive type (AnyValue -> ArrayValue -> AnyValue) shares its schema
    }
    Schema s = new Schema();
    done.put(type, s);
    int max = 0;
    for (FieldDescriptor f : type.getFields()) {
      max = Math.max(max, f.getNumber());
    }
    s.kinds = new byte[max + 1];
    s.varint32 = new boolean[max + 1];
    s.children = new Schema[max + 1];
    s.counted = new boolean[max + 1];
    s.oneof = new int[max + 1];
    java.util.Arrays.fill(s.oneof, -1);
    s.oneofCount = type.getRealOneofs().size();
    for (FieldDescriptor f : type.getFields()) {
      int n = f.getNumber();
      if (f.getRealContainingOneof() != null) {
        s.oneof[n] = f.getRealContainingOneof().getIndex();
      }
      switch (f.getJavaType()) {
        case STRING -> s.kinds[n] = STRING;
        case MESSAGE -> {
          s.kinds[n] = MESSAGE;
          s.children[n] = schema(f.getMessageType(), itemFields, done);
          s.counted[n] = itemFields.contains(f);
        }
        case BYTE_STRING -> s.kinds[n] = SKIP;
        default -> s.kinds[n] = f.isRepeated() && f.isPackable() ? packedKind(f) : SKIP;
      }
      s.varint32[n] = isVarint32(f);
    }
    return s;
  }

  private static byte packedKind(FieldDescriptor f) {
    return switch (f.getType()) {
      case FIXED32, SFIXED32, FLOAT -> PACKED_FIXED32;
      case FIXED64, SFIXED64, DOUBLE -> PACKED_FIXED64;
      default -> isVarint32(f) ? PACKED_VARINT32 : PACKED_VARINT64;
    };
  }

  private static boolean isVarint32(FieldDescriptor f) {
    return switch (f.getType()) {
      case INT32, UINT32, SINT32, ENUM -> true;
      default -> false;
    };
  }

  /**
   * Checks {@code length} bytes from {@code offset} and returns the number of items in them.
   *
   * @throws InvalidProtocolBufferException if protobuf-java would refuse them
   */
  int check(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    if (offset < 0 || length < 0 || length > bytes.length - offset) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + bytes.length);
    }
    Walk w = new Walk(bytes, offset);
    int items = w.message(root, offset + length, 0);
    return items;
  }

  /** One walk over a buffer; {@code pos} moves forward. */
  private static final class Walk {
    private final byte[] b;
    private int pos;

    Walk(byte[] b, int pos) {
      this.b = b;
      this.pos = pos;
    }

    /** Walks fields up to {@code end}; returns the items found. */
    int message(Schema s, int end, int depth) throws InvalidProtocolBufferException {
      int items = 0;
      int[] lastMember = null;
      int[] memberItems = null;
      while (pos < end) {
        int tag = tag(end);
        int field = tag >>> 3;
        int wire = tag & 7;
        if (field == 0) {
          throw new InvalidProtocolBufferException("Protocol message contained an invalid tag (zero).");
        }
        if (wire != 2) {
          if (wire == 4) {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
          }
          skipScalarOrGroup(wire == 0 && s.varint32(field), field, wire, end, depth);
          continue;
        }
        int len = length(end);
        int stop = pos + len;
        switch (s.kind(field)) {
          case STRING -> {
            if (!Utf8Check.valid(b, pos, stop)) {
              throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
            }
          }
          case MESSAGE -> {
            if (depth >= RECURSION_LIMIT) {
              throw tooDeep();
            }
            int n = message(s.children[field], stop, depth + 1);
            if (s.counted[field]) {
              n++;
            }
            int o = s.oneof[field];
            if (o < 0) {
              items += n;
            } else {
              if (lastMember == null) {
                lastMember = new int[s.oneofCount];
                memberItems = new int[s.kinds.length];
              }
              lastMember[o] = field;
              memberItems[field] += n;
            }
          }
          case PACKED_VARINT32 -> {
            while (pos < stop) {
              varint(stop);
            }
          }
          case PACKED_VARINT64 -> {
            while (pos < stop) {
              varint64(stop);
            }
          }
          case PACKED_FIXED32 -> {
            if (len % 4 != 0) {
              throw truncated();
            }
          }
          case PACKED_FIXED64 -> {
            if (len % 8 != 0) {
              throw truncated();
            }
          }
          default -> { }
        }
        pos = stop;
      }
      if (lastMember != null) {
        for (int field : lastMember) {
          if (field != 0) {
            items += memberItems[field];
          }
        }
      }
      return items;
    }

    /**
     * Skips a field of wire type 0, 1, 3 or 5 (an unknown group is walked to its end tag);
     * {@code varint32} says whether protobuf-java reads the varint as a 32-bit one.
     */
    private void skipScalarOrGroup(boolean varint32, int field, int wire, int end, int depth)
        throws InvalidProtocolBufferException {
      switch (wire) {
        case 0 -> {
          if (varint32) {
            varint(end);
          } else {
            varint64(end);
          }
        }
        case 1 -> advance(8, end);
        case 5 -> advance(4, end);
        case 3 -> {
          if (depth >= RECURSION_LIMIT) {
            throw tooDeep();
          }
          group(field, end, depth + 1);
        }
        default -> throw new InvalidProtocolBufferException("Protocol message tag had invalid wire type.");
      }
    }

    /** Walks an unknown group's fields until its end-group tag. */
    private void group(int field, int end, int depth) throws InvalidProtocolBufferException {
      while (true) {
        if (pos >= end) {
          throw truncated();
        }
        int tag = tag(end);
        int f = tag >>> 3;
        int wire = tag & 7;
        if (f == 0) {
          throw new InvalidProtocolBufferException("Protocol message contained an invalid tag (zero).");
        }
        if (wire == 4) {
          if (f != field) {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
          }
          return;
        }
        if (wire == 2) {
          int len = length(end);
          pos += len;
        } else {
          skipScalarOrGroup(false, f, wire, end, depth);
        }
      }
    }

    /** A tag: a varint of which, like protobuf-java, only the low 32 bits count. */
    private int tag(int end) throws InvalidProtocolBufferException {
      return (int) varint(end);
    }

    /** A length: a varint of at most 32 significant bits that fits before {@code end}. */
    private int length(int end) throws InvalidProtocolBufferException {
      int len = (int) varint(end);
      if (len < 0) {
        throw new InvalidProtocolBufferException(
            "CodedInputStream encountered an embedded string or message which claimed to have negative size.");
      }
      if (len > end - pos) {
        throw truncated();
      }
      return len;
    }

    /** A varint of at most 10 bytes. */
    private long varint(int end) throws InvalidProtocolBufferException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw truncated();
        }
        byte x = b[pos++];
        result |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return result;
        }
      }
      throw new InvalidProtocolBufferException("CodedInputStream encountered a malformed varint.");
    }

    /**
     * A varint as protobuf-java's {@code readRawVarint64} reads it from an array: like
     * {@link #varint}, except that a tenth byte is also accepted when its lowest bit is set (its
     * fast path tests that bit where it means to test the continuation bit).
     */
    private void varint64(int end) throws InvalidProtocolBufferException {
      for (int i = 0; i < 10; i++) {
        if (pos >= end) {
          throw truncated();
        }
        byte x = b[pos++];
        if (x >= 0 || (i == 9 && (x & 1) != 0)) {
          return;
        }
      }
      throw new InvalidProtocolBufferException("CodedInputStream encountered a malformed varint.");
    }

    private void advance(int n, int end) throws InvalidProtocolBufferException {
      if (end - pos < n) {
        throw truncated();
      }
      pos += n;
    }

    private static InvalidProtocolBufferException truncated() {
      return new InvalidProtocolBufferException(
          "While parsing a protocol message, the input ended unexpectedly in the middle of a field.");
    }

    private static InvalidProtocolBufferException tooDeep() {
      return new InvalidProtocolBufferException(
          "Protocol message had too many levels of nesting.  May be malicious.");
    }
  }
}
