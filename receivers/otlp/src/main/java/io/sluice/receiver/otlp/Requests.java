package io.sluice.receiver.otlp;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sluice.api.ClientMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the gRPC and HTTP services check and keep of a request the same way. */
final class Requests {
  /** Retry-After / RetryInfo sent when the pipeline gave no hint. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private Requests() {}

  /** Whether the request carries {@code Authorization: Bearer <expected>}; compared in constant time. */
  static boolean authorized(OtlpReceiverConfig.Auth auth, RequestHeaders headers) {
    if (auth == null) {
      return true;
    }
    String value = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(
        value.substring(7).trim().getBytes(StandardCharsets.UTF_8),
        auth.bearerToken().getBytes(StandardCharsets.UTF_8));
  }

  /** The request's headers (no pseudo-headers) and client address, or EMPTY when not kept. */
  static ClientMetadata metadata(boolean include, ServiceRequestContext ctx, RequestHeaders headers) {
    if (!include) {
      return ClientMetadata.EMPTY;
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    headers.forEach((name, value) -> {
      if (!name.toString().startsWith(":")) {
        values.computeIfAbsent(name.toString(), k -> new ArrayList<>()).add(value);
      }
    });
    return ClientMetadata.of(values, ctx.clientAddress().getHostAddress());
  }

  /** The delay to advertise, rounded up to whole seconds and at least one. */
  static Duration retryAfter(Duration hint) {
    Duration d = hint == null || hint.isNegative() || hint.isZero() ? DEFAULT_RETRY_AFTER : hint;
    long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return Duration.ofSeconds(Math.max(1, seconds));
  }
}
