package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;

/** Reinterprets the row-major elements with a new shape of the same size. Linear. */
public final class Reshape extends Primitive<Reshape.P> {
  /** Parameters: the new shape (same number of elements). */
  public record P(int[] newSizes) implements Params {}

  Reshape() {
    super("reshape", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    for (int d : p.newSizes()) if (d < 0) throw new ShapeException("reshape: negative size in " + Shapes.str(p.newSizes()));
    if (Shapes.size(p.newSizes()) != in[0].size()) {
      throw new ShapeException("reshape: cannot reshape " + in[0] + " (" + in[0].size() + " elements) to "
          + Shapes.str(p.newSizes()) + " (" + Shapes.size(p.newSizes()) + " elements); the new shape must have as many elements"
          + " (one entry may be -1 to infer it)");
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), p.newSizes())};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    // Buffers are immutable once wrapped, so the new array can share the old one's.
    return new NDArray[] {new ConcreteArray(new ArrayType(in[0].dtype(), p.newSizes()), in[0].buffer())};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    return new NDArray[] {Ops.reshape(ct[0], in[0].shape())};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    return Batched.of(Ops.reshape(x, Shapes.insert(p.newSizes(), 0, size)), 0);
  }
}
