package dev.arrax.primitives;

import dev.arrax.NDArray;

/** Tangent; d/dx = 1 + tan(x)^2. */
public final class Tan extends UnaryElementwise {
  Tan() {
    super(dev.arrax.core.ElementwiseOp.TAN);
  }

  @Override protected double apply(double x) {
    return Math.tan(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.add(Ops.like(y, 1.0), Ops.mul(y, y)));
  }
}
