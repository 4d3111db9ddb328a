package io.sluice.api.storage;

import java.io.IOException;

/** {@link DurableQueue#append} refused a batch because the storage reached its size limit. */
public final class QueueFullException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying which limit was reached. */
  public QueueFullException(String message) {
    super(message);
  }
}
