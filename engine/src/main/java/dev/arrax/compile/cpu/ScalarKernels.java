package dev.arrax.compile.cpu;

/** Scalar helpers called from generated code, matching the reference evaluator's formulas. */
public final class ScalarKernels {
  private ScalarKernels() {}

  /** The logistic sigmoid without overflow, as the logistic primitive evaluates it. */
  public static double logistic(double x) {
    return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
  }
}
