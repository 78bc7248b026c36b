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
import java.util.Arrays;

/**
 * A window of static size {@code sliceSizes} at run-time start indices (operands: array, then one
 * integer scalar per axis). Starts are clamped so the window fits, as in XLA. Linear in the array.
 */
public final class DynamicSlice extends Primitive<DynamicSlice.P> {
  /** Parameters: the static size of the window along each axis. */
  public record P(int[] sliceSizes) implements Params {}

  DynamicSlice() {
    super("dynamic_slice", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    DynamicIndexing.checkIndices(name(), in[0], in, 1);
    int[] s = in[0].shape();
    if (p.sliceSizes().length != s.length) throw new ShapeException("dynamic_slice: slice sizes " + Shapes.str(p.sliceSizes()) + " do not match " + in[0]);
    for (int i = 0; i < s.length; i++) {
      if (p.sliceSizes()[i] < 0 || p.sliceSizes()[i] > s[i]) {
        throw new ShapeException("dynamic_slice: slice size " + p.sliceSizes()[i] + " for axis " + i + " does not fit " + in[0]);
      }
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), p.sliceSizes())};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int[] s = in[0].shape(), start = DynamicIndexing.clampedStarts(in, 1, s, p.sliceSizes());
    int[] str = Shapes.strides(s), idx = new int[s.length];
    ConcreteArray r = ConcreteArray.zeros(new ArrayType(in[0].dtype(), p.sliceSizes()));
    Buffer src = in[0].buffer(), dst = r.buffer();
    for (int f = 0; f < dst.size(); f++) {
      Indexing.unravel(f, p.sliceSizes(), idx);
      int o = 0;
      for (int i = 0; i < s.length; i++) o += (start[i] + idx[i]) * str[i];
      dst.copyElement(f, src, o);
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x);
    if (SymbolicZero.is(t[0])) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray[] args = x.clone();
    args[0] = t[0];
    return JvpResult.of(y, bind1(p, args));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    NDArray[] out = new NDArray[in.length];
    out[0] = Ops.dynamicUpdateSlice(Ops.zeros(in[0].type()), ct[0], Arrays.copyOfRange(in, 1, in.length));
    return out;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveToFront(args[0], dims[0], size);
    boolean indicesBatched = false;
    for (int i = 1; i < dims.length; i++) indicesBatched |= dims[i] != Batched.NOT_MAPPED;
    if (!indicesBatched) {
      NDArray[] starts = new NDArray[args.length];
      starts[0] = Ops.scalar(0, args.length > 1 ? args[1].dtype() : dev.arrax.DType.INT32); // a 0-d operand has no start indices
      System.arraycopy(args, 1, starts, 1, args.length - 1);
      return Batched.of(Ops.dynamicSlice(x, starts, Shapes.concat(new int[] {size}, p.sliceSizes())), 0);
    }
    return Batched.of(oneHotSlice(x, args, dims, size, p.sliceSizes()), 0);
  }

  /**
   * Per-example start indices: each axis is sliced with a one-hot mask {@code sel[b, j, m] = (m == start_b + j)}:
   * the operand is spread over a new window axis, a select keeps the masked element and a reduce_sum
   * drops the operand axis. A select, not a product with a 0/1 matrix, so an inf or NaN outside the
   * window does not turn the window into NaN (0 * inf). O(n * window) work, but one batched program,
   * and linear so it differentiates like the slice it replaces.
   */
  static NDArray oneHotSlice(NDArray x, NDArray[] args, int[] dims, int size, int[] sizes) {
    NDArray cur = x;
    for (int k = 0; k < sizes.length; k++) {
      NDArray idx = Batching.moveToFront(args[1 + k], dims[1 + k], size);
      int n = x.shape()[k + 1], w = sizes[k];
      NDArray start = Ops.min(Ops.max(idx, Ops.like(idx, 0)), Ops.like(idx, n - w));
      int[] selShape = {size, w, n};
      NDArray m = Ops.iota(idx.dtype(), selShape, 2), j = Ops.iota(idx.dtype(), selShape, 1);
      NDArray sel = Ops.eq(m, Ops.add(Ops.broadcastInDim(start, selShape, new int[] {0}), j));
      int[] wide = Shapes.insert(cur.shape(), k + 1, w); // [size, ..., w, n, ...]
      int[] keep = new int[cur.ndim()];
      for (int a = 0; a < keep.length; a++) keep[a] = a <= k ? a : a + 1;
      NDArray spread = Ops.broadcastInDim(cur, wide, keep);
      NDArray mask = Ops.broadcastInDim(sel, wide, new int[] {0, k + 1, k + 2});
      cur = Ops.reduceSum(Ops.select(mask, spread, Ops.zeros(spread.type())), k + 2);
    }
    return cur;
  }
}
