package io.sluice.exporter.debug;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.sluice.api.Exporter;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Signal;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to the log: counts ({@code basic}), one line per item ({@code normal}) or the
 * whole batch as OTLP JSON ({@code detailed}). Sampled per second like otelcol's.
 */
final class DebugExporter implements Exporter {
  static final Logger LOG = LoggerFactory.getLogger(DebugExporter.class);
  private static final HexFormat HEX = HexFormat.of();

  private final String name;
  private final DebugConfig config;
  private final Signal signal;
  private final Consumer<String> out;
  private long windowStart;
  private long inWindow;

  DebugExporter(String name, DebugConfig config, Signal signal, Consumer<String> out) {
    this.name = name;
    this.config = config;
    this.signal = signal;
    this.out = out;
  }

  @Override
  public CompletableFuture<Void> push(TelemetryData batch) {
    if (sampled()) {
      out.accept(render(batch));
    }
    return CompletableFuture.completedFuture(null);
  }

  private synchronized boolean sampled() {
    long second = System.nanoTime() / 1_000_000_000L;
    if (second != windowStart) {
      windowStart = second;
      inWindow = 0;
    }
    inWindow++;
    return inWindow <= config.samplingInitial()
        || (inWindow - config.samplingInitial()) % config.samplingThereafter() == 0;
  }

  String render(TelemetryData batch) {
    StringBuilder sb = new StringBuilder();
    sb.append(name).append(' ').append(signal.configName()).append(": ")
        .append(batch.itemCount()).append(' ').append(signal.itemName().replace('_', ' '));
    switch (config.verbosity()) {
      case BASIC -> { }
      case NORMAL -> normal(batch, sb);
      case DETAILED -> detailed(batch, sb);
    }
    return sb.toString();
  }

  private static void normal(TelemetryData batch, StringBuilder sb) {
    switch (batch) {
      case Traces t -> t.resourceSpans().forEach(rs -> rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(s ->
          sb.append("\n  ").append(s.getName()).append(' ').append(HEX.formatHex(s.getTraceId().toByteArray()))
              .append(' ').append(HEX.formatHex(s.getSpanId().toByteArray())).append(attrs(s.getAttributesList())))));
      case Metrics m -> m.resourceMetrics().forEach(rm -> rm.getScopeMetricsList().forEach(sm -> sm.getMetricsList().forEach(metric ->
          sb.append("\n  ").append(metric.getName()).append(' ').append(metric.getDataCase().name().toLowerCase(java.util.Locale.ROOT))
              .append(" points=").append(Metrics.dataPointCount(metric)))));
      case Logs l -> l.resourceLogs().forEach(rl -> rl.getScopeLogsList().forEach(sl -> sl.getLogRecordsList().forEach(r ->
          sb.append("\n  ").append(r.getSeverityText().isEmpty() ? r.getSeverityNumber().name() : r.getSeverityText())
              .append(' ').append(value(r.getBody())).append(attrs(r.getAttributesList())))));
    }
  }

  private static void detailed(TelemetryData batch, StringBuilder sb) {
    MessageOrBuilder proto = switch (batch) {
      case Traces t -> t.toProto();
      case Metrics m -> m.toProto();
      case Logs l -> l.toProto();
    };
    try {
      sb.append('\n').append(JsonFormat.printer().print(proto));
    } catch (InvalidProtocolBufferException e) {
      sb.append("\n  (cannot render: ").append(e.getMessage()).append(')');
    }
  }

  private static String attrs(List<KeyValue> kvs) {
    if (kvs.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" {");
    for (int i = 0; i < kvs.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(kvs.get(i).getKey()).append('=').append(value(kvs.get(i).getValue()));
    }
    return sb.append('}').toString();
  }

  private static String value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> HEX.formatHex(v.getBytesValue().toByteArray());
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(DebugExporter::value).toList().toString();
      case KVLIST_VALUE -> attrs(v.getKvlistValue().getValuesList()).trim();
      default -> "";
    };
  }
}
