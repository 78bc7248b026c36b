package dev.arrax;

/**
 * Raised when code needs the value of an array that is only known abstractly because a
 * transformation (jit, vmap, makeJaxpr) is tracing the function: {@code item()}, {@code toDoubleArray()}
 * or a Java {@code if} on such a value. The message says which call needed it and how to avoid it:
 * use {@link Np#where} / {@link Lax#cond} for data-dependent choices, or mark the argument static.
 */
public class ConcretizationException extends ArraxException {
  /** An error whose message names the call that needed a concrete value and how to avoid it. */
  public ConcretizationException(String message) {
    super(message);
  }
}
