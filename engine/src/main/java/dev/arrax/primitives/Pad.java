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
 * Pads with a scalar value: {@code low}/{@code high} elements before/after each axis and {@code interior}
 * between neighbours (all non-negative). Linear in the operand and the padding value; the transpose of
 * {@link Slice}.
 */
public final class Pad extends Primitive<Pad.P> {
  /**
   * Parameters per axis: elements added before ({@code low}), after ({@code high}) and between neighbours
   * ({@code interior}), all non-negative.
   */
  public record P(int[] low, int[] high, int[] interior) implements Params {}

  Pad() {
    super("pad", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int[] s = in[0].shape();
    if (in.length != 2 || in[1].rank() != 0) throw new ShapeException("pad: takes an operand and a scalar padding value");
    if (in[1].dtype() != in[0].dtype()) throw new ShapeException("pad: padding value " + in[1] + " must have the operand's dtype " + in[0]);
    if (p.low().length != s.length || p.high().length != s.length || p.interior().length != s.length) {
      throw new ShapeException("pad: low/high/interior must each have " + s.length + " entries for " + in[0]);
    }
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      if (p.low()[i] < 0 || p.high()[i] < 0 || p.interior()[i] < 0) throw new ShapeException("pad: negative padding " + p + " is not supported");
      out[i] = p.low()[i] + p.high()[i] + s[i] + Math.max(0, s[i] - 1) * p.interior()[i];
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), out)};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type(), in[1].type()}, p)[0];
    ConcreteArray r = ConcreteArray.zeros(t);
    Buffer dst = r.buffer(), src = in[0].buffer();
    for (int f = 0; f < dst.size(); f++) dst.copyElement(f, in[1].buffer(), 0);
    int[] s = in[0].shape(), outStr = Shapes.strides(t.shape()), idx = new int[s.length];
    for (int f = 0; f < src.size(); f++) {
      Indexing.unravel(f, s, idx);
      int o = 0;
      for (int i = 0; i < s.length; i++) o += (p.low()[i] + idx[i] * (p.interior()[i] + 1)) * outStr[i];
      dst.copyElement(o, src, f);
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0], x[1]);
    if (SymbolicZero.is(t[0]) && SymbolicZero.is(t[1])) return JvpResult.of(y, new SymbolicZero(y.type()));
    return JvpResult.of(y, bind1(p, Ops.instantiate(t[0]), Ops.instantiate(t[1])));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    int[] s = in[0].shape(), out = ct[0].shape();
    int[] lo = p.low(), limit = new int[s.length], strides = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      strides[i] = p.interior()[i] + 1;
      limit[i] = s[i] == 0 ? lo[i] : lo[i] + (s[i] - 1) * strides[i] + 1;
    }
    NDArray opCt = Ops.slice(ct[0], lo, limit, strides);
    NDArray padCt = Ops.sub(Ops.reduceSum(ct[0], Shapes.range(out.length)), Ops.reduceSum(opCt, Shapes.range(s.length)));
    return new NDArray[] {opCt, padCt};
  }

  /** A batched padding value is handled as pad(x, 0) + mask * value, with the mask marking padded cells. */
  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveToFront(args[0], dims[0], size);
    P q = new P(Shapes.concat(new int[] {0}, p.low()), Shapes.concat(new int[] {0}, p.high()), Shapes.concat(new int[] {0}, p.interior()));
    if (dims[1] == Batched.NOT_MAPPED) return Batched.of(bind1(q, x, args[1]), 0);
    NDArray zero = Ops.scalar(0, x.dtype());
    NDArray padded = bind1(q, x, zero);
    NDArray mask = bind1(q, Ops.zeros(x.type()), Ops.scalar(1, x.dtype()));
    NDArray value = Ops.broadcastInDim(Batching.moveAxis(args[1], dims[1], 0), padded.shape(), new int[] {0});
    return Batched.of(Ops.add(padded, Ops.mul(mask, value)), 0);
  }
}
