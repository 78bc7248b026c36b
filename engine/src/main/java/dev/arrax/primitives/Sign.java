package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** -1, 0 or +1 (NaN stays NaN). Piecewise constant: zero derivative. */
public final class Sign extends UnaryElementwise {
  Sign() {
    super(dev.arrax.core.ElementwiseOp.SIGN);
  }

  @Override protected boolean acceptsIntegers() { return true; }

  @Override protected double apply(double x) { return Double.isNaN(x) ? x : Math.signum(x); }

  @Override protected long applyInteger(long x, DType d) { return Long.signum(x); }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) { return new SymbolicZero(y.type()); }
}
