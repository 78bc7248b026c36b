package dev.arrax.primitives;

import dev.arrax.NDArray;

/** The logistic sigmoid 1 / (1 + e^-x), computed without overflow; d/dx = y (1 - y). */
public final class Logistic extends UnaryElementwise {
  Logistic() {
    super(dev.arrax.core.ElementwiseOp.LOGISTIC);
  }

  @Override protected double apply(double x) {
    return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.mul(y, Ops.sub(Ops.like(y, 1.0), y)));
  }
}
