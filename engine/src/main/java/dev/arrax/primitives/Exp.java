package dev.arrax.primitives;

import dev.arrax.NDArray;

/** e^x. */
public final class Exp extends UnaryElementwise {
  Exp() {
    super(dev.arrax.core.ElementwiseOp.EXP);
  }

  @Override protected double apply(double x) {
    return Math.exp(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, y);
  }
}
