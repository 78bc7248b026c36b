package dev.arrax;

import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Trace;
import dev.arrax.core.Tracer;
import java.util.Arrays;

/**
 * An immutable n-dimensional array with a shape and a {@link DType}, stored row-major.
 *
 * <p>Arithmetic follows jax.numpy: NumPy broadcasting and JAX's type promotion (see {@link DType}).
 * Inside a transformation ({@link Arrax#grad}, {@link Arrax#vmap}, {@link Arrax#jit},
 * {@link Arrax#makeJaxpr}) the arrays a function receives are tracers: the same methods work on them, but
 * reading values ({@link #item()}, {@link #toDoubleArray()}) throws {@link ConcretizationException}
 * where the value is unknown. Arrays are never mutated; {@link #at} returns updated copies.
 *
 * <pre>{@code
 * NDArray x = NDArray.of(1.0, 2.0, 3.0);          // f64[3]
 * NDArray y = Np.exp(x).mul(2.0).sum();           // f64[]
 * double v = y.item();
 * }</pre>
 *
 * <p>Not meant to be subclassed outside Arrax.
 */
public abstract class NDArray {
  private final ArrayType type;

  /** For Arrax's own subclasses (concrete arrays and tracers): every array has a fixed {@code type}. */
  protected NDArray(ArrayType type) {
    this.type = type;
  }

  // ---- construction ----

  /** A 1-d f64 array. */
  public static NDArray of(double... values) {
    return new ConcreteArray(ArrayType.of(DType.FLOAT64, values.length), Buffer.wrap(DType.FLOAT64, values.clone()));
  }

  /** A 1-d f32 array. */
  public static NDArray of(float... values) {
    return new ConcreteArray(ArrayType.of(DType.FLOAT32, values.length), Buffer.wrap(DType.FLOAT32, values.clone()));
  }

  /** A 2-d f64 array from rows of equal length. */
  public static NDArray of(double[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    double[] flat = new double[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new ShapeException("NDArray.of(double[][]): row " + i + " has " + rows[i].length + " elements but row 0 has " + cols
            + "; all rows must have the same length");
      }
      System.arraycopy(rows[i], 0, flat, i * cols, cols);
    }
    return fromFlat(flat, rows.length, cols);
  }

  /**
   * A 1-d i64 array, as {@code jnp.array([1, 2, 3])} is with 64-bit types. Without this overload
   * {@code NDArray.of(1, 2, 3)} would silently pick {@code of(float...)}.
   */
  public static NDArray of(int... values) {
    long[] v = new long[values.length];
    for (int i = 0; i < v.length; i++) v[i] = values[i];
    return ofLongs(v);
  }

  /** A 1-d i32 array. */
  public static NDArray ofInts(int... values) {
    return new ConcreteArray(ArrayType.of(DType.INT32, values.length), Buffer.wrap(DType.INT32, values.clone()));
  }

  /** A 1-d i64 array. */
  public static NDArray ofLongs(long... values) {
    return new ConcreteArray(ArrayType.of(DType.INT64, values.length), Buffer.wrap(DType.INT64, values.clone()));
  }

  /** A 1-d bool array. */
  public static NDArray ofBools(boolean... values) {
    return new ConcreteArray(ArrayType.of(DType.BOOL, values.length), Buffer.wrap(DType.BOOL, values.clone()));
  }

  /**
   * A 0-d f64 array, strongly typed: it is {@code jnp.asarray(value, dtype=jnp.float64)} (or
   * {@code jnp.float64(value)}), not {@code jnp.asarray(value)}. Combined with an f32 array it promotes
   * the result to f64, as a float64 array does in JAX: {@code Np.where(x32 > 0, x32, NDArray.scalar(0.0))}
   * is f64.
   *
   * <p>JAX's weakly typed Python scalars ({@code jnp.where(x > 0, x, 0.0)}, {@code x * 2.0},
   * {@code jnp.maximum(x, 0.0)}) are Java {@code double}s in Arrax: every Np function and NDArray method
   * that combines an array with a number has a {@code double} overload, and that double takes the
   * array's floating dtype, so {@code Np.where(Np.greater(x32, 0.0), x32, 0.0)} stays f32 as in JAX. Use
   * a {@code double} where JAX code has a Python number; use {@link #scalar(double, DType)} with
   * {@code x.dtype()} when a 0-d array is needed, e.g. as an operand of a Lax function.
   */
  public static NDArray scalar(double value) {
    return new ConcreteArray(ArrayType.of(DType.FLOAT64), Buffer.wrap(DType.FLOAT64, new double[] {value}));
  }

  /** A 0-d array of the given dtype holding {@code value} converted as {@link #astype} would. */
  public static NDArray scalar(double value, DType dtype) {
    return ConcreteArray.full(ArrayType.of(dtype), value);
  }

  /** An f64 array of the given shape over a row-major copy of {@code data}. */
  public static NDArray fromFlat(double[] data, int... shape) {
    checkFlat(data.length, shape);
    return new ConcreteArray(ArrayType.of(DType.FLOAT64, shape), Buffer.wrap(DType.FLOAT64, data.clone()));
  }

  /** An f32 array of the given shape over a row-major copy of {@code data}. */
  public static NDArray fromFlat(float[] data, int... shape) {
    checkFlat(data.length, shape);
    return new ConcreteArray(ArrayType.of(DType.FLOAT32, shape), Buffer.wrap(DType.FLOAT32, data.clone()));
  }

  /** An array of the given dtype and shape from row-major values converted as {@link #astype} would. */
  public static NDArray fromFlat(double[] data, DType dtype, int... shape) {
    checkFlat(data.length, shape);
    Buffer b = Buffer.allocate(dtype, data.length);
    for (int i = 0; i < data.length; i++) b.setDouble(i, data[i]);
    return new ConcreteArray(ArrayType.of(dtype, shape), b);
  }

  private static void checkFlat(int n, int[] shape) {
    for (int d : shape) {
      if (d < 0) throw new ShapeException("fromFlat: negative dimension in shape " + Arrays.toString(shape));
    }
    long size = 1;
    for (int d : shape) size *= d;
    if (size != n) {
      throw new ShapeException("fromFlat: " + n + " values cannot fill shape " + Arrays.toString(shape) + " (" + size + " elements)");
    }
  }

  // ---- metadata ----

  /** Shape and dtype. */
  public final ArrayType type() { return type; }

  /**
   * The shape, one size per axis ({@code x.shape} in JAX); a fresh copy, so changing it does not change the
   * array. A scalar has shape {@code []}.
   */
  public final int[] shape() { return type.shape(); }

  /** The element type ({@code x.dtype}). */
  public final DType dtype() { return type.dtype(); }

  /** The number of axes ({@code x.ndim}): 0 for a scalar, 1 for a vector. */
  public final int ndim() { return type.rank(); }

  /** The number of elements, the product of the shape ({@code x.size}); 1 for a scalar. */
  public final int size() { return type.size(); }

  // ---- values ----

  /** Row-major copy of the elements as doubles. Needs a concrete value. */
  public double[] toDoubleArray() {
    return concrete("toDoubleArray()").buffer().toDoubleArray();
  }

  /** Row-major copy as floats (rounded for f64). Needs a concrete value. */
  public float[] toFloatArray() {
    Buffer b = concrete("toFloatArray()").buffer();
    float[] out = new float[b.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) b.getDouble(i);
    return out;
  }

  /** Row-major copy as longs (unsigned for u32, truncated for floats). Needs a concrete value. */
  public long[] toLongArray() {
    Buffer b = concrete("toLongArray()").buffer();
    long[] out = new long[b.size()];
    for (int i = 0; i < out.length; i++) out[i] = b.getLong(i);
    return out;
  }

  /** The value of a one-element array. Needs a concrete value. */
  public double item() {
    ConcreteArray c = concrete("item()");
    if (c.size() != 1) {
      throw new ShapeException("item(): needs an array with exactly one element, got " + type
          + "; index it first (Lax.indexInDim) or reduce it (Np.sum)");
    }
    return c.buffer().getDouble(0);
  }

  /** The element at a full index, as a double. Needs a concrete value. */
  public double getDouble(int... index) {
    ConcreteArray c = concrete("getDouble()");
    if (index.length != ndim()) throw new ShapeException("getDouble: " + index.length + " indices for an array " + type);
    int flat = 0;
    int[] shape = type.shape();
    for (int i = 0; i < index.length; i++) {
      int ix = index[i] < 0 ? index[i] + shape[i] : index[i];
      if (ix < 0 || ix >= shape[i]) throw new ShapeException("getDouble: index " + index[i] + " out of bounds for axis " + i + " of " + type);
      flat = flat * shape[i] + ix;
    }
    return c.buffer().getDouble(flat);
  }

  /**
   * Waits until this array's value is computed and returns it. Jitted functions return at once and
   * compute on a dispatch thread (as JAX does); reading a value waits anyway, so this is only needed
   * to time a computation or to surface its errors at a chosen point.
   */
  public NDArray blockUntilReady() {
    if (this instanceof ConcreteArray c) c.buffer();
    return this;
  }

  private ConcreteArray concrete(String what) {
    NDArray x = this;
    while (x instanceof Tracer t) {
      Trace tr = t.trace();
      if (!tr.isActive()) {
        throw new ConcretizationException(what + " was called on a traced array " + type + " that escaped its transformation ("
            + tr.transformationName() + "): it was stored outside the function and used after the transformation ended. "
            + "Return values from the transformed function instead of keeping them in fields or outer variables.");
      }
      NDArray v = t.primalOrNull();
      if (v == null) {
        throw new ConcretizationException(what + " needs the value of a traced array " + type + ", but inside "
            + tr.transformationName() + " only its shape and dtype are known. A Java if/loop on an array value cannot be traced: "
            + "use Np.where / Lax.select for a data-dependent choice, or make this argument static "
            + "(Arrax.jit(f, staticArgnums...)) so it is a Java value at trace time." + dev.arrax.core.CallSite.describe());
      }
      x = v;
    }
    if (x instanceof ConcreteArray c) return c;
    throw new IllegalStateException("internal: " + x + " has no value");
  }

  // ---- arithmetic (jax.numpy semantics) ----

  /** {@code this + other} ({@link Np#add(NDArray, NDArray)}): broadcasting and JAX type promotion. */
  public NDArray add(NDArray other) { return Np.add(this, other); }

  /**
   * {@code this + other} with a weakly typed scalar, e.g. {@code x.add(1.0)}
   * ({@link Np#add(NDArray, double)}).
   */
  public NDArray add(double other) { return Np.add(this, other); }

  /** {@code this - other} ({@link Np#subtract(NDArray, NDArray)}). */
  public NDArray sub(NDArray other) { return Np.subtract(this, other); }

  /** {@code this - other} with a weakly typed scalar ({@link Np#subtract(NDArray, double)}). */
  public NDArray sub(double other) { return Np.subtract(this, other); }

  /**
   * {@code this * other} elementwise ({@link Np#multiply(NDArray, NDArray)}); for a matrix product see
   * {@link Np#matmul}.
   */
  public NDArray mul(NDArray other) { return Np.multiply(this, other); }

  /** {@code this * other} with a weakly typed scalar ({@link Np#multiply(NDArray, double)}). */
  public NDArray mul(double other) { return Np.multiply(this, other); }

  /** True division: integer arrays divide to f64, as {@code jnp.divide}. */
  public NDArray div(NDArray other) { return Np.divide(this, other); }

  /** True division by a weakly typed scalar ({@link Np#divide(NDArray, double)}). */
  public NDArray div(double other) { return Np.divide(this, other); }

  /** {@code this ^ other} elementwise ({@link Np#power(NDArray, NDArray)}). */
  public NDArray pow(NDArray other) { return Np.power(this, other); }

  /**
   * {@code this ^ other} with a weakly typed scalar exponent, e.g. {@code x.pow(2.0)}
   * ({@link Np#power(NDArray, double)}).
   */
  public NDArray pow(double other) { return Np.power(this, other); }

  /** {@code -this} ({@link Np#negative}); throws {@link ShapeException} for a bool array. */
  public NDArray neg() { return Np.negative(this); }

  /**
   * The same elements in a new shape, row-major ({@link Np#reshape}); one size may be -1 (inferred), e.g.
   * {@code x.reshape(2, -1)}.
   */
  public NDArray reshape(int... shape) { return Np.reshape(this, shape); }

  /**
   * Converts to {@code dtype} ({@code x.astype(dtype)}, {@code lax.convert_element_type}).
   * @throws ArraxException if {@code dtype} is null
   */
  public NDArray astype(DType dtype) {
    if (dtype == null) throw new ArraxException("astype: dtype is null; pass one of " + java.util.Arrays.toString(DType.values()));
    return Lax.convertElementType(this, dtype);
  }

  /** Permutes axes; with no argument reverses them. */
  public NDArray transpose(int... perm) { return Np.transpose(this, perm); }

  /** Sum of all elements ({@link Np#sum(NDArray)}): a scalar array; bool and 32-bit integers sum in i64. */
  public NDArray sum() { return Np.sum(this); }

  /** Mean of all elements ({@link Np#mean(NDArray)}): a floating-point scalar array. */
  public NDArray mean() { return Np.mean(this); }

  /** Functional update at a leading index: {@code x.at(1).set(v)}, {@code x.at(0, 2).add(1.0)} (JAX's {@code x.at[1, ...]}). */
  public IndexUpdate at(int... index) { return new IndexUpdate(this, index); }

  /**
   * Functional update at integer index arrays ({@code x.at[idx]}, {@code x.at[i, j]} with arrays): array k
   * indexes axis k, the arrays broadcast together to a shape I, and the selected elements (each followed
   * by the remaining axes) form an array of shape {@code I + x.shape[k:]}. As in JAX, negative indices count
   * from the end; out-of-range updates are dropped and out-of-range reads are clamped; with repeated
   * indices {@code add}/{@code mul}/{@code min}/{@code max} accumulate and {@code set} keeps one of the
   * updates. Built on the scatter primitives, so differentiable (in the array and the values), batchable
   * and jittable.
   */
  public ArrayIndexUpdate at(NDArray... indices) { return new ArrayIndexUpdate(this, indices); }

  /** The target of {@link NDArray#at}: each method returns a new array, the original is unchanged. */
  public static final class IndexUpdate {
    private final NDArray base;
    private final int[] index;

    IndexUpdate(NDArray base, int[] index) {
      this.base = base;
      this.index = index.clone();
    }

    /** A copy of the array with the indexed sub-array replaced by {@code value} (broadcast). */
    public NDArray set(NDArray value) { return Lax.setAt(base, index, requireValue(value, "set"), Lax.Combine.SET); }

    /** {@link #set(NDArray)} with a scalar, converted to the array's dtype: {@code x.at(1).set(0.0)}. */
    public NDArray set(double value) { return set(Np.full(new int[0], value, base.dtype())); }

    /** A copy of the array with {@code value} added to the indexed sub-array. */
    public NDArray add(NDArray value) { return Lax.setAt(base, index, requireValue(value, "add"), Lax.Combine.ADD); }

    /** {@link #add(NDArray)} with a scalar, converted to the array's dtype: {@code x.at(0, 2).add(1.0)}. */
    public NDArray add(double value) { return add(Np.full(new int[0], value, base.dtype())); }

    /** A copy with the indexed sub-array multiplied by {@code value} ({@code x.at[i].mul(v)}). */
    public NDArray mul(NDArray value) { return Lax.setAt(base, index, requireValue(value, "mul"), Lax.Combine.MUL); }

    /** {@link #mul(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray mul(double value) { return mul(Np.full(new int[0], value, base.dtype())); }

    /** A copy with the indexed sub-array replaced by its elementwise minimum with {@code value} ({@code x.at[i].min(v)}). */
    public NDArray min(NDArray value) { return Lax.setAt(base, index, requireValue(value, "min"), Lax.Combine.MIN); }

    /** {@link #min(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray min(double value) { return min(Np.full(new int[0], value, base.dtype())); }

    /** A copy with the indexed sub-array replaced by its elementwise maximum with {@code value} ({@code x.at[i].max(v)}). */
    public NDArray max(NDArray value) { return Lax.setAt(base, index, requireValue(value, "max"), Lax.Combine.MAX); }

    /** {@link #max(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray max(double value) { return max(Np.full(new int[0], value, base.dtype())); }

    /** The indexed sub-array. */
    public NDArray get() {
      NDArray r = base;
      for (int i = 0; i < index.length; i++) r = Lax.indexInDim(r, index[i], 0, false);
      return r;
    }
  }

  private static NDArray requireValue(NDArray v, String op) {
    if (v == null) throw new ArraxException("at(...)." + op + ": the value is null; pass an array or a double");
    return v;
  }

  /** The target of {@link NDArray#at(NDArray...)}: {@code x.at[idx].set/add/mul/min/max/get} with index arrays. */
  public static final class ArrayIndexUpdate {
    private final NDArray base;
    private final NDArray[] indices;

    ArrayIndexUpdate(NDArray base, NDArray[] indices) {
      this.base = base;
      this.indices = indices.clone();
    }

    /** {@code x.at[idx].set(v)}: the selected elements replaced by {@code v} (broadcast to {@code I + rest}, converted to x's dtype). */
    public NDArray set(NDArray value) { return Lax.scatterAt(base, indices, requireValue(value, "set"), dev.arrax.primitives.Primitives.SCATTER, false); }

    /** {@link #set(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray set(double value) { return set(Np.full(new int[0], value, base.dtype())); }

    /** {@code x.at[idx].add(v)}: repeated indices accumulate. */
    public NDArray add(NDArray value) { return Lax.scatterAt(base, indices, requireValue(value, "add"), dev.arrax.primitives.Primitives.SCATTER_ADD, false); }

    /** {@link #add(NDArray)} with a scalar, converted to the array's dtype; repeated indices accumulate. */
    public NDArray add(double value) { return add(Np.full(new int[0], value, base.dtype())); }

    /**
     * {@code x.at[idx].mul(v)}. The derivative with respect to {@code v} needs the promise that no index
     * repeats ({@link #mul(NDArray, boolean)}), as in JAX; the derivative in {@code x} always works.
     */
    public NDArray mul(NDArray value) { return mul(value, false); }

    /** {@code x.at[idx].mul(v, unique_indices=uniqueIndices)}. */
    public NDArray mul(NDArray value, boolean uniqueIndices) {
      return Lax.scatterAt(base, indices, requireValue(value, "mul"), dev.arrax.primitives.Primitives.SCATTER_MUL, uniqueIndices);
    }

    /** {@link #mul(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray mul(double value) { return mul(Np.full(new int[0], value, base.dtype())); }

    /** {@code x.at[idx].min(v)}; tied values share the derivative, as in JAX. */
    public NDArray min(NDArray value) { return Lax.scatterAt(base, indices, requireValue(value, "min"), dev.arrax.primitives.Primitives.SCATTER_MIN, false); }

    /** {@link #min(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray min(double value) { return min(Np.full(new int[0], value, base.dtype())); }

    /** {@code x.at[idx].max(v)}; tied values share the derivative, as in JAX. */
    public NDArray max(NDArray value) { return Lax.scatterAt(base, indices, requireValue(value, "max"), dev.arrax.primitives.Primitives.SCATTER_MAX, false); }

    /** {@link #max(NDArray)} with a scalar, converted to the array's dtype. */
    public NDArray max(double value) { return max(Np.full(new int[0], value, base.dtype())); }

    /** {@code x.at[idx].get()} (= {@code x[idx]}): out-of-range indices clamped, as JAX's default for reads. */
    public NDArray get() { return Lax.gatherAt(base, indices); }
  }

  @Override public String toString() {
    if (!(this instanceof ConcreteArray c)) return getClass().getSimpleName() + "<" + type + ">";
    StringBuilder sb = new StringBuilder();
    Buffer b = c.buffer();
    int[] shape = type.shape();
    if (b.size() > 1000) return "NDArray(" + type + ", " + b.size() + " elements)";
    appendNested(sb, b, shape, 0, 0);
    return sb.append(" ").append(type).toString();
  }

  private static int appendNested(StringBuilder sb, Buffer b, int[] shape, int axis, int offset) {
    if (axis == shape.length) {
      sb.append(b.dtype() == DType.BOOL ? String.valueOf(b.getBool(offset))
          : b.dtype().isFloating() ? String.valueOf(b.getDouble(offset)) : String.valueOf(b.getLong(offset)));
      return offset + 1;
    }
    sb.append('[');
    for (int i = 0; i < shape[axis]; i++) {
      if (i > 0) sb.append(", ");
      offset = appendNested(sb, b, shape, axis + 1, offset);
    }
    sb.append(']');
    return offset;
  }
}
