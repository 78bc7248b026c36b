package dev.arrax.primitives;

import dev.arrax.NDArray;

/** Sine. */
public final class Sin extends UnaryElementwise {
  Sin() {
    super(dev.arrax.core.ElementwiseOp.SIN);
  }

  @Override protected double apply(double x) {
    return Math.sin(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.cos(x));
  }
}
