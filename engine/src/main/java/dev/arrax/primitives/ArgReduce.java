package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;

/** argmax / argmin along one axis: the first index of the extreme value; a NaN counts as the extreme (JAX). */
public final class ArgReduce extends Primitive<ArgReduce.P> {
  /** Parameters: the reduced {@code axis} (removed from the result) and the dtype of the returned indices. */
  public record P(int axis, DType indexDtype) implements Params {}

  private final boolean isMax;

  ArgReduce(boolean isMax) {
    super(isMax ? "argmax" : "argmin", P.class);
    this.isMax = isMax;
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (p.axis() < 0 || p.axis() >= in[0].rank()) throw new ShapeException(name() + ": axis " + p.axis() + " out of bounds for " + in[0]);
    if (in[0].dim(p.axis()) == 0) throw new ShapeException(name() + ": cannot reduce an empty axis " + p.axis() + " of " + in[0]);
    if (!p.indexDtype().isInteger()) throw new ShapeException(name() + ": index dtype must be an integer type, got " + p.indexDtype());
    return new ArrayType[] {new ArrayType(p.indexDtype(), Shapes.remove(in[0].shape(), p.axis()))};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type()}, p)[0];
    int[] s = in[0].shape();
    int ax = p.axis(), len = s[ax], stride = Shapes.strides(s)[ax];
    int outer = 1;
    for (int i = 0; i < ax; i++) outer *= s[i];
    int inner = stride;
    Buffer x = in[0].buffer();
    boolean fl = in[0].dtype().isFloating();
    ConcreteArray out = ConcreteArray.zeros(t);
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i, best = 0;
        for (int k = 1; k < len; k++) {
          int f = base + k * inner, b = base + best * inner;
          if (fl) {
            double v = x.getDouble(f), bv = x.getDouble(b);
            if (Double.isNaN(bv)) break;
            if (Double.isNaN(v) || (isMax ? v > bv : v < bv)) best = k;
          } else {
            long v = x.getLong(f), bv = x.getLong(b);
            if (isMax ? v > bv : v < bv) best = k;
          }
        }
        out.buffer().setLong(o * inner + i, best);
      }
    }
    return new NDArray[] {out};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, new SymbolicZero(y.type()));
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    return Batched.of(bind1(new P(p.axis() + 1, p.indexDtype()), x), 0);
  }
}
