package dev.arrax.primitives;

import dev.arrax.NDArray;

/** Square root. As in JAX the derivative at 0 is +inf (0.5 / sqrt(0)). */
public final class Sqrt extends UnaryElementwise {
  Sqrt() {
    super(dev.arrax.core.ElementwiseOp.SQRT);
  }

  @Override protected double apply(double x) {
    return Math.sqrt(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.div(Ops.mul(t, Ops.like(t, 0.5)), y);
  }
}
