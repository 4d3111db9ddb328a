package io.sluice.processor.resource;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.sluice.api.ClientMetadata;
import io.sluice.api.ComponentContext;
import io.sluice.api.DataConsumer;
import io.sluice.api.Logs;
import io.sluice.api.Metrics;
import io.sluice.api.Processor;
import io.sluice.api.TelemetryData;
import io.sluice.api.Traces;
import io.sluice.processor.attributes.internal.Actions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Adds detected attributes to every resource, then applies the configured actions. Resources that
 * end up unchanged are passed on as the same objects.
 */
final class ResourceProcessor implements Processor {
  private final List<KeyValue> detected;
  private final boolean override;
  private final Actions actions;
  private final DataConsumer next;

  ResourceProcessor(ComponentContext context, ResourceConfig config, DataConsumer next, Detectors.Environment env) {
    this.detected = Detectors.detect(config.detectors(), env);
    this.override = config.override();
    this.actions = new Actions(config.attributes(), context.telemetry());
    this.next = next;
  }

  /** The detected attributes, for tests. */
  List<KeyValue> detected() {
    return detected;
  }

  @Override
  public CompletableFuture<Void> consume(TelemetryData data) {
    return next.consume(process(data));
  }

  /** Processes one request. Package-private for benchmarks. */
  TelemetryData process(TelemetryData data) {
    if (detected.isEmpty() && actions.isEmpty()) {
      return data;
    }
    ClientMetadata md = data.metadata();
    return switch (data) {
      case Traces t -> {
        List<ResourceSpans> out = new ArrayList<>();
        boolean changed = false;
        for (ResourceSpans rs : t.resourceSpans()) {
          Resource r = resource(rs.getResource(), md);
          changed |= r != rs.getResource();
          out.add(r == rs.getResource() ? rs : rs.toBuilder().setResource(r).build());
        }
        yield changed ? Traces.of(out).withMetadata(md) : t;
      }
      case Logs l -> {
        List<ResourceLogs> out = new ArrayList<>();
        boolean changed = false;
        for (ResourceLogs rl : l.resourceLogs()) {
          Resource r = resource(rl.getResource(), md);
          changed |= r != rl.getResource();
          out.add(r == rl.getResource() ? rl : rl.toBuilder().setResource(r).build());
        }
        yield changed ? Logs.of(out).withMetadata(md) : l;
      }
      case Metrics m -> {
        List<ResourceMetrics> out = new ArrayList<>();
        boolean changed = false;
        for (ResourceMetrics rm : m.resourceMetrics()) {
          Resource r = resource(rm.getResource(), md);
          changed |= r != rm.getResource();
          out.add(r == rm.getResource() ? rm : rm.toBuilder().setResource(r).build());
        }
        yield changed ? Metrics.of(out).withMetadata(md) : m;
      }
    };
  }

  /** The resource with detected attributes and actions applied; the same object if unchanged. */
  Resource resource(Resource resource, ClientMetadata md) {
    List<KeyValue> attrs = resource.getAttributesList();
    List<KeyValue> cur = attrs;
    for (KeyValue d : detected) {
      int i = Actions.indexOf(cur, d.getKey());
      if (i >= 0 && (!override || cur.get(i).getValue().equals(d.getValue()))) {
        continue;
      }
      if (cur == attrs) {
        cur = new ArrayList<>(attrs);
      }
      if (i >= 0) {
        cur.set(i, d);
      } else {
        cur.add(d);
      }
    }
    cur = actions.apply(cur, md);
    return cur == attrs ? resource : resource.toBuilder().clearAttributes().addAllAttributes(cur).build();
  }
}
