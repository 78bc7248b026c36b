package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;

/** An array of the given shape whose elements are their index along {@code dimension}. No operands. */
public final class Iota extends Primitive<Iota.P> {
  /** Parameters: the output dtype and shape, and the axis whose index each element holds. */
  public record P(DType dtype, int[] shape, int dimension) implements Params {}

  Iota() {
    super("iota", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length != 0) throw new ShapeException("iota: takes no operands");
    if (p.dimension() < 0 || p.dimension() >= p.shape().length) {
      throw new ShapeException("iota: dimension " + p.dimension() + " out of bounds for shape " + java.util.Arrays.toString(p.shape()));
    }
    return new ArrayType[] {new ArrayType(p.dtype(), p.shape())};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ConcreteArray r = ConcreteArray.zeros(new ArrayType(p.dtype(), p.shape()));
    int[] idx = new int[p.shape().length];
    for (int f = 0; f < r.size(); f++) {
      Indexing.unravel(f, p.shape(), idx);
      r.buffer().setLong(f, idx[p.dimension()]);
    }
    return new NDArray[] {r};
  }
}
