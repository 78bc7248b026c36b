package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;

/**
 * Reinterprets each element's bits as another dtype of the same width: f32, i32 and u32 among
 * themselves, f64 and i64 between each other (i64 also carries JAX's uint64 bit patterns). NaN
 * payloads are kept. JAX's {@code bitcast_convert_type} without the width-changing forms. Its
 * derivative is zero, as in JAX.
 */
public final class BitcastConvertType extends Primitive<BitcastConvertType.P> {
  /** Parameters: the dtype whose bits the elements are reinterpreted as (same width). */
  public record P(DType newDtype) implements Params {}

  BitcastConvertType() {
    super("bitcast_convert_type", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length != 1) throw new ShapeException("bitcast_convert_type: takes 1 operand, got " + in.length);
    DType from = in[0].dtype(), to = p.newDtype();
    if (from == DType.BOOL || to == DType.BOOL || from.byteWidth() != to.byteWidth()) {
      throw new ShapeException("bitcast_convert_type: cannot reinterpret " + in[0] + " as " + to.shortName()
          + "; the dtypes must have the same width (f32/i32/u32, or f64/i64) and not be bool");
    }
    return new ArrayType[] {in[0].withDtype(to)};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ConcreteArray out = ConcreteArray.zeros(outTypes(new ArrayType[] {in[0].type()}, p)[0]);
    Object src = in[0].buffer().array(), dst = out.buffer().array();
    int n = out.size();
    if (src instanceof float[] f) {
      int[] d = (int[]) dst;
      for (int i = 0; i < n; i++) d[i] = Float.floatToRawIntBits(f[i]);
    } else if (src instanceof int[] s && dst instanceof float[] d) {
      for (int i = 0; i < n; i++) d[i] = Float.intBitsToFloat(s[i]);
    } else if (src instanceof int[] s) {
      System.arraycopy(s, 0, dst, 0, n);
    } else if (src instanceof double[] f && dst instanceof long[] d) {
      for (int i = 0; i < n; i++) d[i] = Double.doubleToRawLongBits(f[i]);
    } else if (src instanceof long[] s && dst instanceof double[] d) {
      for (int i = 0; i < n; i++) d[i] = Double.longBitsToDouble(s[i]);
    } else {
      System.arraycopy(src, 0, dst, 0, n);
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, new SymbolicZero(y.type()));
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    return Batched.of(bind1(p, args[0]), dims[0]);
  }
}
