package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;

/** a * b. Linear in each operand separately (the transpose needs the other one known). */
public final class Mul extends BinaryElementwise {
  Mul() {
    super(dev.arrax.core.ElementwiseOp.MUL);
  }

  @Override protected boolean acceptsBool() { return true; }

  @Override protected double apply(double a, double b) { return a * b; }

  @Override protected long applyInteger(long a, long b, DType d) { return a * b; }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    NDArray l = SymbolicZero.is(ta) ? ta : Ops.mul(ta, b);
    NDArray r = SymbolicZero.is(tb) ? tb : Ops.mul(a, tb);
    return Ops.addAny(l, r);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    boolean la = UndefinedPrimal.is(in[0]), lb = UndefinedPrimal.is(in[1]);
    if (la && lb) throw new ArraxException("mul: cannot transpose a product of two linear values (the function is not linear)");
    return la ? new NDArray[] {Ops.mul(ct[0], in[1]), null} : new NDArray[] {null, Ops.mul(in[0], ct[0])};
  }
}
