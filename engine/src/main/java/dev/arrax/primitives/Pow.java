package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/**
 * a ^ b. Derivatives follow JAX with a floating exponent: d/da = b a^(b-1) (NaN at 0^0, as JAX's
 * 0 * inf); d/db = log(a) a^b with log(a) replaced by 0 where a == 0. Integer powers use repeated squaring;
 * a negative integer exponent gives 0 unless the base is 1 or -1.
 */
public final class Pow extends BinaryElementwise {
  Pow() {
    super(dev.arrax.core.ElementwiseOp.POW);
  }

  @Override protected double apply(double a, double b) { return Math.pow(a, b); }

  @Override protected long applyInteger(long a, long b, DType d) {
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0;
    long r = 1, base = a;
    while (b > 0) {
      if ((b & 1) != 0) r *= base;
      base *= base;
      b >>= 1;
    }
    return r;
  }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    NDArray l = ta;
    if (!SymbolicZero.is(ta)) {
      l = Ops.mul(ta, Ops.mul(b, Ops.pow(a, Ops.sub(b, Ops.like(b, 1.0)))));
    }
    NDArray r = tb;
    if (!SymbolicZero.is(tb)) {
      NDArray safeA = Ops.select(Ops.eq(a, Ops.like(a, 0.0)), Ops.like(a, 1.0), a);
      r = Ops.mul(tb, Ops.mul(Ops.log(safeA), y));
    }
    return Ops.addAny(l, r);
  }
}
