package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** Round toward -inf. Piecewise constant: zero derivative. */
public final class Floor extends UnaryElementwise {
  Floor() {
    super(dev.arrax.core.ElementwiseOp.FLOOR);
  }

  @Override protected double apply(double x) {
    return Math.floor(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return new SymbolicZero(y.type());
  }
}
