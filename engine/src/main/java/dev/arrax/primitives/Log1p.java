package dev.arrax.primitives;

import dev.arrax.NDArray;

/** log(1 + x), accurate near 0. */
public final class Log1p extends UnaryElementwise {
  Log1p() {
    super(dev.arrax.core.ElementwiseOp.LOG1P);
  }

  @Override protected double apply(double x) {
    return Math.log1p(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.div(t, Ops.add(x, Ops.like(x, 1.0)));
  }
}
