package dev.arrax;

/** A shape or dtype mismatch, raised when the operation is applied (eagerly or while tracing). */
public class ShapeException extends ArraxException {
  public ShapeException(String message) {
    super(message);
  }
}
