package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/**
 * Elementwise max or min, propagating NaN. Derivative convention (JAX's): where the operands tie, each
 * receives half of the tangent, so d max(x, x)/dx = 1 and d max(x, c)/dx = 0.5 at x == c.
 */
public final class MinMax extends BinaryElementwise {
  private final boolean isMax;

  MinMax(boolean isMax) {
    super(isMax ? dev.arrax.core.ElementwiseOp.MAX : dev.arrax.core.ElementwiseOp.MIN);
    this.isMax = isMax;
  }

  @Override protected boolean acceptsBool() { return true; }

  @Override protected double apply(double a, double b) { return isMax ? Math.max(a, b) : Math.min(a, b); }

  @Override protected long applyInteger(long a, long b, DType d) { return isMax ? Math.max(a, b) : Math.min(a, b); }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    NDArray l = SymbolicZero.is(ta) ? ta : Ops.mul(ta, balancedEq(a, y, b));
    NDArray r = SymbolicZero.is(tb) ? tb : Ops.mul(tb, balancedEq(b, y, a));
    return Ops.addAny(l, r);
  }

  /** 1 where x alone is the result, 0.5 where x and the other operand both are, else 0. */
  private static NDArray balancedEq(NDArray x, NDArray z, NDArray other) {
    NDArray one = Ops.like(x, 1.0), half = Ops.like(x, 0.5), zero = Ops.like(x, 0.0);
    return Ops.select(Ops.eq(x, z), Ops.select(Ops.eq(other, z), half, one), zero);
  }
}
