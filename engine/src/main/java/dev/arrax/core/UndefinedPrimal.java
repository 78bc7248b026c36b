package dev.arrax.core;

import dev.arrax.NDArray;

/**
 * Marks the linear input of a primitive during transposition (JAX's {@code ad.UndefinedPrimal}): its
 * value is unknown, only its type is. A transpose rule returns a cotangent for each such input.
 */
public final class UndefinedPrimal extends NDArray {
  /** A linear input of {@code type} whose value is unknown. */
  public UndefinedPrimal(ArrayType type) {
    super(type);
  }

  /** True if {@code x} marks a linear input. */
  public static boolean is(NDArray x) { return x instanceof UndefinedPrimal; }

  @Override public String toString() { return "UndefinedPrimal(" + type() + ")"; }
}
