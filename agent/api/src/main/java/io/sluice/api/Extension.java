package io.sluice.api;

/** A component outside pipelines: health check, storage, authentication. */
public interface Extension extends Component {}
