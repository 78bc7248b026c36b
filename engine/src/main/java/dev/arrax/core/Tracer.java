package dev.arrax.core;

import dev.arrax.NDArray;

/**
 * A stand-in for an array while a transformation runs the user's function: operations on it are
 * handed to its {@link Trace} instead of being computed. Shape and dtype are known; values usually not.
 */
public abstract class Tracer extends NDArray {
  protected Tracer(ArrayType type) {
    super(type);
  }

  public abstract Trace trace();

  /**
   * The concrete value behind this tracer when the transformation knows it (forward-mode
   * differentiation does; staging and batching do not), else null. Lets Java control flow on
   * values work under grad and jvp, as it does in JAX.
   */
  public NDArray concreteValueOrNull() { return null; }

  @Override public String toString() {
    return "Traced<" + type() + "> in " + trace();
  }
}
