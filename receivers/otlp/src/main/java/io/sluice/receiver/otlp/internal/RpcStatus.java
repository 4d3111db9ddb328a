package io.sluice.receiver.otlp.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code google.rpc.Status} message (with an optional {@code google.rpc.RetryInfo} detail)
 * that OTLP uses as the body of HTTP error responses and in gRPC's {@code grpc-status-details-bin}
 * trailer. Encoded by hand: it is three fields, not worth a dependency on the common protos.
 *
 * @param code a gRPC status code
 * @param message the error message
 * @param retryDelay the {@code RetryInfo.retry_delay} detail, or null
 */
public record RpcStatus(int code, String message, Duration retryDelay) {
  /** {@code google.rpc.RetryInfo}'s type URL in an {@code Any}. */
  public static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  /** The protobuf encoding. */
  public byte[] toByteArray() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + message.length());
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      if (code != 0) {
        out.writeInt32(1, code);
      }
      if (!message.isEmpty()) {
        out.writeString(2, message);
      }
      if (retryDelay != null) {
        byte[] any = retryInfoAny(retryDelay);
        out.writeByteArray(3, any);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into memory failed", e);
    }
  }

  /** The OTLP JSON encoding ({@code {"code":14,"message":"..."}}); RetryInfo is left out. */
  public String toJson() {
    return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("code", code).put("message", message).toString();
  }

  private static byte[] retryInfoAny(Duration d) throws IOException {
    ByteArrayOutputStream dur = new ByteArrayOutputStream();
    CodedOutputStream dout = CodedOutputStream.newInstance(dur);
    dout.writeInt64(1, d.getSeconds());
    if (d.getNano() != 0) {
      dout.writeInt32(2, d.getNano());
    }
    dout.flush();
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    CodedOutputStream iout = CodedOutputStream.newInstance(info);
    iout.writeByteArray(1, dur.toByteArray());
    iout.flush();
    ByteArrayOutputStream any = new ByteArrayOutputStream();
    CodedOutputStream aout = CodedOutputStream.newInstance(any);
    aout.writeString(1, RETRY_INFO_TYPE);
    aout.writeByteArray(2, info.toByteArray());
    aout.flush();
    return any.toByteArray();
  }

  /**
   * Decodes a {@code google.rpc.Status}, keeping the first {@code RetryInfo} detail.
   *
   * @throws IOException if the bytes are not a valid message
   */
  public static RpcStatus parse(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    int code = 0;
    String message = "";
    Duration retry = null;
    List<byte[]> details = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> code = in.readInt32();
        case 2 -> message = in.readString();
        case 3 -> details.add(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    for (byte[] any : details) {
      retry = retry != null ? retry : retryDelayOf(any);
    }
    return new RpcStatus(code, message, retry);
  }

  private static Duration retryDelayOf(byte[] anyBytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(anyBytes);
    String type = "";
    byte[] value = new byte[0];
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> type = in.readString();
        case 2 -> value = in.readByteArray();
        default -> in.skipField(tag);
      }
    }
    if (!type.equals(RETRY_INFO_TYPE)) {
      return null;
    }
    CodedInputStream info = CodedInputStream.newInstance(value);
    Duration out = Duration.ZERO;
    for (int tag = info.readTag(); tag != 0; tag = info.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        com.google.protobuf.Duration d = com.google.protobuf.Duration.parseFrom(info.readByteArray());
        out = Duration.ofSeconds(d.getSeconds(), d.getNanos());
      } else {
        info.skipField(tag);
      }
    }
    return out;
  }
}
