package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;

/**
 * The complementary error function {@code erfc(x) = 1 - erf(x)}, accurate in the tail where
 * {@code 1 - erf(x)} would cancel (JAX's {@code erfc_p}; behind {@code jax.scipy.special.erfc} and
 * {@code ndtr}). Floats only; evaluated in float64 ({@link SpecialFunctions#erfc}) and rounded.
 *
 * <p>It is elementwise, but deliberately not one of the {@link dev.arrax.core.ElementwiseOp}s that every
 * backend must lower: backends see it as an opaque primitive, so under jit it runs on the reference
 * evaluator (an explicit, logged fallback) and elsewhere (GPU) is declined with that reason.
 *
 * <p>JVP (JAX's): {@code -2/sqrt(pi) exp(-x^2) t}. vmap: elementwise.
 */
public final class Erfc extends Primitive<Params.None> {
  Erfc() {
    super("erfc", Params.None.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 1) throw new ShapeException("erfc: takes 1 operand, got " + in.length);
    Elementwise.requireFloat("erfc", in[0]);
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    outTypes(new ArrayType[] {in[0].type()}, p);
    ConcreteArray out = ConcreteArray.zeros(in[0].type());
    Buffer x = in[0].buffer(), o = out.buffer();
    for (int i = 0; i < x.size(); i++) o.setDouble(i, SpecialFunctions.erfc(x.getDouble(i)));
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray y = bind1(p, x[0]);
    if (SymbolicZero.is(t[0])) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray d = Ops.mul(Ops.like(x[0], -2.0 / Math.sqrt(Math.PI)), Ops.exp(Ops.neg(Ops.mul(x[0], x[0]))));
    return JvpResult.of(y, Ops.mul(t[0], d));
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Batched.of(bind1(p, args[0]), dims[0]);
  }
}
