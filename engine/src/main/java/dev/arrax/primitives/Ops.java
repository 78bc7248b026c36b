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

  /** Zeros of type {@code t}, as {@link #full}. */
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

  /** {@code a + b}: binds the {@code add} primitive; operands of one shape and dtype. */
  public static NDArray add(NDArray a, NDArray b) { return Primitives.ADD.bind1(NONE, a, b); }

  /** {@code a - b}: binds the {@code sub} primitive; operands of one shape and dtype. */
  public static NDArray sub(NDArray a, NDArray b) { return Primitives.SUB.bind1(NONE, a, b); }

  /** {@code a * b}: binds the {@code mul} primitive; operands of one shape and dtype. */
  public static NDArray mul(NDArray a, NDArray b) { return Primitives.MUL.bind1(NONE, a, b); }

  /** {@code a / b}: binds the {@code div} primitive; operands of one shape and dtype. */
  public static NDArray div(NDArray a, NDArray b) { return Primitives.DIV.bind1(NONE, a, b); }

  /** {@code a^b}: binds the {@code pow} primitive; operands of one shape and dtype. */
  public static NDArray pow(NDArray a, NDArray b) { return Primitives.POW.bind1(NONE, a, b); }

  /** Elementwise maximum: binds the {@code max} primitive; operands of one shape and dtype. */
  public static NDArray max(NDArray a, NDArray b) { return Primitives.MAX.bind1(NONE, a, b); }

  /** Elementwise minimum: binds the {@code min} primitive; operands of one shape and dtype. */
  public static NDArray min(NDArray a, NDArray b) { return Primitives.MIN.bind1(NONE, a, b); }

  /** {@code a == b}, bool: binds the {@code eq} primitive; operands of one shape and dtype. */
  public static NDArray eq(NDArray a, NDArray b) { return Primitives.EQ.bind1(NONE, a, b); }

  /** {@code a != b}, bool: binds the {@code ne} primitive; operands of one shape and dtype. */
  public static NDArray ne(NDArray a, NDArray b) { return Primitives.NE.bind1(NONE, a, b); }

  /** {@code a < b}, bool: binds the {@code lt} primitive; operands of one shape and dtype. */
  public static NDArray lt(NDArray a, NDArray b) { return Primitives.LT.bind1(NONE, a, b); }

  /** {@code a <= b}, bool: binds the {@code le} primitive; operands of one shape and dtype. */
  public static NDArray le(NDArray a, NDArray b) { return Primitives.LE.bind1(NONE, a, b); }

  /** {@code a > b}, bool: binds the {@code gt} primitive; operands of one shape and dtype. */
  public static NDArray gt(NDArray a, NDArray b) { return Primitives.GT.bind1(NONE, a, b); }

  /** {@code a >= b}, bool: binds the {@code ge} primitive; operands of one shape and dtype. */
  public static NDArray ge(NDArray a, NDArray b) { return Primitives.GE.bind1(NONE, a, b); }

  /**
   * Logical and on bool, bitwise on integers: binds the {@code and} primitive; operands of one shape and
   * dtype.
   */
  public static NDArray and(NDArray a, NDArray b) { return Primitives.AND.bind1(NONE, a, b); }

  /**
   * Logical or on bool, bitwise on integers: binds the {@code or} primitive; operands of one shape and
   * dtype.
   */
  public static NDArray or(NDArray a, NDArray b) { return Primitives.OR.bind1(NONE, a, b); }

  /** Logical not on bool, bitwise on integers: binds the {@code not} primitive. */
  public static NDArray not(NDArray a) { return Primitives.NOT.bind1(NONE, a); }

  /** {@code -a}: binds the {@code neg} primitive. */
  public static NDArray neg(NDArray a) { return Primitives.NEG.bind1(NONE, a); }

  /** {@code e^a}: binds the {@code exp} primitive. */
  public static NDArray exp(NDArray a) { return Primitives.EXP.bind1(NONE, a); }

  /** Natural logarithm: binds the {@code log} primitive. */
  public static NDArray log(NDArray a) { return Primitives.LOG.bind1(NONE, a); }

  /** {@code log(1 + a)}: binds the {@code log1p} primitive. */
  public static NDArray log1p(NDArray a) { return Primitives.LOG1P.bind1(NONE, a); }

  /** {@code e^a - 1}: binds the {@code expm1} primitive. */
  public static NDArray expm1(NDArray a) { return Primitives.EXPM1.bind1(NONE, a); }

  /** Hyperbolic tangent: binds the {@code tanh} primitive. */
  public static NDArray tanh(NDArray a) { return Primitives.TANH.bind1(NONE, a); }

  /** {@code 1 / (1 + e^-a)}: binds the {@code logistic} primitive. */
  public static NDArray logistic(NDArray a) { return Primitives.LOGISTIC.bind1(NONE, a); }

  /** Sine: binds the {@code sin} primitive. */
  public static NDArray sin(NDArray a) { return Primitives.SIN.bind1(NONE, a); }

  /** Cosine: binds the {@code cos} primitive. */
  public static NDArray cos(NDArray a) { return Primitives.COS.bind1(NONE, a); }

  /** Tangent: binds the {@code tan} primitive. */
  public static NDArray tan(NDArray a) { return Primitives.TAN.bind1(NONE, a); }

  /** Square root: binds the {@code sqrt} primitive. */
  public static NDArray sqrt(NDArray a) { return Primitives.SQRT.bind1(NONE, a); }

  /** Absolute value: binds the {@code abs} primitive. */
  public static NDArray abs(NDArray a) { return Primitives.ABS.bind1(NONE, a); }

  /** -1, 0 or +1: binds the {@code sign} primitive. */
  public static NDArray sign(NDArray a) { return Primitives.SIGN.bind1(NONE, a); }

  /** Floor: binds the {@code floor} primitive. */
  public static NDArray floor(NDArray a) { return Primitives.FLOOR.bind1(NONE, a); }

  /** Ceiling: binds the {@code ceil} primitive. */
  public static NDArray ceil(NDArray a) { return Primitives.CEIL.bind1(NONE, a); }

  /** Error function: binds the {@code erf} primitive. */
  public static NDArray erf(NDArray a) { return Primitives.ERF.bind1(NONE, a); }

  /** Bool, true where {@code a} is neither infinite nor NaN: binds the {@code is_finite} primitive. */
  public static NDArray isFinite(NDArray a) { return Primitives.IS_FINITE.bind1(NONE, a); }

  /** The identity with a zero derivative: binds the {@code stop_gradient} primitive. */
  public static NDArray stopGradient(NDArray a) { return Primitives.STOP_GRADIENT.bind1(NONE, a); }

  /** {@code pred ? onTrue : onFalse} elementwise; all three of one shape. */
  public static NDArray select(NDArray pred, NDArray onTrue, NDArray onFalse) {
    return Primitives.SELECT_N.bind1(NONE, pred, onFalse, onTrue);
  }

  /**
   * Converts to dtype {@code d} ({@code convert_element_type}); returns {@code a} itself when the dtype
   * already matches.
   */
  public static NDArray convert(NDArray a, DType d) {
    if (a.dtype() == d) return a;
    return Primitives.CONVERT_ELEMENT_TYPE.bind1(new ConvertElementType.P(d), a);
  }

  // ---- structural ----

  /**
   * {@code broadcast_in_dim}: operand axis i becomes result axis {@code dims[i]} of {@code shape} (size 1
   * or equal); returns {@code a} itself when nothing changes.
   */
  public static NDArray broadcastInDim(NDArray a, int[] shape, int[] dims) {
    if (java.util.Arrays.equals(a.shape(), shape) && dims.length == shape.length) return a;
    return Primitives.BROADCAST_IN_DIM.bind1(new BroadcastInDim.P(shape, dims), a);
  }

  /**
   * {@code reshape} to {@code shape} (same size, row-major, no -1); returns {@code a} itself when the shape
   * already matches.
   */
  public static NDArray reshape(NDArray a, int... shape) {
    if (java.util.Arrays.equals(a.shape(), shape)) return a;
    return Primitives.RESHAPE.bind1(new Reshape.P(shape), a);
  }

  /**
   * {@code transpose}: result axis i is operand axis {@code perm[i]}; returns {@code a} itself for the
   * identity permutation.
   */
  public static NDArray transpose(NDArray a, int... perm) {
    boolean identity = perm.length == a.ndim();
    for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
    if (identity) return a;
    return Primitives.TRANSPOSE.bind1(new Transpose.P(perm), a);
  }

  /** {@code reduce_sum} over {@code axes}, which are removed; no axes returns {@code a} itself. */
  public static NDArray reduceSum(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_SUM.bind1(new Reduce.P(axes), a);
  }

  /** {@code reduce_max} over {@code axes}, which are removed; no axes returns {@code a} itself. */
  public static NDArray reduceMax(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_MAX.bind1(new Reduce.P(axes), a);
  }

  /** {@code reduce_min} over {@code axes}, which are removed; no axes returns {@code a} itself. */
  public static NDArray reduceMin(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_MIN.bind1(new Reduce.P(axes), a);
  }

  /** {@code reduce_prod} over {@code axes}, which are removed; no axes returns {@code a} itself. */
  public static NDArray reduceProd(NDArray a, int... axes) {
    if (axes.length == 0) return a;
    return Primitives.REDUCE_PROD.bind1(new Reduce.P(axes), a);
  }

  /** {@code argmax} along {@code axis} (removed), indices of dtype {@code indexDtype}. */
  public static NDArray argmax(NDArray a, int axis, DType indexDtype) {
    return Primitives.ARGMAX.bind1(new ArgReduce.P(axis, indexDtype), a);
  }

  /** {@code argmin} along {@code axis} (removed), indices of dtype {@code indexDtype}. */
  public static NDArray argmin(NDArray a, int axis, DType indexDtype) {
    return Primitives.ARGMIN.bind1(new ArgReduce.P(axis, indexDtype), a);
  }

  /**
   * {@code dot_general}: contracts {@code a}'s axes {@code lc} with {@code b}'s {@code rc}, pairing batch
   * axes {@code lb}/{@code rb}; result axes are batch, {@code a}'s free, {@code b}'s free.
   */
  public static NDArray dotGeneral(NDArray a, NDArray b, int[] lc, int[] rc, int[] lb, int[] rb) {
    return Primitives.DOT_GENERAL.bind1(new DotGeneral.P(lc, rc, lb, rb), a, b);
  }

  /** {@code slice}: elements {@code start[k] <= i < limit[k]} stepping by {@code strides[k]} on each axis. */
  public static NDArray slice(NDArray a, int[] start, int[] limit, int[] strides) {
    return Primitives.SLICE.bind1(new Slice.P(start, limit, strides), a);
  }

  /**
   * {@code pad} with the scalar {@code padValue}: {@code low}/{@code high} elements before/after each axis
   * and {@code interior} between elements, all non-negative.
   */
  public static NDArray pad(NDArray a, NDArray padValue, int[] low, int[] high, int[] interior) {
    return Primitives.PAD.bind1(new Pad.P(low, high, interior), a, padValue);
  }

  /** {@code concatenate} along {@code axis}; a single part is returned as is. */
  public static NDArray concatenate(NDArray[] parts, int axis) {
    if (parts.length == 1) return parts[0];
    return Primitives.CONCATENATE.bind1(new Concatenate.P(axis), parts);
  }

  /**
   * {@code dynamic_slice}: a block of {@code sizes} starting at the scalar index arrays {@code start} (one
   * per axis, clamped so the block fits).
   */
  public static NDArray dynamicSlice(NDArray a, NDArray[] start, int[] sizes) {
    NDArray[] args = new NDArray[start.length + 1];
    args[0] = a;
    System.arraycopy(start, 0, args, 1, start.length);
    return Primitives.DYNAMIC_SLICE.bind1(new DynamicSlice.P(sizes), args);
  }

  /**
   * {@code dynamic_update_slice}: {@code a} with {@code update} written at the scalar index arrays
   * {@code start} (clamped so it fits).
   */
  public static NDArray dynamicUpdateSlice(NDArray a, NDArray update, NDArray[] start) {
    NDArray[] args = new NDArray[start.length + 2];
    args[0] = a;
    args[1] = update;
    System.arraycopy(start, 0, args, 2, start.length);
    return Primitives.DYNAMIC_UPDATE_SLICE.bind1(Params.None.INSTANCE, args);
  }

  /**
   * {@code iota}: an array of {@code shape} and dtype {@code d} whose value is the index along axis
   * {@code dimension}.
   */
  public static NDArray iota(DType d, int[] shape, int dimension) {
    return Primitives.IOTA.bind1(new Iota.P(d, shape, dimension));
  }

  /** {@code cumsum} along {@code axis}, from the end if {@code reverse}; same shape. */
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

  /**
   * Exclusive or: logical on bool, bitwise on integers: binds the {@code xor} primitive; operands of one
   * shape and dtype.
   */
  public static NDArray xor(NDArray a, NDArray b) { return Primitives.XOR.bind1(NONE, a, b); }

  /** {@code a << b}; amounts of at least the bit width give 0 (XLA semantics). */
  public static NDArray shiftLeft(NDArray a, NDArray b) { return Primitives.SHIFT_LEFT.bind1(NONE, a, b); }

  /** {@code a >>> b} on the two's-complement bits; amounts of at least the bit width give 0. */
  public static NDArray shiftRightLogical(NDArray a, NDArray b) { return Primitives.SHIFT_RIGHT_LOGICAL.bind1(NONE, a, b); }

  /** Truncated remainder with the dividend's sign; integer {@code x rem 0 == x}. */
  public static NDArray rem(NDArray a, NDArray b) { return Primitives.REM.bind1(NONE, a, b); }

  /** Inverse error function: binds the {@code erf_inv} primitive. */
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
