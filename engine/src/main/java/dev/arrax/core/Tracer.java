package dev.arrax.core;

import dev.arrax.NDArray;

/**
 * A stand-in for an array while a transformation runs the user's function: operations on it are
 * handed to its {@link Trace} instead of being computed. Shape and dtype are known; values usually not.
 */
public abstract class Tracer extends NDArray {
  /** A tracer of abstract type {@code type}. */
  protected Tracer(ArrayType type) {
    super(type);
  }

  /** The trace this tracer belongs to, which receives the operations applied to it. */
  public abstract Trace trace();

  /**
   * The value this tracer stands for one level down, when the transformation knows it (forward-mode
   * differentiation carries its primal; staging and batching know no value), else null. Following
   * this chain to a concrete array lets Java control flow work under grad and jvp, as in JAX.
   */
  public NDArray primalOrNull() { return null; }

  @Override public String toString() {
    return "Traced<" + type() + "> in " + trace();
  }
}
