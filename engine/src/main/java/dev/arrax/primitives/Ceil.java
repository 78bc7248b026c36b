package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** Round toward +inf. Piecewise constant: zero derivative. */
public final class Ceil extends UnaryElementwise {
  Ceil() {
    super(dev.arrax.core.ElementwiseOp.CEIL);
  }

  @Override protected double apply(double x) {
    return Math.ceil(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return new SymbolicZero(y.type());
  }
}
