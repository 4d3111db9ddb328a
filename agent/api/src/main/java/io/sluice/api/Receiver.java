package io.sluice.api;

/** Takes data from outside (a listener, a scraper) and hands it to its pipelines' consumers. */
public interface Receiver extends Component {}
