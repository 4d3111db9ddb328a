package io.sluice.api;

/**
 * A pipeline stage that transforms, filters, batches or limits data of one signal and passes it to
 * the next consumer it was created with.
 */
public interface Processor extends Component, DataConsumer {}
