package dev.arrax;

/** Base of Arrax's errors. Messages name the operation, the shapes and dtypes involved, and the fix. */
public class ArraxException extends RuntimeException {
  public ArraxException(String message) {
    super(message);
  }

  public ArraxException(String message, Throwable cause) {
    super(message, cause);
  }
}
