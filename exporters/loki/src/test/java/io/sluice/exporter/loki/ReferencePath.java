package io.sluice.exporter.loki;

import com.github.loki4j.pkg.google.protobuf.Timestamp;
import com.github.loki4j.pkg.loki.protobuf.Push.EntryAdapter;
import com.github.loki4j.pkg.loki.protobuf.Push.LabelPairAdapter;
import com.github.loki4j.pkg.loki.protobuf.Push.PushRequest;
import com.github.loki4j.pkg.loki.protobuf.Push.StreamAdapter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.sluice.api.Logs;
import io.sluice.api.SelfTelemetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The exporter's body building as it was before the per-record cost was cut (a map of labels and
 * one of metadata per record, the guard asked per record, loki4j messages built and serialised),
 * kept frozen as the oracle of {@code PushBodyDifferentialTest}, but for the fix of one bug (see
 * the label guard below). It shares with the exporter only
 * what that change did not touch: {@link Json#value}, the label guard, {@code labelName} and
 * {@code level}; its line formatter is {@link ReferenceLineFormatter}, the exporter's as it was
 * before lines were written as bytes. Pure: no compression, the test compresses.
 */
final class ReferencePath {
  private record Entry(long timeNanos, String line, Map<String, String> labels, Map<String, String> metadata) {}

  private static final Map<String, String> FALLBACK_LABELS = Map.of("exporter", "sluice");

  private final LokiExporterConfig config;
  private final LabelGuard guard;
  private final SelfTelemetry.Counter demotedByValues;
  private final SelfTelemetry.Counter demotedByStreams;
  private final long now;

  ReferencePath(LokiExporterConfig config, SelfTelemetry telemetry, long now) {
    this.config = config;
    this.guard = new LabelGuard(config.maxLabelValues(), config.labelValuesWindow().toNanos());
    this.demotedByValues = telemetry.counter("ref_demoted", "", "reason", "max_label_values");
    this.demotedByStreams = telemetry.counter("ref_demoted", "", "reason", "max_streams");
    this.now = now;
  }

  /** The uncompressed protobuf {@code PushRequest} (or the JSON body) per tenant, in order. */
  Map<String, byte[]> bodies(Logs logs, boolean json) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    build(logs).forEach((tenant, streams) -> out.put(tenant, json ? json(streams) : protobuf(streams)));
    return out;
  }

  private Map<String, Map<Map<String, String>, List<Entry>>> build(Logs logs) {
    String batchTenant = config.tenantId();
    if (!config.tenantFromMetadata().isEmpty()) {
      String t = logs.metadata().first(config.tenantFromMetadata());
      if (t != null && !t.isEmpty()) {
        batchTenant = t;
      }
    }
    Map<String, List<Entry>> byTenant = new LinkedHashMap<>();
    for (ResourceLogs rl : logs.resourceLogs()) {
      List<KeyValue> resource = rl.getResource().getAttributesList();
      Map<String, AnyValue> resAttrs = new HashMap<>();
      resource.forEach(kv -> resAttrs.put(kv.getKey(), kv.getValue()));
      String tenant = batchTenant;
      AnyValue tenantName = resAttrs.get(StreamBuilder.TENANT_HINT);
      AnyValue tenantAttr = tenantName == null ? null : resAttrs.get(Json.text(tenantName));
      if (tenantAttr != null && !Json.text(tenantAttr).isEmpty()) {
        tenant = Json.text(tenantAttr);
      }
      Map<String, String> resourceLabels = new LinkedHashMap<>(config.labels().resource());
      addHinted(resAttrs.get(StreamBuilder.RESOURCE_LABELS_HINT), resourceLabels);
      LokiExporterConfig.Format format = config.format();
      AnyValue formatHint = resAttrs.get(StreamBuilder.FORMAT_HINT);
      for (LokiExporterConfig.Format f : LokiExporterConfig.Format.values()) {
        if (formatHint != null && f.name().equalsIgnoreCase(Json.text(formatHint))) {
          format = f;
        }
      }
      ReferenceLineFormatter formatter = new ReferenceLineFormatter(format);
      Set<String> skipResource = new HashSet<>(List.of(StreamBuilder.RESOURCE_LABELS_HINT,
          StreamBuilder.ATTRIBUTE_LABELS_HINT, StreamBuilder.TENANT_HINT, StreamBuilder.FORMAT_HINT));
      skipResource.addAll(resourceLabels.keySet());
      skipResource.addAll(config.structuredMetadata());
      Map<String, String> baseLabels = new TreeMap<>();
      resourceLabels.forEach((attr, label) -> {
        AnyValue v = resAttrs.get(attr);
        if (v != null && !Json.text(v).isEmpty()) {
          baseLabels.put(label, Json.text(v));
        }
      });
      List<Entry> out = byTenant.computeIfAbsent(tenant, t -> new ArrayList<>());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          out.add(entry(r, resource, resAttrs, sl, baseLabels, skipResource, formatter));
        }
      }
    }
    synchronized (guard) {
      guard.roll(System.nanoTime());
      for (List<Entry> entries : byTenant.values()) {
        for (Entry e : entries) {
          var it = e.labels().entrySet().iterator();
          while (it.hasNext()) {
            var label = it.next();
            String name = label.getKey();
            String value = label.getValue();
            if (!guard.admit(name, value)) {
              // The one change to the old code: it read the entry after it.remove(), when TreeMap
              // may have moved the successor's key and value into it, and so sent another label.
              it.remove();
              e.metadata().put(name, value);
              demotedByValues.increment();
            }
          }
        }
      }
    }
    Map<String, Map<Map<String, String>, List<Entry>>> result = new LinkedHashMap<>();
    byTenant.forEach((tenant, entries) -> {
      if (!entries.isEmpty()) {
        result.put(tenant, group(entries));
      }
    });
    return result;
  }

  private Entry entry(LogRecord r, List<KeyValue> resource, Map<String, AnyValue> resAttrs, ScopeLogs sl,
      Map<String, String> baseLabels, Set<String> skipResource, ReferenceLineFormatter formatter) {
    Map<String, String> labels = new TreeMap<>(baseLabels);
    Map<String, String> attrLabels = config.labels().attributes();
    Set<String> skipAttributes = new HashSet<>(config.structuredMetadata());
    skipAttributes.add(StreamBuilder.ATTRIBUTE_LABELS_HINT);
    AnyValue hint = null;
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals(StreamBuilder.ATTRIBUTE_LABELS_HINT)) {
        hint = kv.getValue();
      }
    }
    if (hint != null) {
      attrLabels = new LinkedHashMap<>(attrLabels);
      addHinted(hint, attrLabels);
    }
    for (KeyValue kv : r.getAttributesList()) {
      String label = attrLabels.get(kv.getKey());
      if (label != null) {
        skipAttributes.add(kv.getKey());
        String v = Json.text(kv.getValue());
        if (!v.isEmpty()) {
          labels.put(label, v);
        }
      }
    }
    if (config.labels().level()) {
      labels.put("level", StreamBuilder.level(r));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    if (!r.getTraceId().isEmpty()) {
      metadata.put("trace_id", HexFormat.of().formatHex(r.getTraceId().toByteArray()));
    }
    if (!r.getSpanId().isEmpty()) {
      metadata.put("span_id", HexFormat.of().formatHex(r.getSpanId().toByteArray()));
    }
    for (String name : config.structuredMetadata()) {
      AnyValue v = null;
      for (KeyValue kv : r.getAttributesList()) {
        if (v == null && kv.getKey().equals(name)) {
          v = kv.getValue();
        }
      }
      if (v == null) {
        v = resAttrs.get(name);
      }
      if (v != null) {
        metadata.put(StreamBuilder.labelName(name), Json.text(v));
      }
    }
    StringBuilder line = new StringBuilder();
    formatter.line(line, r, resource, sl.getScope(), skipAttributes, skipResource);
    long time = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano()
        : r.getObservedTimeUnixNano() != 0 ? r.getObservedTimeUnixNano() : now;
    return new Entry(time, line.toString(), labels, metadata);
  }

  private Map<Map<String, String>, List<Entry>> group(List<Entry> entries) {
    Map<Map<String, String>, List<Entry>> streams = groupByLabels(entries);
    while (streams.size() > config.maxStreams()) {
      Map<String, Set<String>> distinct = new TreeMap<>();
      for (Entry e : entries) {
        e.labels().forEach((k, v) -> distinct.computeIfAbsent(k, x -> new HashSet<>()).add(v));
      }
      String worst = distinct.entrySet().stream()
          .max(Comparator.comparingInt((Map.Entry<String, Set<String>> d) -> d.getValue().size()))
          .map(Map.Entry::getKey)
          .orElseThrow();
      long n = 0;
      for (Entry e : entries) {
        String v = e.labels().remove(worst);
        if (v != null) {
          e.metadata().put(worst, v);
          n++;
        }
      }
      demotedByStreams.add(n);
      streams = groupByLabels(entries);
    }
    streams.values().forEach(list -> list.sort(Comparator.comparingLong(Entry::timeNanos)));
    return streams;
  }

  private static Map<Map<String, String>, List<Entry>> groupByLabels(List<Entry> entries) {
    Map<Map<String, String>, List<Entry>> streams = new LinkedHashMap<>();
    for (Entry e : entries) {
      Map<String, String> key = e.labels().isEmpty() ? FALLBACK_LABELS : e.labels();
      streams.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
    }
    return streams;
  }

  private static void addHinted(AnyValue hint, Map<String, String> into) {
    if (hint == null) {
      return;
    }
    for (String name : Json.text(hint).split(",")) {
      String n = name.trim();
      if (!n.isEmpty()) {
        into.putIfAbsent(n, StreamBuilder.labelName(n));
      }
    }
  }

  private static byte[] protobuf(Map<Map<String, String>, List<Entry>> streams) {
    PushRequest.Builder req = PushRequest.newBuilder();
    streams.forEach((labels, entries) -> {
      StreamAdapter.Builder sb = req.addStreamsBuilder().setLabels(labelString(labels));
      for (Entry e : entries) {
        EntryAdapter.Builder eb = sb.addEntriesBuilder()
            .setTimestamp(Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(e.timeNanos(), 1_000_000_000L))
                .setNanos((int) Math.floorMod(e.timeNanos(), 1_000_000_000L)))
            .setLine(e.line());
        e.metadata().forEach((k, v) ->
            eb.addStructuredMetadata(LabelPairAdapter.newBuilder().setName(k).setValue(v)));
      }
    });
    return req.build().toByteArray();
  }

  private static byte[] json(Map<Map<String, String>, List<Entry>> streams) {
    StringBuilder sb = new StringBuilder(256).append("{\"streams\":[");
    boolean firstStream = true;
    for (var s : streams.entrySet()) {
      sb.append(firstStream ? "" : ",").append("{\"stream\":");
      firstStream = false;
      object(sb, s.getKey());
      sb.append(",\"values\":[");
      for (int j = 0; j < s.getValue().size(); j++) {
        Entry e = s.getValue().get(j);
        sb.append(j == 0 ? "[" : ",[").append('"').append(e.timeNanos()).append("\",");
        string(sb, e.line());
        if (!e.metadata().isEmpty()) {
          object(sb.append(','), e.metadata());
        }
        sb.append(']');
      }
      sb.append("]}");
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void object(StringBuilder sb, Map<String, String> map) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(sb, e.getKey()).append(':');
      string(sb, e.getValue());
    }
    sb.append('}');
  }

  private static String labelString(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(64).append('{');
    labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      string(sb.append(e.getKey()).append('='), e.getValue());
    });
    return sb.append('}').toString();
  }

  /** {@code Json.string} as it was: one character at a time. */
  static StringBuilder string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }
}
