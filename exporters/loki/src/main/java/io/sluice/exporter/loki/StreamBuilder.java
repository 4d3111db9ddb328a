package io.sluice.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.sluice.api.Logs;
import io.sluice.api.SelfTelemetry;
import io.sluice.api.ThrottledLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
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
  /** One stream: its labels and its entries in time order (ties in batch order). */
  record Stream(Labels labels, List<Entry> entries) {}

  /** The {@code level} label values; {@link #levelIndex} indexes them. */
  private static final String[] LEVELS = {"trace", "debug", "info", "warn", "error", "fatal", "unknown"};
  private static final Comparator<Entry> TIME_ORDER =
      Comparator.comparingLong((Entry e) -> e.timeNanos).thenComparingInt(e -> e.seq);

  private final LokiExporterConfig config;
  private final LongSupplier now;
  private final Map<LokiExporterConfig.Format, LineFormatter> formatters =
      new java.util.EnumMap<>(LokiExporterConfig.Format.class);
  /** Record attributes never written into the line: the hint, structured metadata, label sources. */
  private final Set<String> skipAttributes = new HashSet<>();
  /** {@code structured_metadata} names sanitised, in the same order. */
  private final List<String> metadataNames;
  private final LabelGuard guard;
  private final SelfTelemetry.Counter demotedByValues;
  private final SelfTelemetry.Counter demotedByStreams;
  private final ThrottledLogger warn =
      new ThrottledLogger(LoggerFactory.getLogger(StreamBuilder.class), Duration.ofMinutes(1));

  StreamBuilder(LokiExporterConfig config, SelfTelemetry telemetry) {
    this(config, telemetry, () -> System.currentTimeMillis() * 1_000_000L);
  }

  /** With {@code now}, the time in Unix nanoseconds of records that carry none (tests fix it). */
  StreamBuilder(LokiExporterConfig config, SelfTelemetry telemetry, LongSupplier now) {
    this.config = config;
    this.now = now;
    for (LokiExporterConfig.Format f : LokiExporterConfig.Format.values()) {
      formatters.put(f, new LineFormatter(f));
    }
    skipAttributes.add(ATTRIBUTE_LABELS_HINT);
    skipAttributes.addAll(config.structuredMetadata());
    skipAttributes.addAll(config.labels().attributes().keySet());
    this.metadataNames = config.structuredMetadata().stream().map(StreamBuilder::labelName).toList();
    this.guard = new LabelGuard(config.maxLabelValues(), config.labelValuesWindow().toNanos());
    String name = "sluice_exporter_loki_demoted_labels";
    String help = "Label values sent as structured metadata instead, by the cardinality guard.";
    this.demotedByValues = telemetry.counter(name, help, "reason", "max_label_values");
    this.demotedByStreams = telemetry.counter(name, help, "reason", "max_streams");
  }

  /**
   * The streams of a batch by tenant ({@code ""} = no tenant), in first-seen order; their lines
   * are in {@code lines}, which must stay untouched while the streams are used.
   */
  Map<String, List<Stream>> build(Logs logs, LineBuffer lines) {
    String batchTenant = config.tenantId();
    if (!config.tenantFromMetadata().isEmpty()) {
      String t = logs.metadata().first(config.tenantFromMetadata());
      if (t != null && !t.isEmpty()) {
        batchTenant = t;
      }
    }
    long now = this.now.getAsLong();
    int[] seq = {0};
    String tenantOfBatch = batchTenant;
    // Streams keyed by the labels records chose, before the guard; first-seen order.
    Map<String, Map<Labels, List<Entry>>> byTenant = new LinkedHashMap<>();
    // One resource at a time, parsed from the received bytes and dropped once its lines are
    // written: several workers each holding a whole parsed batch crowd a sidecar's heap.
    logs.forEachResourceLogs(rl -> {
      List<KeyValue> resource = rl.getResource().getAttributesList();
      Map<String, AnyValue> resAttrs = new HashMap<>();
      resource.forEach(kv -> resAttrs.put(kv.getKey(), kv.getValue()));
      String tenant = tenantOfBatch;
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
      TreeMap<String, String> baseLabels = new TreeMap<>();
      resourceLabels.forEach((attr, label) -> {
        AnyValue v = resAttrs.get(attr);
        if (v != null && !Json.text(v).isEmpty()) {
          baseLabels.put(label, Json.text(v));
        }
      });
      // The stream entries of this resource's records that take no labels from their attributes,
      // by level: looked up once per resource instead of once per record.
      List<List<Entry>> entriesByLevel = new ArrayList<>(Collections.nCopies(LEVELS.length + 1, null));
      Map<Labels, List<Entry>> streams = byTenant.computeIfAbsent(tenant, t -> new LinkedHashMap<>());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        byte[] tail = formatter.tail(resource, sl.getScope(), skipResource);
        // by index: an iterator per record and attribute list shows in profiles
        List<LogRecord> records = sl.getLogRecordsList();
        for (int i = 0; i < records.size(); i++) {
          LogRecord r = records.get(i);
          AnyValue hint = attributeLabelsHint(r);
          Set<String> skip = skipAttributes;
          List<Entry> entries;
          if (hint == null && config.labels().attributes().isEmpty()) {
            int level = config.labels().level() ? levelIndex(r) : LEVELS.length;
            entries = entriesByLevel.get(level);
            if (entries == null) {
              TreeMap<String, String> l = new TreeMap<>(baseLabels);
              if (level < LEVELS.length) {
                l.put("level", LEVELS[level]);
              }
              entries = streams.computeIfAbsent(Labels.of(l), k -> new ArrayList<>());
              entriesByLevel.set(level, entries);
            }
          } else {
            Map<String, String> attrLabels = config.labels().attributes();
            if (hint != null) {
              attrLabels = new LinkedHashMap<>(attrLabels);
              addHinted(hint, attrLabels);
              skip = new HashSet<>(skipAttributes);
              skip.addAll(attrLabels.keySet());
            }
            entries = streams.computeIfAbsent(attributeLabels(r, baseLabels, attrLabels), k -> new ArrayList<>());
          }
          int start = lines.size();
          formatter.line(lines, r, skip, tail);
          long time = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano()
              : r.getObservedTimeUnixNano() != 0 ? r.getObservedTimeUnixNano() : now;
          Entry e = new Entry(time, seq[0]++, lines, start, lines.size() - start);
          addMetadata(e, r, resAttrs);
          entries.add(e);
        }
      }
    });
    applyLabelGuard(byTenant);
    Map<String, List<Stream>> result = new LinkedHashMap<>();
    byTenant.forEach((tenant, streams) -> {
      if (!streams.isEmpty()) {
        result.put(tenant, group(streams));
      }
    });
    return result;
  }

  /** The value of the record's {@code loki.attribute.labels} hint (the last one), or null. */
  private static AnyValue attributeLabelsHint(LogRecord r) {
    AnyValue hint = null;
    for (int i = 0; i < r.getAttributesCount(); i++) {
      KeyValue kv = r.getAttributes(i);
      if (kv.getKey().equals(ATTRIBUTE_LABELS_HINT)) {
        hint = kv.getValue();
      }
    }
    return hint;
  }

  /** The labels of a record that takes labels from its attributes: resource's, attributes', level. */
  private Labels attributeLabels(LogRecord r, Map<String, String> baseLabels, Map<String, String> attrLabels) {
    TreeMap<String, String> labels = new TreeMap<>(baseLabels);
    for (KeyValue kv : r.getAttributesList()) {
      String label = attrLabels.get(kv.getKey());
      if (label != null) {
        String v = Json.text(kv.getValue());
        if (!v.isEmpty()) {
          labels.put(label, v);
        }
      }
    }
    if (config.labels().level()) {
      labels.put("level", level(r));
    }
    return Labels.of(labels);
  }

  /** {@code trace_id}, {@code span_id}, then the configured names (record first, then resource). */
  private void addMetadata(Entry e, LogRecord r, Map<String, AnyValue> resAttrs) {
    if (!r.getTraceId().isEmpty()) {
      e.putMetadata("trace_id", r.getTraceId());
    }
    if (!r.getSpanId().isEmpty()) {
      e.putMetadata("span_id", r.getSpanId());
    }
    for (int i = 0; i < metadataNames.size(); i++) {
      String name = config.structuredMetadata().get(i);
      AnyValue v = attribute(r.getAttributesList(), name);
      if (v == null) {
        v = resAttrs.get(name);
      }
      if (v != null) {
        e.putMetadata(metadataNames.get(i), Json.text(v));
      }
    }
  }

  /**
   * Moves label values beyond {@code max_label_values} into structured metadata. The guard's answer
   * for a value depends only on the first time the batch shows it, so asking once per label set
   * in first-seen order gives what asking once per entry would.
   */
  private void applyLabelGuard(Map<String, Map<Labels, List<Entry>>> byTenant) {
    synchronized (guard) {
      guard.roll(System.nanoTime());
      for (var tenant : byTenant.entrySet()) {
        Map<Labels, List<Entry>> admitted = new LinkedHashMap<>();
        tenant.getValue().forEach((labels, entries) -> {
          boolean[] drop = null;
          for (int i = 0; i < labels.size(); i++) {
            if (!guard.admit(labels.name(i), labels.value(i))) {
              drop = drop == null ? new boolean[labels.size()] : drop;
              drop[i] = true;
            }
          }
          if (drop != null) {
            demote(entries, labels, drop);
            labels = labels.without(drop);
          }
          admitted.computeIfAbsent(labels, k -> new ArrayList<>()).addAll(entries);
        });
        tenant.setValue(admitted);
      }
    }
  }

  private void demote(List<Entry> entries, Labels labels, boolean[] drop) {
    for (Entry e : entries) {
      for (int i = 0; i < drop.length; i++) {
        if (drop[i]) {
          e.putMetadata(labels.name(i), labels.value(i));
          demotedByValues.increment();
          warn.warn("loki: label \"{}\" has more than max_label_values = {} values; "
              + "further values are sent as structured metadata", labels.name(i), config.maxLabelValues());
        }
      }
    }
  }

  /**
   * The streams of one tenant, demoting the most varied label while there are too many. Entries
   * without labels share the fallback stream, also with entries whose only label is the fallback's.
   */
  private List<Stream> group(Map<Labels, List<Entry>> streams) {
    while (count(streams) > config.maxStreams()) {
      Map<String, Set<String>> distinct = new TreeMap<>();
      for (Labels l : streams.keySet()) {
        for (int i = 0; i < l.size(); i++) {
          distinct.computeIfAbsent(l.name(i), x -> new HashSet<>()).add(l.value(i));
        }
      }
      String worst = distinct.entrySet().stream()
          .max(Comparator.comparingInt((Map.Entry<String, Set<String>> d) -> d.getValue().size()))
          .map(Map.Entry::getKey)
          .orElseThrow();
      long n = 0;
      Map<Labels, List<Entry>> next = new LinkedHashMap<>();
      for (var s : streams.entrySet()) {
        Labels labels = s.getKey();
        String v = labels.get(worst);
        if (v != null) {
          for (Entry e : s.getValue()) {
            e.putMetadata(worst, v);
          }
          n += s.getValue().size();
          labels = labels.without(worst);
        }
        next.computeIfAbsent(labels, k -> new ArrayList<>()).addAll(s.getValue());
      }
      demotedByStreams.add(n);
      warn.warn("loki: a batch would create {} streams (max_streams = {}); label \"{}\" "
          + "is sent as structured metadata instead", count(streams), config.maxStreams(), worst);
      streams = next;
    }
    Map<Labels, List<Entry>> sent = new LinkedHashMap<>();
    streams.forEach((labels, entries) ->
        sent.computeIfAbsent(labels.orFallback(), k -> new ArrayList<>()).addAll(entries));
    List<Stream> out = new ArrayList<>(sent.size());
    sent.forEach((labels, entries) -> {
      entries.sort(TIME_ORDER);
      out.add(new Stream(labels, entries));
    });
    return out;
  }

  /** The number of streams these label sets make: no labels and the fallback's are one stream. */
  private static int count(Map<Labels, List<Entry>> streams) {
    return streams.containsKey(Labels.EMPTY) && streams.containsKey(Labels.EMPTY.orFallback())
        ? streams.size() - 1 : streams.size();
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
    for (int i = 0; i < attrs.size(); i++) {
      if (attrs.get(i).getKey().equals(key)) {
        return attrs.get(i).getValue();
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
    return LEVELS[levelIndex(r)];
  }

  private static int levelIndex(LogRecord r) {
    int n = r.getSeverityNumberValue();
    if (n >= 1 && n <= 24) {
      return (n - 1) / 4;
    }
    return switch (r.getSeverityText().toLowerCase(java.util.Locale.ROOT)) {
      case "trace" -> 0;
      case "debug" -> 1;
      case "info", "information" -> 2;
      case "warn", "warning" -> 3;
      case "error", "err" -> 4;
      case "fatal", "critical", "crit" -> 5;
      default -> 6;
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
