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

/** Inclusive cumulative sum along an axis (from the end when {@code reverse}). Linear; transposes to the reversed cumsum. */
public final class Cumsum extends Primitive<Cumsum.P> {
  /** Parameters: the axis to accumulate along, and whether to accumulate from the end. */
  public record P(int axis, boolean reverse) implements Params {}

  Cumsum() {
    super("cumsum", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (p.axis() < 0 || p.axis() >= in[0].rank()) throw new ShapeException("cumsum: axis " + p.axis() + " out of bounds for " + in[0]);
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int[] s = in[0].shape();
    int len = s[p.axis()], inner = Shapes.strides(s)[p.axis()], outer = len == 0 || inner == 0 ? 0 : in[0].size() / (len * inner);
    ConcreteArray r = ConcreteArray.zeros(in[0].type());
    Buffer x = in[0].buffer(), o = r.buffer();
    boolean fl = in[0].dtype().isFloating();
    for (int a = 0; a < outer; a++) {
      for (int i = 0; i < inner; i++) {
        double accD = 0;
        long accL = 0;
        for (int k0 = 0; k0 < len; k0++) {
          int k = p.reverse() ? len - 1 - k0 : k0;
          int f = (a * len + k) * inner + i;
          if (fl) o.setDouble(f, accD += x.getDouble(f));
          else o.setLong(f, accL += x.getLong(f));
        }
      }
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    return new NDArray[] {Ops.cumsum(ct[0], p.axis(), !p.reverse())};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    return Batched.of(bind1(new P(p.axis() + 1, p.reverse()), x), 0);
  }
}
