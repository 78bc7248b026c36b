package dev.arrax.primitives;

import dev.arrax.NDArray;

/** e^x - 1, accurate near 0. */
public final class Expm1 extends UnaryElementwise {
  Expm1() {
    super(dev.arrax.core.ElementwiseOp.EXPM1);
  }

  @Override protected double apply(double x) {
    return Math.expm1(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.add(y, Ops.like(y, 1.0)));
  }
}
