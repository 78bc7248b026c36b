package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;

/** Logical not for bool, bitwise not for integers. */
public final class Not extends UnaryElementwise {
  Not() {
    super(dev.arrax.core.ElementwiseOp.NOT);
  }

  @Override protected boolean acceptsIntegers() { return true; }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length == 1 && in[0].dtype().isFloating()) {
      throw new dev.arrax.ShapeException("not: requires bool or integer operands, got " + in[0] + "; compare first (Np.equal) to get bool");
    }
    return super.outTypes(in, p);
  }

  @Override protected double apply(double x) { throw new IllegalStateException("not on floats"); }

  @Override protected long applyInteger(long x, DType d) { return d == DType.BOOL ? (x == 0 ? 1 : 0) : ~x; }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) { return new SymbolicZero(y.type()); }
}
