package io.sluice.core.config;

import com.typesafe.config.ConfigOrigin;

/**
 * One problem in the configuration, located by file, line and full key path.
 *
 * @param origin where in which file; may be null when unknown
 * @param path the full key path, e.g. {@code exporters.loki.endpoint}
 * @param message what was found and what is expected
 */
public record ConfigIssue(ConfigOrigin origin, String path, String message) {

  /** The file (or resource) name, or {@code <config>} when unknown. */
  public String file() {
    if (origin == null) {
      return "<config>";
    }
    if (origin.filename() != null) {
      return origin.filename();
    }
    if (origin.resource() != null) {
      return origin.resource();
    }
    return origin.description();
  }

  /** The 1-based line, or -1 when unknown. */
  public int line() {
    return origin == null ? -1 : origin.lineNumber();
  }

  /** {@code file:line: path: message}, the form every config error is printed in. */
  public String format() {
    StringBuilder sb = new StringBuilder(file());
    if (line() > 0) {
      sb.append(':').append(line());
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(message).toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
