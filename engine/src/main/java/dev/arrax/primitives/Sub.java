package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;

/** a - b. Linear in both operands; integers wrap. */
public final class Sub extends BinaryElementwise {
  Sub() {
    super(dev.arrax.core.ElementwiseOp.SUB);
  }

  @Override protected double apply(double a, double b) { return a - b; }

  @Override protected long applyInteger(long a, long b, DType d) { return a - b; }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    if (SymbolicZero.is(tb)) return ta;
    if (SymbolicZero.is(ta)) return Ops.neg(tb);
    return Ops.sub(ta, tb);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    return new NDArray[] {ct[0], Ops.neg(ct[0])};
  }
}
