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

/**
 * {@code gather[axis] operand indices}: the elements of {@code operand} at integer {@code indices} along
 * one axis, {@code out[p..., i..., q...] = operand[p..., indices[i...], q...]}, so the output shape is
 * {@code operand.shape[:axis] + indices.shape + operand.shape[axis+1:]} (NumPy's {@code take}). It is
 * the one-axis case of JAX's {@code gather_p} (collapsed slice dimension {@code axis}, slice size 1),
 * with XLA's semantics for out-of-range indices: they are clamped into {@code [0, n - 1]}. JAX's other
 * modes (fill with NaN, wrap, negative indices counting from the end) are built above it in Np by
 * normalizing the indices and masking.
 *
 * <p>Rules. Linear in the operand: JVP {@code gather(t, indices)}; transpose
 * {@code scatter_add(zeros, indices, ct)} with clamped indices (see {@link Scatter}), so each
 * cotangent lands where its value was read. vmap: a batched operand is one more leading axis; batched
 * indices with an unbatched operand add an axis to the indices; both batched are one gather from the
 * operand flattened over (batch, axis), with index {@code b * n + clamp(i)}. Under jit it runs on the
 * reference evaluator (an explicit, logged fallback).
 */
public final class Gather extends Primitive<Gather.P> {
  /** {@code axis}: the operand axis the indices select along. */
  public record P(int axis) implements Params {}

  Gather() {
    super("gather", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length != 2) throw new ShapeException("gather: takes an operand and indices, got " + in.length + " operands");
    ArrayType op = in[0], idx = in[1];
    if (p.axis() < 0 || p.axis() >= op.rank()) {
      throw new ShapeException("gather: axis " + p.axis() + " is out of bounds for the operand " + op + "; the operand needs at least one axis");
    }
    if (!idx.dtype().isInteger()) throw new ShapeException("gather: indices must be integers (i32, i64 or u32), got " + idx);
    if (op.dim(p.axis()) == 0 && idx.size() > 0) {
      throw new ShapeException("gather: cannot take " + idx + " indices from the empty axis " + p.axis() + " of " + op);
    }
    return new ArrayType[] {new ArrayType(op.dtype(), outShape(op.shape(), p.axis(), idx.shape()))};
  }

  /** {@code shape[:axis] + indexShape + shape[axis+1:]}: the output of a gather and the updates of a scatter. */
  static int[] outShape(int[] shape, int axis, int[] indexShape) {
    int[] pre = java.util.Arrays.copyOfRange(shape, 0, axis), post = java.util.Arrays.copyOfRange(shape, axis + 1, shape.length);
    return Shapes.concat(Shapes.concat(pre, indexShape), post);
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type(), in[1].type()}, p)[0];
    ConcreteArray out = ConcreteArray.zeros(t);
    int[] s = in[0].shape();
    int a = p.axis(), n = s[a];
    int pre = Shapes.size(java.util.Arrays.copyOfRange(s, 0, a)), post = Shapes.size(java.util.Arrays.copyOfRange(s, a + 1, s.length));
    Buffer src = in[0].buffer(), idx = in[1].buffer(), dst = out.buffer();
    int m = idx.size();
    for (int i = 0; i < m; i++) {
      int k = clamp(idx.getLong(i), n);
      for (int b = 0; b < pre; b++) {
        int from = (b * n + k) * post, to = (b * m + i) * post;
        for (int q = 0; q < post; q++) dst.copyElement(to + q, src, from + q);
      }
    }
    return new NDArray[] {out};
  }

  static int clamp(long k, int n) {
    return (int) Math.max(0, Math.min(n - 1, k));
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0], x[1]);
    return JvpResult.of(y, SymbolicZero.is(t[0]) ? new SymbolicZero(y.type()) : bind1(p, t[0], x[1]));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    if (dev.arrax.core.UndefinedPrimal.is(in[1])) throw new dev.arrax.ArraxException("gather: the indices cannot be linear");
    if (SymbolicZero.is(ct[0])) return new NDArray[] {null, null};
    NDArray zeros = Ops.zeros(in[0].type());
    return new NDArray[] {Primitives.SCATTER_ADD.bind1(new Scatter.P(p.axis(), false, false), zeros, in[1], ct[0]), null};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray op = args[0], idx = args[1];
    int a = p.axis();
    if (dims[1] == Batched.NOT_MAPPED) {
      NDArray x = Batching.moveAxis(op, dims[0], 0);
      return Batched.of(bind1(new P(a + 1), x, idx), 0);
    }
    NDArray i = Batching.moveAxis(idx, dims[1], 0);
    if (dims[0] == Batched.NOT_MAPPED) {
      return Batched.of(bind1(p, op, i), a); // out: pre + [B, I...] + post
    }
    NDArray x = Batching.moveAxis(op, dims[0], a); // [pre, B, n, post]
    int n = x.shape()[a + 1];
    NDArray flatOp = Ops.reshape(x, mergeAxes(x.shape(), a));
    NDArray flatIdx = flatIndices(i, n, size, true);
    return Batched.of(bind1(new P(a), flatOp, flatIdx), a);
  }

  /** {@code shape} with axes {@code a} and {@code a + 1} merged into one. */
  static int[] mergeAxes(int[] shape, int a) {
    int[] r = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i == a + 1) continue;
      r[j++] = i == a ? shape[a] * shape[a + 1] : shape[i];
    }
    return r;
  }

  /**
   * Indices {@code [B, I...]} into one example's axis of length n, as indices into the (batch, axis)
   * flattening: {@code b * n + k}, with k clamped into range ({@code clip}) or, when out of range, replaced
   * by -1 so that a dropping scatter skips it. Computed in i64.
   */
  static NDArray flatIndices(NDArray idx, int n, int size, boolean clip) {
    NDArray i = Ops.convert(idx, DType.INT64);
    NDArray lo = Ops.like(i, 0), hi = Ops.like(i, n - 1);
    NDArray offset = Ops.mul(Ops.iota(DType.INT64, i.shape(), 0), Ops.like(i, n));
    if (clip) return Ops.add(offset, Ops.min(Ops.max(i, lo), hi));
    NDArray inRange = Ops.and(Ops.ge(i, lo), Ops.le(i, hi));
    return Ops.select(inRange, Ops.add(offset, i), Ops.like(i, -1));
  }
}
