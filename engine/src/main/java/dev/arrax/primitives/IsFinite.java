package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** True where x is neither infinite nor NaN. */
final class IsFinite extends UnaryElementwise {
  IsFinite() {
    super("is_finite");
  }

  @Override protected DType outDtype(DType in) { return DType.BOOL; }

  @Override protected double apply(double x) { return Double.isFinite(x) ? 1.0 : 0.0; }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) { return new SymbolicZero(y.type()); }
}
