package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;

/** -x. Linear: its transpose is itself. Integers wrap as in two's complement. */
public final class Neg extends UnaryElementwise {
  Neg() {
    super(dev.arrax.core.ElementwiseOp.NEG);
  }

  @Override protected boolean acceptsIntegers() { return true; }

  @Override public dev.arrax.core.ArrayType[] outTypes(dev.arrax.core.ArrayType[] in, dev.arrax.core.Params.None p) {
    if (in.length == 1) Elementwise.requireNotBool(name(), in[0]);
    return super.outTypes(in, p);
  }

  @Override protected double apply(double x) { return -x; }

  @Override protected long applyInteger(long x, DType d) { return -x; }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) { return Ops.neg(t); }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, dev.arrax.core.Params.None p) {
    return new NDArray[] {Ops.neg(ct[0])};
  }
}
