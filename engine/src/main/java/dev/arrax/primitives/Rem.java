package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/**
 * Remainder of truncating division, {@code a - b * trunc(a / b)}, with the sign of {@code a} (C's
 * {@code fmod} and {@code %}; JAX's {@code rem_p}). u32 operands are unsigned. As in XLA, an integer
 * remainder by zero is the dividend, and {@code MIN % -1} is 0. For floats the result is exact
 * (fmod never rounds), so computing it in float64 gives the float32 result too.
 *
 * <p>JVP (JAX's): d/da = 1, d/db = -trunc(a / b) = -sign(a/b) floor(|a/b|).
 */
public final class Rem extends BinaryElementwise {
  Rem() {
    super(dev.arrax.core.ElementwiseOp.REM);
  }

  @Override protected double apply(double a, double b) { return a % b; }

  @Override protected long applyInteger(long a, long b, DType d) { return b == 0 ? a : a % b; }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    NDArray r = tb;
    if (!SymbolicZero.is(tb)) {
      NDArray q = Ops.div(a, b);
      r = Ops.neg(Ops.mul(tb, Ops.mul(Ops.sign(q), Ops.floor(Ops.abs(q)))));
    }
    return Ops.addAny(ta, r);
  }
}
