package io.sluice.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.sluice.api.Logs;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.ThrottledLogger;
import java.time.Duration;
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
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of OTLP logs into Loki streams, per tenant: chooses labels (configured maps,
 * otelcol's {@code loki.resource.labels} / {@code loki.attribute.labels} hints, {@code level}),
 * structured metadata ({@code trace_id}, {@code span_id}, configured names) and the line; applies
 * the cardinality guard; sorts entries by time within each stream. Thread-safe.
 */
final class StreamBuilder {
  static final String RESOURCE_LABELS_HINT = "loki.resource.labels";
  static final String ATTRIBUTE_LABELS_HINT = "loki.attribute.labels";
  static final String TENANT_HINT = "loki.tenant";
  static final String FORMAT_HINT = "loki.format";
  /** The label of an entry that has no other: Loki refuses a stream without labels. */
  static final Map<String, String> FALLBACK_LABELS = Map.of("exporter", "sluice");

  /** One log line with its labels and structured metadata, before grouping. */
  record Entry(long timeNanos, String line, Map<String, String> labels, Map<String, String> metadata) {}

  /** One stream: its label set and its entries in time order. */
  record Stream(Map<String, String> labels, List<Entry> entries) {}

  private final LokiExporterConfig config;
  private final Map<LokiExporterConfig.Format, LineFormatter> formatters =
      new java.util.EnumMap<>(LokiExporterConfig.Format.class);
  private final LabelGuard guard;
  private final SelfTelemetry.Counter demotedByValues;
  private final SelfTelemetry.Counter demotedByStreams;
  private final ThrottledLogger warn =
      new ThrottledLogger(LoggerFactory.getLogger(StreamBuilder.class), Duration.ofMinutes(1));

  StreamBuilder(LokiExporterConfig config, SelfTelemetry telemetry) {
    this.config = config;
    for (LokiExporterConfig.Format f : LokiExporterConfig.Format.values()) {
      formatters.put(f, new LineFormatter(f));
    }
    this.guard = new LabelGuard(config.maxLabelValues(), config.labelValuesWindow().toNanos());
    String name = "sluice_exporter_loki_demoted_labels";
    String help = "Label values sent as structured metadata instead, by the cardinality guard.";
    this.demotedByValues = telemetry.counter(name, help, "reason", "max_label_values");
    this.demotedByStreams = telemetry.counter(name, help, "reason", "max_streams");
  }

  /** The streams of a batch by tenant ({@code ""} = no tenant), in first-seen order. */
  Map<String, List<Stream>> build(Logs logs) {
    String batchTenant = config.tenantId();
    if (!config.tenantFromMetadata().isEmpty()) {
      String t = logs.metadata().first(config.tenantFromMetadata());
      if (t != null && !t.isEmpty()) {
        batchTenant = t;
      }
    }
    long now = System.currentTimeMillis() * 1_000_000L;
    Map<String, List<Entry>> byTenant = new LinkedHashMap<>();
    for (ResourceLogs rl : logs.resourceLogs()) {
      List<KeyValue> resource = rl.getResource().getAttributesList();
      Map<String, AnyValue> resAttrs = new HashMap<>();
      resource.forEach(kv -> resAttrs.put(kv.getKey(), kv.getValue()));
      String tenant = batchTenant;
      AnyValue tenantAttr = hinted(resAttrs, TENANT_HINT);
      if (tenantAttr != null && !Json.text(tenantAttr).isEmpty()) {
        tenant = Json.text(tenantAttr);
      }
      Map<String, String> resourceLabels = new LinkedHashMap<>(config.labels().resource());
      addHinted(resAttrs.get(RESOURCE_LABELS_HINT), resourceLabels);
      LineFormatter formatter = formatters.get(format(resAttrs.get(FORMAT_HINT)));
      Set<String> skipResource =
          new HashSet<>(List.of(RESOURCE_LABELS_HINT, ATTRIBUTE_LABELS_HINT, TENANT_HINT, FORMAT_HINT));
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
          out.add(entry(r, resource, resAttrs, sl, baseLabels, skipResource, formatter, now));
        }
      }
    }
    applyLabelGuard(byTenant);
    Map<String, List<Stream>> result = new LinkedHashMap<>();
    byTenant.forEach((tenant, entries) -> {
      if (!entries.isEmpty()) {
        result.put(tenant, group(entries));
      }
    });
    return result;
  }

  private Entry entry(
      LogRecord r,
      List<KeyValue> resource,
      Map<String, AnyValue> resAttrs,
      ScopeLogs sl,
      Map<String, String> baseLabels,
      Set<String> skipResource,
      LineFormatter formatter,
      long now) {
    Map<String, String> labels = new TreeMap<>(baseLabels);
    Map<String, String> attrLabels = config.labels().attributes();
    Set<String> skipAttributes = new HashSet<>(config.structuredMetadata());
    skipAttributes.add(ATTRIBUTE_LABELS_HINT);
    AnyValue hint = null;
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals(ATTRIBUTE_LABELS_HINT)) {
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
      labels.put("level", level(r));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    if (!r.getTraceId().isEmpty()) {
      metadata.put("trace_id", HexFormat.of().formatHex(r.getTraceId().toByteArray()));
    }
    if (!r.getSpanId().isEmpty()) {
      metadata.put("span_id", HexFormat.of().formatHex(r.getSpanId().toByteArray()));
    }
    for (String name : config.structuredMetadata()) {
      AnyValue v = attribute(r.getAttributesList(), name);
      if (v == null) {
        v = resAttrs.get(name);
      }
      if (v != null) {
        metadata.put(labelName(name), Json.text(v));
      }
    }
    String line = formatter.line(r, resource, sl.getScope(), skipAttributes, skipResource);
    long time = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano()
        : r.getObservedTimeUnixNano() != 0 ? r.getObservedTimeUnixNano() : now;
    return new Entry(time, line, labels, metadata);
  }

  private void applyLabelGuard(Map<String, List<Entry>> byTenant) {
    synchronized (guard) {
      guard.roll(System.nanoTime());
      for (List<Entry> entries : byTenant.values()) {
        for (Entry e : entries) {
          var it = e.labels().entrySet().iterator();
          while (it.hasNext()) {
            var label = it.next();
            if (!guard.admit(label.getKey(), label.getValue())) {
              it.remove();
              e.metadata().put(label.getKey(), label.getValue());
              demotedByValues.increment();
              warn.warn("loki: label \"{}\" has more than max_label_values = {} values; "
                  + "further values are sent as structured metadata", label.getKey(), config.maxLabelValues());
            }
          }
        }
      }
    }
  }

  /** Groups entries into streams, demoting the most varied label while there are too many. */
  private List<Stream> group(List<Entry> entries) {
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
      warn.warn("loki: a batch would create {} streams (max_streams = {}); label \"{}\" "
          + "is sent as structured metadata instead", streams.size(), config.maxStreams(), worst);
      streams = groupByLabels(entries);
    }
    List<Stream> out = new ArrayList<>(streams.size());
    streams.forEach((labels, list) -> {
      list.sort(Comparator.comparingLong(Entry::timeNanos));
      out.add(new Stream(labels, list));
    });
    return out;
  }

  private static Map<Map<String, String>, List<Entry>> groupByLabels(List<Entry> entries) {
    Map<Map<String, String>, List<Entry>> streams = new LinkedHashMap<>();
    for (Entry e : entries) {
      Map<String, String> key = e.labels().isEmpty() ? FALLBACK_LABELS : e.labels();
      streams.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
    }
    return streams;
  }

  /** The line format a resource's {@code loki.format} hint asks for, else the configured one. */
  private LokiExporterConfig.Format format(AnyValue hint) {
    if (hint != null) {
      for (LokiExporterConfig.Format f : LokiExporterConfig.Format.values()) {
        if (f.name().equalsIgnoreCase(Json.text(hint))) {
          return f;
        }
      }
    }
    return config.format();
  }

  /** The resource attribute named by the value of hint attribute {@code hint}, or null. */
  private static AnyValue hinted(Map<String, AnyValue> attrs, String hint) {
    AnyValue name = attrs.get(hint);
    return name == null ? null : attrs.get(Json.text(name));
  }

  /** Adds the attributes listed (comma-separated) in an otelcol hint, each as its sanitised name. */
  private static void addHinted(AnyValue hint, Map<String, String> into) {
    if (hint == null) {
      return;
    }
    for (String name : Json.text(hint).split(",")) {
      String n = name.trim();
      if (!n.isEmpty()) {
        into.putIfAbsent(n, labelName(n));
      }
    }
  }

  private static AnyValue attribute(List<KeyValue> attrs, String key) {
    for (KeyValue kv : attrs) {
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }

  /**
   * The {@code level} label: OpenTelemetry severity number ranges TRACE 1–4, DEBUG 5–8, INFO
   * 9–12, WARN 13–16, ERROR 17–20, FATAL 21–24; when unset, the severity text if it names one of
   * these levels; otherwise {@code unknown} (the value Loki itself uses).
   */
  static String level(LogRecord r) {
    int n = r.getSeverityNumberValue();
    if (n >= 1 && n <= 24) {
      return switch ((n - 1) / 4) {
        case 0 -> "trace";
        case 1 -> "debug";
        case 2 -> "info";
        case 3 -> "warn";
        case 4 -> "error";
        default -> "fatal";
      };
    }
    return switch (r.getSeverityText().toLowerCase(java.util.Locale.ROOT)) {
      case "trace" -> "trace";
      case "debug" -> "debug";
      case "info", "information" -> "info";
      case "warn", "warning" -> "warn";
      case "error", "err" -> "error";
      case "fatal", "critical", "crit" -> "fatal";
      default -> "unknown";
    };
  }

  /** A valid Loki label name: every character outside [a-zA-Z0-9_] becomes '_', no leading digit. */
  static String labelName(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 1);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      sb.append(ok ? c : '_');
    }
    if (sb.isEmpty() || Character.isDigit(sb.charAt(0))) {
      sb.insert(0, '_');
    }
    return sb.toString();
  }
}
