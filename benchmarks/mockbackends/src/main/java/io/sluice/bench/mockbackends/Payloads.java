package io.sluice.bench.mockbackends;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;
import org.xerial.snappy.Snappy;

/** Body decoding helpers shared by the mock back ends: compression, gRPC framing, JSON paths. */
final class Payloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  /** The body with its {@code content-encoding} (gzip, snappy or none) removed. */
  static byte[] decode(RequestHeaders headers, byte[] body) throws IOException {
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding == null || encoding.equalsIgnoreCase("identity")) {
      return body;
    }
    return switch (encoding.toLowerCase(java.util.Locale.ROOT)) {
      case "gzip" -> gunzip(body);
      case "snappy" -> Snappy.uncompress(body);
      default -> throw new IOException("unsupported content-encoding: " + encoding);
    };
  }

  static byte[] gunzip(byte[] body) throws IOException {
    try (var in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    }
  }

  static boolean isJson(RequestHeaders headers) {
    var type = headers.contentType();
    return type != null && type.subtype().contains("json");
  }

  /**
   * The message of a unary gRPC request body: the 5-byte prefix removed and, when its compressed
   * flag is set, decompressed per {@code grpc-encoding} (gzip only).
   */
  static byte[] grpcMessage(RequestHeaders headers, byte[] body) throws IOException {
    if (body.length < 5) {
      throw new IOException("gRPC body shorter than its 5-byte prefix: " + body.length);
    }
    int length = ((body[1] & 0xff) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
    if (length != body.length - 5) {
      throw new IOException("gRPC message length " + length + " but " + (body.length - 5) + " bytes follow");
    }
    byte[] message = java.util.Arrays.copyOfRange(body, 5, body.length);
    if (body[0] == 0) {
      return message;
    }
    String encoding = headers.get("grpc-encoding");
    if (!"gzip".equalsIgnoreCase(encoding)) {
      throw new IOException("unsupported grpc-encoding: " + encoding);
    }
    return gunzip(message);
  }

  /**
   * Counts array elements at the end of a path of JSON object keys, where each level names the
   * keys to descend into (arrays are walked through), e.g. {@code resourceSpans/scopeSpans/spans}.
   */
  static long countJson(byte[] body, String[][] path) throws IOException {
    return countJson(JSON.readTree(body), path, 0);
  }

  private static long countJson(JsonNode node, String[][] path, int depth) {
    if (node.isArray()) {
      long n = 0;
      for (JsonNode element : node) {
        n += countJson(element, path, depth);
      }
      return n;
    }
    long n = 0;
    for (String key : path[depth]) {
      JsonNode child = node.get(key);
      if (child == null) {
        continue;
      }
      n += depth == path.length - 1 ? (child.isArray() ? child.size() : 1) : countJson(child, path, depth + 1);
    }
    return n;
  }
}
