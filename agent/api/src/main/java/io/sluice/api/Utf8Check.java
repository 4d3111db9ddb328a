package io.sluice.api;

/**
 * Well-formed UTF-8 as protobuf-java requires of string fields: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no truncated sequence.
 */
final class Utf8Check {
  private Utf8Check() {}

  /** Whether {@code b[from, to)} is well-formed UTF-8. */
  static boolean valid(byte[] b, int from, int to) {
    int i = from;
    // Most attribute keys and values are ASCII: check eight bytes at a time while they are.
    while (i + 8 <= to && (getLong(b, i) & 0x8080808080808080L) == 0) {
      i += 8;
    }
    while (i < to) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      if (c < (byte) 0xc2) {
        return false; // a continuation byte, or 0xc0/0xc1 (overlong two-byte forms)
      }
      if (c < (byte) 0xe0) {
        if (i + 1 >= to || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (c < (byte) 0xf0) {
        if (i + 2 >= to) {
          return false;
        }
        int c1 = b[i + 1];
        if (!continuation(c1) || !continuation(b[i + 2])
            // E0 needs A0..BF (else overlong), ED needs 80..9F (else a surrogate)
            || (c == (byte) 0xe0 && c1 < (byte) 0xa0)
            || (c == (byte) 0xed && c1 >= (byte) 0xa0)) {
          return false;
        }
        i += 3;
      } else {
        if (c > (byte) 0xf4 || i + 3 >= to) {
          return false;
        }
        int c1 = b[i + 1];
        if (!continuation(c1) || !continuation(b[i + 2]) || !continuation(b[i + 3])
            // F0 needs 90..BF (else overlong), F4 needs 80..8F (else above U+10FFFF)
            || (c == (byte) 0xf0 && c1 < (byte) 0x90)
            || (c == (byte) 0xf4 && c1 >= (byte) 0x90)) {
          return false;
        }
        i += 4;
      }
    }
    return true;
  }

  private static boolean continuation(int c) {
    return c < (byte) 0xc0; // 0x80..0xbf as signed bytes: -128..-65
  }

  private static long getLong(byte[] b, int i) {
    return (long) LONGS.get(b, i);
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
}
