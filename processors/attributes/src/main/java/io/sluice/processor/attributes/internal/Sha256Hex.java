package io.sluice.processor.attributes.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Collector's {@code hash} of attribute values, with one digest and its buffers reused for every
 * value: a {@code MessageDigest.getInstance} per value costs a provider look-up and a fresh digest
 * state. Not thread-safe.
 */
final class Sha256Hex {
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final HexFormat HEX = HexFormat.of();

  private final MessageDigest digest;
  private final byte[] out = new byte[32];
  private final byte[] number = new byte[8];

  private Sha256Hex(MessageDigest digest) {
    this.digest = digest;
  }

  /** A new SHA-256 digest, kept unused as the original that {@link #copyOf} clones. */
  static MessageDigest prototype() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** A hasher with its own copy of {@code prototype}: cloning skips the provider look-up. */
  static Sha256Hex copyOf(MessageDigest prototype) {
    try {
      return new Sha256Hex((MessageDigest) prototype.clone());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests are cloneable", e);
    }
  }

  /**
   * SHA-256, hex-encoded, of a string's UTF-8 bytes, a bool's single byte (1 or 0), or an int's or
   * double's 8 little-endian bytes; null for other types.
   */
  AnyValue hash(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> digest.update(v.getStringValue().getBytes(StandardCharsets.UTF_8));
      case BOOL_VALUE -> digest.update((byte) (v.getBoolValue() ? 1 : 0));
      case INT_VALUE -> {
        LONG_LE.set(number, 0, v.getIntValue());
        digest.update(number);
      }
      case DOUBLE_VALUE -> {
        LONG_LE.set(number, 0, Double.doubleToRawLongBits(v.getDoubleValue()));
        digest.update(number);
      }
      default -> {
        return null;
      }
    }
    try {
      // digest() also resets the digest for the next value.
      digest.digest(out, 0, out.length);
    } catch (DigestException e) {
      throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
    }
    return Actions.str(HEX.formatHex(out));
  }
}
