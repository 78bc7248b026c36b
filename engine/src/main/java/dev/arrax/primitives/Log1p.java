package dev.arrax.primitives;

import dev.arrax.NDArray;

/** log(1 + x), accurate near 0. */
final class Log1p extends UnaryElementwise {
  Log1p() {
    super("log1p");
  }

  @Override protected double apply(double x) {
    return Math.log1p(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.div(t, Ops.add(x, Ops.like(x, 1.0)));
  }
}
