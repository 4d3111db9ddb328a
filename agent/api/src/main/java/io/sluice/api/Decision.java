package io.sluice.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.Map;

/**
 * A keep/drop decision a processor made about one trace (or one log record's trace), reported to
 * the pipeline's {@link DecisionSink} so that the decision-log bridge can turn it into a log
 * record linked to the trace.
 *
 * @param component the deciding component, e.g. {@code probabilistic_sampler/edge}
 * @param pipeline the pipeline it runs in, e.g. {@code traces/edge}
 * @param result kept or dropped
 * @param policy a short description of the rule, e.g. {@code hash_seed 10%}
 * @param traceId the 16-byte trace id; empty if the data had none
 * @param spanId an 8-byte span id of the decided data (e.g. the first span); may be empty
 * @param resource the resource of the decided data, so {@code service.name} is the application's
 * @param itemCount how many spans or log records of this trace the decision covered in this batch
 * @param timeUnixNano when the decision was made
 * @param attributes further attributes, e.g. {@code sampling.probability} or {@code
 *     sampling.threshold}; values are String, Long, Double or Boolean
 */
public record Decision(
    ComponentId component,
    String pipeline,
    Result result,
    String policy,
    ByteString traceId,
    ByteString spanId,
    Resource resource,
    int itemCount,
    long timeUnixNano,
    Map<String, Object> attributes) {

  /** The outcome. */
  public enum Result {
    KEPT,
    DROPPED;

    /** Lower-case name as written to {@code decision.result}. */
    public String label() {
      return this == KEPT ? "kept" : "dropped";
    }
  }

  /** Checks arguments. */
  public Decision {
    requireNonNull(component, "component");
    requireNonNull(pipeline, "pipeline");
    requireNonNull(result, "result");
    requireNonNull(policy, "policy");
    requireNonNull(traceId, "traceId");
    requireNonNull(spanId, "spanId");
    requireNonNull(resource, "resource");
    attributes = Map.copyOf(requireNonNull(attributes, "attributes"));
  }
}
