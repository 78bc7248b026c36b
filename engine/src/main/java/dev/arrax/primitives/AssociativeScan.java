package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import java.util.Arrays;
import java.util.function.BinaryOperator;

/**
 * JAX's {@code lax.associative_scan} (Blelloch's parallel prefix, as in
 * {@code jax/_src/lax/control_flow/loops.py}): combine adjacent pairs, scan the half-size result
 * recursively (the odd positions), combine those with the remaining elements (the even positions) and
 * interleave. O(log n) levels of slices, pads and the combining function, so it is differentiable and
 * batchable by composition; it is also the JVP of the cumulative reductions, as in JAX.
 */
public final class AssociativeScan {
  private AssociativeScan() {}

  /** Scans {@code elems} (arrays with one length along {@code axis}) with an associative {@code combine}. */
  public static NDArray[] scan(java.util.function.BiFunction<NDArray[], NDArray[], NDArray[]> combine, NDArray[] elems, int axis, boolean reverse) {
    NDArray[] xs = elems.clone();
    if (reverse) for (int i = 0; i < xs.length; i++) xs[i] = Ops.rev(xs[i], axis);
    NDArray[] r = scanRec(combine, xs, axis);
    if (reverse) for (int i = 0; i < r.length; i++) r[i] = Ops.rev(r[i], axis);
    return r;
  }

  /** One array and a binary function. */
  public static NDArray scan(BinaryOperator<NDArray> combine, NDArray x, int axis, boolean reverse) {
    return scan((a, b) -> new NDArray[] {combine.apply(a[0], b[0])}, new NDArray[] {x}, axis, reverse)[0];
  }

  private static NDArray[] scanRec(java.util.function.BiFunction<NDArray[], NDArray[], NDArray[]> combine, NDArray[] elems, int axis) {
    int n = elems[0].shape()[axis];
    if (n < 2) return elems;
    NDArray[] reduced = combine.apply(map(elems, e -> slice(e, 0, n - 1, 2, axis)), map(elems, e -> slice(e, 1, n, 2, axis)));
    NDArray[] odd = scanRec(combine, reduced, axis);
    NDArray[] even;
    if (n % 2 == 0) {
      even = combine.apply(map(odd, e -> slice(e, 0, e.shape()[axis] - 1, 1, axis)), map(elems, e -> slice(e, 2, n, 2, axis)));
    } else {
      even = combine.apply(odd, map(elems, e -> slice(e, 2, n, 2, axis)));
    }
    NDArray[] out = new NDArray[elems.length];
    for (int i = 0; i < out.length; i++) {
      NDArray first = slice(elems[i], 0, 1, 1, axis);
      NDArray e = even[i].shape()[axis] == 0 ? first : Ops.concatenate(new NDArray[] {first, even[i]}, axis);
      out[i] = interleave(e, odd[i], axis);
    }
    return out;
  }

  /** {@code a[0], b[0], a[1], b[1], ...} along {@code axis}, by two interior pads and an add (or for bool), as JAX. */
  private static NDArray interleave(NDArray a, NDArray b, int axis) {
    int r = a.ndim();
    int[] z = new int[r];
    int[] aLo = z.clone(), aHi = z.clone(), bLo = z.clone(), bHi = z.clone(), in = z.clone();
    boolean same = a.shape()[axis] == b.shape()[axis];
    aHi[axis] = same ? 1 : 0;
    bLo[axis] = 1;
    bHi[axis] = same ? 0 : 1;
    in[axis] = 1;
    NDArray pa = Ops.pad(a, Ops.scalar(0, a.dtype()), aLo, aHi, in);
    NDArray pb = Ops.pad(b, Ops.scalar(0, b.dtype()), bLo, bHi, in);
    return a.dtype() == DType.BOOL ? Ops.or(pa, pb) : Ops.add(pa, pb);
  }

  private static NDArray slice(NDArray x, int start, int limit, int stride, int axis) {
    int[] st = new int[x.ndim()], lim = x.shape(), str = new int[x.ndim()];
    Arrays.fill(str, 1);
    st[axis] = start;
    lim[axis] = Math.max(start, limit);
    str[axis] = stride;
    return Ops.slice(x, st, lim, str);
  }

  private static NDArray[] map(NDArray[] xs, java.util.function.UnaryOperator<NDArray> f) {
    NDArray[] r = new NDArray[xs.length];
    for (int i = 0; i < r.length; i++) r[i] = f.apply(xs[i]);
    return r;
  }
}
