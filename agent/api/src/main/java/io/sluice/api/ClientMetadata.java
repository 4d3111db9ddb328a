package io.sluice.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Information about the client that sent a piece of data: request headers kept by a receiver's
 * {@code include_metadata} option (names lower-cased) and the client address. It travels with the
 * data so that processors (e.g. {@code batch} with {@code metadata_keys}) and exporters (e.g. a
 * per-tenant header) can use it.
 */
public final class ClientMetadata {
  /** No metadata: what data carries when the receiver did not keep any. */
  public static final ClientMetadata EMPTY = new ClientMetadata(Map.of(), null);

  private final Map<String, List<String>> values;
  private final String clientAddress;

  private ClientMetadata(Map<String, List<String>> values, String clientAddress) {
    this.values = values;
    this.clientAddress = clientAddress;
  }

  /**
   * Creates metadata from header-like values; keys are lower-cased.
   *
   * @param clientAddress the peer's IP address, or null if unknown
   */
  public static ClientMetadata of(Map<String, List<String>> values, String clientAddress) {
    if (values.isEmpty() && clientAddress == null) {
      return EMPTY;
    }
    Map<String, List<String>> copy = new TreeMap<>();
    values.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    return new ClientMetadata(Map.copyOf(copy), clientAddress);
  }

  /** All values for a key (case-insensitive), or an empty list. */
  public List<String> get(String key) {
    return values.getOrDefault(key.toLowerCase(Locale.ROOT), List.of());
  }

  /** The first value for a key (case-insensitive), or null. */
  public String first(String key) {
    List<String> v = get(key);
    return v.isEmpty() ? null : v.get(0);
  }

  /** Every key and its values, keys lower-cased. */
  public Map<String, List<String>> asMap() {
    return values;
  }

  /** The client's IP address, or null if the receiver did not record it. */
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientMetadata m
        && values.equals(m.values)
        && java.util.Objects.equals(clientAddress, m.clientAddress);
  }

  @Override
  public int hashCode() {
    return values.hashCode() * 31 + java.util.Objects.hashCode(clientAddress);
  }

  @Override
  public String toString() {
    return "ClientMetadata" + values + (clientAddress == null ? "" : "@" + clientAddress);
  }
}
