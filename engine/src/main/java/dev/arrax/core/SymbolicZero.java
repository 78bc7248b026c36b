package dev.arrax.core;

import dev.arrax.NDArray;

/**
 * A tangent or cotangent known to be zero, carrying only its type (JAX's {@code ad.Zero}). Lets
 * unused inputs cost nothing. It is not a value: passing it to an operation is an internal error;
 * rules test for it with {@link #is} and materialize it with {@code zeros} where they must.
 */
public final class SymbolicZero extends NDArray {
  /** A zero of {@code type}. */
  public SymbolicZero(ArrayType type) {
    super(type);
  }

  /** True if {@code x} is a symbolic zero (a rule then skips the work it would do on it). */
  public static boolean is(NDArray x) { return x instanceof SymbolicZero; }

  @Override public String toString() { return "Zero(" + type() + ")"; }
}
