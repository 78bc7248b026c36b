package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;

/** Exclusive or: logical on bool, bitwise on integers (JAX's {@code xor_p}). Not differentiable: zero tangent. */
public final class Xor extends BinaryElementwise {
  Xor() {
    super(dev.arrax.core.ElementwiseOp.XOR);
  }

  @Override protected boolean acceptsBool() { return true; }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    ArrayType[] out = super.outTypes(in, p);
    if (out[0].dtype().isFloating()) {
      throw new ShapeException("xor: requires bool or integer operands, got " + in[0] + " and " + in[1]
          + "; reinterpret float bits with Lax/Ops.bitcastConvertType first");
    }
    return out;
  }

  @Override protected double apply(double a, double b) { throw new IllegalStateException("xor has no floating implementation"); }

  @Override protected long applyInteger(long a, long b, DType d) { return a ^ b; }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    return new SymbolicZero(y.type());
  }
}
