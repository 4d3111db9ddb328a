package io.sluice.receiver.otlp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * The OTLP JSON encoding (OTLP spec, "JSON Protobuf Encoding"): protobuf's canonical JSON mapping
 * with lower camel case field names and enums as integers, except that trace and span ids are hex
 * strings rather than base64. {@link JsonFormat} does the mapping; this class converts the ids on
 * the way in and out.
 */
public final class OtlpJson {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().printingEnumsAsInts().omittingInsignificantWhitespace();
  /**
   * Id field name to its length in bytes. {@link JsonFormat} also accepts the proto field names, so
   * those are ids in hex too (as the Collector reads them), not base64 of any length.
   */
  private static final Map<String, Integer> ID_FIELDS = Map.of("traceId", 16, "spanId", 8, "parentSpanId", 8,
      "trace_id", 16, "span_id", 8, "parent_span_id", 8);
  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OtlpJson() {}

  /**
   * Merges OTLP JSON into {@code builder}.
   *
   * @throws InvalidProtocolBufferException with a message naming what is wrong (bad JSON, a field
   *     of the wrong type, an id of the wrong length or not hex)
   */
  public static void merge(String json, Message.Builder builder) throws InvalidProtocolBufferException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidProtocolBufferException("invalid JSON: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidProtocolBufferException("invalid OTLP JSON: expected an object at the top level");
    }
    hexToBase64(tree);
    try {
      PARSER.merge(tree.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidProtocolBufferException("invalid OTLP JSON: " + e.getMessage());
    }
  }

  /** Encodes {@code message} as OTLP JSON. */
  public static String print(Message message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      base64ToHex(tree);
      return tree.toString();
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("OTLP messages always print as JSON", e);
    }
  }

  private static void hexToBase64(JsonNode e) throws InvalidProtocolBufferException {
    if (e.isArray()) {
      for (JsonNode x : e) {
        hexToBase64(x);
      }
    } else if (e.isObject()) {
      ObjectNode o = (ObjectNode) e;
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        Integer len = ID_FIELDS.get(f.getKey());
        if (len != null && !f.getValue().isNull()) {
          f.setValue(o.textNode(Base64.getEncoder().encodeToString(decodeId(f.getKey(), f.getValue(), len))));
        } else {
          hexToBase64(f.getValue());
        }
      }
    }
  }

  private static byte[] decodeId(String field, JsonNode value, int len) throws InvalidProtocolBufferException {
    if (!value.isTextual()) {
      // JsonFormat would read a number as base64 of any length.
      throw new InvalidProtocolBufferException("invalid OTLP JSON: " + field + " " + shorten(value.toString())
          + " is not a string (expected: " + len * 2 + " hex characters or empty)");
    }
    String hex = value.asText();
    if (hex.isEmpty()) {
      return new byte[0];
    }
    if (hex.length() != len * 2) {
      throw new InvalidProtocolBufferException("invalid OTLP JSON: " + field + " \"" + shorten(hex) + "\" has "
          + hex.length() + " characters (expected: " + len * 2 + " hex characters or empty)");
    }
    try {
      return HEX.parseHex(hex);
    } catch (IllegalArgumentException ex) {
      throw new InvalidProtocolBufferException("invalid OTLP JSON: " + field + " \"" + shorten(hex) + "\" is not hex");
    }
  }

  /** The start of a value for an error message, which goes back to the client. */
  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...(" + s.length() + " chars)";
  }

  private static void base64ToHex(JsonNode e) {
    if (e.isArray()) {
      for (JsonNode x : e) {
        base64ToHex(x);
      }
    } else if (e.isObject()) {
      ObjectNode o = (ObjectNode) e;
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (ID_FIELDS.containsKey(f.getKey()) && f.getValue().isTextual()) {
          f.setValue(o.textNode(HEX.formatHex(Base64.getDecoder().decode(f.getValue().asText()))));
        } else {
          base64ToHex(f.getValue());
        }
      }
    }
  }
}
