package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.SymbolicZero;

/**
 * Binds each primitive with lax semantics (equal shapes, no promotion). The rules of the primitives
 * are written with these, so that derivatives of derivatives and batched derivatives just work.
 */
public final class Ops {
  private Ops() {}

  private static final Params.None NONE = Params.None.INSTANCE;

  // ---- constants ----

  /** A concrete scalar of the given dtype. */
  public static NDArray scalar(double v, DType d) { return ConcreteArray.full(ArrayType.of(d), v); }

  /** An array of the given type filled with {@code v}: a broadcast of a scalar, so it stays cheap when staged. */
  public static NDArray full(ArrayType t, double v) {
    NDArray s = scalar(v, t.dtype());
    return t.rank() == 0 ? s : broadcastInDim(s, t.shape(), new int[0]);
  }

  public static NDArray zeros(ArrayType t) { return full(t, 0.0); }

  /** {@code full(x.type(), v)}. */
  public static NDArray like(NDArray x, double v) { return full(x.type(), v); }

  /** Materializes a symbolic zero; other values pass through. */
  public static NDArray instantiate(NDArray t) { return SymbolicZero.is(t) ? zeros(t.type()) : t; }

  /** Adds two tangents or cotangents, either of which may be a symbolic zero. */
  public static NDArray addAny(NDArray a, NDArray b) {
    if (SymbolicZero.is(a)) return b;
    if (SymbolicZero.is(b)) return a;
    return add(a, b);
  }

  // ---- elementwise ----

  public static NDArray add(NDArray a, NDArray b) { return Primitives.ADD.bind1(NONE, a, b); }

  public static NDArray sub(NDArray a, NDArray b) { return Primitives.SUB.bind1(NONE, a, b); }

  public static NDArray mul(NDArray a, NDArray b) { return Primitives.MUL.bind1(NONE, a, b); }

  public static NDArray div(NDArray a, NDArray b) { return Primitives.DIV.bind1(NONE, a, b); }

  public static NDArray pow(NDArray a, NDArray b) { return Primitives.POW.bind1(NONE, a, b); }

  public static NDArray max(NDArray a, NDArray b) { return Primitives.MAX.bind1(NONE, a, b); }

  public static NDArray min(NDArray a, NDArray b) { return Primitives.MIN.bind1(NONE, a, b); }

  public static NDArray eq(NDArray a, NDArray b) { return Primitives.EQ.bind1(NONE, a, b); }

  public static NDArray ne(NDArray a, NDArray b) { return Primitives.NE.bind1(NONE, a, b); }

  public static NDArray lt(NDArray a, NDArray b) { return Primitives.LT.bind1(NONE, a, b); }

  public static NDArray le(NDArray a, NDArray b) { return Primitives.LE.bind1(NONE, a, b); }

  public static NDArray gt(NDArray a, NDArray b) { return Primitives.GT.bind1(NONE, a, b); }

  public static NDArray ge(NDArray a, NDArray b) { return Primitives.GE.bind1(NONE, a, b); }

  public static NDArray and(NDArray a, NDArray b) { return Primitives.AND.bind1(NONE, a, b); }

  public static NDArray or(NDArray a, NDArray b) { return Primitives.OR.bind1(NONE, a, b); }

  public static NDArray not(NDArray a) { return Primitives.NOT.bind1(NONE, a); }

  public static NDArray neg(NDArray a) { return Primitives.NEG.bind1(NONE, a); }

  public static NDArray exp(NDArray a) { return Primitives.EXP.bind1(NONE, a); }

  public static NDArray log(NDArray a) { return Primitives.LOG.bind1(NONE, a); }

  public static NDArray log1p(NDArray a) { return Primitives.LOG1P.bind1(NONE, a); }

  public static NDArray expm1(NDArray a) { return Primitives.EXPM1.bind1(NONE, a); }

  public static NDArray tanh(NDArray a) { return Primitives.TANH.bind1(NONE, a); }

  public static NDArray logistic(NDArray a) { return Primitives.LOGISTIC.bind1(NONE, a); }

  public static NDArray sin(NDArray a) { return Primitives.SIN.bind1(NONE, a); }

  public static NDArray cos(NDArray a) { return Primitives.COS.bind1(NONE, a); }

  public static NDArray tan(NDArray a) { return Primitives.TAN.bind1(NONE, a); }

  public static NDArray sqrt(NDArray a) { return Primitives.SQRT.bind1(NONE, a); }

  public static NDArray abs(NDArray a) { return Primitives.ABS.bind1(NONE, a); }

  public static NDArray sign(NDArray a) { return Primitives.SIGN.bind1(NONE, a); }

  public static NDArray floor(NDArray a) { return Primitives.FLOOR.bind1(NONE, a); }

  public static NDArray ceil(NDArray a) { return Primitives.CEIL.bind1(NONE, a); }

  public static NDArray erf(NDArray a) { return Primitives.ERF.bind1(NONE, a); }

  public static NDArray isFinite(NDArray a) { return Primitives.IS_FINITE.bind1(NONE, a); }

  public static NDArray stopGradient(NDArray a) { return Primitives.STOP_GRADIENT.bind1(NONE, a); }

  /** {@code pred ? onTrue : onFalse} elementwise; all three of one shape. */
  public static NDArray select(NDArray pred, NDArray onTrue, NDArray onFalse) {
    return Primitives.SELECT_N.bind1(NONE, pred, onFalse, onTrue);
  }

  public static NDArray convert(NDArray a, DType d) {
    if (a.dtype() == d) return a;
    return Primitives.CONVERT_ELEMENT_TYPE.bind1(new ConvertElementType.P(d), a);
  }

  // ---- structural ----

  public static NDArray broadcastInDim(NDArray a, int[] shape, int[] dims) {
    if (java.util.Arrays.equals(a.shape(), shape) && dims.length == shape.length) return a;
    return Primitives.BROADCAST_IN_DIM.bind1(new BroadcastInDim.P(shape, dims), a);
  }

  public static NDArray reshape(NDArray a, int... shape) {
    if (java.util.Arrays.equals(a.shape(), shape)) return a;
    return Primitives.RESHAPE.bind1(new Reshape.P(shape), a);
  }

  public static NDArray transpose(NDArray a, int... perm) {
    boolean identity = perm.length == a.ndim();
    for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
    if (identity) return a;
    return Primitives.TRANSPOSE.bind1(new Transpose.P(perm), a);
  }

  public static NDArray reduceSum(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_SUM.bind1(new Reduce.P(axes), a);
  }

  public static NDArray reduceMax(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_MAX.bind1(new Reduce.P(axes), a);
  }

  public static NDArray reduceMin(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_MIN.bind1(new Reduce.P(axes), a);
  }

  public static NDArray reduceProd(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_PROD.bind1(new Reduce.P(axes), a);
  }

  public static NDArray argmax(NDArray a, int axis, DType indexDtype) {
    return Primitives.ARGMAX.bind1(new ArgReduce.P(axis, indexDtype), a);
  }

  public static NDArray argmin(NDArray a, int axis, DType indexDtype) {
    return Primitives.ARGMIN.bind1(new ArgReduce.P(axis, indexDtype), a);
  }

  public static NDArray dotGeneral(NDArray a, NDArray b, int[] lc, int[] rc, int[] lb, int[] rb) {
    return Primitives.DOT_GENERAL.bind1(new DotGeneral.P(lc, rc, lb, rb), a, b);
  }

  public static NDArray slice(NDArray a, int[] start, int[] limit, int[] strides) {
    return Primitives.SLICE.bind1(new Slice.P(start, limit, strides), a);
  }

  public static NDArray pad(NDArray a, NDArray padValue, int[] low, int[] high, int[] interior) {
    return Primitives.PAD.bind1(new Pad.P(low, high, interior), a, padValue);
  }

  public static NDArray concatenate(NDArray[] parts, int axis) {
    if (parts.length == 1) return parts[0];
    return Primitives.CONCATENATE.bind1(new Concatenate.P(axis), parts);
  }

  public static NDArray dynamicSlice(NDArray a, NDArray[] start, int[] sizes) {
    NDArray[] args = new NDArray[start.length + 1];
    args[0] = a;
    System.arraycopy(start, 0, args, 1, start.length);
    return Primitives.DYNAMIC_SLICE.bind1(new DynamicSlice.P(sizes), args);
  }

  public static NDArray dynamicUpdateSlice(NDArray a, NDArray update, NDArray[] start) {
    NDArray[] args = new NDArray[start.length + 2];
    args[0] = a;
    args[1] = update;
    System.arraycopy(start, 0, args, 2, start.length);
    return Primitives.DYNAMIC_UPDATE_SLICE.bind1(Params.None.INSTANCE, args);
  }

  public static NDArray iota(DType d, int[] shape, int dimension) {
    return Primitives.IOTA.bind1(new Iota.P(d, shape, dimension));
  }

  public static NDArray cumsum(NDArray a, int axis, boolean reverse) {
    return Primitives.CUMSUM.bind1(new Cumsum.P(axis, reverse), a);
  }

  /** Reverses {@code a} along the given axes. */
  public static NDArray rev(NDArray a, int... dimensions) {
    if (dimensions.length == 0) return a;
    return Primitives.REV.bind1(new Rev.P(dimensions), a);
  }

  /** {@code a[..., indices, ...]} along {@code axis}, indices clamped into range. */
  public static NDArray gather(NDArray a, NDArray indices, int axis) {
    return Primitives.GATHER.bind1(new Gather.P(axis), a, indices);
  }

  /** A scatter of {@code updates} into {@code a} along {@code axis} (see {@link Scatter}). */
  public static NDArray scatter(Scatter kind, NDArray a, NDArray indices, NDArray updates, int axis, boolean dropOutOfBounds, boolean uniqueIndices) {
    return kind.bind1(new Scatter.P(axis, dropOutOfBounds, uniqueIndices), a, indices, updates);
  }

  /** A cumulative product, max or min (see {@link CumulativeReduction}). */
  public static NDArray cumulative(CumulativeReduction kind, NDArray a, int axis, boolean reverse) {
    return kind.bind1(new Cumsum.P(axis, reverse), a);
  }

  // ---- bits and random numbers ----

  public static NDArray xor(NDArray a, NDArray b) { return Primitives.XOR.bind1(NONE, a, b); }

  /** {@code a << b}; amounts of at least the bit width give 0 (XLA semantics). */
  public static NDArray shiftLeft(NDArray a, NDArray b) { return Primitives.SHIFT_LEFT.bind1(NONE, a, b); }

  /** {@code a >>> b} on the two's-complement bits; amounts of at least the bit width give 0. */
  public static NDArray shiftRightLogical(NDArray a, NDArray b) { return Primitives.SHIFT_RIGHT_LOGICAL.bind1(NONE, a, b); }

  /** Truncated remainder with the dividend's sign; integer {@code x rem 0 == x}. */
  public static NDArray rem(NDArray a, NDArray b) { return Primitives.REM.bind1(NONE, a, b); }

  public static NDArray erfInv(NDArray a) { return Primitives.ERF_INV.bind1(NONE, a); }

  /** log1p as XLA:CPU computes it, bit for bit (see {@link XlaLog1p}). */
  public static NDArray xlaLog1p(NDArray a) { return Primitives.XLA_LOG1P.bind1(NONE, a); }

  /** The complementary error function, accurate in the tail (see {@link Erfc}). */
  public static NDArray erfc(NDArray a) { return Primitives.ERFC.bind1(NONE, a); }

  /** {@code a * b + c} with one rounding. */
  public static NDArray fma(NDArray a, NDArray b, NDArray c) { return Primitives.FMA.bind1(NONE, a, b, c); }

  /** Reinterprets the bits of each element as {@code d} (same width). */
  public static NDArray bitcastConvertType(NDArray a, DType d) {
    if (a.dtype() == d) return a;
    return Primitives.BITCAST_CONVERT_TYPE.bind1(new BitcastConvertType.P(d), a);
  }

  /** The Threefry-2x32 hash of key words (k0, k1) and counter words (c0, c1), u32 arrays of one shape: two u32 arrays. */
  public static NDArray[] threefry2x32(NDArray k0, NDArray k1, NDArray c0, NDArray c1) {
    return Primitives.THREEFRY2X32.bind(NONE, k0, k1, c0, c1);
  }

  /** Stable sort of operands of one shape along {@code dimension} by the first {@code numKeys} of them; all come back permuted alike. */
  public static NDArray[] sort(NDArray[] operands, int dimension, int numKeys) {
    return Primitives.SORT.bind(new Sort.P(dimension, true, numKeys), operands);
  }

  /** Sums {@code x} down to {@code shape} over the axes that broadcasting added or expanded. */
  public static NDArray sumToShape(NDArray x, int[] shape) {
    int[] xs = x.shape();
    int lead = xs.length - shape.length;
    java.util.List<Integer> axes = new java.util.ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      if (i < lead || (shape[i - lead] == 1 && xs[i] != 1)) axes.add(i);
    }
    NDArray r = reduceSum(x, axes.stream().mapToInt(Integer::intValue).toArray());
    return reshape(r, shape);
  }
}
