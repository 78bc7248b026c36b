package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** True where x is neither infinite nor NaN. */
public final class IsFinite extends UnaryElementwise {
  IsFinite() {
    super(dev.arrax.core.ElementwiseOp.IS_FINITE);
  }

  @Override protected DType outDtype(DType in) { return DType.BOOL; }

  @Override protected double apply(double x) { return Double.isFinite(x) ? 1.0 : 0.0; }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) { return new SymbolicZero(y.type()); }
}
