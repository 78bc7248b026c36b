package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;

/**
 * The inverse error function, {@code erf(erf_inv(x)) = x} on (-1, 1), with {@code erf_inv(+-1) = +-inf}
 * and NaN outside [-1, 1]. Evaluated bit for bit as XLA:CPU does (see {@link XlaCpuMath}), because
 * {@code jax.random.normal} is built on it and users compare streams across the two. Like XLA:CPU,
 * float subnormals are read and written as zero (the kernels run with flush-to-zero).
 *
 * <p>JVP: d/dx erf_inv(x) = sqrt(pi)/2 * exp(erf_inv(x)^2).
 */
public final class ErfInv extends UnaryElementwise {
  ErfInv() {
    super(dev.arrax.core.ElementwiseOp.ERF_INV);
  }

  @Override protected double apply(double x) { return XlaCpuMath.erfInv(x); }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type()}, p)[0];
    ConcreteArray out = ConcreteArray.zeros(t);
    Buffer x = in[0].buffer(), o = out.buffer();
    int n = x.size();
    if (t.dtype() == DType.FLOAT32) {
      float[] xs = (float[]) x.array(), os = (float[]) o.array();
      for (int i = 0; i < n; i++) os[i] = flush(XlaCpuMath.erfInv(flush(xs[i])));
    } else {
      double[] xs = (double[]) x.array(), os = (double[]) o.array();
      for (int i = 0; i < n; i++) os[i] = flush(XlaCpuMath.erfInv(flush(xs[i])));
    }
    return new NDArray[] {out};
  }

  private static float flush(float v) { return Math.abs(v) < Float.MIN_NORMAL ? v * 0.0f : v; }

  private static double flush(double v) { return Math.abs(v) < Double.MIN_NORMAL ? v * 0.0 : v; }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.mul(Ops.like(x, Math.sqrt(Math.PI) / 2.0), Ops.exp(Ops.mul(y, y))));
  }
}
