package io.sluice.api;

/**
 * Where a processor reports its keep/drop decisions. The daemon gives every processor of a
 * pipeline the same sink ({@link ComponentContext#decisionSink()}): it forwards to every processor
 * of that pipeline that itself implements {@code DecisionSink} (the {@code decision_log} bridge),
 * and is disabled when there is none. Any processor that keeps or drops data (sampler, filter,
 * limiter) reports through it.
 */
public interface DecisionSink {

  /** A sink that discards every decision. */
  DecisionSink NOOP =
      new DecisionSink() {
        @Override
        public boolean isEnabled() {
          return false;
        }

        @Override
        public void report(Decision decision) {}
      };

  /**
   * Whether anything listens. A processor may skip building {@link Decision}s when false, so that
   * reporting costs nothing in pipelines without a bridge.
   */
  boolean isEnabled();

  /**
   * Reports one decision. Must be cheap and must not block; the bridge may buffer and must count
   * what it cannot keep.
   */
  void report(Decision decision);

  /**
   * Reports the decisions of one batch of data, in order. A processor that decides many items at
   * once reports them here, so that a bridge pays its per-call costs (reading the clock, taking
   * its buffer's lock) once per batch; the default reports them one by one.
   */
  default void reportAll(java.util.List<Decision> decisions) {
    for (Decision d : decisions) {
      report(d);
    }
  }
}
