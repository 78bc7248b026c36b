package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;

/** Joins operands along {@code dimension}; all other axes must agree. Linear; transposes to slices. */
public final class Concatenate extends Primitive<Concatenate.P> {
  /** Parameters: the axis to join along. */
  public record P(int dimension) implements Params {}

  Concatenate() {
    super("concatenate", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length == 0) throw new ShapeException("concatenate: needs at least one operand");
    int d = p.dimension();
    if (d < 0 || d >= in[0].rank()) throw new ShapeException("concatenate: dimension " + d + " out of bounds for " + in[0]);
    int[] out = in[0].shape();
    for (int i = 1; i < in.length; i++) {
      if (in[i].dtype() != in[0].dtype()) throw new ShapeException("concatenate: dtypes differ, " + in[0] + " and " + in[i]);
      if (in[i].rank() != in[0].rank()) throw new ShapeException("concatenate: ranks differ, " + in[0] + " and " + in[i]);
      for (int a = 0; a < out.length; a++) {
        if (a != d && in[i].dim(a) != out[a]) {
          throw new ShapeException("concatenate: operand " + in[i] + " differs from " + in[0] + " in axis " + a + " (only axis " + d + " may differ)");
        }
      }
      out[d] += in[i].dim(d);
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), out)};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType[] ts = new ArrayType[in.length];
    for (int i = 0; i < in.length; i++) ts[i] = in[i].type();
    ArrayType t = outTypes(ts, p)[0];
    ConcreteArray r = ConcreteArray.zeros(t);
    int d = p.dimension(), outer = 1;
    for (int a = 0; a < d; a++) outer *= t.dim(a);
    int outRow = t.size() / Math.max(1, outer);
    int off = 0;
    for (ConcreteArray x : in) {
      int row = outer == 0 ? 0 : x.size() / outer;
      for (int o = 0; o < outer; o++) r.buffer().copyRange(o * outRow + off, x.buffer(), o * row, row);
      off += row;
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x);
    boolean allZero = true;
    for (NDArray ti : t) allZero &= SymbolicZero.is(ti);
    if (allZero) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray[] ts = new NDArray[t.length];
    for (int i = 0; i < t.length; i++) ts[i] = Ops.instantiate(t[i]);
    return JvpResult.of(y, bind1(p, ts));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    NDArray[] out = new NDArray[in.length];
    int[] s = ct[0].shape();
    int off = 0;
    for (int i = 0; i < in.length; i++) {
      int len = in[i].shape()[p.dimension()];
      if (UndefinedPrimal.is(in[i])) {
        int[] start = new int[s.length], limit = s.clone(), strides = new int[s.length];
        java.util.Arrays.fill(strides, 1);
        start[p.dimension()] = off;
        limit[p.dimension()] = off + len;
        out[i] = Ops.slice(ct[0], start, limit, strides);
      }
      off += len;
    }
    return out;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray[] moved = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) moved[i] = Batching.moveToFront(args[i], dims[i], size);
    return Batched.of(bind1(new P(p.dimension() + 1), moved), 0);
  }

}
