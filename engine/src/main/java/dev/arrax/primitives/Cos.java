package dev.arrax.primitives;

import dev.arrax.NDArray;

/** Cosine. */
public final class Cos extends UnaryElementwise {
  Cos() {
    super(dev.arrax.core.ElementwiseOp.COS);
  }

  @Override protected double apply(double x) {
    return Math.cos(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.neg(Ops.mul(t, Ops.sin(x)));
  }
}
