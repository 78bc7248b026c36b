package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.Params;

/** a + b. Linear in both operands; integers wrap. */
public final class Add extends BinaryElementwise {
  Add() {
    super(dev.arrax.core.ElementwiseOp.ADD);
  }

  @Override protected boolean acceptsBool() { return true; }

  @Override protected double apply(double a, double b) { return a + b; }

  @Override protected long applyInteger(long a, long b, DType d) { return d == DType.BOOL ? (a | b) : a + b; }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    return Ops.addAny(ta, tb);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    return new NDArray[] {ct[0], ct[0]};
  }
}
