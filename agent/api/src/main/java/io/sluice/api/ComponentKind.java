package io.sluice.api;

/** What role a component plays; also the top-level configuration section it is declared in. */
public enum ComponentKind {
  RECEIVER("receivers"),
  PROCESSOR("processors"),
  EXPORTER("exporters"),
  EXTENSION("extensions");

  private final String section;

  ComponentKind(String section) {
    this.section = section;
  }

  /** The configuration section, e.g. {@code receivers}. */
  public String section() {
    return section;
  }

  /** The singular lower-case name, e.g. {@code receiver}, used as a self-metric label name. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
