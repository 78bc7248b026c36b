package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;

/** Logical and/or on bool, bitwise on integers. */
public final class Logical extends BinaryElementwise {
  private final boolean isAnd;

  Logical(boolean isAnd) {
    super(isAnd ? dev.arrax.core.ElementwiseOp.AND : dev.arrax.core.ElementwiseOp.OR);
    this.isAnd = isAnd;
  }

  @Override protected boolean acceptsBool() { return true; }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    ArrayType[] out = super.outTypes(in, p);
    if (out[0].dtype().isFloating()) {
      throw new dev.arrax.ShapeException(name() + ": requires bool or integer operands, got " + in[0] + " and " + in[1]);
    }
    return out;
  }

  @Override protected double apply(double a, double b) { throw new IllegalStateException(); }

  @Override protected long applyInteger(long a, long b, DType d) { return isAnd ? (a & b) : (a | b); }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    return new SymbolicZero(y.type());
  }
}
