package io.sluice.processor.sampling;

import com.google.protobuf.ByteString;

/**
 * The arithmetic of OpenTelemetry consistent probability sampling (OTEP 235) and of the
 * OpenTelemetry Collector's {@code hash_seed} mode, on plain {@code long}s.
 *
 * <p>Randomness {@code R} and threshold {@code T} are 56-bit unsigned values; an item is kept when
 * {@code R >= T}. {@code T = 0} keeps everything, {@code T = 2^56} ({@link #NEVER}) nothing.
 */
final class Sampling {
  /** 2^56: the number of distinct randomness values, and the never-sample threshold. */
  static final long MAX_ADJUSTED_COUNT = 1L << 56;
  /** Keeps everything; encoded as {@code th:0}. */
  static final long ALWAYS = 0;
  /** Keeps nothing; has no encoding. */
  static final long NEVER = MAX_ADJUSTED_COUNT;
  /** The randomness used when there is none: every threshold but {@link #NEVER} keeps it. */
  static final long ALL_PROBABILITIES_RANDOMNESS = MAX_ADJUSTED_COUNT - 1;
  /** 2^-56: the smallest probability a threshold can express. */
  static final double MIN_PROBABILITY = 1.0 / MAX_ADJUSTED_COUNT;

  static final int NUM_HEX_DIGITS = 14;
  private static final int HEX_BITS = 4;

  /** The Collector's hash buckets: 14 bits. */
  static final int NUM_HASH_BUCKETS = 0x4000;
  private static final int HASH_BUCKETS_LG2 = 14;
  private static final int HASH_BUCKET_MASK = NUM_HASH_BUCKETS - 1;

  private Sampling() {}

  /** Whether randomness {@code r} is kept by threshold {@code t}. */
  static boolean shouldSample(long threshold, long randomness) {
    return randomness >= threshold;
  }

  /** The probability a threshold keeps: {@code (2^56 - T) / 2^56}. */
  static double probability(long threshold) {
    return (double) (MAX_ADJUSTED_COUNT - threshold) / MAX_ADJUSTED_COUNT;
  }

  /**
   * The threshold for a probability, rounded to {@code precision} hex digits (more near 0 and 1, so
   * the relative error stays small), as the Collector's {@code ProbabilityToThresholdWithPrecision}.
   *
   * @return the threshold, or -1 when the probability is outside {@code [2^-56, 1]}
   */
  static long thresholdFor(double probability, int precision) {
    if (precision == 0) {
      precision = NUM_HEX_DIGITS;
    }
    if (!(probability >= MIN_PROBABILITY && probability <= 1)) {
      return -1;
    }
    if (probability == 1) {
      return ALWAYS;
    }
    int expF = frexpExponent(probability);
    int expR = frexpExponent(1 - probability);
    precision = Math.min(NUM_HEX_DIGITS,
        Math.max(precision + expF / -HEX_BITS, precision + expR / -HEX_BITS));
    long scaled = (long) Math.rint(probability * MAX_ADJUSTED_COUNT);
    if (probability * MAX_ADJUSTED_COUNT - Math.floor(probability * MAX_ADJUSTED_COUNT) == 0.5) {
      // Go's math.Round rounds half away from zero; rint rounds half to even.
      scaled = (long) Math.floor(probability * MAX_ADJUSTED_COUNT) + 1;
    }
    long threshold = MAX_ADJUSTED_COUNT - scaled;
    int shift = HEX_BITS * (NUM_HEX_DIGITS - precision);
    if (shift != 0) {
      long half = 1L << (shift - 1);
      threshold += half;
      threshold >>>= shift;
      threshold <<= shift;
    }
    return threshold;
  }

  /** The exponent Go's {@code math.Frexp} returns: {@code x = frac * 2^exp}, frac in [0.5, 1). */
  private static int frexpExponent(double x) {
    if (x == 0) {
      return 0;
    }
    if (Math.getExponent(x) < Double.MIN_EXPONENT) {
      return frexpExponent(x * 0x1p54) - 54;
    }
    return Math.getExponent(x) + 1;
  }

  /**
   * The {@code th} encoding: 14 hex digits with trailing zeros removed, {@code "0"} for {@link
   * #ALWAYS}, and the empty string for {@link #NEVER} (which cannot be encoded).
   */
  static String tvalue(long threshold) {
    if (threshold == ALWAYS) {
      return "0";
    }
    if (threshold >= NEVER) {
      return "";
    }
    String hex = Long.toHexString(MAX_ADJUSTED_COUNT + threshold).substring(1);
    int end = hex.length();
    while (end > 0 && hex.charAt(end - 1) == '0') {
      end--;
    }
    return hex.substring(0, end);
  }

  /** Parses a {@code th} value (1 to 14 hex digits); -1 if invalid. */
  static long parseTvalue(String s) {
    if (s.isEmpty() || s.length() > NUM_HEX_DIGITS || !isHex(s)) {
      return -1;
    }
    return Long.parseLong(s, 16) << (HEX_BITS * (NUM_HEX_DIGITS - s.length()));
  }

  /** Parses an {@code rv} value (exactly 14 hex digits); -1 if invalid. */
  static long parseRvalue(String s) {
    if (s.length() != NUM_HEX_DIGITS || !isHex(s)) {
      return -1;
    }
    return Long.parseLong(s, 16);
  }

  /** The {@code rv} encoding: 14 hex digits, zero-padded. */
  static String rvalue(long randomness) {
    return Long.toHexString(MAX_ADJUSTED_COUNT + randomness).substring(1);
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** W3C Trace Context level 2 randomness: the trace id's low 56 bits (its last 7 bytes). */
  static long traceIdRandomness(ByteString traceId) {
    long r = 0;
    for (int i = 9; i < 16; i++) {
      r = (r << 8) | (traceId.byteAt(i) & 0xff);
    }
    return r;
  }

  /** Whether a trace id is valid: 16 bytes, not all zero. */
  static boolean isValidTraceId(ByteString traceId) {
    if (traceId.size() != 16) {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      if (traceId.byteAt(i) != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The Collector's hash: 32-bit FNV-1a over the seed's four bytes (little-endian) followed by the
   * data.
   */
  static int fnv1a32(ByteString data, long seed) {
    int h = 0x811c9dc5;
    for (int i = 0; i < 4; i++) {
      h ^= (int) ((seed >>> (8 * i)) & 0xff);
      h *= 0x01000193;
    }
    for (int i = 0; i < data.size(); i++) {
      h ^= data.byteAt(i) & 0xff;
      h *= 0x01000193;
    }
    return h;
  }

  /**
   * The Collector's {@code hash_seed} randomness: the 14-bit hash bucket {@code h} turned into a
   * 56-bit value whose top 14 bits are {@code 2^14 - 1 - h}, so that {@code R >= T} holds exactly
   * when {@code h < scaled rate}, followed by a mix of the hash's 18 unused bits and {@code h}.
   */
  static long hashRandomness(ByteString data, long seed) {
    long hashed32 = fnv1a32(data, seed) & 0xffffffffL;
    long hashed = hashed32 & HASH_BUCKET_MASK;
    long rprime14 = NUM_HASH_BUCKETS - 1 - hashed;
    long unused18 = hashed32 >>> (32 - HASH_BUCKETS_LG2);
    long mixed28 = unused18 ^ (unused18 << 10);
    return (rprime14 << 42) | (mixed28 << 14) | hashed;
  }

  /** The 14-bit bucket {@code hash_seed} compares, for tests and documentation. */
  static int hashBucket(ByteString data, long seed) {
    return fnv1a32(data, seed) & HASH_BUCKET_MASK;
  }

  /**
   * The {@code hash_seed} mode's scaled rate: {@code (uint32)(float32(pct) * 163.84f)}, computed in
   * 32-bit floating point and truncated, exactly as the Collector has always done.
   */
  static long hashScaledRate(double percentage) {
    float pct = (float) Math.min(percentage, 100.0);
    return (long) (pct * (float) (NUM_HASH_BUCKETS / 100.0));
  }

  /** The {@code hash_seed} threshold for a scaled rate: {@code (2^14 - rate) << 42}. */
  static long hashThreshold(long scaledRate) {
    return (NUM_HASH_BUCKETS - scaledRate) << 42;
  }
}
