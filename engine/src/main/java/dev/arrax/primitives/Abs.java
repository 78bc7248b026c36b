package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;

/**
 * |x|. Derivative convention (JAX's): {@code select(x >= 0, t, -t)}, so the derivative at 0 is +1.
 */
public final class Abs extends UnaryElementwise {
  Abs() {
    super(dev.arrax.core.ElementwiseOp.ABS);
  }

  @Override protected boolean acceptsIntegers() { return true; }

  @Override protected double apply(double x) { return Math.abs(x); }

  @Override protected long applyInteger(long x, DType d) { return d == DType.UINT32 || d == DType.BOOL ? x : Math.abs(x); }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.select(Ops.ge(x, Ops.like(x, 0.0)), t, Ops.neg(t));
  }
}
