package io.sluice.api;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A component's identity in configuration: {@code type} or {@code type/name}, for example
 * {@code otlp} or {@code otlp/gateway}.
 *
 * @param type the factory type, lower_snake_case
 * @param name the instance name after the slash, or the empty string
 */
public record ComponentId(String type, String name) {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Pattern NAME = Pattern.compile("[^/\\s]{1,1024}");

  /** Creates an id; use {@link #parse} for user input. */
  public ComponentId {
    requireNonNull(type, "type");
    requireNonNull(name, "name");
  }

  /** Whether {@code type} follows the rule every factory type must follow: lower_snake_case. */
  public static boolean isValidType(String type) {
    return type != null && TYPE.matcher(type).matches();
  }

  /**
   * Parses {@code type} or {@code type/name}.
   *
   * @throws IllegalArgumentException with a message that says what is expected
   */
  public static ComponentId parse(String id) {
    requireNonNull(id, "id");
    int slash = id.indexOf('/');
    String type = slash < 0 ? id : id.substring(0, slash);
    String name = slash < 0 ? "" : id.substring(slash + 1);
    if (!isValidType(type)) {
      throw new IllegalArgumentException(
          "component id \"" + id + "\" (expected: type or type/name, type in lower_snake_case)");
    }
    if (slash >= 0 && !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "component id \"" + id + "\" (expected: a non-empty name after '/', without '/' or spaces)");
    }
    return new ComponentId(type, name);
  }

  @Override
  public String toString() {
    return name.isEmpty() ? type : type + "/" + name;
  }
}
