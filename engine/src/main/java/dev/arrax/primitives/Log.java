package dev.arrax.primitives;

import dev.arrax.NDArray;

/** Natural logarithm. */
public final class Log extends UnaryElementwise {
  Log() {
    super(dev.arrax.core.ElementwiseOp.LOG);
  }

  @Override protected double apply(double x) {
    return Math.log(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.div(t, x);
  }
}
