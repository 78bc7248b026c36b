package dev.arrax.spark;

import dev.arrax.ArraxException;

/**
 * An error of the Spark connector: a missing or mistyped column (raised on the driver before any task runs),
 * a null or a wrong-length array under the chosen {@link dev.arrax.arrow.NullPolicy} (raised in the task, so
 * Spark reports it wrapped in its job failure, message included), or a function the connector cannot run.
 */
public class ArraxSparkException extends ArraxException {
  private static final long serialVersionUID = 1L;

  /** An error with its message (naming the column, the types and the fix). */
  public ArraxSparkException(String message) {
    super(message);
  }

  /** An error with its message and the exception behind it. */
  public ArraxSparkException(String message, Throwable cause) {
    super(message, cause);
  }
}
