package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;

/**
 * {@code shift_left} and {@code shift_right_logical} on integers, with XLA's semantics: the shift amount
 * is read as unsigned, and an amount of at least the bit width (32 for i32/u32, 64 for i64) gives 0
 * instead of Java's amount-modulo-width. The logical right shift fills with zeros whatever the sign,
 * so on i32 it shifts the two's-complement bits ({@code -1 >>> 28 == 15}). Zero tangent.
 */
public final class Shift extends BinaryElementwise {
  private final boolean left;

  Shift(boolean left) {
    super(left ? dev.arrax.core.ElementwiseOp.SHIFT_LEFT : dev.arrax.core.ElementwiseOp.SHIFT_RIGHT_LOGICAL);
    this.left = left;
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    ArrayType[] out = super.outTypes(in, p);
    if (!out[0].dtype().isInteger()) {
      throw new ShapeException(name() + ": requires integer operands (i32, u32, i64), got " + in[0] + " and " + in[1]);
    }
    return out;
  }

  @Override protected double apply(double a, double b) { throw new IllegalStateException(name() + " has no floating implementation"); }

  @Override protected long applyInteger(long a, long b, DType d) {
    int width = d == DType.INT64 ? 64 : 32;
    long amount = width == 32 ? b & 0xFFFFFFFFL : b;
    if (amount < 0 || amount >= width) return 0L; // negative i64 amounts are huge unsigned amounts
    if (left) return a << amount;
    return width == 32 ? (a & 0xFFFFFFFFL) >>> amount : a >>> amount;
  }

  @Override protected NDArray tangent(NDArray a, NDArray b, NDArray y, NDArray ta, NDArray tb) {
    return new SymbolicZero(y.type());
  }
}
