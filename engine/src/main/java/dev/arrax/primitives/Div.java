package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;

/**
 * a / b. Integers divide truncating toward zero; integer division by zero gives -1 (all bits set),
 * as XLA does, instead of throwing. Linear in the numerator.
 */
public final class Div extends BinaryElementwise {
  Div() {
    super(dev.arrax.core.ElementwiseOp.DIV);
  }

  @Override protected double apply(double a, double b) { return a / b; }

  @Override protected long applyInteger(long a, long b, DType d) { return b == 0 ? -1 : a / b; }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    NDArray l = SymbolicZero.is(ta) ? ta : Ops.div(ta, b);
    // d(a/b)/db = -a / b^2 = -y / b
    NDArray r = SymbolicZero.is(tb) ? tb : Ops.neg(Ops.mul(tb, Ops.div(y, b)));
    return Ops.addAny(l, r);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    if (UndefinedPrimal.is(in[1])) throw new ArraxException("div: cannot transpose with respect to the divisor (not linear)");
    return new NDArray[] {Ops.div(ct[0], in[1]), null};
  }
}
