package dev.arrax;

/** A shape or dtype mismatch, raised when the operation is applied (eagerly or while tracing). */
public class ShapeException extends ArraxException {
  /**
   * A shape or dtype error; the message names the operation, the types (e.g. {@code f32[2,3]}) and the fix.
   */
  public ShapeException(String message) {
    super(message);
  }
}
