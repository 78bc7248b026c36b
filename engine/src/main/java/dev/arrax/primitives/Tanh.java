package dev.arrax.primitives;

import dev.arrax.NDArray;

/** Hyperbolic tangent; d/dx = 1 - tanh(x)^2. */
public final class Tanh extends UnaryElementwise {
  Tanh() {
    super(dev.arrax.core.ElementwiseOp.TANH);
  }

  @Override protected double apply(double x) {
    return Math.tanh(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.sub(Ops.like(y, 1.0), Ops.mul(y, y)));
  }
}
