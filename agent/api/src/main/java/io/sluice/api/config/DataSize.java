package io.sluice.api.config;

/**
 * A number of bytes, written in configuration as a plain number or with a unit ({@code 512KiB},
 * {@code 4MiB}, {@code 1GB}; HOCON size syntax).
 *
 * @param bytes the size in bytes, never negative
 */
public record DataSize(long bytes) {
  /** Checks the argument. */
  public DataSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
  }

  /** A size in bytes. */
  public static DataSize ofBytes(long bytes) {
    return new DataSize(bytes);
  }

  /** A size in KiB. */
  public static DataSize ofKibibytes(long kib) {
    return new DataSize(Math.multiplyExact(kib, 1024L));
  }

  /** A size in MiB. */
  public static DataSize ofMebibytes(long mib) {
    return new DataSize(Math.multiplyExact(mib, 1024L * 1024));
  }

  @Override
  public String toString() {
    if (bytes > 0 && bytes % (1024L * 1024) == 0) {
      return bytes / (1024L * 1024) + "MiB";
    }
    if (bytes > 0 && bytes % 1024 == 0) {
      return bytes / 1024 + "KiB";
    }
    return Long.toString(bytes);
  }
}
