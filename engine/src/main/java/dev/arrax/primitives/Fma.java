package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;

/**
 * Fused multiply-add {@code a * b + c} with a single rounding (IEEE 754 fusedMultiplyAdd), on floats
 * of one shape and dtype. XLA has no such op, but its CPU and GPU backends contract a product that
 * only feeds an addition into one, so programs that must reproduce JAX bit for bit
 * ({@code jax.random.uniform}'s {@code floats * (max - min) + min}) say so explicitly with this.
 *
 * <p>JVP: ta*b + a*tb + tc. Linear in {@code c}, and in one of {@code a}, {@code b} when the other is known.
 */
public final class Fma extends Primitive<Params.None> {
  Fma() {
    super("fma", Params.None.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length != 3) throw new ShapeException("fma: takes 3 operands (a * b + c), got " + in.length);
    ArrayType t = Elementwise.checkSame("fma", in);
    Elementwise.requireFloat("fma", t);
    return new ArrayType[] {t};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    ArrayType t = outTypes(Elementwise.types(in), p)[0];
    ConcreteArray out = ConcreteArray.zeros(t);
    int n = t.size();
    if (t.dtype() == DType.FLOAT32) {
      float[] a = (float[]) in[0].buffer().array(), b = (float[]) in[1].buffer().array(), c = (float[]) in[2].buffer().array();
      float[] o = (float[]) out.buffer().array();
      for (int i = 0; i < n; i++) o[i] = Math.fma(a[i], b[i], c[i]);
    } else {
      double[] a = (double[]) in[0].buffer().array(), b = (double[]) in[1].buffer().array(), c = (double[]) in[2].buffer().array();
      double[] o = (double[]) out.buffer().array();
      for (int i = 0; i < n; i++) o[i] = Math.fma(a[i], b[i], c[i]);
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray y = bind1(p, x);
    NDArray ty = t[2];
    if (!SymbolicZero.is(t[1])) ty = Ops.addAny(Ops.mul(x[0], t[1]), ty);
    if (!SymbolicZero.is(t[0])) ty = SymbolicZero.is(ty) ? Ops.mul(t[0], x[1]) : Ops.fma(t[0], x[1], ty);
    return JvpResult.of(y, ty);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    boolean la = UndefinedPrimal.is(in[0]), lb = UndefinedPrimal.is(in[1]);
    if (la && lb) throw new ArraxException("fma: cannot transpose a product of two linear values (the function is not linear)");
    NDArray c = ct[0];
    if (SymbolicZero.is(c)) return new NDArray[] {null, null, null};
    return new NDArray[] {
        la ? Ops.mul(c, in[1]) : null,
        lb ? Ops.mul(in[0], c) : null,
        UndefinedPrimal.is(in[2]) ? c : null};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    return Elementwise.batch(this, args, dims, size, p);
  }
}
