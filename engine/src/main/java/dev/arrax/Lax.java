package dev.arrax;

import dev.arrax.core.CallSite;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.AssociativeScan;
import dev.arrax.primitives.ControlFlow;
import dev.arrax.primitives.Primitives;
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

  /**
   * Converts every element to {@code dtype} ({@code lax.convert_element_type}); a no-op when the dtype
   * already matches. The gradient flows between floating types only.
   */
  public static NDArray convertElementType(NDArray x, DType dtype) { return Ops.convert(x, dtype); }

  /**
   * {@code a + b} ({@code lax.add}): unlike {@link Np#add}, no broadcasting or promotion; both operands
   * must have one shape and dtype.
   */
  public static NDArray add(NDArray a, NDArray b) { return Ops.add(a, b); }

  /** {@code a - b} ({@code lax.sub}): both operands of one shape and dtype, no broadcasting or promotion. */
  public static NDArray sub(NDArray a, NDArray b) { return Ops.sub(a, b); }

  /** {@code a * b} ({@code lax.mul}): both operands of one shape and dtype, no broadcasting or promotion. */
  public static NDArray mul(NDArray a, NDArray b) { return Ops.mul(a, b); }

  /**
   * {@code a / b} ({@code lax.div}): both operands of one shape and dtype, no broadcasting or promotion
   * (see {@link Np#divide} for true division).
   */
  public static NDArray div(NDArray a, NDArray b) { return Ops.div(a, b); }

  /**
   * The error function {@code erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt} ({@code lax.erf});
   * floating-point input. Derivative {@code 2/sqrt(pi) e^(-x^2)}.
   */
  public static NDArray erf(NDArray x) { return Ops.erf(x); }

  /**
   * {@code [0, 1, ..., size - 1]} in {@code dtype} ({@code lax.iota(dtype, size)}).
   * @throws ShapeException for a negative size
   */
  public static NDArray iota(DType dtype, int size) {
    if (size < 0) throw new ShapeException("iota: negative size " + size + CallSite.describe());
    return Ops.iota(dtype, new int[] {size}, 0);
  }

  // ==== issue 13: more of jax.lax ====

  /** {@code x^n} for a static integer n (jax.lax.integer_pow): repeated squaring as XLA lowers it, {@code 1 / x^|n|} for n &lt; 0. Derivative {@code n x^(n-1)}, JAX's rule. */
  public static NDArray integerPow(NDArray x, int n) {
    requireNonNull("integerPow", "x", x);
    if (x.dtype() == DType.BOOL) throw new ShapeException("integerPow: not defined for bool " + x.type() + CallSite.describe());
    if (!x.dtype().isFloating()) return integerPowValue(x, n);
    Fn f = Arrax.customJvp(xs -> integerPowValue(xs[0], n), (p, t) -> {
      NDArray y = integerPow(p[0], n);
      NDArray d = n == 0 ? Ops.zeros(t[0].type()) : n == 1 ? t[0] : Ops.mul(t[0], Ops.mul(Ops.like(p[0], n), integerPow(p[0], n - 1)));
      return new Arrax.JvpResult(y, d);
    });
    return f.apply(x);
  }

  private static NDArray integerPowValue(NDArray x, int n) {
    if (n == 0) return Ops.like(x, 1);
    long y = Math.abs((long) n);
    NDArray acc = null, base = x;
    while (y > 0) {
      if ((y & 1) == 1) acc = acc == null ? base : Ops.mul(acc, base);
      y >>= 1;
      if (y > 0) base = Ops.mul(base, base);
    }
    return n < 0 ? Ops.div(Ops.like(acc, 1), acc) : acc;
  }

  /** {@code 1 / sqrt(x)} (jax.lax.rsqrt); floats. */
  public static NDArray rsqrt(NDArray x) {
    requireNonNull("rsqrt", "x", x);
    return Ops.div(Ops.like(x, 1), Ops.sqrt(x));
  }

  /** The inverse error function (jax.lax.erf_inv), XLA:CPU's kernel bit for bit. */
  public static NDArray erfInv(NDArray x) { requireNonNull("erfInv", "x", x); return Ops.erfInv(x); }

  /** The complementary error function (jax.lax.erfc). */
  public static NDArray erfc(NDArray x) { requireNonNull("erfc", "x", x); return Ops.erfc(x); }

  /** {@code log|Gamma(x)|} (jax.lax.lgamma), XLA's Lanczos expansion; see {@link Special#gammaln}. */
  public static NDArray lgamma(NDArray x) { requireNonNull("lgamma", "x", x); requireFloat("lgamma", x); return Special.gammaln(x); }

  /** The digamma function (jax.lax.digamma); see {@link Special#digamma}. */
  public static NDArray digamma(NDArray x) { requireNonNull("digamma", "x", x); requireFloat("digamma", x); return Special.digamma(x); }

  /**
   * {@code min(max(x, lo), hi)} (jax.lax.clamp; note the argument order min, x, max), with {@code lo} and
   * {@code hi} scalars or of x's shape, all of one dtype. Derivatives, JAX's rule: x gets the tangent
   * strictly inside (lo, hi), lo where {@code lo > x} (and lo &lt; hi), hi where {@code hi < x}; none at ties.
   */
  public static NDArray clamp(NDArray min, NDArray x, NDArray max) {
    requireNonNull("clamp", "min", min);
    requireNonNull("clamp", "x", x);
    requireNonNull("clamp", "max", max);
    for (NDArray b : new NDArray[] {min, max}) {
      if (b.dtype() != x.dtype() || (b.ndim() != 0 && !Arrays.equals(b.shape(), x.shape()))) {
        throw new ShapeException("clamp: min and max must be scalars or have the operand's shape and dtype " + x.type() + ", got min " + min.type()
            + " and max " + max.type() + CallSite.describe());
      }
    }
    NDArray lo = Np.broadcastTo(min, x.shape()), hi = Np.broadcastTo(max, x.shape());
    if (!x.dtype().isFloating()) return Ops.min(Ops.max(x, lo), hi);
    return CLAMP.apply(lo, x, hi);
  }

  private static final Fn CLAMP = Arrax.customJvp(a -> Ops.min(Ops.max(a[1], a[0]), a[2]), (p, t) -> {
    NDArray lo = p[0], x = p[1], hi = p[2];
    NDArray zero = Ops.zeros(x.type());
    NDArray dlo = Ops.select(Ops.and(Ops.gt(lo, x), Ops.lt(lo, hi)), t[0], zero);
    NDArray dx = Ops.select(Ops.and(Ops.gt(x, lo), Ops.lt(x, hi)), t[1], zero);
    NDArray dhi = Ops.select(Ops.lt(hi, x), t[2], zero);
    return new Arrax.JvpResult(Lax.CLAMP.apply(lo, x, hi), Ops.add(Ops.add(dlo, dx), dhi));
  });

  /** {@code clamp(min, x, max)} with scalar bounds of x's dtype. */
  public static NDArray clamp(double min, NDArray x, double max) {
    requireNonNull("clamp", "x", x);
    return clamp(Ops.scalar(min, x.dtype()), x, Ops.scalar(max, x.dtype()));
  }

  /**
   * {@code cases[which]} elementwise (jax.lax.select_n): {@code which} is bool (false picks cases[0], true
   * cases[1]) or an integer array; every case has which's shape (or which is a scalar) and one dtype. As in
   * JAX an out-of-range integer is undefined; here it is clamped into range. The gradient flows to the chosen case.
   */
  public static NDArray selectN(NDArray which, NDArray... cases) {
    requireNonNull("selectN", "which", which);
    requireNonNull("selectN", "cases", (Object) cases);
    if (cases.length == 0) throw new ShapeException("selectN: needs at least one case" + CallSite.describe());
    for (int i = 0; i < cases.length; i++) {
      requireNonNull("selectN", "case " + i, cases[i]);
      if (!cases[i].type().equals(cases[0].type())) {
        throw new ShapeException("selectN: all cases must have one shape and dtype, got " + cases[0].type() + " and " + cases[i].type() + CallSite.describe());
      }
    }
    if (which.ndim() != 0 && !Arrays.equals(which.shape(), cases[0].shape())) {
      throw new ShapeException("selectN: which " + which.type() + " must be a scalar or have the cases' shape " + cases[0].type() + CallSite.describe());
    }
    if (which.dtype() == DType.BOOL) {
      if (cases.length > 2) throw new ShapeException("selectN: a bool which selects between at most 2 cases, got " + cases.length + CallSite.describe());
      if (cases.length == 1) return cases[0];
      return Ops.select(Np.broadcastTo(which, cases[0].shape()), cases[1], cases[0]);
    }
    if (!which.dtype().isInteger()) throw new ShapeException("selectN: which must be bool or integer, got " + which.type() + CallSite.describe());
    NDArray w = Np.broadcastTo(which, cases[0].shape());
    NDArray r = cases[0];
    for (int k = 1; k < cases.length; k++) {
      NDArray pick = k == cases.length - 1 ? Ops.ge(w, Ops.like(w, k)) : Ops.eq(w, Ops.like(w, k));
      r = Ops.select(pick, cases[k], r);
    }
    return r;
  }

  /**
   * {@code f} applied to each slice of {@code xs} along axis 0, results stacked (jax.lax.map): a
   * {@link #scan} without a carry, so f is traced once and the loop runs inside one program.
   */
  public static NDArray map(Fn f, NDArray xs) {
    if (f == null) throw new ArraxException("map: f must not be null" + CallSite.describe());
    requireNonNull("map", "xs", xs);
    if (xs.ndim() == 0) throw new ShapeException("map: xs must have a leading axis to map over, got " + xs.type() + CallSite.describe());
    NDArray[] out = ControlFlow.scan(in -> {
      NDArray y = f.apply(in[0]);
      if (y == null) throw new ArraxException("map: f returned null" + CallSite.describe());
      return new NDArray[] {y};
    }, new NDArray[0], new NDArray[] {xs}, xs.shape()[0], false);
    return out[0];
  }

  /**
   * Prefix combination with an associative {@code fn} along {@code axis} (jax.lax.associative_scan): element
   * i is {@code fn(... fn(fn(x0, x1), x2) ..., xi)}, computed as JAX does with O(log n) levels of
   * slices, pads and fn (Blelloch), so fn must be associative; from the end when {@code reverse}.
   */
  public static NDArray associativeScan(java.util.function.BinaryOperator<NDArray> fn, NDArray elems, boolean reverse, int axis) {
    if (fn == null) throw new ArraxException("associativeScan: fn must not be null" + CallSite.describe());
    requireNonNull("associativeScan", "elems", elems);
    int a = Shapes.axis("associativeScan", axis, elems.ndim());
    return AssociativeScan.scan(fn, elems, a, reverse);
  }

  /** {@code associativeScan(fn, elems, false, 0)}. */
  public static NDArray associativeScan(java.util.function.BinaryOperator<NDArray> fn, NDArray elems) {
    return associativeScan(fn, elems, false, 0);
  }

  /** The multi-array form (a pytree of arrays in JAX): fn combines {@code (a[], b[])} into one array per input. */
  public static NDArray[] associativeScanMulti(java.util.function.BiFunction<NDArray[], NDArray[], NDArray[]> fn, NDArray[] elems, boolean reverse, int axis) {
    if (fn == null) throw new ArraxException("associativeScanMulti: fn must not be null" + CallSite.describe());
    requireNonNull("associativeScanMulti", "elems", (Object) elems);
    if (elems.length == 0) throw new ShapeException("associativeScanMulti: needs at least one array" + CallSite.describe());
    int a = Shapes.axis("associativeScanMulti", axis, elems[0].ndim());
    for (NDArray e : elems) {
      if (e.ndim() <= a || e.shape()[a] != elems[0].shape()[a]) {
        throw new ShapeException("associativeScanMulti: every array needs axis " + axis + " of length " + elems[0].shape()[a] + ", got " + e.type() + CallSite.describe());
      }
    }
    return AssociativeScan.scan(fn, elems, a, reverse);
  }

  /** {@code x[..., index, ...]} at a run-time integer scalar index along {@code axis} (jax.lax.dynamic_index_in_dim); negative counts from the end, then clamped. */
  public static NDArray dynamicIndexInDim(NDArray x, NDArray index, int axis, boolean keepdims) {
    NDArray s = dynamicSliceInDim(x, index, 1, axis);
    int a = Shapes.axis("dynamicIndexInDim", axis, x.ndim());
    return keepdims ? s : Ops.reshape(s, Shapes.remove(s.shape(), a));
  }

  /** As {@link #dynamicIndexInDim(NDArray, NDArray, int, boolean)} with an int index. */
  public static NDArray dynamicIndexInDim(NDArray x, int index, int axis, boolean keepdims) {
    return dynamicIndexInDim(x, Ops.scalar(index, DType.INT32), axis, keepdims);
  }

  /** {@code size} elements from a run-time start along {@code axis} (jax.lax.dynamic_slice_in_dim). */
  public static NDArray dynamicSliceInDim(NDArray x, NDArray start, int size, int axis) {
    requireNonNull("dynamicSliceInDim", "x", x);
    requireNonNull("dynamicSliceInDim", "start", start);
    int a = Shapes.axis("dynamicSliceInDim", axis, x.ndim());
    NDArray[] starts = new NDArray[x.ndim()];
    for (int i = 0; i < starts.length; i++) starts[i] = i == a ? start : Ops.scalar(0, start.dtype());
    int[] sizes = x.shape();
    sizes[a] = size;
    return dynamicSlice(x, starts, sizes);
  }

  /** {@code x} with {@code update} written at a run-time index along {@code axis} (jax.lax.dynamic_update_index_in_dim); update lacks that axis or has it with size 1. */
  public static NDArray dynamicUpdateIndexInDim(NDArray x, NDArray update, NDArray index, int axis) {
    requireNonNull("dynamicUpdateIndexInDim", "x", x);
    requireNonNull("dynamicUpdateIndexInDim", "update", update);
    requireNonNull("dynamicUpdateIndexInDim", "index", index);
    int a = Shapes.axis("dynamicUpdateIndexInDim", axis, x.ndim());
    NDArray u = update.ndim() == x.ndim() - 1 ? Ops.reshape(update, Shapes.insert(update.shape(), a, 1)) : update;
    NDArray[] starts = new NDArray[x.ndim()];
    for (int i = 0; i < starts.length; i++) starts[i] = i == a ? index : Ops.scalar(0, index.dtype());
    return dynamicUpdateSlice(x, Ops.convert(u, x.dtype()), starts);
  }

  /**
   * jax.lax.pad: {@code config[i] = {low, high, interior}} for axis i; low and high may be negative
   * (they then remove elements), interior inserts elements between neighbours. {@code padValue} is a
   * scalar of x's dtype. Differentiable in x and the padding value.
   */
  public static NDArray pad(NDArray x, NDArray padValue, int[][] config) {
    requireNonNull("pad", "x", x);
    requireNonNull("pad", "padValue", padValue);
    if (config == null || config.length != x.ndim()) {
      throw new ShapeException("pad: needs one {low, high, interior} triple per axis of " + x.type() + ", got " + (config == null ? "null" : Arrays.deepToString(config))
          + CallSite.describe());
    }
    if (padValue.ndim() != 0 || padValue.dtype() != x.dtype()) {
      throw new ShapeException("pad: the padding value must be a scalar of " + x.dtype().shortName() + ", got " + padValue.type() + CallSite.describe());
    }
    int r = x.ndim();
    int[] lo = new int[r], hi = new int[r], in = new int[r];
    for (int i = 0; i < r; i++) {
      if (config[i] == null || config[i].length != 3 || config[i][2] < 0) {
        throw new ShapeException("pad: config[" + i + "] must be {low, high, interior} with interior >= 0, got " + Arrays.deepToString(config) + CallSite.describe());
      }
      lo[i] = Math.max(0, config[i][0]);
      hi[i] = Math.max(0, config[i][1]);
      in[i] = config[i][2];
    }
    NDArray p = Ops.pad(x, padValue, lo, hi, in);
    int[] start = new int[r], limit = p.shape(), strides = new int[r];
    Arrays.fill(strides, 1);
    boolean crop = false;
    for (int i = 0; i < r; i++) {
      if (config[i][0] < 0) {
        start[i] = -config[i][0];
        crop = true;
      }
      if (config[i][1] < 0) {
        limit[i] += config[i][1];
        crop = true;
      }
      if (start[i] > limit[i]) throw new ShapeException("pad: negative padding " + Arrays.deepToString(config) + " removes more than axis " + i + " of " + x.type() + " has" + CallSite.describe());
    }
    return crop ? Ops.slice(p, start, limit, strides) : p;
  }

  // ---- cumulative reductions and sorting ----

  /** Inclusive cumulative sum along {@code axis}, from the end when {@code reverse} (jax.lax.cumsum). */
  public static NDArray cumsum(NDArray x, int axis, boolean reverse) {
    requireNonNull("cumsum", "x", x);
    return Ops.cumsum(x, Shapes.axis("cumsum", axis, x.ndim()), reverse);
  }

  /** Cumulative product (jax.lax.cumprod); numeric dtypes. */
  public static NDArray cumprod(NDArray x, int axis, boolean reverse) {
    requireNonNull("cumprod", "x", x);
    return Ops.cumulative(Primitives.CUMPROD, x, Shapes.axis("cumprod", axis, x.ndim()), reverse);
  }

  /** Running maximum (jax.lax.cummax); NaN propagates. */
  public static NDArray cummax(NDArray x, int axis, boolean reverse) {
    requireNonNull("cummax", "x", x);
    return Ops.cumulative(Primitives.CUMMAX, x, Shapes.axis("cummax", axis, x.ndim()), reverse);
  }

  /** Running minimum (jax.lax.cummin). */
  public static NDArray cummin(NDArray x, int axis, boolean reverse) {
    requireNonNull("cummin", "x", x);
    return Ops.cumulative(Primitives.CUMMIN, x, Shapes.axis("cummin", axis, x.ndim()), reverse);
  }

  /** Sorted along {@code dimension} (jax.lax.sort; stable). Floats: NaN last, -0.0 equal to 0.0. */
  public static NDArray sort(NDArray x, int dimension) {
    requireNonNull("sort", "x", x);
    return Ops.sort(new NDArray[] {x}, Shapes.axis("sort", dimension, x.ndim()), 1)[0];
  }

  /** jax.lax.sort of several operands: ordered lexicographically by the first {@code numKeys}, all permuted alike. */
  public static NDArray[] sortMulti(NDArray[] operands, int dimension, int numKeys) {
    requireNonNull("sortMulti", "operands", (Object) operands);
    if (operands.length == 0) throw new ShapeException("sortMulti: needs at least one operand" + CallSite.describe());
    for (int i = 0; i < operands.length; i++) requireNonNull("sortMulti", "operand " + i, operands[i]);
    return Ops.sort(operands, Shapes.axis("sortMulti", dimension, operands[0].ndim()), numKeys);
  }

  /** jax.lax.sort_key_val: {sorted keys, values permuted alike}. */
  public static NDArray[] sortKeyVal(NDArray keys, NDArray values, int dimension) {
    return sortMulti(new NDArray[] {keys, values}, dimension, 1);
  }

  // ---- gather and scatter ----

  /**
   * {@code operand[..., indices, ...]} along {@code axis}: the one-axis case of jax.lax.gather (collapsed
   * slice dimension {@code axis}, slice size 1), out-of-range indices clamped (XLA's semantics).
   */
  public static NDArray gather(NDArray operand, NDArray indices, int axis) {
    requireNonNull("gather", "operand", operand);
    requireNonNull("gather", "indices", indices);
    return Ops.gather(operand, indices, Shapes.axis("gather", axis, operand.ndim()));
  }

  /**
   * {@code operand} with {@code updates} added at {@code indices} along {@code axis} (jax.lax.scatter_add
   * with the dimension numbers of {@code x.at[..., idx, ...].add}): updates have shape
   * {@code operand.shape[:axis] + indices.shape + operand.shape[axis+1:]}; mode "drop" (JAX's default:
   * out-of-range updates are skipped) or "clip". The general dimension numbers of lax.scatter are not offered.
   */
  public static NDArray scatterAdd(NDArray operand, NDArray indices, NDArray updates, int axis, String mode) {
    return scatter("scatterAdd", Primitives.SCATTER_ADD, operand, indices, updates, axis, mode);
  }

  /** jax.lax.scatter (replace; with repeated indices one update wins). */
  public static NDArray scatter(NDArray operand, NDArray indices, NDArray updates, int axis, String mode) {
    return scatter("scatter", Primitives.SCATTER, operand, indices, updates, axis, mode);
  }

  /** jax.lax.scatter_mul. */
  public static NDArray scatterMul(NDArray operand, NDArray indices, NDArray updates, int axis, String mode) {
    return scatter("scatterMul", Primitives.SCATTER_MUL, operand, indices, updates, axis, mode);
  }

  /** jax.lax.scatter_min. */
  public static NDArray scatterMin(NDArray operand, NDArray indices, NDArray updates, int axis, String mode) {
    return scatter("scatterMin", Primitives.SCATTER_MIN, operand, indices, updates, axis, mode);
  }

  /** jax.lax.scatter_max. */
  public static NDArray scatterMax(NDArray operand, NDArray indices, NDArray updates, int axis, String mode) {
    return scatter("scatterMax", Primitives.SCATTER_MAX, operand, indices, updates, axis, mode);
  }

  private static NDArray scatter(String op, dev.arrax.primitives.Scatter prim, NDArray operand, NDArray indices, NDArray updates, int axis, String mode) {
    requireNonNull(op, "operand", operand);
    requireNonNull(op, "indices", indices);
    requireNonNull(op, "updates", updates);
    String m = mode == null ? "drop" : mode;
    if (!m.equals("drop") && !m.equals("clip")) throw new ShapeException(op + ": mode must be \"drop\" or \"clip\", got \"" + mode + "\"" + CallSite.describe());
    return Ops.scatter(prim, operand, indices, updates, Shapes.axis(op, axis, operand.ndim()), m.equals("drop"), false);
  }

  // ---- windows and convolutions ----

  /**
   * jax.lax.padtype_to_pads: "VALID" is no padding; "SAME" pads so the output has {@code ceil(in / stride)}
   * elements, the extra element (if odd) at the end; "SAME_LOWER" puts it at the start.
   */
  static int[][] padtypeToPads(String op, int[] in, int[] window, int[] strides, String padding) {
    int n = in.length;
    int[][] pads = new int[n][2];
    switch (padding.toUpperCase(java.util.Locale.ROOT)) {
      case "VALID" -> { }
      case "SAME", "SAME_LOWER" -> {
        boolean lower = padding.equalsIgnoreCase("SAME_LOWER");
        for (int i = 0; i < n; i++) {
          int out = (in[i] + strides[i] - 1) / strides[i];
          int size = Math.max((out - 1) * strides[i] + window[i] - in[i], 0);
          pads[i][0] = lower ? size - size / 2 : size / 2;
          pads[i][1] = size - pads[i][0];
        }
      }
      default -> throw new ShapeException(op + ": padding must be \"SAME\", \"SAME_LOWER\", \"VALID\" or explicit (low, high) pairs, got \"" + padding + "\"" + CallSite.describe());
    }
    return pads;
  }

  /**
   * jax.lax.reduce_window: {@code computation} (an associative binary function with identity
   * {@code initValue}, e.g. {@code Lax::add} with 0 or {@code Np::maximum} with -inf) over windows of
   * {@code windowDimensions} moved by {@code windowStrides}, after padding with {@code initValue}. Composed
   * from one strided slice per window offset, so any such function is differentiable and batchable
   * (max ties share the derivative as lax.max does, where JAX's reduce_window_max rule picks one).
   */
  public static NDArray reduceWindow(NDArray x, double initValue, java.util.function.BinaryOperator<NDArray> computation, int[] windowDimensions,
      int[] windowStrides, String padding) {
    requireNonNull("reduceWindow", "x", x);
    checkWindow("reduceWindow", x, windowDimensions, windowStrides);
    return reduceWindow(x, initValue, computation, windowDimensions, windowStrides, padtypeToPads("reduceWindow", x.shape(), windowDimensions, windowStrides, padding),
        null, null);
  }

  /**
   * jax.lax.reduce_window with explicit {@code padding[i] = {low, high}} (non-negative), and optional
   * {@code baseDilation} (holes of initValue between input elements) and {@code windowDilation} (gaps
   * between window elements); null means 1 everywhere.
   */
  public static NDArray reduceWindow(NDArray x, double initValue, java.util.function.BinaryOperator<NDArray> computation, int[] windowDimensions,
      int[] windowStrides, int[][] padding, int[] baseDilation, int[] windowDilation) {
    requireNonNull("reduceWindow", "x", x);
    if (computation == null) throw new ArraxException("reduceWindow: computation must not be null" + CallSite.describe());
    checkWindow("reduceWindow", x, windowDimensions, windowStrides);
    int r = x.ndim();
    int[] bd = baseDilation == null ? ones(r) : baseDilation, wd = windowDilation == null ? ones(r) : windowDilation;
    if (padding == null || padding.length != r || bd.length != r || wd.length != r) {
      throw new ShapeException("reduceWindow: padding, baseDilation and windowDilation need one entry per axis of " + x.type() + CallSite.describe());
    }
    int[] lo = new int[r], hi = new int[r], interior = new int[r];
    for (int i = 0; i < r; i++) {
      if (padding[i].length != 2 || padding[i][0] < 0 || padding[i][1] < 0 || bd[i] < 1 || wd[i] < 1) {
        throw new ShapeException("reduceWindow: padding pairs must be non-negative and dilations >= 1, got " + Arrays.deepToString(padding) + CallSite.describe());
      }
      lo[i] = padding[i][0];
      hi[i] = padding[i][1];
      interior[i] = bd[i] - 1;
    }
    NDArray init = Ops.scalar(initValue, x.dtype());
    NDArray p = Ops.pad(x, init, lo, hi, interior);
    int[] ps = p.shape(), out = new int[r];
    for (int i = 0; i < r; i++) {
      int span = (windowDimensions[i] - 1) * wd[i] + 1;
      out[i] = ps[i] < span ? 0 : (ps[i] - span) / windowStrides[i] + 1;
    }
    NDArray acc = Ops.full(new dev.arrax.core.ArrayType(x.dtype(), out), initValue);
    int count = dev.arrax.core.Shapes.size(windowDimensions);
    int[] offset = new int[r];
    for (int w = 0; w < count; w++) {
      int rem = w;
      for (int i = r - 1; i >= 0; i--) {
        offset[i] = rem % windowDimensions[i];
        rem /= windowDimensions[i];
      }
      NDArray s = windowSlice(p, offset, wd, windowStrides, out);
      NDArray next = computation.apply(acc, s);
      if (next == null || !next.type().equals(acc.type())) {
        throw new ShapeException("reduceWindow: computation must return " + acc.type() + ", got " + (next == null ? "null" : next.type().toString()) + CallSite.describe());
      }
      acc = next;
    }
    return acc;
  }

  private static NDArray windowSlice(NDArray p, int[] offset, int[] dilation, int[] strides, int[] out) {
    int r = p.ndim();
    int[] start = new int[r], limit = new int[r];
    for (int i = 0; i < r; i++) {
      start[i] = offset[i] * dilation[i];
      limit[i] = out[i] == 0 ? start[i] : start[i] + (out[i] - 1) * strides[i] + 1;
    }
    return Ops.slice(p, start, limit, strides);
  }

  private static void checkWindow(String op, NDArray x, int[] window, int[] strides) {
    if (window == null || strides == null || window.length != x.ndim() || strides.length != x.ndim()) {
      throw new ShapeException(op + ": windowDimensions and windowStrides need one entry per axis of " + x.type() + ", got "
          + Arrays.toString(window) + " and " + Arrays.toString(strides) + CallSite.describe());
    }
    for (int i = 0; i < window.length; i++) {
      if (window[i] < 1 || strides[i] < 1) throw new ShapeException(op + ": window sizes and strides must be >= 1, got " + Arrays.toString(window) + " and " + Arrays.toString(strides) + CallSite.describe());
    }
  }

  private static int[] ones(int n) {
    int[] r = new int[n];
    Arrays.fill(r, 1);
    return r;
  }

  /** jax.lax.conv: {@code convGeneralDilated} with NCHW / OIHW layouts and no dilation. */
  public static NDArray conv(NDArray lhs, NDArray rhs, int[] windowStrides, String padding) {
    return convGeneralDilated(lhs, rhs, windowStrides, padding, null, null, null, 1);
  }

  /** {@link #convGeneralDilated(NDArray, NDArray, int[], int[][], int[], int[], String[], int)} with a padding string ("SAME", "SAME_LOWER", "VALID"). */
  public static NDArray convGeneralDilated(NDArray lhs, NDArray rhs, int[] windowStrides, String padding, int[] lhsDilation, int[] rhsDilation,
      String[] dimensionNumbers, int featureGroupCount) {
    requireNonNull("convGeneralDilated", "lhs", lhs);
    requireNonNull("convGeneralDilated", "rhs", rhs);
    ConvLayout l = ConvLayout.of(lhs, rhs, dimensionNumbers);
    int n = l.spatial();
    int[] rd = rhsDilation == null ? ones(n) : rhsDilation;
    int[] in = new int[n], window = new int[n];
    for (int i = 0; i < n; i++) {
      in[i] = lhs.shape()[l.lhsPerm()[2 + i]];
      window[i] = (rhs.shape()[l.rhsPerm()[2 + i]] - 1) * (i < rd.length ? rd[i] : 1) + 1;
    }
    if (windowStrides == null || windowStrides.length != n) {
      throw new ShapeException("convGeneralDilated: windowStrides needs one entry per spatial axis (" + n + "), got " + Arrays.toString(windowStrides) + CallSite.describe());
    }
    return convGeneralDilated(lhs, rhs, windowStrides, padtypeToPads("convGeneralDilated", in, window, windowStrides, padding), lhsDilation, rhsDilation,
        dimensionNumbers, featureGroupCount);
  }

  /**
   * jax.lax.conv_general_dilated (a cross-correlation, as in XLA): {@code lhs} N x C x spatial, {@code rhs}
   * O x I x spatial (in the layouts {@code dimensionNumbers} = {lhs, rhs, out} name, e.g.
   * {@code {"NHWC", "HWIO", "NHWC"}}; null means NCHW/OIHW/NCHW), {@code padding[i] = {low, high}} (may be
   * negative), {@code lhsDilation} (transposed convolutions) and {@code rhsDilation} (atrous), and
   * {@code featureGroupCount} groups (C = groups x I, O divisible by groups; depthwise when groups = C).
   * batch_group_count is not offered. Composed as im2col: one strided slice of the padded input per
   * kernel position, then a dot_general over (channels, kernel positions), so derivatives (both
   * arguments), vmap and jit come from those primitives. Operands are promoted to one dtype.
   */
  public static NDArray convGeneralDilated(NDArray lhs, NDArray rhs, int[] windowStrides, int[][] padding, int[] lhsDilation, int[] rhsDilation,
      String[] dimensionNumbers, int featureGroupCount) {
    requireNonNull("convGeneralDilated", "lhs", lhs);
    requireNonNull("convGeneralDilated", "rhs", rhs);
    ConvLayout l = ConvLayout.of(lhs, rhs, dimensionNumbers);
    int n = l.spatial();
    DType d = DType.promote(lhs.dtype(), rhs.dtype());
    NDArray x = Ops.transpose(Ops.convert(lhs, d), l.lhsPerm()); // N C S...
    NDArray k = Ops.transpose(Ops.convert(rhs, d), l.rhsPerm()); // O I S...
    int[] ld = lhsDilation == null ? ones(n) : lhsDilation, rd = rhsDilation == null ? ones(n) : rhsDilation;
    if (windowStrides == null || windowStrides.length != n || padding == null || padding.length != n || ld.length != n || rd.length != n) {
      throw new ShapeException("convGeneralDilated: windowStrides, padding, lhsDilation and rhsDilation need one entry per spatial axis (" + n + ")" + CallSite.describe());
    }
    int c = x.shape()[1], o = k.shape()[0], ci = k.shape()[1], g = featureGroupCount;
    if (g < 1 || c != g * ci || o % g != 0) {
      throw new ShapeException("convGeneralDilated: lhs has " + c + " feature channels and rhs " + ci + " input features with " + o + " outputs; need lhs features = "
          + "featureGroupCount (" + g + ") x rhs input features and outputs divisible by featureGroupCount" + CallSite.describe());
    }
    // dilate and pad the input spatially
    int[][] cfg = new int[n + 2][];
    cfg[0] = new int[] {0, 0, 0};
    cfg[1] = new int[] {0, 0, 0};
    for (int i = 0; i < n; i++) {
      if (padding[i] == null || padding[i].length != 2 || windowStrides[i] < 1 || ld[i] < 1 || rd[i] < 1) {
        throw new ShapeException("convGeneralDilated: padding must be (low, high) pairs and strides/dilations >= 1, got padding " + Arrays.deepToString(padding)
            + CallSite.describe());
      }
      cfg[i + 2] = new int[] {padding[i][0], padding[i][1], ld[i] - 1};
    }
    NDArray xp = pad(x, Ops.scalar(0, d), cfg);
    int[] ks = Arrays.copyOfRange(k.shape(), 2, 2 + n), out = new int[n];
    for (int i = 0; i < n; i++) {
      int span = (ks[i] - 1) * rd[i] + 1, size = xp.shape()[2 + i];
      out[i] = size < span ? 0 : (size - span) / windowStrides[i] + 1;
    }
    int kcount = dev.arrax.core.Shapes.size(ks);
    NDArray[] patches = new NDArray[kcount];
    int[] offset = new int[n];
    for (int w = 0; w < kcount; w++) {
      int rem = w;
      for (int i = n - 1; i >= 0; i--) {
        offset[i] = rem % ks[i];
        rem /= ks[i];
      }
      int[] start = new int[n + 2], limit = xp.shape(), strides = new int[n + 2];
      strides[0] = 1;
      strides[1] = 1;
      for (int i = 0; i < n; i++) {
        start[2 + i] = offset[i] * rd[i];
        limit[2 + i] = out[i] == 0 ? start[2 + i] : start[2 + i] + (out[i] - 1) * windowStrides[i] + 1;
        strides[2 + i] = windowStrides[i];
      }
      patches[w] = Ops.reshape(Ops.slice(xp, start, limit, strides), Shapes.insert(Shapes.insert(out, 0, c), 0, x.shape()[0]));
    }
    int batch = x.shape()[0];
    // P: [N, G, C/G, K, out...]; rhs: [G, O/G, C/G, K]
    NDArray pstack = Np.stack(patches, 2); // [N, C, K, out...]
    int[] pshape = Shapes.concat(new int[] {batch, g, ci, kcount}, out);
    NDArray p5 = Ops.reshape(pstack, pshape);
    NDArray r4 = Ops.reshape(k, g, o / g, ci, kcount);
    NDArray y = Ops.dotGeneral(p5, r4, new int[] {2, 3}, new int[] {2, 3}, new int[] {1}, new int[] {0}); // [G, N, out..., O/G]
    int[] perm = new int[n + 3];
    perm[0] = 1; // N
    perm[1] = 0; // G
    perm[2] = n + 2; // O/G
    for (int i = 0; i < n; i++) perm[3 + i] = 2 + i;
    NDArray nco = Ops.reshape(Ops.transpose(y, perm), Shapes.concat(new int[] {batch, o}, out)); // N O out...
    return Ops.transpose(nco, Shapes.inversePerm(l.outPerm()));
  }

  /** The three layouts of a convolution as permutations to N C S... / O I S... / N C S... */
  private record ConvLayout(int[] lhsPerm, int[] rhsPerm, int[] outPerm) {
    int spatial() { return lhsPerm.length - 2; }

    static ConvLayout of(NDArray lhs, NDArray rhs, String[] dn) {
      int r = lhs.ndim();
      if (r < 3 || rhs.ndim() != r) {
        throw new ShapeException("convGeneralDilated: lhs and rhs need the same rank >= 3 (batch, feature and spatial axes), got " + lhs.type() + " and " + rhs.type()
            + CallSite.describe());
      }
      if (dn == null) {
        int[] id = Shapes.range(r);
        return new ConvLayout(id, id, id);
      }
      if (dn.length != 3 || dn[0] == null || dn[1] == null || dn[2] == null || dn[0].length() != r || dn[1].length() != r || dn[2].length() != r) {
        throw new ShapeException("convGeneralDilated: dimensionNumbers must be three layout strings of length " + r + " like {\"NHWC\", \"HWIO\", \"NHWC\"}, got "
            + Arrays.toString(dn) + CallSite.describe());
      }
      String ls = dn[0], rs = dn[1], os = dn[2];
      java.util.List<Character> spatial = new java.util.ArrayList<>();
      for (char ch : rs.toCharArray()) if (ch != 'O' && ch != 'I') spatial.add(ch);
      int[] lp = new int[r], rp = new int[r], op = new int[r];
      lp[0] = ls.indexOf('N');
      lp[1] = ls.indexOf('C');
      rp[0] = rs.indexOf('O');
      rp[1] = rs.indexOf('I');
      op[0] = os.indexOf('N');
      op[1] = os.indexOf('C');
      for (int i = 0; i < spatial.size(); i++) {
        lp[2 + i] = ls.indexOf(spatial.get(i));
        rp[2 + i] = rs.indexOf(spatial.get(i));
        op[2 + i] = os.indexOf(spatial.get(i));
      }
      for (int[] p : new int[][] {lp, rp, op}) {
        boolean[] seen = new boolean[r];
        for (int a : p) {
          if (a < 0 || seen[a]) {
            throw new ShapeException("convGeneralDilated: inconsistent dimensionNumbers " + Arrays.toString(dn)
                + " (lhs/out need N, C and the rhs's spatial letters; rhs needs O and I)" + CallSite.describe());
          }
          seen[a] = true;
        }
      }
      return new ConvLayout(lp, rp, op);
    }
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

  private static void requireFloat(String op, NDArray x) {
    if (!x.dtype().isFloating()) throw new ShapeException(op + ": requires a floating operand (lax does not promote), got " + x.type() + "; convert with astype" + CallSite.describe());
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
