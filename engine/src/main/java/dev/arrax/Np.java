package dev.arrax;

import dev.arrax.core.ArrayType;
import dev.arrax.core.CallSite;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.BinaryElementwise;
import dev.arrax.primitives.Ops;
import dev.arrax.primitives.Primitives;
import dev.arrax.primitives.UnaryElementwise;
import dev.arrax.core.Params;
import java.util.Arrays;

/**
 * jax.numpy for Java (camelCase names). Binary functions broadcast as NumPy does and promote dtypes
 * as JAX does (see {@link DType}); a Java {@code double} argument is weakly typed. Reductions take an
 * optional axis (negative counts from the end) and {@code keepdims}. Integer and bool sums, products
 * and cumulative sums accumulate in i64, as JAX with 64-bit types enabled.
 *
 * <p>Only primitives are primitives: everything here that can be written with them is (e.g.
 * {@code mean = sum / n}, {@code var}, {@code logaddexp}, {@code eye}), so derivatives and batching
 * come for free.
 */
public final class Np {
  private Np() {}

  private static final Params.None NONE = Params.None.INSTANCE;

  // ---- elementwise, one operand ----

  public static NDArray exp(NDArray x) { return unaryFloat(Primitives.EXP, x); }

  public static NDArray log(NDArray x) { return unaryFloat(Primitives.LOG, x); }

  public static NDArray log1p(NDArray x) { return unaryFloat(Primitives.LOG1P, x); }

  public static NDArray expm1(NDArray x) { return unaryFloat(Primitives.EXPM1, x); }

  public static NDArray tanh(NDArray x) { return unaryFloat(Primitives.TANH, x); }

  public static NDArray sin(NDArray x) { return unaryFloat(Primitives.SIN, x); }

  public static NDArray cos(NDArray x) { return unaryFloat(Primitives.COS, x); }

  public static NDArray tan(NDArray x) { return unaryFloat(Primitives.TAN, x); }

  public static NDArray sqrt(NDArray x) { return unaryFloat(Primitives.SQRT, x); }

  public static NDArray floor(NDArray x) { nonNull("floor", x); return x.dtype().isFloating() ? Primitives.FLOOR.bind1(NONE, x) : x; }

  public static NDArray ceil(NDArray x) { nonNull("ceil", x); return x.dtype().isFloating() ? Primitives.CEIL.bind1(NONE, x) : x; }

  public static NDArray abs(NDArray x) { nonNull("abs", x); return x.dtype() == DType.BOOL ? x : Primitives.ABS.bind1(NONE, x); }

  public static NDArray sign(NDArray x) {
    nonNull("sign", x);
    return x.dtype() == DType.BOOL ? x : Primitives.SIGN.bind1(NONE, x);
  }

  public static NDArray negative(NDArray x) {
    nonNull("negative", x);
    if (x.dtype() == DType.BOOL) throw new ShapeException("negative: not defined for bool arrays " + x.type() + "; use logicalNot" + CallSite.describe());
    return Primitives.NEG.bind1(NONE, x);
  }

  public static NDArray square(NDArray x) { return multiply(x, x); }

  /** True where x is finite (not inf or NaN); integers are always finite. */
  public static NDArray isfinite(NDArray x) {
    return x.dtype().isFloating() ? Primitives.IS_FINITE.bind1(NONE, x) : Ops.full(x.type().withDtype(DType.BOOL), 1);
  }

  /** Integers and bools are converted to f64 first, as jnp does for transcendental functions. */
  private static NDArray unaryFloat(UnaryElementwise p, NDArray x) {
    nonNull(p.name(), x);
    return p.bind1(NONE, toFloat(x));
  }

  // ---- elementwise, two operands ----

  public static NDArray add(NDArray a, NDArray b) { return binary("add", Primitives.ADD, a, b); }

  public static NDArray add(NDArray a, double b) { return add(a, weak(b, a)); }

  public static NDArray add(double a, NDArray b) { return add(weak(a, b), b); }

  public static NDArray subtract(NDArray a, NDArray b) { return binary("subtract", Primitives.SUB, a, b); }

  public static NDArray subtract(NDArray a, double b) { return subtract(a, weak(b, a)); }

  public static NDArray subtract(double a, NDArray b) { return subtract(weak(a, b), b); }

  public static NDArray multiply(NDArray a, NDArray b) { return binary("multiply", Primitives.MUL, a, b); }

  public static NDArray multiply(NDArray a, double b) { return multiply(a, weak(b, a)); }

  public static NDArray multiply(double a, NDArray b) { return multiply(weak(a, b), b); }

  /** True division: integer and bool operands divide in f64 (jnp.divide). */
  public static NDArray divide(NDArray a, NDArray b) {
    nonNull("divide", a, b);
    DType d = floatType(DType.promote(a.dtype(), b.dtype()));
    return binary("divide", Primitives.DIV, Ops.convert(a, d), Ops.convert(b, d));
  }

  public static NDArray divide(NDArray a, double b) { return divide(a, weak(b, a)); }

  public static NDArray divide(double a, NDArray b) { return divide(weak(a, b), b); }

  public static NDArray power(NDArray a, NDArray b) { return binary("power", Primitives.POW, a, b); }

  public static NDArray power(NDArray a, double b) { return power(a, weak(b, a)); }

  public static NDArray power(double a, NDArray b) { return power(weak(a, b), b); }

  public static NDArray maximum(NDArray a, NDArray b) { return binary("maximum", Primitives.MAX, a, b); }

  public static NDArray maximum(NDArray a, double b) { return maximum(a, weak(b, a)); }

  public static NDArray maximum(double a, NDArray b) { return maximum(weak(a, b), b); }

  public static NDArray minimum(NDArray a, NDArray b) { return binary("minimum", Primitives.MIN, a, b); }

  public static NDArray minimum(NDArray a, double b) { return minimum(a, weak(b, a)); }

  public static NDArray minimum(double a, NDArray b) { return minimum(weak(a, b), b); }

  public static NDArray greater(NDArray a, NDArray b) { return binary("greater", Primitives.GT, a, b); }

  public static NDArray greater(NDArray a, double b) { return greater(a, weak(b, a)); }

  public static NDArray greaterEqual(NDArray a, NDArray b) { return binary("greaterEqual", Primitives.GE, a, b); }

  public static NDArray greaterEqual(NDArray a, double b) { return greaterEqual(a, weak(b, a)); }

  public static NDArray less(NDArray a, NDArray b) { return binary("less", Primitives.LT, a, b); }

  public static NDArray less(NDArray a, double b) { return less(a, weak(b, a)); }

  public static NDArray lessEqual(NDArray a, NDArray b) { return binary("lessEqual", Primitives.LE, a, b); }

  public static NDArray lessEqual(NDArray a, double b) { return lessEqual(a, weak(b, a)); }

  public static NDArray equal(NDArray a, NDArray b) { return binary("equal", Primitives.EQ, a, b); }

  public static NDArray equal(NDArray a, double b) { return equal(a, weak(b, a)); }

  public static NDArray notEqual(NDArray a, NDArray b) { return binary("notEqual", Primitives.NE, a, b); }

  public static NDArray notEqual(NDArray a, double b) { return notEqual(a, weak(b, a)); }

  public static NDArray logicalAnd(NDArray a, NDArray b) { nonNull("logicalAnd", a, b); return binary("logicalAnd", Primitives.AND, toBool(a), toBool(b)); }

  public static NDArray logicalOr(NDArray a, NDArray b) { nonNull("logicalOr", a, b); return binary("logicalOr", Primitives.OR, toBool(a), toBool(b)); }

  public static NDArray logicalNot(NDArray a) { nonNull("logicalNot", a); return Primitives.NOT.bind1(NONE, toBool(a)); }

  /** {@code cond ? x : y} elementwise, broadcasting all three; the gradient flows to the chosen branch only. */
  public static NDArray where(NDArray cond, NDArray x, NDArray y) {
    nonNull("where", cond, x, y);
    DType d = DType.promote(x.dtype(), y.dtype());
    int[] shape = Shapes.broadcast(cond.shape(), x.shape());
    if (shape != null) shape = Shapes.broadcast(shape, y.shape());
    if (shape == null) {
      throw new ShapeException("where: shapes of cond " + cond.type() + ", x " + x.type() + " and y " + y.type()
          + " cannot be broadcast together (trailing axes must be equal or 1)" + CallSite.describe());
    }
    NDArray c = broadcastTo(toBool(cond), shape);
    return Ops.select(c, broadcastTo(Ops.convert(x, d), shape), broadcastTo(Ops.convert(y, d), shape));
  }

  public static NDArray where(NDArray cond, NDArray x, double y) { return where(cond, x, weak(y, x)); }

  public static NDArray where(NDArray cond, double x, NDArray y) { return where(cond, weak(x, y), y); }

  /** Two weak scalars: f64 (JAX: weak f64, which is f64 once it is an array). */
  public static NDArray where(NDArray cond, double x, double y) { return where(cond, weak(x, null), weak(y, null)); }

  /** {@code minimum(maximum(x, lo), hi)}. */
  public static NDArray clip(NDArray x, NDArray lo, NDArray hi) { return minimum(maximum(x, lo), hi); }

  public static NDArray clip(NDArray x, double lo, double hi) { return minimum(maximum(x, lo), hi); }

  /**
   * log(e^a + e^b) without overflow: max + log1p(exp(min - max)), with infinities handled. As in JAX
   * its derivative is a custom rule, {@code t_a e^(a - out) + t_b e^(b - out)}, which is exact at ties
   * (1/2 each) and stays finite at infinities, to any order.
   */
  public static NDArray logaddexp(NDArray a, NDArray b) {
    nonNull("logaddexp", a, b);
    DType d = floatType(DType.promote(a.dtype(), b.dtype()));
    int[] shape = broadcastShapes("logaddexp", a, b);
    return LOGADDEXP.apply(broadcastTo(Ops.convert(a, d), shape), broadcastTo(Ops.convert(b, d), shape));
  }

  private static final Fn LOGADDEXP = Arrax.customJvp(xs -> logaddexpValue(xs[0], xs[1]), (p, t) -> {
    NDArray out = Np.LOGADDEXP.apply(p[0], p[1]);
    NDArray ta = Ops.mul(t[0], Ops.exp(Ops.sub(replacePosInf(p[0]), replacePosInf(out))));
    NDArray tb = Ops.mul(t[1], Ops.exp(Ops.sub(replacePosInf(p[1]), replacePosInf(out))));
    return new Arrax.JvpResult(out, Ops.add(ta, tb));
  });

  private static NDArray logaddexpValue(NDArray x, NDArray y) {
    NDArray amax = Ops.max(x, y);
    NDArray delta = Ops.sub(x, y);
    NDArray soft = Ops.add(amax, Ops.log1p(Ops.exp(Ops.sub(Ops.min(x, y), amax))));
    // delta is NaN when both are the same infinity (or either is NaN): x + y is then the answer.
    return Ops.select(Ops.ne(delta, delta), Ops.add(x, y), soft);
  }

  private static NDArray replacePosInf(NDArray x) {
    return Ops.select(Ops.eq(x, Ops.like(x, Double.POSITIVE_INFINITY)), Ops.like(x, 0), x);
  }

  public static NDArray logaddexp(NDArray a, double b) { return logaddexp(a, weak(b, a)); }

  // ---- reductions ----

  public static NDArray sum(NDArray x) { return reduceAll("sum", x, Kind.SUM); }

  public static NDArray sum(NDArray x, int axis) { return sum(x, axis, false); }

  public static NDArray sum(NDArray x, int axis, boolean keepdims) { return reduceAxis("sum", x, axis, keepdims, Kind.SUM); }

  public static NDArray prod(NDArray x) { return reduceAll("prod", x, Kind.PROD); }

  public static NDArray prod(NDArray x, int axis) { return prod(x, axis, false); }

  public static NDArray prod(NDArray x, int axis, boolean keepdims) { return reduceAxis("prod", x, axis, keepdims, Kind.PROD); }

  public static NDArray max(NDArray x) { return reduceAll("max", x, Kind.MAX); }

  public static NDArray max(NDArray x, int axis) { return max(x, axis, false); }

  public static NDArray max(NDArray x, int axis, boolean keepdims) { return reduceAxis("max", x, axis, keepdims, Kind.MAX); }

  public static NDArray min(NDArray x) { return reduceAll("min", x, Kind.MIN); }

  public static NDArray min(NDArray x, int axis) { return min(x, axis, false); }

  public static NDArray min(NDArray x, int axis, boolean keepdims) { return reduceAxis("min", x, axis, keepdims, Kind.MIN); }

  public static NDArray mean(NDArray x) { nonNull("mean", x); return divide(sum(toFloat(x)), (double) Math.max(x.size(), 0)); }

  public static NDArray mean(NDArray x, int axis) { return mean(x, axis, false); }

  public static NDArray mean(NDArray x, int axis, boolean keepdims) {
    nonNull("mean", x);
    int a = Shapes.axis("mean", axis, x.ndim());
    return divide(sum(toFloat(x), a, keepdims), (double) x.shape()[a]);
  }

  /** Population variance (ddof = 0), as jnp.var. */
  public static NDArray var(NDArray x) {
    nonNull("var", x);
    NDArray xf = toFloat(x);
    NDArray c = subtract(xf, mean(xf));
    return mean(multiply(c, c));
  }

  public static NDArray var(NDArray x, int axis) { return var(x, axis, false); }

  public static NDArray var(NDArray x, int axis, boolean keepdims) {
    nonNull("var", x);
    NDArray xf = toFloat(x);
    NDArray c = subtract(xf, mean(xf, axis, true));
    return mean(multiply(c, c), axis, keepdims);
  }

  public static NDArray std(NDArray x) { return sqrt(var(x)); }

  public static NDArray std(NDArray x, int axis) { return sqrt(var(x, axis)); }

  public static NDArray std(NDArray x, int axis, boolean keepdims) { return sqrt(var(x, axis, keepdims)); }

  /** Index of the maximum of the flattened array (i64); the first one on ties, NaN counts as maximal. */
  public static NDArray argmax(NDArray x) { return argmax(reshape(x, -1), 0); }

  public static NDArray argmax(NDArray x, int axis) { return argmax(x, axis, false); }

  public static NDArray argmax(NDArray x, int axis, boolean keepdims) {
    int a = Shapes.axis("argmax", axis, x.ndim());
    NDArray r = Ops.argmax(x, a, DType.INT64);
    return keepdims ? expandDims(r, a) : r;
  }

  public static NDArray argmin(NDArray x) { return argmin(reshape(x, -1), 0); }

  public static NDArray argmin(NDArray x, int axis) { return argmin(x, axis, false); }

  public static NDArray argmin(NDArray x, int axis, boolean keepdims) {
    int a = Shapes.axis("argmin", axis, x.ndim());
    NDArray r = Ops.argmin(x, a, DType.INT64);
    return keepdims ? expandDims(r, a) : r;
  }

  /** Cumulative sum of the flattened array. */
  public static NDArray cumsum(NDArray x) { return cumsum(reshape(x, -1), 0); }

  public static NDArray cumsum(NDArray x, int axis) {
    int a = Shapes.axis("cumsum", axis, x.ndim());
    // jnp.cumsum keeps 32-bit integer dtypes (and wraps); bool counts in i64
    return Ops.cumsum(x.dtype() == DType.BOOL ? Ops.convert(x, DType.INT64) : x, a, false);
  }

  private enum Kind { SUM, PROD, MAX, MIN }

  private static NDArray reduceAll(String op, NDArray x, Kind k) {
    nonNull(op, x);
    return reduce(op, x, Shapes.range(x.ndim()), k);
  }

  private static NDArray reduceAxis(String op, NDArray x, int axis, boolean keepdims, Kind k) {
    nonNull(op, x);
    int a = Shapes.axis(op, axis, x.ndim());
    NDArray r = reduce(op, x, new int[] {a}, k);
    return keepdims ? expandDims(r, a) : r;
  }

  private static NDArray reduce(String op, NDArray x, int[] axes, Kind k) {
    if ((k == Kind.MAX || k == Kind.MIN)) {
      for (int a : axes) {
        if (x.shape()[a] == 0) {
          throw new ShapeException(op + ": zero-size array to reduction operation " + op + " which has no identity, got " + x.type()
              + " (reduced axes " + Arrays.toString(axes) + ")" + CallSite.describe());
        }
      }
    }
    return switch (k) {
      case SUM -> Ops.reduceSum(accumulatorType(x), axes);
      case PROD -> Ops.reduceProd(accumulatorType(x), axes);
      case MAX -> Ops.reduceMax(x, axes);
      case MIN -> Ops.reduceMin(x, axes);
    };
  }

  /** bool and 32-bit integers sum in i64 (JAX's promote_integers with 64-bit types). */
  private static NDArray accumulatorType(NDArray x) {
    return switch (x.dtype()) {
      case BOOL, INT32, UINT32 -> Ops.convert(x, DType.INT64);
      default -> x;
    };
  }

  // ---- linear algebra ----

  /**
   * NumPy's dot: inner product of vectors, matrix product of matrices, and for N-d operands a sum over
   * the last axis of a and the second-to-last of b (the last when b is 1-d).
   */
  public static NDArray dot(NDArray a, NDArray b) {
    nonNull("dot", a, b);
    DType d = DType.promote(a.dtype(), b.dtype());
    a = Ops.convert(a, d);
    b = Ops.convert(b, d);
    if (a.ndim() == 0 || b.ndim() == 0) return multiply(a, b);
    int ca = a.ndim() - 1, cb = b.ndim() == 1 ? 0 : b.ndim() - 2;
    if (a.shape()[ca] != b.shape()[cb]) {
      throw new ShapeException("dot: shapes " + a.type() + " and " + b.type() + " are not aligned: axis " + ca + " of the first (size "
          + a.shape()[ca] + ") must match axis " + cb + " of the second (size " + b.shape()[cb] + ")" + CallSite.describe());
    }
    // dot_general's output is (a's free axes, b's free axes in order), which is exactly numpy's dot layout.
    return Ops.dotGeneral(a, b, new int[] {ca}, new int[] {cb}, new int[0], new int[0]);
  }

  /**
   * NumPy's matmul: matrix products over the last two axes, broadcasting the leading (batch) axes; a
   * 1-d operand is treated as a row (first) or column (second) vector and that axis is dropped.
   */
  public static NDArray matmul(NDArray a, NDArray b) {
    nonNull("matmul", a, b);
    ArrayType ta = a.type(), tb = b.type(); // as the caller passed them, for messages
    DType d = DType.promote(a.dtype(), b.dtype());
    a = Ops.convert(a, d);
    b = Ops.convert(b, d);
    if (a.ndim() == 0 || b.ndim() == 0) throw new ShapeException("matmul: operands must be at least 1-d, got " + a.type() + " and " + b.type() + CallSite.describe());
    boolean aVec = a.ndim() == 1, bVec = b.ndim() == 1;
    if (aVec) a = reshape(a, 1, a.shape()[0]);
    if (bVec) b = reshape(b, b.shape()[0], 1);
    int[] as = a.shape(), bs = b.shape();
    if (as[as.length - 1] != bs[bs.length - 2]) {
      throw new ShapeException("matmul: inner dimensions do not match: " + ta + " @ " + tb + " (" + as[as.length - 1] + " != "
          + bs[bs.length - 2] + "; the last axis of the first must equal the " + (bVec ? "only" : "second-to-last") + " axis of the second)"
          + CallSite.describe());
    }
    int[] batchA = Arrays.copyOf(as, as.length - 2), batchB = Arrays.copyOf(bs, bs.length - 2);
    int[] batch = Shapes.broadcast(batchA, batchB);
    if (batch == null) {
      throw new ShapeException("matmul: batch shapes " + Arrays.toString(batchA) + " and " + Arrays.toString(batchB) + " of " + ta + " @ " + tb
          + " cannot be broadcast" + CallSite.describe());
    }
    a = broadcastTo(a, Shapes.concat(batch, new int[] {as[as.length - 2], as[as.length - 1]}));
    b = broadcastTo(b, Shapes.concat(batch, new int[] {bs[bs.length - 2], bs[bs.length - 1]}));
    int nb = batch.length;
    NDArray r = Ops.dotGeneral(a, b, new int[] {nb + 1}, new int[] {nb}, Shapes.range(nb), Shapes.range(nb));
    int[] rs = r.shape();
    if (aVec && bVec) return reshape(r, Arrays.copyOf(rs, nb));
    if (aVec) return reshape(r, Shapes.concat(Arrays.copyOf(rs, nb), new int[] {rs[nb + 1]}));
    if (bVec) return reshape(r, Arrays.copyOf(rs, nb + 1));
    return r;
  }

  /** Outer product of the flattened operands. */
  public static NDArray outer(NDArray a, NDArray b) {
    NDArray x = reshape(a, -1), y = reshape(b, -1);
    return multiply(reshape(x, x.size(), 1), reshape(y, 1, y.size()));
  }

  // ---- shapes ----

  /** Reverses the axes. */
  public static NDArray transpose(NDArray x) {
    int n = x.ndim();
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = n - 1 - i;
    return Ops.transpose(x, perm);
  }

  /** Permutes the axes (negative entries count from the end); with no permutation, reverses them. */
  public static NDArray transpose(NDArray x, int... perm) {
    nonNull("transpose", x);
    if (perm.length == 0) return transpose(x);
    int[] p = new int[perm.length];
    for (int i = 0; i < p.length; i++) p[i] = perm[i] < 0 ? perm[i] + x.ndim() : perm[i];
    return Ops.transpose(x, p);
  }

  /** New shape of the same size; one entry may be -1 (inferred). */
  public static NDArray reshape(NDArray x, int... shape) {
    nonNull("reshape", x);
    int infer = -1;
    long known = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1) {
        if (infer >= 0) throw new ShapeException("reshape: only one dimension can be -1, got " + Arrays.toString(shape) + CallSite.describe());
        infer = i;
      } else {
        known *= shape[i];
      }
    }
    int[] s = shape.clone();
    if (infer >= 0) {
      if (known == 0 || x.size() % known != 0) {
        throw new ShapeException("reshape: cannot reshape " + x.type() + " into " + Arrays.toString(shape) + CallSite.describe());
      }
      s[infer] = (int) (x.size() / known);
    }
    return Ops.reshape(x, s);
  }

  /** Inserts a size-1 axis at {@code axis} (negative counts from the end of the result). */
  public static NDArray expandDims(NDArray x, int axis) {
    int a = Shapes.axis("expandDims", axis, x.ndim() + 1);
    return Ops.reshape(x, Shapes.insert(x.shape(), a, 1));
  }

  /** Removes every size-1 axis. */
  public static NDArray squeeze(NDArray x) {
    int[] s = x.shape();
    return Ops.reshape(x, Arrays.stream(s).filter(d -> d != 1).toArray());
  }

  /** Removes one size-1 axis. */
  public static NDArray squeeze(NDArray x, int axis) {
    int a = Shapes.axis("squeeze", axis, x.ndim());
    if (x.shape()[a] != 1) {
      throw new ShapeException("squeeze: cannot remove axis " + axis + " of " + x.type() + ": its size is " + x.shape()[a] + ", not 1" + CallSite.describe());
    }
    return Ops.reshape(x, Shapes.remove(x.shape(), a));
  }

  /** Joins arrays along an existing axis, promoting dtypes. */
  public static NDArray concatenate(NDArray[] xs, int axis) {
    if (xs.length == 0) throw new ShapeException("concatenate: needs at least one array" + CallSite.describe());
    nonNull("concatenate", xs);
    DType d = xs[0].dtype();
    for (NDArray x : xs) d = DType.promote(d, x.dtype());
    int a = Shapes.axis("concatenate", axis, xs[0].ndim());
    NDArray[] conv = new NDArray[xs.length];
    for (int i = 0; i < xs.length; i++) {
      if (xs[i].ndim() != xs[0].ndim()) {
        throw new ShapeException("concatenate: all arrays must have the same rank, got " + xs[0].type() + " and " + xs[i].type() + CallSite.describe());
      }
      conv[i] = Ops.convert(xs[i], d);
    }
    return Ops.concatenate(conv, a);
  }

  public static NDArray concatenate(NDArray... xs) { return concatenate(xs, 0); }

  /** Joins arrays of one shape along a new axis. */
  public static NDArray stack(NDArray[] xs, int axis) {
    if (xs.length == 0) throw new ShapeException("stack: needs at least one array" + CallSite.describe());
    nonNull("stack", xs);
    int a = Shapes.axis("stack", axis, xs[0].ndim() + 1);
    NDArray[] ex = new NDArray[xs.length];
    for (int i = 0; i < xs.length; i++) {
      if (!Arrays.equals(xs[i].shape(), xs[0].shape())) {
        throw new ShapeException("stack: all arrays must have the same shape, got " + xs[0].type() + " and " + xs[i].type() + CallSite.describe());
      }
      ex[i] = expandDims(xs[i], a);
    }
    return concatenate(ex, a);
  }

  public static NDArray stack(NDArray... xs) { return stack(xs, 0); }

  /** Broadcasts to a shape with NumPy rules. */
  public static NDArray broadcastTo(NDArray x, int... shape) {
    int[] s = x.shape();
    if (Arrays.equals(s, shape)) return x;
    int[] b = Shapes.broadcast(s, shape);
    if (b == null || !Arrays.equals(b, shape)) {
      throw new ShapeException("broadcastTo: cannot broadcast " + x.type() + " to shape " + Arrays.toString(shape) + CallSite.describe());
    }
    int[] dims = new int[s.length];
    for (int i = 0; i < s.length; i++) dims[i] = shape.length - s.length + i;
    return Ops.broadcastInDim(x, shape, dims);
  }

  // ---- creation ----

  /**
   * {@code 0, 1, ..., stop - 1} as i64, as {@code jnp.arange(stop)} with 64-bit types (a Java int is a
   * Python int: integer arguments give an integer array). A negative {@code stop} gives an empty array,
   * as in NumPy. For floats pass a double ({@link #arange(double)}) or convert ({@code astype}).
   */
  public static NDArray arange(int stop) {
    return arange(0, stop, 1);
  }

  /** {@code start, start + 1, ..., stop - 1} as i64 ({@code jnp.arange(start, stop)}). */
  public static NDArray arange(int start, int stop) {
    return arange(start, stop, 1);
  }

  /**
   * {@code start + step * i} for {@code i = 0 .. ceil((stop - start) / step) - 1} as i64
   * ({@code jnp.arange(start, stop, step)}); empty when the range is empty, an error when {@code step == 0}.
   */
  public static NDArray arange(int start, int stop, int step) {
    if (step == 0) throw new ShapeException("arange: step must not be zero (got start " + start + ", stop " + stop + ")" + CallSite.describe());
    int n = (int) Math.max(0, Math.ceil(((double) stop - start) / step));
    NDArray iota = Ops.iota(DType.INT64, new int[] {n}, 0);
    if (start == 0 && step == 1) return iota;
    return Ops.add(Ops.full(iota.type(), start), Ops.mul(Ops.full(iota.type(), step), iota));
  }

  /** {@code 0.0, 1.0, ..., ceil(stop) - 1} as f64 ({@code jnp.arange(stop)} with a float {@code stop}). */
  public static NDArray arange(double stop) {
    checkFinite("arange", stop);
    int n = (int) Math.max(0, Math.ceil(stop));
    return Ops.iota(DType.FLOAT64, new int[] {n}, 0);
  }

  /** {@code start + i} for {@code i = 0 .. ceil(stop - start) - 1} as f64 ({@code jnp.arange(start, stop)} with floats). */
  public static NDArray arange(double start, double stop) {
    checkFinite("arange", start, stop);
    int n = (int) Math.max(0, Math.ceil(stop - start));
    NDArray iota = Ops.iota(DType.FLOAT64, new int[] {n}, 0);
    return Ops.add(Ops.full(iota.type(), start), iota);
  }

  /**
   * {@code start + step * i} for {@code i = 0 .. ceil((stop - start) / step) - 1} as f64, computed as
   * JAX does ({@code add(start, mul(step, iota))}, each rounded once in f64), so
   * {@code arange(0.0, 1.0, 0.1)} has 10 elements whose last is {@code 0.9000000000000001}. As in NumPy,
   * rounding in {@code (stop - start) / step} can add an element close to {@code stop}; prefer
   * {@code arange(n) * step} or {@link #linspace}.
   */
  public static NDArray arange(double start, double stop, double step) {
    checkFinite("arange", start, stop, step);
    if (step == 0) throw new ShapeException("arange: step must not be zero (got start " + start + ", stop " + stop + ")" + CallSite.describe());
    double len = Math.ceil((stop - start) / step);
    if (len > Integer.MAX_VALUE - 8) throw new ShapeException("arange: " + len + " elements is too many (start " + start + ", stop " + stop + ", step " + step + ")" + CallSite.describe());
    int n = (int) Math.max(0, len);
    NDArray iota = Ops.iota(DType.FLOAT64, new int[] {n}, 0);
    return Ops.add(Ops.full(iota.type(), start), Ops.mul(Ops.full(iota.type(), step), iota));
  }

  private static void checkFinite(String op, double... xs) {
    for (double x : xs) {
      if (!Double.isFinite(x)) throw new ShapeException(op + ": arguments must be finite, got " + Arrays.toString(xs) + CallSite.describe());
    }
  }

  /** {@code num} evenly spaced f64 values from start to stop inclusive. */
  public static NDArray linspace(double start, double stop, int num) {
    if (num < 0) throw new ShapeException("linspace: negative number of samples " + num + CallSite.describe());
    if (num == 1) return NDArray.of(start);
    double step = num > 1 ? (stop - start) / (num - 1) : 0;
    NDArray r = add(multiply(arange(num), step), start);
    // The last point is exactly stop, as numpy guarantees.
    return num > 1 ? r.at(num - 1).set(stop) : r;
  }

  public static NDArray zeros(int... shape) { return full(shape, 0.0, DType.FLOAT64); }

  public static NDArray zeros(int[] shape, DType dtype) { return full(shape, 0.0, dtype); }

  public static NDArray ones(int... shape) { return full(shape, 1.0, DType.FLOAT64); }

  public static NDArray ones(int[] shape, DType dtype) { return full(shape, 1.0, dtype); }

  public static NDArray full(int[] shape, double value) { return full(shape, value, DType.FLOAT64); }

  public static NDArray full(int[] shape, double value, DType dtype) {
    for (int d : shape) {
      if (d < 0) throw new ShapeException("zeros/ones/full: negative dimension in shape " + Arrays.toString(shape) + CallSite.describe());
    }
    return Ops.full(new ArrayType(dtype, shape), value);
  }

  public static NDArray zerosLike(NDArray x) { return Ops.full(x.type(), 0.0); }

  public static NDArray onesLike(NDArray x) { return Ops.full(x.type(), 1.0); }

  public static NDArray fullLike(NDArray x, double value) { return Ops.full(x.type(), value); }

  /** The n x n identity, f64. */
  public static NDArray eye(int n) { return eye(n, DType.FLOAT64); }

  public static NDArray eye(int n, DType dtype) {
    int[] s = {n, n};
    return Ops.convert(Ops.eq(Ops.iota(DType.INT32, s, 0), Ops.iota(DType.INT32, s, 1)), dtype);
  }

  // ---- helpers ----

  static NDArray binary(String op, BinaryElementwise prim, NDArray a, NDArray b) {
    nonNull(op, a, b);
    DType d = DType.promote(a.dtype(), b.dtype());
    int[] shape = broadcastShapes(op, a, b);
    return prim.bind1(NONE, broadcastTo(Ops.convert(a, d), shape), broadcastTo(Ops.convert(b, d), shape));
  }

  static int[] broadcastShapes(String op, NDArray a, NDArray b) {
    int[] s = Shapes.broadcast(a.shape(), b.shape());
    if (s == null) {
      throw new ShapeException(op + ": shapes " + a.type() + " and " + b.type() + " cannot be broadcast together"
          + " (trailing axes must be equal or 1)" + CallSite.describe());
    }
    return s;
  }

  /** A Java double next to an array: the array's dtype if floating, else f64. */
  static NDArray weak(double v, NDArray like) {
    // A null array is reported by the operation that receives it, with its name.
    return ConcreteArray.full(ArrayType.of(like == null ? DType.FLOAT64 : like.dtype().withWeakFloat()), v);
  }

  /** A null argument is a user error naming the function, not a NullPointerException deep inside it. */
  static void nonNull(String op, NDArray... xs) {
    for (int i = 0; i < xs.length; i++) {
      if (xs[i] == null) throw new ArraxException(op + ": argument " + i + " is null" + CallSite.describe());
    }
  }

  static NDArray toBool(NDArray x) {
    return x.dtype() == DType.BOOL ? x : Ops.ne(x, Ops.like(x, 0));
  }

  /** Converts to the inexact type JAX uses for it (see {@link #floatType}). */
  static NDArray toFloat(NDArray x) {
    return Ops.convert(x, floatType(x.dtype()));
  }

  /**
   * JAX's {@code to_inexact_dtype} with 64-bit types: bool and 32-bit integers become f32, i64 becomes
   * f64 (so {@code exp}, {@code mean} and true division of i32 arrays are f32, as in JAX).
   */
  static DType floatType(DType d) {
    return switch (d) {
      case FLOAT32, FLOAT64 -> d;
      case INT64 -> DType.FLOAT64;
      default -> DType.FLOAT32;
    };
  }

}
