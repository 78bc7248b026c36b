package dev.arrax;

/** Base of Arrax's errors. Messages name the operation, the shapes and dtypes involved, and the fix. */
public class ArraxException extends RuntimeException {
  /** An error whose message names the operation, the shapes/dtypes involved and the fix. */
  public ArraxException(String message) {
    super(message);
  }

  /** An error caused by {@code cause} (kept as the cause, never swallowed). */
  public ArraxException(String message, Throwable cause) {
    super(message, cause);
  }
}
