package dev.arrax;

import dev.arrax.core.CallSite;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.ControlFlow;
import dev.arrax.primitives.Ops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * jax.lax: operations close to the primitives, with explicit shapes and no implicit broadcasting or
 * promotion (operands of elementwise operations must already agree).
 */
public final class Lax {
  private Lax() {}

  /** {@code x[start:limit:stride]} along one axis (negative start/limit count from the end). */
  public static NDArray sliceInDim(NDArray x, int start, int limit, int stride, int axis) {
    int a = Shapes.axis("sliceInDim", axis, x.ndim());
    int n = x.shape()[a];
    int s = start < 0 ? start + n : start, l = limit < 0 ? limit + n : limit;
    if (s < 0 || l > n || s > l || stride < 1) {
      throw new ShapeException("sliceInDim: invalid slice [" + start + ":" + limit + ":" + stride + "] of axis " + axis + " (size " + n + ") of "
          + x.type() + "; need 0 <= start <= limit <= " + n + " (negative start/limit count from the end) and stride >= 1" + CallSite.describe());
    }
    int[] st = new int[x.ndim()], lim = x.shape(), str = new int[x.ndim()];
    Arrays.fill(str, 1);
    st[a] = s;
    lim[a] = l;
    str[a] = stride;
    return Ops.slice(x, st, lim, str);
  }

  /** {@code x[..., index, ...]} along one axis; keeps a size-1 axis when {@code keepdims}. */
  public static NDArray indexInDim(NDArray x, int index, int axis, boolean keepdims) {
    int a = Shapes.axis("indexInDim", axis, x.ndim());
    int n = x.shape()[a];
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
      throw new ShapeException("indexInDim: index " + index + " is out of bounds for axis " + axis + " with size " + n + " of " + x.type() + CallSite.describe());
    }
    NDArray s = sliceInDim(x, i, i + 1, 1, a);
    return keepdims ? s : Ops.reshape(s, Shapes.remove(s.shape(), a));
  }

  /**
   * A window of {@code sliceSizes} starting at run-time indices, one integer scalar per axis
   * (jax.lax.dynamic_slice). As in JAX (its default {@code allow_negative_indices=True}), a negative
   * signed start counts from the end of its axis (the axis length is added once), and then the start is
   * clamped so that the window fits, as XLA does: for {@code x = arange(6)},
   * {@code dynamicSlice(x, new int[] {-2}, 2)} is {@code [4, 5]} and a start of 5 or of -9 gives
   * {@code [4, 5]} and {@code [0, 1]}. Unsigned (u32) starts are never negative. The same holds under
   * jit and vmap (per-example starts included), since the wrap-around is made of ordinary operations.
   */
  public static NDArray dynamicSlice(NDArray x, NDArray[] startIndices, int... sliceSizes) {
    return Ops.dynamicSlice(x, wrapNegativeStarts("dynamicSlice", x, startIndices), sliceSizes);
  }

  /** As {@link #dynamicSlice(NDArray, NDArray[], int...)} with static starts (negative ones count from the end). */
  public static NDArray dynamicSlice(NDArray x, int[] startIndices, int... sliceSizes) {
    return Ops.dynamicSlice(x, intScalars(wrapNegativeStarts("dynamicSlice", x, startIndices)), sliceSizes);
  }

  /**
   * A copy of {@code x} with {@code update} written at run-time start indices
   * (jax.lax.dynamic_update_slice): a negative signed start counts from the end of its axis, then the
   * start is clamped so the update fits, as in {@link #dynamicSlice(NDArray, NDArray[], int...)}.
   */
  public static NDArray dynamicUpdateSlice(NDArray x, NDArray update, NDArray... startIndices) {
    return Ops.dynamicUpdateSlice(x, update, wrapNegativeStarts("dynamicUpdateSlice", x, startIndices));
  }

  /** As {@link #dynamicUpdateSlice(NDArray, NDArray, NDArray...)} with static starts. */
  public static NDArray dynamicUpdateSlice(NDArray x, NDArray update, int[] startIndices) {
    return Ops.dynamicUpdateSlice(x, update, intScalars(wrapNegativeStarts("dynamicUpdateSlice", x, startIndices)));
  }

  /**
   * JAX's {@code _dynamic_slice_indices}: {@code start < 0 ? start + n : start} for signed starts,
   * staged as {@code select(lt(i, 0), add(i, n), i)} so it works on traced and batched starts.
   */
  static NDArray[] wrapNegativeStarts(String op, NDArray x, NDArray[] starts) {
    requireNonNull(op, "the operand", x);
    requireNonNull(op, "startIndices", (Object) starts);
    if (starts.length != x.ndim()) {
      throw new ShapeException(op + ": needs one start index per axis of " + x.type() + " (" + x.ndim() + "), got " + starts.length + CallSite.describe());
    }
    NDArray[] r = new NDArray[starts.length];
    for (int i = 0; i < starts.length; i++) {
      NDArray s = starts[i];
      requireNonNull(op, "start index " + i, s);
      if (s.ndim() != 0 || !s.dtype().isInteger()) {
        throw new ShapeException(op + ": start index " + i + " must be an integer scalar, got " + s.type()
            + "; use NDArray.scalar(i, DType.INT32) or the int[] overload" + CallSite.describe());
      }
      if (s.dtype() == DType.UINT32) {
        r[i] = s;
        continue;
      }
      NDArray zero = Ops.scalar(0, s.dtype()), n = Ops.scalar(x.shape()[i], s.dtype());
      r[i] = Ops.select(Ops.lt(s, zero), Ops.add(s, n), s);
    }
    return r;
  }

  static int[] wrapNegativeStarts(String op, NDArray x, int[] starts) {
    requireNonNull(op, "the operand", x);
    requireNonNull(op, "startIndices", (Object) starts);
    if (starts.length != x.ndim()) {
      throw new ShapeException(op + ": needs one start index per axis of " + x.type() + " (" + x.ndim() + "), got " + starts.length + CallSite.describe());
    }
    int[] r = new int[starts.length];
    for (int i = 0; i < r.length; i++) r[i] = starts[i] < 0 ? starts[i] + x.shape()[i] : starts[i];
    return r;
  }

  /** Broadcasts: operand axis i becomes output axis {@code broadcastDimensions[i]}. */
  public static NDArray broadcastInDim(NDArray x, int[] shape, int[] broadcastDimensions) {
    return Ops.broadcastInDim(x, shape, broadcastDimensions);
  }

  /** Tensor contraction of {@code lhsContract} with {@code rhsContract}; output axes: lhs free, rhs free. */
  public static NDArray dotGeneral(NDArray lhs, NDArray rhs, int[] lhsContract, int[] rhsContract) {
    return Ops.dotGeneral(lhs, rhs, lhsContract, rhsContract, new int[0], new int[0]);
  }

  /** As above with batch axes paired; output axes: batch, lhs free, rhs free. */
  public static NDArray dotGeneral(NDArray lhs, NDArray rhs, int[] lhsContract, int[] rhsContract, int[] lhsBatch, int[] rhsBatch) {
    return Ops.dotGeneral(lhs, rhs, lhsContract, rhsContract, lhsBatch, rhsBatch);
  }

  /** The identity whose derivative is zero. */
  public static NDArray stopGradient(NDArray x) { return Ops.stopGradient(x); }

  /** {@code pred ? onTrue : onFalse} elementwise; pred is bool and all three have one shape. */
  public static NDArray select(NDArray pred, NDArray onTrue, NDArray onFalse) { return Ops.select(pred, onTrue, onFalse); }

  public static NDArray convertElementType(NDArray x, DType dtype) { return Ops.convert(x, dtype); }

  public static NDArray add(NDArray a, NDArray b) { return Ops.add(a, b); }

  public static NDArray sub(NDArray a, NDArray b) { return Ops.sub(a, b); }

  public static NDArray mul(NDArray a, NDArray b) { return Ops.mul(a, b); }

  public static NDArray div(NDArray a, NDArray b) { return Ops.div(a, b); }

  public static NDArray erf(NDArray x) { return Ops.erf(x); }

  public static NDArray iota(DType dtype, int size) {
    if (size < 0) throw new ShapeException("iota: negative size " + size + CallSite.describe());
    return Ops.iota(dtype, new int[] {size}, 0);
  }

  // ---- control flow ----

  /**
   * {@code pred ? trueFn(operands) : falseFn(operands)} that survives tracing (jax.lax.cond). Both
   * functions are traced once (so they must return the same shape and dtype), but only the chosen one
   * runs. {@code pred} is a scalar: bool, or a number (nonzero is true). Differentiable in both modes;
   * under vmap with a batched predicate both branches run and each element takes its own
   * ({@link #select}).
   *
   * <pre>{@code
   * NDArray y = Lax.cond(Np.greater(x.sum(), 0.0), xs -> Np.sin(xs[0]), xs -> Np.cos(xs[0]), x);
   * }</pre>
   */
  public static NDArray cond(NDArray pred, Fn trueFn, Fn falseFn, NDArray... operands) {
    requireNonNull("cond", "predicate", pred);
    if (trueFn == null || falseFn == null) throw new ArraxException("cond: trueFn and falseFn must not be null" + CallSite.describe());
    requireNonNull("cond", "operands", (Object) operands);
    for (int i = 0; i < operands.length; i++) requireNonNull("cond", "operand " + i, operands[i]);
    if (pred.ndim() != 0) {
      throw new ShapeException("cond: the predicate must be a scalar, got " + pred.type()
          + "; for an elementwise choice use Lax.select or Np.where" + CallSite.describe());
    }
    List<Function<NDArray[], NDArray[]>> branches = List.of(in -> new NDArray[] {falseFn.apply(in)}, in -> new NDArray[] {trueFn.apply(in)});
    return ControlFlow.cond(ControlFlow.truth(pred), branches, operands)[0];
  }

  /**
   * {@code branches[index](operands)} (jax.lax.switch): {@code index} an integer scalar, clamped to
   * {@code [0, branches.length - 1]}. Every branch must return the same shape and dtype.
   */
  public static NDArray switchCase(NDArray index, Fn[] branches, NDArray... operands) {
    requireNonNull("switchCase", "index", index);
    requireNonNull("switchCase", "operands", (Object) operands);
    if (branches == null || branches.length == 0) throw new ArraxException("switchCase: give at least one branch" + CallSite.describe());
    if (index.ndim() != 0 || !index.dtype().isInteger()) {
      throw new ShapeException("switchCase: the index must be an integer scalar, got " + index.type() + CallSite.describe());
    }
    List<Function<NDArray[], NDArray[]>> bs = new ArrayList<>();
    for (Fn b : branches) {
      if (b == null) throw new ArraxException("switchCase: a branch is null" + CallSite.describe());
      bs.add(in -> new NDArray[] {b.apply(in)});
    }
    return ControlFlow.cond(Ops.convert(index, DType.INT32), bs, operands)[0];
  }

  /**
   * {@code while (condFn(x)) x = bodyFn(x); return x;} that survives tracing (jax.lax.while_loop).
   * {@code condFn} returns a scalar (bool, or a number: nonzero is true); {@code bodyFn} returns an
   * array of the carry's shape and dtype. Forward-mode differentiable (jvp, jacfwd) and batchable: under
   * vmap each element stops on its own condition. Reverse mode is an error, as in JAX: use
   * {@link #foriLoop} or {@link #scan}.
   */
  public static NDArray whileLoop(Fn condFn, Fn bodyFn, NDArray init) {
    if (condFn == null || bodyFn == null) throw new ArraxException("whileLoop: condFn and bodyFn must not be null" + CallSite.describe());
    requireNonNull("whileLoop", "init", init);
    return ControlFlow.whileLoop(in -> new NDArray[] {condFn.apply(in)}, in -> new NDArray[] {bodyFn.apply(in)}, new NDArray[] {init})[0];
  }

  /**
   * {@code x = init; for (i = lower; i < upper; i++) x = body(i, x); return x;} with {@code i} an INT32
   * scalar (jax.lax.fori_loop). The bounds are static, so this is a {@link #scan} and differentiable in
   * both modes.
   */
  public static NDArray foriLoop(int lower, int upper, LoopBody body, NDArray init) {
    if (body == null) throw new ArraxException("foriLoop: body must not be null" + CallSite.describe());
    requireNonNull("foriLoop", "init", init);
    NDArray start = Ops.scalar(lower, DType.INT32);
    NDArray[] out = ControlFlow.scan(in -> {
      NDArray next = body.apply(in[0], in[1]);
      if (next == null) throw new ArraxException("foriLoop: the body returned null; return the new carry" + CallSite.describe());
      if (!next.type().equals(in[1].type())) {
        throw new ShapeException("foriLoop: the body must return the carry's shape and dtype " + in[1].type() + " but returns " + next.type()
            + CallSite.describe());
      }
      return new NDArray[] {Ops.add(in[0], Ops.scalar(1, DType.INT32)), next};
    }, new NDArray[] {start, init}, new NDArray[0], Math.max(0, upper - lower), false);
    return out[1];
  }

  /**
   * A loop over the leading axis of {@code xs} carrying state (jax.lax.scan): for each slice {@code x},
   * {@code (carry, y) = body(carry, x)}; returns the final carry and the {@code y}s stacked along a new
   * leading axis. Differentiable in both modes (the backward pass is a scan in reverse) and batchable.
   *
   * <pre>{@code
   * ScanResult r = Lax.scan((c, x) -> { NDArray s = c.add(x); return new ScanBody.Step(s, s); }, Np.zeros(3), xs);
   * }</pre>
   */
  public static ScanResult scan(ScanBody body, NDArray init, NDArray xs) {
    return scan(body, init, xs, false);
  }

  /** As {@link #scan(ScanBody, NDArray, NDArray)}, from the last slice to the first when {@code reverse} (ys keep xs' order). */
  public static ScanResult scan(ScanBody body, NDArray init, NDArray xs, boolean reverse) {
    if (body == null) throw new ArraxException("scan: body must not be null" + CallSite.describe());
    requireNonNull("scan", "init", init);
    requireNonNull("scan", "xs", xs);
    if (xs.ndim() == 0) throw new ShapeException("scan: xs must have a leading axis to scan over, got " + xs.type() + CallSite.describe());
    NDArray[] out = ControlFlow.scan(in -> {
      ScanBody.Step s = body.apply(in[0], in[1]);
      if (s == null || s.carry() == null || s.y() == null) {
        throw new ArraxException("scan: the body must return a Step with a carry and an output, got " + s + CallSite.describe());
      }
      return new NDArray[] {s.carry(), s.y()};
    }, new NDArray[] {init}, new NDArray[] {xs}, xs.shape()[0], reverse);
    return new ScanResult(out[0], out[1]);
  }

  private static void requireNonNull(String op, String what, Object x) {
    if (x == null) throw new ArraxException(op + ": " + what + " is null; pass an NDArray" + CallSite.describe());
  }

  /** How {@code at(...)} combines a value with the selected elements. */
  enum Combine { SET, ADD, MUL, MIN, MAX }

  /** Implements {@code x.at(index).set/add/mul/min/max(v)} at static indices: a dynamic_update_slice of the combined window. */
  static NDArray setAt(NDArray base, int[] index, NDArray value, Combine how) {
    int k = index.length, r = base.ndim();
    if (k > r) throw new ShapeException("at: " + k + " indices for an array of rank " + r + " " + base.type() + CallSite.describe());
    int[] s = base.shape();
    int[] starts = new int[r];
    for (int i = 0; i < k; i++) {
      int ix = index[i] < 0 ? index[i] + s[i] : index[i];
      if (ix < 0 || ix >= s[i]) {
        throw new ShapeException("at: index " + index[i] + " is out of bounds for axis " + i + " with size " + s[i] + " of " + base.type() + CallSite.describe());
      }
      starts[i] = ix;
    }
    int[] sub = Arrays.copyOfRange(s, k, r);
    NDArray v = Np.broadcastTo(Ops.convert(value, base.dtype()), sub);
    int[] window = new int[r];
    Arrays.fill(window, 0, k, 1);
    System.arraycopy(sub, 0, window, k, sub.length);
    NDArray update = Ops.reshape(v, window);
    if (how != Combine.SET) {
      int[] limit = new int[r], strides = new int[r];
      for (int i = 0; i < r; i++) {
        limit[i] = starts[i] + window[i];
        strides[i] = 1;
      }
      NDArray old = Ops.slice(base, starts, limit, strides);
      update = switch (how) {
        case ADD -> Ops.add(old, update);
        case MUL -> Ops.mul(old, update);
        case MIN -> Ops.min(old, update);
        case MAX -> Ops.max(old, update);
        case SET -> update;
      };
    }
    return Ops.dynamicUpdateSlice(base, update, intScalars(starts));
  }

  /**
   * The flat index into the first {@code indices.length} axes of {@code base} (broadcast index arrays,
   * negatives counted from the end): clamped per axis when {@code clip}, else -1 where any index is out of range.
   */
  private static NDArray flatIndex(String op, NDArray base, NDArray[] indices, boolean clip) {
    if (indices.length == 0) throw new ShapeException(op + ": give at least one index array" + CallSite.describe());
    if (indices.length > base.ndim()) {
      throw new ShapeException(op + ": " + indices.length + " index arrays for an array of rank " + base.ndim() + " " + base.type() + CallSite.describe());
    }
    int[] shape = new int[0];
    for (int i = 0; i < indices.length; i++) {
      requireNonNull(op, "index array " + i, indices[i]);
      if (!indices[i].dtype().isInteger()) {
        throw new ShapeException(op + ": index array " + i + " must be integers, got " + indices[i].type() + "; convert with astype(DType.INT32)" + CallSite.describe());
      }
      int[] b = dev.arrax.core.Shapes.broadcast(shape, indices[i].shape());
      if (b == null) throw new ShapeException(op + ": index arrays of shapes " + Arrays.toString(shape) + " and " + indices[i].type() + " cannot be broadcast together" + CallSite.describe());
      shape = b;
    }
    NDArray flat = null, valid = null;
    for (int i = 0; i < indices.length; i++) {
      int n = base.shape()[i];
      NDArray ix = Np.broadcastTo(Ops.convert(Np.normalizeIndex(indices[i], n), DType.INT64), shape);
      NDArray ok = Np.inRange(ix, n);
      if (clip) ix = Ops.min(Ops.max(ix, Ops.like(ix, 0)), Ops.like(ix, Math.max(0, n - 1)));
      flat = flat == null ? ix : Ops.add(Ops.mul(flat, Ops.like(flat, n)), ix);
      valid = valid == null ? ok : Ops.and(valid, ok);
    }
    return clip ? flat : Ops.select(valid, flat, Ops.like(flat, -1));
  }

  /** {@code base} reshaped so its first {@code k} axes are one. */
  private static NDArray mergeLeading(NDArray base, int k) {
    int[] s = base.shape();
    int[] m = new int[s.length - k + 1];
    m[0] = dev.arrax.core.Shapes.size(Arrays.copyOfRange(s, 0, k));
    System.arraycopy(s, k, m, 1, s.length - k);
    return Ops.reshape(base, m);
  }

  /** Implements {@code x.at(indexArrays).set/add/mul/min/max(v)}: one scatter into x with its indexed axes merged. */
  static NDArray scatterAt(NDArray base, NDArray[] indices, NDArray value, dev.arrax.primitives.Scatter kind, boolean uniqueIndices) {
    String op = "at(...)." + switch (kind.kind()) { case SET -> "set"; case ADD -> "add"; case MUL -> "mul"; case MIN -> "min"; case MAX -> "max"; };
    requireNonNull(op, "the array", base);
    requireNonNull(op, "indices", (Object) indices);
    if (base.dtype() == DType.BOOL && (kind.kind() == dev.arrax.primitives.Scatter.Kind.ADD || kind.kind() == dev.arrax.primitives.Scatter.Kind.MUL)) {
      throw new ShapeException(op + ": not defined for a bool array " + base.type() + "; use max (or) / min (and), or convert with astype" + CallSite.describe());
    }
    NDArray flat = flatIndex(op, base, indices, false);
    NDArray merged = mergeLeading(base, indices.length);
    int[] rest = Arrays.copyOfRange(base.shape(), indices.length, base.ndim());
    int[] updShape = dev.arrax.core.Shapes.concat(flat.shape(), rest);
    int[] b = dev.arrax.core.Shapes.broadcast(value.shape(), updShape);
    if (b == null || !Arrays.equals(b, updShape)) {
      throw new ShapeException(op + ": the value " + value.type() + " cannot be broadcast to the selected elements' shape " + Arrays.toString(updShape)
          + " (the index shape " + Arrays.toString(flat.shape()) + " followed by the remaining axes of " + base.type() + ")" + CallSite.describe());
    }
    NDArray upd = Np.broadcastTo(Ops.convert(value, base.dtype()), updShape);
    NDArray r = Ops.scatter(kind, merged, flat, upd, 0, true, uniqueIndices);
    return Ops.reshape(r, base.shape());
  }

  /** Implements {@code x.at(indexArrays).get()}: a gather with clamped indices. */
  static NDArray gatherAt(NDArray base, NDArray[] indices) {
    requireNonNull("at(...).get", "the array", base);
    requireNonNull("at(...).get", "indices", (Object) indices);
    NDArray flat = flatIndex("at(...).get", base, indices, true);
    if (base.size() == 0 && flat.size() > 0) throw new ShapeException("at(...).get: cannot read from the empty array " + base.type() + CallSite.describe());
    NDArray merged = mergeLeading(base, indices.length);
    if (merged.shape()[0] == 0) {
      return Ops.zeros(new dev.arrax.core.ArrayType(base.dtype(), dev.arrax.core.Shapes.concat(flat.shape(), Arrays.copyOfRange(base.shape(), indices.length, base.ndim()))));
    }
    return Ops.gather(merged, flat, 0);
  }

  private static NDArray[] intScalars(int[] xs) {
    NDArray[] r = new NDArray[xs.length];
    for (int i = 0; i < xs.length; i++) r[i] = Ops.scalar(xs[i], DType.INT32);
    return r;
  }
}
