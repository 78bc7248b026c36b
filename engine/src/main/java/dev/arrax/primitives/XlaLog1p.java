package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;

/**
 * {@code log1p} exactly as XLA:CPU computes it ({@link XlaCpuMath#log1p}: XLA's inlined float32 kernel,
 * and for float64 its rational form near 0 and glibc's {@code log} beyond). The engine's {@code log1p}
 * primitive is correctly rounded, which differs from XLA's in the last bit for some inputs; the random
 * samplers that JAX builds on {@code log1p} ({@code jax.random.exponential}, {@code laplace}) use this
 * one so that their bits are JAX's.
 *
 * <p>Like {@link Erfc} it is not an {@link dev.arrax.core.ElementwiseOp}: backends treat it as opaque, so
 * under jit it runs on this evaluator (an explicit, logged fallback) and stays exact. JVP
 * {@code t / (1 + x)}; vmap elementwise.
 */
public final class XlaLog1p extends Primitive<Params.None> {
  XlaLog1p() {
    super("xla_cpu_log1p", Params.None.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 1) throw new ShapeException("xla_cpu_log1p: takes 1 operand, got " + in.length);
    Elementwise.requireFloat("xla_cpu_log1p", in[0]);
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    outTypes(new ArrayType[] {in[0].type()}, p);
    ConcreteArray out = ConcreteArray.zeros(in[0].type());
    Buffer x = in[0].buffer(), o = out.buffer();
    if (in[0].dtype() == DType.FLOAT32) {
      float[] xs = (float[]) x.array(), os = (float[]) o.array();
      for (int i = 0; i < xs.length; i++) os[i] = XlaCpuMath.log1p(xs[i]);
    } else {
      double[] xs = (double[]) x.array(), os = (double[]) o.array();
      for (int i = 0; i < xs.length; i++) os[i] = XlaCpuMath.log1p(xs[i]);
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray y = bind1(p, x[0]);
    if (SymbolicZero.is(t[0])) return JvpResult.of(y, new SymbolicZero(y.type()));
    return JvpResult.of(y, Ops.div(t[0], Ops.add(x[0], Ops.like(x[0], 1))));
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Batched.of(bind1(p, args[0]), dims[0]);
  }
}
