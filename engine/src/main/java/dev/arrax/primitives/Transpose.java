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

/** Permutes axes: output axis i is operand axis {@code permutation[i]}. Linear; transposes to the inverse permutation. */
public final class Transpose extends Primitive<Transpose.P> {
  /** Parameters: output axis i is operand axis {@code permutation[i]}. */
  public record P(int[] permutation) implements Params {}

  Transpose() {
    super("transpose", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int[] perm = p.permutation();
    int r = in[0].rank();
    boolean ok = perm.length == r;
    boolean[] seen = new boolean[r];
    for (int a : perm) {
      if (!ok || a < 0 || a >= r || seen[a]) {
        ok = false;
        break;
      }
      seen[a] = true;
    }
    if (!ok) throw new ShapeException("transpose: " + Shapes.str(perm) + " is not a permutation of the axes of " + in[0]);
    int[] s = in[0].shape(), out = new int[r];
    for (int i = 0; i < r; i++) out[i] = s[perm[i]];
    return new ArrayType[] {new ArrayType(in[0].dtype(), out)};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type()}, p)[0];
    int[] perm = p.permutation(), inStrides = Shapes.strides(in[0].shape()), out = t.shape();
    int[] strideOut = new int[perm.length];
    for (int i = 0; i < perm.length; i++) strideOut[i] = inStrides[perm[i]];
    ConcreteArray r = ConcreteArray.zeros(t);
    Buffer src = in[0].buffer(), dst = r.buffer();
    int[] idx = new int[out.length];
    for (int f = 0; f < dst.size(); f++) {
      Indexing.unravel(f, out, idx);
      dst.copyElement(f, src, Indexing.ravel(idx, strideOut));
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    return new NDArray[] {Ops.transpose(ct[0], Shapes.inversePerm(p.permutation()))};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    int[] perm = new int[p.permutation().length + 1];
    for (int i = 0; i < p.permutation().length; i++) perm[i + 1] = p.permutation()[i] + 1;
    return Batched.of(Ops.transpose(x, perm), 0);
  }
}
