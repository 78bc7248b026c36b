package dev.arrax;

import dev.arrax.core.CallSite;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.Ops;
import java.util.Arrays;

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

  /** A window of {@code sliceSizes} starting at run-time indices (integer scalars, clamped to fit). */
  public static NDArray dynamicSlice(NDArray x, NDArray[] startIndices, int... sliceSizes) {
    return Ops.dynamicSlice(x, startIndices, sliceSizes);
  }

  public static NDArray dynamicSlice(NDArray x, int[] startIndices, int... sliceSizes) {
    return Ops.dynamicSlice(x, intScalars(startIndices), sliceSizes);
  }

  /** A copy of {@code x} with {@code update} written at run-time start indices (clamped to fit). */
  public static NDArray dynamicUpdateSlice(NDArray x, NDArray update, NDArray... startIndices) {
    return Ops.dynamicUpdateSlice(x, update, startIndices);
  }

  public static NDArray dynamicUpdateSlice(NDArray x, NDArray update, int[] startIndices) {
    return Ops.dynamicUpdateSlice(x, update, intScalars(startIndices));
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

  /** Implements {@code x.at(index).set(v)} / {@code .add(v)}: a dynamic_update_slice at static indices. */
  static NDArray setAt(NDArray base, int[] index, NDArray value, boolean add) {
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
    if (add) {
      int[] limit = new int[r], strides = new int[r];
      for (int i = 0; i < r; i++) {
        limit[i] = starts[i] + window[i];
        strides[i] = 1;
      }
      update = Ops.add(Ops.slice(base, starts, limit, strides), update);
    }
    return Ops.dynamicUpdateSlice(base, update, intScalars(starts));
  }

  private static NDArray[] intScalars(int[] xs) {
    NDArray[] r = new NDArray[xs.length];
    for (int i = 0; i < xs.length; i++) r[i] = Ops.scalar(xs[i], DType.INT32);
    return r;
  }
}
