package io.sluice.exporter.otlp;

/** {@code compression} of an OTLP exporter's requests. */
public enum Compression {
  /** gzip (the default, as in the Collector). */
  GZIP,
  /** Zstandard: less CPU than gzip for a similar ratio. */
  ZSTD,
  /** No compression. */
  NONE;

  /** The {@code grpc-encoding} / {@code Content-Encoding} value, or null for none. */
  public String encoding() {
    return switch (this) {
      case GZIP -> "gzip";
      case ZSTD -> "zstd";
      case NONE -> null;
    };
  }
}
