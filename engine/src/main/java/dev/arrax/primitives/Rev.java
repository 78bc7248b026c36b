package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;

/**
 * {@code rev[dimensions] x}: reverses the order of the elements along the given axes (JAX's
 * {@code rev_p}, behind {@code jnp.flip}). A permutation, so linear and its own transpose; vmap shifts
 * the axes past the batch axis. Under jit it runs on the reference evaluator (an explicit, logged fallback).
 */
public final class Rev extends Primitive<Rev.P> {
  /** {@code dimensions}: distinct axes of the operand. */
  public record P(int[] dimensions) implements Params {}

  Rev() {
    super("rev", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length != 1) throw new ShapeException("rev: takes one operand, got " + in.length);
    boolean[] seen = new boolean[in[0].rank()];
    for (int d : p.dimensions()) {
      if (d < 0 || d >= seen.length || seen[d]) throw new ShapeException("rev: dimensions " + Shapes.str(p.dimensions()) + " are not distinct axes of " + in[0]);
      seen[d] = true;
    }
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    outTypes(new ArrayType[] {in[0].type()}, p);
    int[] s = in[0].shape(), strides = Shapes.strides(s), idx = new int[s.length];
    ConcreteArray r = ConcreteArray.zeros(in[0].type());
    Buffer src = in[0].buffer(), dst = r.buffer();
    for (int f = 0; f < dst.size(); f++) {
      Indexing.unravel(f, s, idx);
      for (int d : p.dimensions()) idx[d] = s[d] - 1 - idx[d];
      dst.copyElement(f, src, Indexing.ravel(idx, strides));
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    return new NDArray[] {bind1(p, ct[0])};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    int[] d = new int[p.dimensions().length];
    for (int i = 0; i < d.length; i++) d[i] = p.dimensions()[i] + 1;
    return Batched.of(bind1(new P(d), x), 0);
  }
}
