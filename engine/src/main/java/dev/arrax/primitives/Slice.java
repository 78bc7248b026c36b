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

/** Static strided slice {@code [start, limit)} step {@code strides} per axis. Linear; transposes to a zero pad. */
public final class Slice extends Primitive<Slice.P> {
  /** Parameters per axis: the first index, the exclusive end, and the step. */
  public record P(int[] startIndices, int[] limitIndices, int[] strides) implements Params {}

  Slice() {
    super("slice", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int[] s = in[0].shape();
    if (p.startIndices().length != s.length || p.limitIndices().length != s.length || p.strides().length != s.length) {
      throw new ShapeException("slice: start/limit/strides must each have " + s.length + " entries for " + in[0]);
    }
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      int st = p.startIndices()[i], li = p.limitIndices()[i], k = p.strides()[i];
      if (st < 0 || li > s[i] || st > li || k < 1) {
        throw new ShapeException("slice: invalid range [" + st + ", " + li + ") step " + k + " for axis " + i + " of " + in[0]);
      }
      out[i] = (li - st + k - 1) / k;
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), out)};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type()}, p)[0];
    int[] str = Shapes.strides(in[0].shape()), out = t.shape(), idx = new int[out.length];
    ConcreteArray r = ConcreteArray.zeros(t);
    Buffer src = in[0].buffer(), dst = r.buffer();
    for (int f = 0; f < dst.size(); f++) {
      Indexing.unravel(f, out, idx);
      int s = 0;
      for (int i = 0; i < idx.length; i++) s += (p.startIndices()[i] + idx[i] * p.strides()[i]) * str[i];
      dst.copyElement(f, src, s);
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    int[] s = in[0].shape(), out = ct[0].shape();
    int[] lo = p.startIndices().clone(), hi = new int[s.length], interior = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      int used = out[i] == 0 ? 0 : (out[i] - 1) * p.strides()[i] + 1;
      interior[i] = out[i] == 0 ? 0 : p.strides()[i] - 1;
      hi[i] = s[i] - lo[i] - used;
      if (out[i] == 0) lo[i] = s[i] - hi[i];
    }
    return new NDArray[] {Ops.pad(ct[0], Ops.scalar(0, ct[0].dtype()), lo, hi, interior)};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    return Batched.of(bind1(new P(Shapes.concat(new int[] {0}, p.startIndices()), Shapes.concat(new int[] {size}, p.limitIndices()),
        Shapes.concat(new int[] {1}, p.strides())), x), 0);
  }
}
