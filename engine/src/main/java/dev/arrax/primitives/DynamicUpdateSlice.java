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
import dev.arrax.core.UndefinedPrimal;
import java.util.Arrays;

/**
 * A copy of the operand with {@code update} written at run-time start indices (operands: array,
 * update, one integer scalar per axis; starts clamped as in XLA). Linear in the array and the update.
 */
public final class DynamicUpdateSlice extends Primitive<Params.None> {
  DynamicUpdateSlice() {
    super("dynamic_update_slice", Params.None.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length < 2) throw new ShapeException("dynamic_update_slice: takes an operand, an update and start indices");
    DynamicIndexing.checkIndices(name(), in[0], in, 2);
    if (in[1].dtype() != in[0].dtype()) throw new ShapeException("dynamic_update_slice: update " + in[1] + " must have the dtype of " + in[0]);
    if (in[1].rank() != in[0].rank()) throw new ShapeException("dynamic_update_slice: update " + in[1] + " must have the rank of " + in[0]);
    for (int i = 0; i < in[0].rank(); i++) {
      if (in[1].dim(i) > in[0].dim(i)) throw new ShapeException("dynamic_update_slice: update " + in[1] + " does not fit in " + in[0]);
    }
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    int[] s = in[0].shape(), u = in[1].shape(), start = DynamicIndexing.clampedStarts(in, 2, s, u);
    ConcreteArray r = ConcreteArray.zeros(in[0].type());
    Buffer dst = r.buffer(), upd = in[1].buffer();
    dst.copyRange(0, in[0].buffer(), 0, in[0].size());
    int[] str = Shapes.strides(s), idx = new int[s.length];
    for (int f = 0; f < upd.size(); f++) {
      Indexing.unravel(f, u, idx);
      int o = 0;
      for (int i = 0; i < s.length; i++) o += (start[i] + idx[i]) * str[i];
      dst.copyElement(o, upd, f);
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray y = bind1(p, x);
    if (SymbolicZero.is(t[0]) && SymbolicZero.is(t[1])) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray[] args = x.clone();
    args[0] = Ops.instantiate(t[0]);
    args[1] = Ops.instantiate(t[1]);
    return JvpResult.of(y, bind1(p, args));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    NDArray[] starts = Arrays.copyOfRange(in, 2, in.length);
    NDArray[] out = new NDArray[in.length];
    if (UndefinedPrimal.is(in[0])) out[0] = Ops.dynamicUpdateSlice(ct[0], Ops.zeros(in[1].type()), starts);
    if (UndefinedPrimal.is(in[1])) out[1] = Ops.dynamicSlice(ct[0], starts, in[1].shape());
    return out;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    NDArray x = Batching.moveToFront(args[0], dims[0], size);
    NDArray u = Batching.moveToFront(args[1], dims[1], size);
    boolean indicesBatched = false;
    for (int i = 2; i < dims.length; i++) indicesBatched |= dims[i] != Batched.NOT_MAPPED;
    if (!indicesBatched) {
      NDArray[] starts = new NDArray[args.length - 1];
      starts[0] = Ops.scalar(0, args.length > 2 ? args[2].dtype() : DType.INT32); // a 0-d operand has no start indices
      System.arraycopy(args, 2, starts, 1, args.length - 2);
      return Batched.of(Ops.dynamicUpdateSlice(x, u, starts), 0);
    }
    return Batched.of(oneHotUpdate(x, u, args, dims, size), 0);
  }

  /**
   * Per-example start indices: the update is placed into a zero array of the operand's shape by one
   * one-hot placement per axis ({@code sel[b, m, j] = (m == start_b + j)}), the same placement of
   * ones gives the window mask, and a select keeps the operand outside the window. Linear in the
   * operand and the update, so it differentiates like the update it replaces.
   */
  private static NDArray oneHotUpdate(NDArray x, NDArray u, NDArray[] args, int[] dims, int size) {
    DType work = x.dtype() == DType.BOOL ? DType.INT32 : x.dtype();
    NDArray placed = Ops.convert(u, work);
    NDArray mask = Ops.full(placed.type(), 1);
    int rank = x.ndim() - 1;
    for (int k = 0; k < rank; k++) {
      NDArray idx = Batching.moveToFront(args[2 + k], dims[2 + k], size);
      int n = x.shape()[k + 1], w = u.shape()[k + 1];
      NDArray start = Ops.min(Ops.max(idx, Ops.like(idx, 0)), Ops.like(idx, n - w));
      int[] selShape = {size, n, w};
      NDArray m = Ops.iota(idx.dtype(), selShape, 1), j = Ops.iota(idx.dtype(), selShape, 2);
      NDArray sel = Ops.eq(m, Ops.add(Ops.broadcastInDim(start, selShape, new int[] {0}), j));
      placed = place(placed, sel, k);
      mask = place(mask, sel, k);
    }
    NDArray inWindow = Ops.gt(mask, Ops.like(mask, 0));
    return Ops.select(inWindow, Ops.convert(placed, x.dtype()), x);
  }

  /**
   * Places axis k+1 of {@code t} (size w) by the bool mask {@code sel[b, m, j]}, giving size n at the same
   * axis. A select and a sum, not a contraction with a 0/1 matrix: 0 * inf would put NaN into the window.
   */
  private static NDArray place(NDArray t, NDArray sel, int k) {
    int[] wide = Shapes.insert(t.shape(), k + 1, sel.shape()[1]); // [size, ..., n, w, ...]
    int[] keep = new int[t.ndim()];
    for (int a = 0; a < keep.length; a++) keep[a] = a <= k ? a : a + 1;
    NDArray spread = Ops.broadcastInDim(t, wide, keep);
    NDArray mask = Ops.broadcastInDim(sel, wide, new int[] {0, k + 1, k + 2});
    return Ops.reduceSum(Ops.select(mask, spread, Ops.zeros(spread.type())), k + 2);
  }
}
