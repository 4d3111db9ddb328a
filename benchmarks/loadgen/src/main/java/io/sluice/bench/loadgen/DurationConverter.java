package io.sluice.bench.loadgen;

import java.time.Duration;
import picocli.CommandLine;

/** Reads durations written like {@code 60s}, {@code 500ms}, {@code 2m} or ISO-8601 {@code PT60S}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** Parses {@code value}; throws {@link IllegalArgumentException} saying what is expected. */
  public static Duration parse(String value) {
    String v = value.trim();
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException(value);
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "\"" + value + "\" (expected: a duration such as 500ms, 60s, 2m or PT60S)", e);
    }
  }
}
