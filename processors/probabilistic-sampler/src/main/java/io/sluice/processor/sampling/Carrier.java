package io.sluice.processor.sampling;

/**
 * Where an item carries its sampling information: a span's {@code tracestate} {@code ot} entry or
 * a log record's {@code sampling.randomness} / {@code sampling.threshold} attributes.
 */
interface Carrier {
  /** Whether explicit randomness ({@code rv}) is present. */
  boolean hasRandomness();

  /** The explicit randomness. */
  long randomness();

  /** Whether a threshold ({@code th}) is present. */
  boolean hasThreshold();

  /** The threshold. */
  long threshold();

  /** Sets explicit randomness. */
  void setRandomness(long r);

  /** Removes the threshold. */
  void clearThreshold();

  /** Records the threshold the item was kept at; false if an existing higher one was kept. */
  boolean updateThreshold(long t);
}
