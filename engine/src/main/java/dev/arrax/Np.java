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

  /**
   * Elementwise e^x ({@code jnp.exp}); bool and integer inputs are converted to floating point first (i32
   * to f32, i64 to f64). {@code Np.exp(NDArray.of(0.0, 1.0))} is {@code [1, e]}.
   */
  public static NDArray exp(NDArray x) { return unaryFloat(Primitives.EXP, x); }

  /**
   * Elementwise natural logarithm ({@code jnp.log}); integers and bools go to floating point first.
   * {@code log(0) = -inf}, negative inputs give NaN.
   */
  public static NDArray log(NDArray x) { return unaryFloat(Primitives.LOG, x); }

  /**
   * Elementwise {@code log(1 + x)}, accurate for small {@code |x|} ({@code jnp.log1p}); integers and bools
   * go to floating point first.
   */
  public static NDArray log1p(NDArray x) { return unaryFloat(Primitives.LOG1P, x); }

  /**
   * Elementwise {@code e^x - 1}, accurate for small {@code |x|} ({@code jnp.expm1}); integers and bools go
   * to floating point first.
   */
  public static NDArray expm1(NDArray x) { return unaryFloat(Primitives.EXPM1, x); }

  /**
   * Elementwise hyperbolic tangent ({@code jnp.tanh}), in (-1, 1); derivative {@code 1 - tanh(x)^2}.
   * Integers and bools go to floating point first.
   */
  public static NDArray tanh(NDArray x) { return unaryFloat(Primitives.TANH, x); }

  /** Elementwise sine, x in radians ({@code jnp.sin}); integers and bools go to floating point first. */
  public static NDArray sin(NDArray x) { return unaryFloat(Primitives.SIN, x); }

  /** Elementwise cosine, x in radians ({@code jnp.cos}); integers and bools go to floating point first. */
  public static NDArray cos(NDArray x) { return unaryFloat(Primitives.COS, x); }

  /** Elementwise tangent, x in radians ({@code jnp.tan}); integers and bools go to floating point first. */
  public static NDArray tan(NDArray x) { return unaryFloat(Primitives.TAN, x); }

  /**
   * Elementwise square root ({@code jnp.sqrt}); negative inputs give NaN. Integers and bools go to floating
   * point first.
   */
  public static NDArray sqrt(NDArray x) { return unaryFloat(Primitives.SQRT, x); }

  /**
   * Elementwise floor ({@code jnp.floor}): the largest integer value not above x, same dtype. Integer and
   * bool arrays are returned unchanged.
   */
  public static NDArray floor(NDArray x) { nonNull("floor", x); return x.dtype().isFloating() ? Primitives.FLOOR.bind1(NONE, x) : x; }

  /**
   * Elementwise ceiling ({@code jnp.ceil}): the smallest integer value not below x, same dtype. Integer and
   * bool arrays are returned unchanged.
   */
  public static NDArray ceil(NDArray x) { nonNull("ceil", x); return x.dtype().isFloating() ? Primitives.CEIL.bind1(NONE, x) : x; }

  /**
   * Elementwise absolute value ({@code jnp.abs}), same dtype; a bool array is returned unchanged.
   * Derivative 1 where {@code x >= 0} (so 1 at 0) and -1 below.
   */
  public static NDArray abs(NDArray x) { nonNull("abs", x); return x.dtype() == DType.BOOL ? x : Primitives.ABS.bind1(NONE, x); }

  /** Elementwise sign ({@code jnp.sign}): -1, 0 or 1 in x's dtype; a bool array is returned unchanged. */
  public static NDArray sign(NDArray x) {
    nonNull("sign", x);
    return x.dtype() == DType.BOOL ? x : Primitives.SIGN.bind1(NONE, x);
  }

  /**
   * Elementwise {@code -x} ({@code jnp.negative}), same dtype.
   * @throws ShapeException for a bool array (use {@link #logicalNot})
   */
  public static NDArray negative(NDArray x) {
    nonNull("negative", x);
    if (x.dtype() == DType.BOOL) throw new ShapeException("negative: not defined for bool arrays " + x.type() + "; use logicalNot" + CallSite.describe());
    return Primitives.NEG.bind1(NONE, x);
  }

  /** Elementwise {@code x * x} ({@code jnp.square}), same dtype; derivative {@code 2x}. */
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

  /**
   * Elementwise {@code a + b} ({@code jnp.add}), broadcasting the shapes and promoting the dtypes
   * ({@link DType#promote}). {@code Np.add(Np.ones(2, 3), NDArray.of(1.0, 2.0, 3.0))} has shape [2, 3].
   * @throws ShapeException if the shapes do not broadcast
   */
  public static NDArray add(NDArray a, NDArray b) { return binary("add", Primitives.ADD, a, b); }

  /**
   * {@code a + b} with a weakly typed scalar: {@code b} takes {@code a}'s dtype if {@code a} is floating,
   * else f64.
   */
  public static NDArray add(NDArray a, double b) { return add(a, weak(b, a)); }

  /**
   * {@code a + b} with a weakly typed scalar: {@code a} takes {@code b}'s dtype if {@code b} is floating,
   * else f64.
   */
  public static NDArray add(double a, NDArray b) { return add(weak(a, b), b); }

  /**
   * Elementwise {@code a - b} ({@code jnp.subtract}), broadcasting and promoting as
   * {@link #add(NDArray, NDArray)}.
   */
  public static NDArray subtract(NDArray a, NDArray b) { return binary("subtract", Primitives.SUB, a, b); }

  /** {@code a - b} with a weakly typed scalar {@code b} (see {@link #add(NDArray, double)}). */
  public static NDArray subtract(NDArray a, double b) { return subtract(a, weak(b, a)); }

  /** {@code a - b} with a weakly typed scalar {@code a} (see {@link #add(double, NDArray)}). */
  public static NDArray subtract(double a, NDArray b) { return subtract(weak(a, b), b); }

  /**
   * Elementwise {@code a * b} ({@code jnp.multiply}), broadcasting and promoting as
   * {@link #add(NDArray, NDArray)}.
   */
  public static NDArray multiply(NDArray a, NDArray b) { return binary("multiply", Primitives.MUL, a, b); }

  /** {@code a * b} with a weakly typed scalar {@code b} (see {@link #add(NDArray, double)}). */
  public static NDArray multiply(NDArray a, double b) { return multiply(a, weak(b, a)); }

  /** {@code a * b} with a weakly typed scalar {@code a} (see {@link #add(double, NDArray)}). */
  public static NDArray multiply(double a, NDArray b) { return multiply(weak(a, b), b); }

  /** True division: integer and bool operands divide in f64 (jnp.divide). */
  public static NDArray divide(NDArray a, NDArray b) {
    nonNull("divide", a, b);
    DType d = floatType(DType.promote(a.dtype(), b.dtype()));
    return binary("divide", Primitives.DIV, Ops.convert(a, d), Ops.convert(b, d));
  }

  /** True division by a weakly typed scalar {@code b} (see {@link #divide(NDArray, NDArray)}). */
  public static NDArray divide(NDArray a, double b) { return divide(a, weak(b, a)); }

  /** True division of a weakly typed scalar {@code a} (see {@link #divide(NDArray, NDArray)}). */
  public static NDArray divide(double a, NDArray b) { return divide(weak(a, b), b); }

  /**
   * Elementwise {@code a^b} ({@code jnp.power}), broadcasting and promoting as
   * {@link #add(NDArray, NDArray)}. Derivative {@code b a^(b-1)} in {@code a} and {@code a^b log(a)} in
   * {@code b}.
   */
  public static NDArray power(NDArray a, NDArray b) { return binary("power", Primitives.POW, a, b); }

  /** {@code a^b} with a weakly typed scalar exponent, e.g. {@code Np.power(x, 2.0)}. */
  public static NDArray power(NDArray a, double b) { return power(a, weak(b, a)); }

  /** {@code a^b} with a weakly typed scalar base, e.g. {@code Np.power(2.0, x)}. */
  public static NDArray power(double a, NDArray b) { return power(weak(a, b), b); }

  /**
   * Elementwise maximum ({@code jnp.maximum}), broadcasting and promoting as
   * {@link #add(NDArray, NDArray)}. {@code Np.maximum(x, 0.0)} is ReLU.
   */
  public static NDArray maximum(NDArray a, NDArray b) { return binary("maximum", Primitives.MAX, a, b); }

  /** Elementwise maximum with a weakly typed scalar {@code b}. */
  public static NDArray maximum(NDArray a, double b) { return maximum(a, weak(b, a)); }

  /** Elementwise maximum with a weakly typed scalar {@code a}. */
  public static NDArray maximum(double a, NDArray b) { return maximum(weak(a, b), b); }

  /**
   * Elementwise minimum ({@code jnp.minimum}), broadcasting and promoting as
   * {@link #add(NDArray, NDArray)}.
   */
  public static NDArray minimum(NDArray a, NDArray b) { return binary("minimum", Primitives.MIN, a, b); }

  /** Elementwise minimum with a weakly typed scalar {@code b}. */
  public static NDArray minimum(NDArray a, double b) { return minimum(a, weak(b, a)); }

  /** Elementwise minimum with a weakly typed scalar {@code a}. */
  public static NDArray minimum(double a, NDArray b) { return minimum(weak(a, b), b); }

  /**
   * Elementwise {@code a > b} ({@code jnp.greater}): a bool array of the broadcast shape; operands are
   * promoted to one dtype first.
   */
  public static NDArray greater(NDArray a, NDArray b) { return binary("greater", Primitives.GT, a, b); }

  /** Elementwise {@code a > b} against a weakly typed scalar; bool result. */
  public static NDArray greater(NDArray a, double b) { return greater(a, weak(b, a)); }

  /** Elementwise {@code a >= b} ({@code jnp.greater_equal}): a bool array of the broadcast shape. */
  public static NDArray greaterEqual(NDArray a, NDArray b) { return binary("greaterEqual", Primitives.GE, a, b); }

  /** Elementwise {@code a >= b} against a weakly typed scalar; bool result. */
  public static NDArray greaterEqual(NDArray a, double b) { return greaterEqual(a, weak(b, a)); }

  /** Elementwise {@code a < b} ({@code jnp.less}): a bool array of the broadcast shape. */
  public static NDArray less(NDArray a, NDArray b) { return binary("less", Primitives.LT, a, b); }

  /** Elementwise {@code a < b} against a weakly typed scalar; bool result. */
  public static NDArray less(NDArray a, double b) { return less(a, weak(b, a)); }

  /** Elementwise {@code a <= b} ({@code jnp.less_equal}): a bool array of the broadcast shape. */
  public static NDArray lessEqual(NDArray a, NDArray b) { return binary("lessEqual", Primitives.LE, a, b); }

  /** Elementwise {@code a <= b} against a weakly typed scalar; bool result. */
  public static NDArray lessEqual(NDArray a, double b) { return lessEqual(a, weak(b, a)); }

  /** Elementwise {@code a == b} ({@code jnp.equal}): a bool array of the broadcast shape. */
  public static NDArray equal(NDArray a, NDArray b) { return binary("equal", Primitives.EQ, a, b); }

  /** Elementwise {@code a == b} against a weakly typed scalar; bool result. */
  public static NDArray equal(NDArray a, double b) { return equal(a, weak(b, a)); }

  /** Elementwise {@code a != b} ({@code jnp.not_equal}): a bool array of the broadcast shape. */
  public static NDArray notEqual(NDArray a, NDArray b) { return binary("notEqual", Primitives.NE, a, b); }

  /** Elementwise {@code a != b} against a weakly typed scalar; bool result. */
  public static NDArray notEqual(NDArray a, double b) { return notEqual(a, weak(b, a)); }

  /**
   * Elementwise logical and ({@code jnp.logical_and}); non-bool operands count as true where nonzero. Bool
   * result of the broadcast shape.
   */
  public static NDArray logicalAnd(NDArray a, NDArray b) { nonNull("logicalAnd", a, b); return binary("logicalAnd", Primitives.AND, toBool(a), toBool(b)); }

  /**
   * Elementwise logical or ({@code jnp.logical_or}); non-bool operands count as true where nonzero. Bool
   * result of the broadcast shape.
   */
  public static NDArray logicalOr(NDArray a, NDArray b) { nonNull("logicalOr", a, b); return binary("logicalOr", Primitives.OR, toBool(a), toBool(b)); }

  /**
   * Elementwise logical not ({@code jnp.logical_not}); a non-bool operand counts as true where nonzero.
   * Bool result.
   */
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

  /**
   * {@code cond ? x : y} with a weakly typed scalar {@code y}, e.g.
   * {@code Np.where(Np.greater(x, 0.0), x, 0.0)}.
   */
  public static NDArray where(NDArray cond, NDArray x, double y) { return where(cond, x, weak(y, x)); }

  /** {@code cond ? x : y} with a weakly typed scalar {@code x}. */
  public static NDArray where(NDArray cond, double x, NDArray y) { return where(cond, weak(x, y), y); }

  /** Two weak scalars: f64 (JAX: weak f64, which is f64 once it is an array). */
  public static NDArray where(NDArray cond, double x, double y) { return where(cond, weak(x, null), weak(y, null)); }

  /** {@code minimum(maximum(x, lo), hi)}. */
  public static NDArray clip(NDArray x, NDArray lo, NDArray hi) { return minimum(maximum(x, lo), hi); }

  /**
   * Clips into {@code [lo, hi]} ({@code jnp.clip}): {@code minimum(maximum(x, lo), hi)} with scalar bounds.
   */
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

  /**
   * {@code log(e^a + e^b)} with a weakly typed scalar {@code b} (see {@link #logaddexp(NDArray, NDArray)}).
   */
  public static NDArray logaddexp(NDArray a, double b) { return logaddexp(a, weak(b, a)); }

  // ---- reductions ----

  /**
   * Sum of all elements, a scalar ({@code jnp.sum(x)}); bool, i32 and u32 inputs accumulate and return i64.
   * The sum of an empty array is 0.
   */
  public static NDArray sum(NDArray x) { return reduceAll("sum", x, Kind.SUM); }

  /**
   * Sum along {@code axis} (negative counts from the end), dropping that axis ({@code jnp.sum(x, axis)}).
   * {@code Np.sum(Np.ones(2, 3), 1)} is {@code [3, 3]}.
   */
  public static NDArray sum(NDArray x, int axis) { return sum(x, axis, false); }

  /**
   * Sum along {@code axis}; {@code keepdims} keeps it as size 1 so the result broadcasts against {@code x}.
   * Bool, i32 and u32 inputs return i64.
   * @throws ShapeException if the axis is out of range
   */
  public static NDArray sum(NDArray x, int axis, boolean keepdims) { return reduceAxis("sum", x, axis, keepdims, Kind.SUM); }

  /**
   * Product of all elements, a scalar ({@code jnp.prod(x)}); bool, i32 and u32 inputs accumulate and return
   * i64. The product of an empty array is 1.
   */
  public static NDArray prod(NDArray x) { return reduceAll("prod", x, Kind.PROD); }

  /** Product along {@code axis}, dropping that axis ({@code jnp.prod(x, axis)}). */
  public static NDArray prod(NDArray x, int axis) { return prod(x, axis, false); }

  /**
   * Product along {@code axis}, keeping it as size 1 if {@code keepdims}; bool, i32 and u32 inputs return
   * i64.
   */
  public static NDArray prod(NDArray x, int axis, boolean keepdims) { return reduceAxis("prod", x, axis, keepdims, Kind.PROD); }

  /**
   * Maximum of all elements, a scalar of x's dtype ({@code jnp.max(x)}).
   * @throws ShapeException for an empty array (a max has no identity)
   */
  public static NDArray max(NDArray x) { return reduceAll("max", x, Kind.MAX); }

  /** Maximum along {@code axis}, dropping that axis ({@code jnp.max(x, axis)}). */
  public static NDArray max(NDArray x, int axis) { return max(x, axis, false); }

  /**
   * Maximum along {@code axis}, keeping it as size 1 if {@code keepdims}.
   * @throws ShapeException if that axis has size 0
   */
  public static NDArray max(NDArray x, int axis, boolean keepdims) { return reduceAxis("max", x, axis, keepdims, Kind.MAX); }

  /**
   * Minimum of all elements, a scalar of x's dtype ({@code jnp.min(x)}).
   * @throws ShapeException for an empty array (a min has no identity)
   */
  public static NDArray min(NDArray x) { return reduceAll("min", x, Kind.MIN); }

  /** Minimum along {@code axis}, dropping that axis ({@code jnp.min(x, axis)}). */
  public static NDArray min(NDArray x, int axis) { return min(x, axis, false); }

  /**
   * Minimum along {@code axis}, keeping it as size 1 if {@code keepdims}.
   * @throws ShapeException if that axis has size 0
   */
  public static NDArray min(NDArray x, int axis, boolean keepdims) { return reduceAxis("min", x, axis, keepdims, Kind.MIN); }

  /**
   * Mean of all elements ({@code jnp.mean(x)}): {@code sum / n} in floating point (i32 to f32, i64 to f64);
   * NaN for an empty array.
   */
  public static NDArray mean(NDArray x) { nonNull("mean", x); return divide(sum(toFloat(x)), (double) Math.max(x.size(), 0)); }

  /** Mean along {@code axis}, dropping that axis ({@code jnp.mean(x, axis)}). */
  public static NDArray mean(NDArray x, int axis) { return mean(x, axis, false); }

  /**
   * Mean along {@code axis} ({@code sum(x, axis) / n}) in floating point, keeping the axis as size 1 if
   * {@code keepdims}.
   */
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

  /** Population variance (ddof = 0) along {@code axis}, dropping that axis ({@code jnp.var(x, axis)}). */
  public static NDArray var(NDArray x, int axis) { return var(x, axis, false); }

  /**
   * Population variance along {@code axis}, {@code mean((x - mean(x, axis))^2, axis)}, keeping the axis as
   * size 1 if {@code keepdims}; floating-point result.
   */
  public static NDArray var(NDArray x, int axis, boolean keepdims) {
    nonNull("var", x);
    NDArray xf = toFloat(x);
    NDArray c = subtract(xf, mean(xf, axis, true));
    return mean(multiply(c, c), axis, keepdims);
  }

  /**
   * Population standard deviation of all elements, {@code sqrt(var(x))} ({@code jnp.std}); floating-point
   * result.
   */
  public static NDArray std(NDArray x) { return sqrt(var(x)); }

  /** Population standard deviation along {@code axis}, dropping that axis ({@code jnp.std(x, axis)}). */
  public static NDArray std(NDArray x, int axis) { return sqrt(var(x, axis)); }

  /** Population standard deviation along {@code axis}, keeping it as size 1 if {@code keepdims}. */
  public static NDArray std(NDArray x, int axis, boolean keepdims) { return sqrt(var(x, axis, keepdims)); }

  /** Index of the maximum of the flattened array (i64); the first one on ties, NaN counts as maximal. */
  public static NDArray argmax(NDArray x) { return argmax(reshape(x, -1), 0); }

  /**
   * Index of the maximum along {@code axis} (i64), dropping that axis ({@code jnp.argmax(x, axis)}); the
   * first one on ties.
   */
  public static NDArray argmax(NDArray x, int axis) { return argmax(x, axis, false); }

  /**
   * Index of the maximum along {@code axis} (i64), keeping the axis as size 1 if {@code keepdims}; the
   * first one on ties.
   */
  public static NDArray argmax(NDArray x, int axis, boolean keepdims) {
    int a = Shapes.axis("argmax", axis, x.ndim());
    NDArray r = Ops.argmax(x, a, DType.INT64);
    return keepdims ? expandDims(r, a) : r;
  }

  /** Index of the minimum of the flattened array (i64); the first one on ties ({@code jnp.argmin(x)}). */
  public static NDArray argmin(NDArray x) { return argmin(reshape(x, -1), 0); }

  /** Index of the minimum along {@code axis} (i64), dropping that axis ({@code jnp.argmin(x, axis)}). */
  public static NDArray argmin(NDArray x, int axis) { return argmin(x, axis, false); }

  /**
   * Index of the minimum along {@code axis} (i64), keeping the axis as size 1 if {@code keepdims}; the
   * first one on ties.
   */
  public static NDArray argmin(NDArray x, int axis, boolean keepdims) {
    int a = Shapes.axis("argmin", axis, x.ndim());
    NDArray r = Ops.argmin(x, a, DType.INT64);
    return keepdims ? expandDims(r, a) : r;
  }

  /** Cumulative sum of the flattened array. */
  public static NDArray cumsum(NDArray x) { return cumsum(reshape(x, -1), 0); }

  /**
   * Cumulative sum along {@code axis}, same shape ({@code jnp.cumsum(x, axis)}):
   * {@code out[i] = x[0] + ... + x[i]}. Bool counts in i64; integer dtypes are kept (and wrap on overflow).
   * {@code cumsum([1, 2, 3], 0)} is {@code [1, 3, 6]}.
   */
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

  /** Joins arrays along axis 0 ({@code jnp.concatenate(xs)}); see {@link #concatenate(NDArray[], int)}. */
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

  /**
   * Joins arrays of one shape along a new leading axis ({@code jnp.stack(xs)}): n arrays of shape s give
   * shape {@code [n, s...]}.
   */
  public static NDArray stack(NDArray... xs) { return stack(xs, 0); }

  /** Broadcasts to a shape with NumPy rules. */
  public static NDArray broadcastTo(NDArray x, int... shape) {
    int[] s = x.shape();
    if (Arrays.equals(s, shape)) return x;
    for (int d : shape) {
      if (d < 0) throw new ShapeException("broadcastTo: negative dimension in shape " + Arrays.toString(shape) + CallSite.describe());
    }
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
   * {@code arange(0.0, 1.0, 0.1)} has 10 elements, element 3 being {@code 0.30000000000000004}. As in NumPy,
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

  /**
   * An f64 array of zeros of the given shape ({@code jnp.zeros}), e.g. {@code Np.zeros(2, 3)}.
   * @throws ShapeException for a negative dimension
   */
  public static NDArray zeros(int... shape) { return full(shape, 0.0, DType.FLOAT64); }

  /** An array of zeros of the given shape and dtype ({@code jnp.zeros(shape, dtype)}). */
  public static NDArray zeros(int[] shape, DType dtype) { return full(shape, 0.0, dtype); }

  /**
   * An f64 array of ones of the given shape ({@code jnp.ones}), e.g. {@code Np.ones(3)}.
   * @throws ShapeException for a negative dimension
   */
  public static NDArray ones(int... shape) { return full(shape, 1.0, DType.FLOAT64); }

  /** An array of ones of the given shape and dtype ({@code jnp.ones(shape, dtype)}). */
  public static NDArray ones(int[] shape, DType dtype) { return full(shape, 1.0, dtype); }

  /** An f64 array of the given shape filled with {@code value} ({@code jnp.full}). */
  public static NDArray full(int[] shape, double value) { return full(shape, value, DType.FLOAT64); }

  /**
   * An array of the given shape and dtype filled with {@code value} (converted to the dtype), as
   * {@code jnp.full(shape, value, dtype)}.
   * @throws ShapeException for a negative dimension
   */
  public static NDArray full(int[] shape, double value, DType dtype) {
    for (int d : shape) {
      if (d < 0) throw new ShapeException("zeros/ones/full: negative dimension in shape " + Arrays.toString(shape) + CallSite.describe());
    }
    return Ops.full(new ArrayType(dtype, shape), value);
  }

  /** Zeros with x's shape and dtype ({@code jnp.zeros_like}). */
  public static NDArray zerosLike(NDArray x) { return Ops.full(x.type(), 0.0); }

  /** Ones with x's shape and dtype ({@code jnp.ones_like}). */
  public static NDArray onesLike(NDArray x) { return Ops.full(x.type(), 1.0); }

  /** An array with x's shape and dtype filled with {@code value} ({@code jnp.full_like}). */
  public static NDArray fullLike(NDArray x, double value) { return Ops.full(x.type(), value); }

  /** The n x n identity, f64. */
  public static NDArray eye(int n) { return eye(n, DType.FLOAT64); }

  /**
   * The n x n identity matrix in {@code dtype} ({@code jnp.eye(n, dtype=...)}), built as
   * {@code iota(axis 0) == iota(axis 1)}.
   */
  public static NDArray eye(int n, DType dtype) {
    int[] s = {n, n};
    return Ops.convert(Ops.eq(Ops.iota(DType.INT32, s, 0), Ops.iota(DType.INT32, s, 1)), dtype);
  }

  // ==== issue 13: the rest of the commonly used jax.numpy ====

  // ---- logical reductions ----

  /** True if every element is nonzero ({@code jnp.all}); bool result, true for an empty array. */
  public static NDArray all(NDArray x) { nonNull("all", x); return Ops.reduceMin(toBool(x), Shapes.range(x.ndim())); }

  /**
   * True where every element along {@code axis} is nonzero, dropping that axis ({@code jnp.all(x, axis)});
   * bool result.
   */
  public static NDArray all(NDArray x, int axis) { return all(x, axis, false); }

  /** {@code jnp.all(x, axis, keepdims)}: JAX's {@code reduce_and}, here a min over bool. */
  public static NDArray all(NDArray x, int axis, boolean keepdims) {
    nonNull("all", x);
    int a = Shapes.axis("all", axis, x.ndim());
    NDArray r = Ops.reduceMin(toBool(x), a);
    return keepdims ? expandDims(r, a) : r;
  }

  /** True if any element is nonzero ({@code jnp.any}); bool result, false for an empty array. */
  public static NDArray any(NDArray x) { nonNull("any", x); return Ops.reduceMax(toBool(x), Shapes.range(x.ndim())); }

  /**
   * True where any element along {@code axis} is nonzero, dropping that axis ({@code jnp.any(x, axis)});
   * bool result.
   */
  public static NDArray any(NDArray x, int axis) { return any(x, axis, false); }

  /** {@code jnp.any(x, axis, keepdims)}: JAX's {@code reduce_or}, here a max over bool. */
  public static NDArray any(NDArray x, int axis, boolean keepdims) {
    nonNull("any", x);
    int a = Shapes.axis("any", axis, x.ndim());
    NDArray r = Ops.reduceMax(toBool(x), a);
    return keepdims ? expandDims(r, a) : r;
  }

  // ---- more elementwise functions ----

  /** NaN test ({@code jnp.isnan}): {@code x != x}; integers and bools are never NaN. */
  public static NDArray isnan(NDArray x) {
    nonNull("isnan", x);
    return x.dtype().isFloating() ? Ops.ne(x, x) : Ops.full(x.type().withDtype(DType.BOOL), 0);
  }

  /** Infinity test ({@code jnp.isinf}): {@code |x| == inf}; integers and bools are never infinite. */
  public static NDArray isinf(NDArray x) {
    nonNull("isinf", x);
    return x.dtype().isFloating() ? Ops.eq(Ops.abs(x), Ops.like(x, Double.POSITIVE_INFINITY)) : Ops.full(x.type().withDtype(DType.BOOL), 0);
  }

  /** Base-2 logarithm, {@code log(x) / log(2)} as {@code jnp.log2} computes it. */
  public static NDArray log2(NDArray x) {
    nonNull("log2", x);
    NDArray xf = toFloat(x);
    return Ops.div(Ops.log(xf), Ops.log(Ops.like(xf, 2)));
  }

  /** Base-10 logarithm, {@code log(x) / log(10)} as {@code jnp.log10} computes it. */
  public static NDArray log10(NDArray x) {
    nonNull("log10", x);
    NDArray xf = toFloat(x);
    return Ops.div(Ops.log(xf), Ops.log(Ops.like(xf, 10)));
  }

  /**
   * Hyperbolic sine ({@code jnp.sinh}; a primitive in JAX, composed here): {@code (expm1(x) - expm1(-x)) / 2}
   * for {@code |x| < 1} (no cancellation near 0), else {@code (e/2) e - (1/2e)/e} with {@code e = exp(|x|/2)},
   * which overflows only where sinh does. Derivative {@code cosh(x)}, as JAX's rule, to any order.
   */
  public static NDArray sinh(NDArray x) { nonNull("sinh", x); return SINH.apply(toFloat(x)); }

  /** Hyperbolic cosine ({@code jnp.cosh}): {@code (e/2) e + (1/2e)/e} with {@code e = exp(|x|/2)}; derivative {@code sinh(x)}. */
  public static NDArray cosh(NDArray x) { nonNull("cosh", x); return COSH.apply(toFloat(x)); }

  private static final Fn SINH = Arrax.customJvp(xs -> sinhValue(xs[0]), (p, t) -> new Arrax.JvpResult(Np.SINH.apply(p[0]), Ops.mul(t[0], Np.COSH.apply(p[0]))));
  private static final Fn COSH = Arrax.customJvp(xs -> coshValue(xs[0]), (p, t) -> new Arrax.JvpResult(Np.COSH.apply(p[0]), Ops.mul(t[0], Np.SINH.apply(p[0]))));

  private static NDArray sinhValue(NDArray x) {
    NDArray ax = Ops.abs(x);
    NDArray small = Ops.mul(Ops.sub(Ops.expm1(x), Ops.expm1(Ops.neg(x))), Ops.like(x, 0.5));
    NDArray e = Ops.exp(Ops.mul(ax, Ops.like(x, 0.5)));
    NDArray large = Ops.sub(Ops.mul(Ops.mul(Ops.like(x, 0.5), e), e), Ops.div(Ops.div(Ops.like(x, 0.5), e), e));
    NDArray signed = Ops.select(Ops.lt(x, Ops.like(x, 0)), Ops.neg(large), large);
    return Ops.select(Ops.lt(ax, Ops.like(x, 1)), small, signed);
  }

  private static NDArray coshValue(NDArray x) {
    NDArray e = Ops.exp(Ops.mul(Ops.abs(x), Ops.like(x, 0.5)));
    return Ops.add(Ops.mul(Ops.mul(Ops.like(x, 0.5), e), e), Ops.div(Ops.div(Ops.like(x, 0.5), e), e));
  }

  /**
   * {@code atan2(x1, x2)}, the angle of the point (x2, x1) in [-pi, pi] ({@code jnp.arctan2}), with C's
   * special cases for zeros (signed), infinities and NaN. JAX binds its {@code atan2} primitive; here it
   * is composed: the ratio {@code min(|x1|,|x2|) / max(...)} in [0, 1] goes through Cephes' arctangent
   * (a rational approximation after reduction by {@code (t - 1)/(t + 1)}, about 1 ulp in f64), then the
   * octant and quadrant are restored. Derivative (JAX's rule): {@code (x2 dx1 - x1 dx2) / (x1^2 + x2^2)},
   * NaN at the origin as in JAX.
   */
  public static NDArray arctan2(NDArray x1, NDArray x2) {
    nonNull("arctan2", x1, x2);
    DType d = floatType(DType.promote(x1.dtype(), x2.dtype()));
    int[] shape = broadcastShapes("arctan2", x1, x2);
    return ATAN2.apply(broadcastTo(Ops.convert(x1, d), shape), broadcastTo(Ops.convert(x2, d), shape));
  }

  /**
   * {@code arctan2(x1, x2)} with a weakly typed scalar {@code x2} (see {@link #arctan2(NDArray, NDArray)}).
   */
  public static NDArray arctan2(NDArray x1, double x2) { return arctan2(x1, weak(x2, x1)); }

  /**
   * {@code arctan2(x1, x2)} with a weakly typed scalar {@code x1} (see {@link #arctan2(NDArray, NDArray)}).
   */
  public static NDArray arctan2(double x1, NDArray x2) { return arctan2(weak(x1, x2), x2); }

  /** Arctangent in (-pi/2, pi/2) ({@code jnp.arctan}): {@code arctan2(x, 1)}; derivative {@code 1 / (1 + x^2)}. */
  public static NDArray arctan(NDArray x) {
    nonNull("arctan", x);
    NDArray xf = toFloat(x);
    return ATAN2.apply(xf, Ops.like(xf, 1));
  }

  private static final Fn ATAN2 = Arrax.customJvp(xs -> atan2Value(xs[0], xs[1]), (p, t) -> {
    NDArray y = p[0], x = p[1];
    NDArray denom = Ops.add(Ops.mul(x, x), Ops.mul(y, y));
    NDArray tan = Ops.div(Ops.sub(Ops.mul(x, t[0]), Ops.mul(y, t[1])), denom);
    return new Arrax.JvpResult(Np.ATAN2.apply(y, x), tan);
  });

  private static NDArray atan2Value(NDArray y, NDArray x) {
    NDArray ay = Ops.abs(y), ax = Ops.abs(x);
    NDArray hi = Ops.max(ay, ax), lo = Ops.min(ay, ax);
    NDArray zero = Ops.like(x, 0), one = Ops.like(x, 1);
    NDArray ratio = Ops.div(lo, hi);
    // 0/0 (both zero) reads as 0 and inf/inf (both infinite) as 1; NaN inputs stay NaN
    ratio = Ops.select(Ops.eq(hi, zero), zero, ratio);
    ratio = Ops.select(Ops.eq(lo, Ops.like(x, Double.POSITIVE_INFINITY)), one, ratio);
    NDArray r = atanUnit(ratio);
    r = Ops.select(Ops.gt(ay, ax), Ops.sub(Ops.like(x, Math.PI / 2), r), r);
    r = Ops.select(signBit(x), Ops.sub(Ops.like(x, Math.PI), r), r);
    return Ops.select(signBit(y), Ops.neg(r), r);
  }

  /** Cephes {@code atan} on [0, 1]: direct below 0.66, else pi/4 + atan((t - 1)/(t + 1)) with its extra bits. */
  private static NDArray atanUnit(NDArray t) {
    NDArray big = Ops.gt(t, Ops.like(t, 0.66));
    NDArray x = Ops.select(big, Ops.div(Ops.sub(t, Ops.like(t, 1)), Ops.add(t, Ops.like(t, 1))), t);
    NDArray z = Ops.mul(x, x);
    NDArray p = poly(z, -8.750608600031904122785E-1, -1.615753718733365076637E1, -7.500855792314704667340E1, -1.228866684490136173410E2,
        -6.485021904942025371773E1);
    NDArray q = poly(z, 1.0, 2.485846490142306297962E1, 1.650270098316988542046E2, 4.328810604912902668951E2, 4.853903996359136964868E2,
        1.945506571482613964425E2);
    NDArray r = Ops.add(Ops.mul(x, Ops.div(Ops.mul(z, p), q)), x);
    NDArray offset = Ops.select(big, Ops.like(t, Math.PI / 4), Ops.like(t, 0));
    NDArray extra = Ops.select(big, Ops.like(t, 0.5 * 6.123233995736765886130E-17), Ops.like(t, 0));
    return Ops.add(offset, Ops.add(r, extra));
  }

  /** Horner's rule, highest coefficient first. */
  static NDArray poly(NDArray x, double... c) {
    NDArray r = Ops.like(x, c[0]);
    for (int i = 1; i < c.length; i++) r = Ops.add(Ops.mul(r, x), Ops.like(x, c[i]));
    return r;
  }

  /** The sign bit of a float (true for -0.0 and negative NaNs too): the bits read as a signed integer are negative. */
  static NDArray signBit(NDArray x) {
    DType bits = x.dtype() == DType.FLOAT32 ? DType.INT32 : DType.INT64;
    NDArray b = Ops.bitcastConvertType(x, bits);
    return Ops.lt(b, Ops.like(b, 0));
  }

  /**
   * Rounds half to even ({@code jnp.round}, {@code lax.round(x, TO_NEAREST_EVEN)}); integers are returned
   * unchanged. The sign of zero is kept ({@code round(-0.4) == -0.0}); derivative zero, as in JAX.
   */
  public static NDArray round(NDArray x) { return round(x, 0); }

  /**
   * Rounds to {@code decimals} decimal places half to even, as JAX: {@code round(x * 10^d) / 10^d}
   * (so, as in NumPy, not always the decimal nearest to {@code x}). Integers: unchanged for
   * {@code decimals >= 0}, an error below (as in JAX).
   */
  public static NDArray round(NDArray x, int decimals) {
    nonNull("round", x);
    if (!x.dtype().isFloating()) {
      if (decimals < 0) throw new ArraxException("round: integer rounding with decimals < 0 is not implemented (as in JAX), got decimals " + decimals + " for " + x.type() + CallSite.describe());
      return x;
    }
    if (decimals == 0) return roundHalfEven(x);
    double maxLog10 = x.dtype() == DType.FLOAT32 ? Math.log10(Float.MAX_VALUE) : Math.log10(Double.MAX_VALUE);
    if (decimals > maxLog10) return x;
    NDArray factor = Ops.like(x, Math.pow(10, decimals));
    return Ops.div(roundHalfEven(Ops.mul(x, factor)), factor);
  }

  /** Alias of {@link #round(NDArray)} ({@code jnp.around}). */
  public static NDArray around(NDArray x) { return round(x); }

  static NDArray roundHalfEven(NDArray x) {
    NDArray r = Ops.floor(x);
    NDArray d = Ops.sub(x, r); // exact
    NDArray half = Ops.like(x, 0.5), one = Ops.like(x, 1), two = Ops.like(x, 2), zero = Ops.like(x, 0);
    NDArray odd = Ops.ne(Ops.rem(r, two), zero);
    NDArray up = Ops.or(Ops.gt(d, half), Ops.and(Ops.eq(d, half), odd));
    NDArray res = Ops.select(up, Ops.add(r, one), r);
    return Ops.select(Ops.eq(res, zero), Ops.mul(x, zero), res); // -0.4 rounds to -0.0
  }

  /** {@code lax.round} with its default, half away from zero (used by floor_divide, as in JAX). */
  static NDArray roundHalfAway(NDArray x) {
    NDArray a = Ops.abs(x), f = Ops.floor(a);
    NDArray up = Ops.ge(Ops.sub(a, f), Ops.like(x, 0.5));
    NDArray m = Ops.select(up, Ops.add(f, Ops.like(x, 1)), f);
    return Ops.select(signBit(x), Ops.neg(m), m);
  }

  /**
   * Floor division {@code x1 // x2} ({@code jnp.floor_divide}), as JAX computes it: unsigned integers
   * divide (truncating); signed integers truncate and subtract one where the signs differ and the
   * remainder is nonzero; floats follow CPython's {@code float_divmod}
   * ({@code round((x1 - x1 mod x2) / x2)}, one less where the remainder's sign is wrong). Operands are
   * promoted; bool is not accepted.
   */
  public static NDArray floorDivide(NDArray x1, NDArray x2) {
    nonNull("floorDivide", x1, x2);
    DType d = numericType("floorDivide", x1, x2);
    int[] shape = broadcastShapes("floorDivide", x1, x2);
    NDArray a = broadcastTo(Ops.convert(x1, d), shape), b = broadcastTo(Ops.convert(x2, d), shape);
    if (d == DType.UINT32) return Ops.div(a, b);
    if (d.isInteger()) {
      NDArray q = Ops.div(a, b);
      NDArray zero = Ops.like(a, 0);
      NDArray fix = Ops.and(Ops.ne(Ops.sign(a), Ops.sign(b)), Ops.ne(Ops.rem(a, b), zero));
      return Ops.select(fix, Ops.sub(q, Ops.like(q, 1)), q);
    }
    return floatDivmod(a, b)[0];
  }

  /**
   * {@code floor(x1 / x2)} with a weakly typed scalar {@code x2} (see
   * {@link #floorDivide(NDArray, NDArray)}).
   */
  public static NDArray floorDivide(NDArray x1, double x2) { return floorDivide(x1, weak(x2, x1)); }

  /**
   * {@code floor(x1 / x2)} with a weakly typed scalar {@code x1} (see
   * {@link #floorDivide(NDArray, NDArray)}).
   */
  public static NDArray floorDivide(double x1, NDArray x2) { return floorDivide(weak(x1, x2), x2); }

  /** JAX's {@code _float_divmod} (CPython's float_divmod): {quotient, remainder}. */
  private static NDArray[] floatDivmod(NDArray x1, NDArray x2) {
    NDArray zero = Ops.like(x1, 0);
    NDArray mod = Ops.rem(x1, x2);
    NDArray corrected = Ops.select(Ops.eq(x2, zero), x1, Ops.sub(x1, mod));
    NDArray div = Ops.div(corrected, x2);
    NDArray ind = Ops.and(Ops.ne(mod, zero), Ops.ne(Ops.sign(x2), Ops.sign(mod)));
    mod = Ops.select(ind, Ops.add(mod, x2), mod);
    div = Ops.select(ind, Ops.sub(div, Ops.like(div, 1)), div);
    return new NDArray[] {roundHalfAway(div), mod};
  }

  /**
   * Remainder with the sign of the divisor, {@code x1 - floor(x1 / x2) * x2} ({@code jnp.remainder},
   * Python's {@code %}), as JAX: the truncated remainder, plus {@code x2} where its sign disagrees with
   * {@code x2}'s. An integer remainder by 0 is 0 (JAX divides by 1 there); a float one is NaN.
   */
  public static NDArray remainder(NDArray x1, NDArray x2) {
    nonNull("remainder", x1, x2);
    DType d = numericType("remainder", x1, x2);
    int[] shape = broadcastShapes("remainder", x1, x2);
    NDArray a = broadcastTo(Ops.convert(x1, d), shape), b = broadcastTo(Ops.convert(x2, d), shape);
    NDArray zero = Ops.like(a, 0);
    if (d.isInteger()) b = Ops.select(Ops.eq(b, zero), Ops.like(b, 1), b);
    NDArray trunc = Ops.rem(a, b);
    NDArray doPlus = Ops.and(Ops.ne(Ops.lt(trunc, zero), Ops.lt(b, zero)), Ops.ne(trunc, zero));
    return Ops.select(doPlus, Ops.add(trunc, b), trunc);
  }

  /**
   * Remainder with the sign of the divisor, weakly typed scalar {@code x2} (see
   * {@link #remainder(NDArray, NDArray)}).
   */
  public static NDArray remainder(NDArray x1, double x2) { return remainder(x1, weak(x2, x1)); }

  /**
   * Remainder with the sign of the divisor, weakly typed scalar {@code x1} (see
   * {@link #remainder(NDArray, NDArray)}).
   */
  public static NDArray remainder(double x1, NDArray x2) { return remainder(weak(x1, x2), x2); }

  /** Alias of {@link #remainder} ({@code jnp.mod}). */
  public static NDArray mod(NDArray x1, NDArray x2) { return remainder(x1, x2); }

  private static DType numericType(String op, NDArray a, NDArray b) {
    DType d = DType.promote(a.dtype(), b.dtype());
    if (d == DType.BOOL) {
      throw new ShapeException(op + ": not defined for bool operands " + a.type() + " and " + b.type() + "; convert with astype(DType.INT32)" + CallSite.describe());
    }
    return d;
  }

  /** Bitwise and of integers, logical and of bools ({@code jnp.bitwise_and}); operands promoted, floats refused. */
  public static NDArray bitwiseAnd(NDArray a, NDArray b) { return bitwise("bitwiseAnd", Primitives.AND, a, b); }

  /** Bitwise or ({@code jnp.bitwise_or}). */
  public static NDArray bitwiseOr(NDArray a, NDArray b) { return bitwise("bitwiseOr", Primitives.OR, a, b); }

  /** Bitwise exclusive or ({@code jnp.bitwise_xor}). */
  public static NDArray bitwiseXor(NDArray a, NDArray b) { return bitwise("bitwiseXor", Primitives.XOR, a, b); }

  private static NDArray bitwise(String op, BinaryElementwise prim, NDArray a, NDArray b) {
    nonNull(op, a, b);
    DType d = DType.promote(a.dtype(), b.dtype());
    if (d.isFloating()) {
      throw new ShapeException(op + ": requires integer or bool operands, got " + a.type() + " and " + b.type()
          + "; bitwise operations are not defined for floats (reinterpret the bits with Lax.bitcastConvertType)" + CallSite.describe());
    }
    return binary(op, prim, a, b);
  }

  // ---- cumulative and differences ----

  /** Cumulative product of the flattened array ({@code jnp.cumprod}). */
  public static NDArray cumprod(NDArray x) { nonNull("cumprod", x); return cumprod(reshape(x, -1), 0); }

  /** Cumulative product along {@code axis}; dtypes as {@link #cumsum(NDArray, int)} (bool counts in i64, 32-bit integers kept). */
  public static NDArray cumprod(NDArray x, int axis) {
    nonNull("cumprod", x);
    int a = Shapes.axis("cumprod", axis, x.ndim());
    return Ops.cumulative(Primitives.CUMPROD, x.dtype() == DType.BOOL ? Ops.convert(x, DType.INT64) : x, a, false);
  }

  /** n-th discrete difference along the last axis ({@code jnp.diff(x)}). */
  public static NDArray diff(NDArray x) { return diff(x, 1, -1); }

  /**
   * The n-th discrete difference along {@code axis}: {@code x[1:] - x[:-1]} applied n times
   * ({@code jnp.diff}); for bools the difference is {@code !=}, as in NumPy.
   */
  public static NDArray diff(NDArray x, int n, int axis) {
    nonNull("diff", x);
    if (n < 0) throw new ShapeException("diff: the order n must be >= 0, got " + n + CallSite.describe());
    if (x.ndim() == 0) throw new ShapeException("diff: requires an array of rank >= 1, got " + x.type() + CallSite.describe());
    int a = Shapes.axis("diff", axis, x.ndim());
    NDArray r = x;
    for (int i = 0; i < n; i++) {
      int len = r.shape()[a];
      if (len == 0) break;
      NDArray hi = Lax.sliceInDim(r, 1, len, 1, a), lo = Lax.sliceInDim(r, 0, len - 1, 1, a);
      r = r.dtype() == DType.BOOL ? Ops.ne(hi, lo) : Ops.sub(hi, lo);
    }
    return r;
  }

  // ---- sorting ----

  /** Sorted copy along the last axis ({@code jnp.sort}); NaNs go last, -0.0 equals 0.0. */
  /** Sorted copy along the last axis ({@code jnp.sort(x)}), stable; a scalar is returned unchanged. */
  public static NDArray sort(NDArray x) { nonNull("sort", x); return x.ndim() == 0 ? x : sort(x, -1); }

  /** Sorted copy along {@code axis} (a stable sort, as lax.sort; JAX's descending form is {@code flip(sort(x))}). */
  public static NDArray sort(NDArray x, int axis) {
    nonNull("sort", x);
    int a = Shapes.axis("sort", axis, x.ndim());
    return Ops.sort(new NDArray[] {x}, a, 1)[0];
  }

  /** Indices that sort the last axis (i64, stable), as {@code jnp.argsort(x)}. */
  public static NDArray argsort(NDArray x) { nonNull("argsort", x); return x.ndim() == 0 ? Ops.full(x.type().withDtype(DType.INT64), 0) : argsort(x, -1, false); }

  /**
   * Indices that sort {@code x} along {@code axis} in ascending order, i64, stable
   * ({@code jnp.argsort(x, axis)}).
   */
  public static NDArray argsort(NDArray x, int axis) { return argsort(x, axis, false); }

  /**
   * Indices that sort {@code x} along {@code axis}, i64 ({@code jnp.argsort(x, axis, stable=True,
   * descending)}): {@code sort_key_val(x, iota)}; descending reverses both first so equal elements keep
   * their order, as JAX does.
   */
  public static NDArray argsort(NDArray x, int axis, boolean descending) {
    nonNull("argsort", x);
    int a = Shapes.axis("argsort", axis, x.ndim());
    NDArray iota = Ops.iota(DType.INT64, x.shape(), a);
    NDArray keys = x;
    if (descending) {
      keys = Ops.rev(keys, a);
      iota = Ops.rev(iota, a);
    }
    NDArray idx = Ops.sort(new NDArray[] {keys, iota}, a, 1)[1];
    return descending ? Ops.rev(idx, a) : idx;
  }

  /** Median of all elements ({@code jnp.median}); floats (i32 -> f32, i64 -> f64); NaN if any element is NaN. */
  public static NDArray median(NDArray x) { nonNull("median", x); return median(reshape(x, -1), 0, false); }

  /**
   * Median along {@code axis}, dropping that axis ({@code jnp.median(x, axis)}); see
   * {@link #median(NDArray, int, boolean)}.
   */
  public static NDArray median(NDArray x, int axis) { return median(x, axis, false); }

  /**
   * Median along {@code axis} as JAX computes it ({@code quantile(x, 0.5, method='midpoint')}): a lane
   * with a NaN is NaN; otherwise the lane is sorted and the result is {@code (lo + hi) * 0.5} of the
   * middle elements. Differentiable through the sort.
   */
  public static NDArray median(NDArray x, int axis, boolean keepdims) {
    nonNull("median", x);
    int a = Shapes.axis("median", axis, x.ndim());
    int n = x.shape()[a];
    if (n == 0) throw new ShapeException("median: cannot take the median of an empty axis " + axis + " of " + x.type() + CallSite.describe());
    NDArray xf = toFloat(x);
    NDArray anyNan = any(isnan(xf), a, true);
    xf = Ops.select(Np.broadcastTo(anyNan, xf.shape()), Ops.like(xf, Double.NaN), xf);
    NDArray s = sort(xf, a);
    int lo = (n - 1) / 2, hi = n / 2;
    NDArray l = Lax.sliceInDim(s, lo, lo + 1, 1, a), h = Lax.sliceInDim(s, hi, hi + 1, 1, a);
    NDArray r = Ops.mul(Ops.add(l, h), Ops.like(l, 0.5));
    return keepdims ? r : Ops.reshape(r, Shapes.remove(r.shape(), a));
  }

  // ---- shapes ----

  /** Reverses the order of all elements along every axis ({@code jnp.flip(x)}). */
  public static NDArray flip(NDArray x) { nonNull("flip", x); return Ops.rev(x, Shapes.range(x.ndim())); }

  /** Reverses along the given axes (negative count from the end), {@code jnp.flip(x, axis)}. */
  public static NDArray flip(NDArray x, int... axes) {
    nonNull("flip", x);
    if (axes.length == 0) return flip(x);
    int[] a = new int[axes.length];
    for (int i = 0; i < a.length; i++) a[i] = Shapes.axis("flip", axes[i], x.ndim());
    return Ops.rev(x, a);
  }

  /** Moves axis {@code source} to position {@code destination}, the others keeping their order ({@code jnp.moveaxis}). */
  public static NDArray moveaxis(NDArray x, int source, int destination) {
    nonNull("moveaxis", x);
    int s = Shapes.axis("moveaxis", source, x.ndim()), d = Shapes.axis("moveaxis", destination, x.ndim());
    return Ops.transpose(x, Shapes.moveAxisPerm(x.ndim(), s, d));
  }

  /** Exchanges two axes ({@code jnp.swapaxes}). */
  public static NDArray swapaxes(NDArray x, int axis1, int axis2) {
    nonNull("swapaxes", x);
    int a = Shapes.axis("swapaxes", axis1, x.ndim()), b = Shapes.axis("swapaxes", axis2, x.ndim());
    int[] perm = Shapes.range(x.ndim());
    perm[a] = b;
    perm[b] = a;
    return Ops.transpose(x, perm);
  }

  /** {@code reps[i]} copies along axis i ({@code jnp.tile}); fewer reps than axes repeat the trailing axes, more add leading axes. */
  public static NDArray tile(NDArray x, int... reps) {
    nonNull("tile", x);
    for (int r : reps) if (r < 0) throw new ShapeException("tile: negative repetitions " + Arrays.toString(reps) + CallSite.describe());
    int rank = Math.max(x.ndim(), reps.length);
    int[] rs = new int[rank], s = new int[rank];
    Arrays.fill(rs, 1);
    Arrays.fill(s, 1);
    System.arraycopy(reps, 0, rs, rank - reps.length, reps.length);
    System.arraycopy(x.shape(), 0, s, rank - x.ndim(), x.ndim());
    NDArray y = Ops.reshape(x, s);
    int[] wide = new int[2 * rank], dims = new int[rank], out = new int[rank];
    for (int i = 0; i < rank; i++) {
      wide[2 * i] = rs[i];
      wide[2 * i + 1] = s[i];
      dims[i] = 2 * i + 1;
      out[i] = rs[i] * s[i];
    }
    return Ops.reshape(Ops.broadcastInDim(y, wide, dims), out);
  }

  /** Repeats every element of the flattened array {@code repeats} times ({@code jnp.repeat(x, repeats)}). */
  public static NDArray repeat(NDArray x, int repeats) { nonNull("repeat", x); return repeat(reshape(x, -1), repeats, 0); }

  /** Repeats each slice along {@code axis} {@code repeats} times: {@code [a, b]} -> {@code [a, a, b, b]} ({@code jnp.repeat}). */
  public static NDArray repeat(NDArray x, int repeats, int axis) {
    nonNull("repeat", x);
    if (repeats < 0) throw new ShapeException("repeat: repeats must be >= 0, got " + repeats + CallSite.describe());
    int a = Shapes.axis("repeat", axis, x.ndim());
    int[] s = x.shape(), aux = Shapes.insert(s, a + 1, repeats), dims = new int[s.length];
    for (int i = 0; i < s.length; i++) dims[i] = i <= a ? i : i + 1;
    int[] out = s.clone();
    out[a] *= repeats;
    return Ops.reshape(Ops.broadcastInDim(x, aux, dims), out);
  }

  /** Repeats slice i along {@code axis} {@code repeats[i]} times (static counts, one per slice). */
  public static NDArray repeat(NDArray x, int[] repeats, int axis) {
    nonNull("repeat", x);
    int a = Shapes.axis("repeat", axis, x.ndim());
    int n = x.shape()[a];
    if (repeats.length == 1) return repeat(x, repeats[0], a);
    if (repeats.length != n) {
      throw new ShapeException("repeat: " + repeats.length + " repeat counts for axis " + axis + " of size " + n + " of " + x.type()
          + "; give one count per slice or a single count" + CallSite.describe());
    }
    long total = 0;
    for (int r : repeats) {
      if (r < 0) throw new ShapeException("repeat: repeats must be >= 0, got " + Arrays.toString(repeats) + CallSite.describe());
      total += r;
    }
    long[] idx = new long[(int) total];
    for (int i = 0, k = 0; i < n; i++) for (int j = 0; j < repeats[i]; j++) idx[k++] = i;
    return Ops.gather(x, NDArray.ofLongs(idx), a);
  }

  /** Rolls the flattened array by {@code shift} ({@code jnp.roll(x, shift)}): element i moves to i + shift (mod size). */
  public static NDArray roll(NDArray x, int shift) { nonNull("roll", x); return reshape(roll(reshape(x, -1), shift, 0), x.shape()); }

  /** Rolls along {@code axis}: element i moves to {@code (i + shift) mod n}, as JAX's static roll (two slices, concatenated). */
  public static NDArray roll(NDArray x, int shift, int axis) {
    nonNull("roll", x);
    int a = Shapes.axis("roll", axis, x.ndim());
    int n = x.shape()[a];
    if (n == 0) return x;
    int i = Math.floorMod(-shift, n);
    if (i == 0) return x;
    return Ops.concatenate(new NDArray[] {Lax.sliceInDim(x, i, n, 1, a), Lax.sliceInDim(x, 0, i, 1, a)}, a);
  }

  /**
   * Rolls along {@code axis} by a run-time integer scalar, as JAX's dynamic roll: {@code x} concatenated
   * with itself, sliced at {@code n - shift mod n}. Works under jit and vmap (per-example shifts).
   */
  public static NDArray roll(NDArray x, NDArray shift, int axis) {
    nonNull("roll", x, shift);
    if (shift.ndim() != 0 || !shift.dtype().isInteger()) throw new ShapeException("roll: shift must be an integer scalar, got " + shift.type() + CallSite.describe());
    int a = Shapes.axis("roll", axis, x.ndim());
    int n = x.shape()[a];
    if (n == 0) return x;
    NDArray s = Ops.convert(shift, DType.INT64);
    NDArray start = remainder(Ops.neg(s), Ops.scalar(n, DType.INT64));
    NDArray doubled = Ops.concatenate(new NDArray[] {x, x}, a);
    NDArray[] starts = new NDArray[x.ndim()];
    for (int k = 0; k < starts.length; k++) starts[k] = k == a ? start : Ops.scalar(0, DType.INT64);
    return Ops.dynamicSlice(doubled, starts, x.shape());
  }

  /** Splits into {@code sections} equal parts along {@code axis} ({@code jnp.split(x, n, axis)}); an error when they are not equal. */
  public static NDArray[] split(NDArray x, int sections, int axis) {
    nonNull("split", x);
    int a = Shapes.axis("split", axis, x.ndim());
    int n = x.shape()[a];
    if (sections <= 0 || n % sections != 0) {
      throw new ShapeException("split: array split does not result in an equal division: axis " + axis + " of " + x.type() + " (size " + n
          + ") into " + sections + " sections; pass split indices instead" + CallSite.describe());
    }
    int[] idx = new int[sections - 1];
    for (int i = 0; i < idx.length; i++) idx[i] = (i + 1) * (n / sections);
    return split(x, idx, a);
  }

  /** Splits at the given indices along {@code axis} ({@code jnp.split(x, [i, j], axis)}); indices are clamped into range as in NumPy. */
  public static NDArray[] split(NDArray x, int[] indices, int axis) {
    nonNull("split", x);
    int a = Shapes.axis("split", axis, x.ndim());
    int n = x.shape()[a];
    NDArray[] out = new NDArray[indices.length + 1];
    int prev = 0;
    for (int i = 0; i <= indices.length; i++) {
      int end = i == indices.length ? n : clampIndex(indices[i], n);
      int start = Math.min(prev, n);
      out[i] = Lax.sliceInDim(x, start, Math.max(start, end), 1, a);
      prev = Math.max(start, end);
    }
    return out;
  }

  private static int clampIndex(int i, int n) {
    int j = i < 0 ? i + n : i;
    return Math.max(0, Math.min(n, j));
  }

  /** Lower triangle of the last two axes, zero above diagonal {@code k} ({@code jnp.tril(x, k)}: keeps {@code j <= i + k}). */
  public static NDArray tril(NDArray x, int k) { return triangle("tril", x, k, true); }

  /** Lower triangle of the last two axes, zero above the main diagonal ({@code jnp.tril(x)}). */
  public static NDArray tril(NDArray x) { return tril(x, 0); }

  /** Upper triangle of the last two axes, zero below diagonal {@code k} ({@code jnp.triu(x, k)}: keeps {@code j >= i + k}). */
  public static NDArray triu(NDArray x, int k) { return triangle("triu", x, k, false); }

  /** Upper triangle of the last two axes, zero below the main diagonal ({@code jnp.triu(x)}). */
  public static NDArray triu(NDArray x) { return triu(x, 0); }

  private static NDArray triangle(String op, NDArray x, int k, boolean lower) {
    nonNull(op, x);
    if (x.ndim() < 2) throw new ShapeException(op + ": needs an array of rank >= 2, got " + x.type() + CallSite.describe());
    int r = x.ndim();
    int[] s = x.shape();
    int[] mat = {s[r - 2], s[r - 1]};
    NDArray i = Ops.iota(DType.INT64, mat, 0), j = Ops.iota(DType.INT64, mat, 1);
    NDArray ik = Ops.add(i, Ops.full(i.type(), k));
    NDArray keep = lower ? Ops.le(j, ik) : Ops.ge(j, ik);
    NDArray m = Ops.broadcastInDim(keep, s, new int[] {r - 2, r - 1});
    return Ops.select(m, x, Ops.zeros(x.type()));
  }

  // ---- padding ----

  /** Pads every axis by {@code width} before and after with zeros ({@code jnp.pad(x, width)}). */
  public static NDArray pad(NDArray x, int width) {
    nonNull("pad", x);
    int[][] w = new int[x.ndim()][];
    for (int i = 0; i < w.length; i++) w[i] = new int[] {width, width};
    return pad(x, w, "constant", 0.0);
  }

  /** Pads axis i by {@code padWidth[i] = {before, after}} with zeros. */
  public static NDArray pad(NDArray x, int[][] padWidth) { return pad(x, padWidth, "constant", 0.0); }

  /** Pads with one of jnp.pad's modes: "constant" (zeros), "edge", "reflect", "symmetric", "wrap". */
  public static NDArray pad(NDArray x, int[][] padWidth, String mode) { return pad(x, padWidth, mode, 0.0); }

  /**
   * {@code jnp.pad(x, pad_width, mode, constant_values=value)}: {@code padWidth[i] = {before, after}} for
   * axis i (one pair for all axes is also accepted). Modes, as JAX implements them: "constant" (the
   * value, converted to x's dtype), "edge" (the border element), "wrap" (periodic), "reflect" (mirror
   * without repeating the border, repeated as often as needed) and "symmetric" (mirror repeating it).
   * Built from slices, flips and concatenations, so differentiable and batchable.
   */
  public static NDArray pad(NDArray x, int[][] padWidth, String mode, double value) {
    nonNull("pad", x);
    if (padWidth == null || mode == null) throw new ArraxException("pad: padWidth and mode must not be null" + CallSite.describe());
    int r = x.ndim();
    int[][] w = new int[r][];
    for (int i = 0; i < r; i++) {
      int[] p = padWidth.length == 1 ? padWidth[0] : i < padWidth.length ? padWidth[i] : null;
      if (padWidth.length != 1 && padWidth.length != r || p == null || p.length != 2 || p[0] < 0 || p[1] < 0) {
        throw new ShapeException("pad: padWidth must be {before, after} pairs of non-negative ints, one per axis of " + x.type()
            + " (or one pair for all), got " + Arrays.deepToString(padWidth) + CallSite.describe());
      }
      w[i] = p.clone();
    }
    switch (mode) {
      case "constant" -> {
        int[] lo = new int[r], hi = new int[r];
        for (int i = 0; i < r; i++) {
          lo[i] = w[i][0];
          hi[i] = w[i][1];
        }
        return Ops.pad(x, Ops.scalar(value, x.dtype()), lo, hi, new int[r]);
      }
      case "edge", "wrap", "reflect", "symmetric" -> {
        NDArray y = x;
        for (int i = 0; i < r; i++) {
          if (w[i][0] == 0 && w[i][1] == 0) continue;
          if (y.shape()[i] == 0) {
            throw new ShapeException("pad: cannot pad the empty axis " + i + " of " + x.type() + " in mode '" + mode + "'" + CallSite.describe());
          }
          y = switch (mode) {
            case "edge" -> padEdge(y, i, w[i][0], w[i][1]);
            case "wrap" -> padWrap(y, i, w[i][0], w[i][1]);
            default -> padReflect(y, i, w[i][0], w[i][1], mode.equals("reflect"));
          };
        }
        return y;
      }
      default -> throw new ShapeException("pad: unsupported mode '" + mode + "'; use constant, edge, reflect, symmetric or wrap" + CallSite.describe());
    }
  }

  private static NDArray padEdge(NDArray x, int a, int before, int after) {
    int n = x.shape()[a];
    NDArray lo = repeat(Lax.sliceInDim(x, 0, 1, 1, a), before, a), hi = repeat(Lax.sliceInDim(x, n - 1, n, 1, a), after, a);
    return Ops.concatenate(new NDArray[] {lo, x, hi}, a);
  }

  private static NDArray padWrap(NDArray x, int a, int before, int after) {
    int n = x.shape()[a];
    java.util.List<NDArray> parts = new java.util.ArrayList<>();
    if (before % n > 0) parts.add(Lax.sliceInDim(x, n - before % n, n, 1, a));
    for (int k = 0; k < before / n + after / n + 1; k++) parts.add(x);
    if (after % n > 0) parts.add(Lax.sliceInDim(x, 0, after % n, 1, a));
    return Ops.concatenate(parts.toArray(new NDArray[0]), a);
  }

  /** JAX's {@code _pad_symmetric_or_reflect} with {@code reflect_type='even'}. */
  private static NDArray padReflect(NDArray x, int a, int before, int after, boolean reflect) {
    int size = x.shape()[a];
    int offset = reflect && size > 1 ? 1 : 0;
    for (int side = 0; side < 2; side++) {
      boolean isBefore = side == 0;
      int padding = isBefore ? before : after;
      while (padding > 0) {
        int cur = Math.min(padding, size - offset);
        padding -= cur;
        int len = x.shape()[a];
        NDArray piece;
        if (isBefore) {
          piece = Lax.sliceInDim(x, offset, offset + cur, 1, a);
        } else {
          int stop = !reflect || size == 1 ? len : len - 1;
          piece = Lax.sliceInDim(x, len - (cur + offset), stop, 1, a);
        }
        piece = Ops.rev(piece, a);
        x = Ops.concatenate(isBefore ? new NDArray[] {piece, x} : new NDArray[] {x, piece}, a);
      }
    }
    return x;
  }

  // ---- indexing ----

  /** Elements of the flattened array at {@code indices} ({@code jnp.take(x, indices)}, mode "fill"). */
  public static NDArray take(NDArray x, NDArray indices) { nonNull("take", x, indices); return take(reshape(x, -1), indices, 0, "fill"); }

  /** Slices along {@code axis} at {@code indices}: the axis is replaced by the indices' shape ({@code jnp.take(x, indices, axis)}). */
  public static NDArray take(NDArray x, NDArray indices, int axis) { return take(x, indices, axis, "fill"); }

  /**
   * {@code jnp.take(x, indices, axis, mode)}. Modes, as JAX: "fill" (the default: negative indices count
   * from the end once, out-of-range ones give NaN for floats, the minimum for signed integers, the
   * maximum for u32 and true for bool), "clip" (clamped into range, negative ones to 0) and "wrap"
   * (modulo the axis length). A gather along one axis: differentiable in {@code x} (the backward pass is
   * a scatter-add), batchable over both arguments.
   */
  public static NDArray take(NDArray x, NDArray indices, int axis, String mode) {
    nonNull("take", x, indices);
    if (!indices.dtype().isInteger()) {
      throw new ShapeException("take: indices must be integers, got " + indices.type() + "; convert with astype(DType.INT32)" + CallSite.describe());
    }
    int a = Shapes.axis("take", axis, x.ndim());
    int n = x.shape()[a];
    if (n == 0) {
      if (indices.size() != 0) throw new ShapeException("take: cannot do a non-empty take from the empty axis " + axis + " of " + x.type() + CallSite.describe());
      return Ops.zeros(new ArrayType(x.dtype(), takeShape(x.shape(), a, indices.shape())));
    }
    String m = mode == null ? "fill" : mode;
    return switch (m) {
      case "clip" -> Ops.gather(x, indices, a);
      case "wrap" -> Ops.gather(x, remainder(indices, Ops.scalar(n, indices.dtype())), a);
      case "fill" -> {
        NDArray i = normalizeIndex(indices, n);
        NDArray g = Ops.gather(x, i, a);
        NDArray mask = inRange(i, n);
        int[] dims = new int[i.ndim()];
        for (int k = 0; k < dims.length; k++) dims[k] = a + k;
        yield Ops.select(Ops.broadcastInDim(mask, g.shape(), dims), g, Ops.full(g.type(), fillValue(x.dtype())));
      }
      default -> throw new ShapeException("take: invalid mode '" + mode + "'; use fill, clip or wrap" + CallSite.describe());
    };
  }

  private static int[] takeShape(int[] s, int a, int[] is) {
    return Shapes.concat(Shapes.concat(Arrays.copyOfRange(s, 0, a), is), Arrays.copyOfRange(s, a + 1, s.length));
  }

  /** JAX's {@code _normalize_index}: a negative signed index gets the axis length added (once). */
  static NDArray normalizeIndex(NDArray i, int n) {
    if (i.dtype() == DType.UINT32) return i;
    NDArray zero = Ops.like(i, 0);
    return Ops.select(Ops.lt(i, zero), Ops.add(i, Ops.like(i, n)), i);
  }

  static NDArray inRange(NDArray i, int n) {
    return Ops.and(Ops.ge(i, Ops.like(i, 0)), Ops.lt(i, Ops.like(i, n)));
  }

  /** The value "fill" mode gives an out-of-range read (JAX's gather fill_value default). */
  static double fillValue(DType d) {
    return switch (d) {
      case FLOAT32, FLOAT64 -> Double.NaN;
      case INT32 -> Integer.MIN_VALUE;
      case INT64 -> Long.MIN_VALUE;
      case UINT32 -> 4294967295.0;
      case BOOL -> 1;
    };
  }

  /**
   * {@code jnp.take_along_axis(x, indices, axis)}: {@code out[..., j, ...] = x[..., indices[..., j, ...], ...]}
   * along {@code axis}, the other axes of {@code x} and {@code indices} broadcast against each other (so
   * {@code take_along_axis(x, argsort(x, a), a)} sorts). Mode "fill" as {@link #take}. Implemented as one
   * gather from x flattened over all lanes.
   */
  public static NDArray takeAlongAxis(NDArray x, NDArray indices, int axis) {
    nonNull("takeAlongAxis", x, indices);
    if (!indices.dtype().isInteger()) throw new ShapeException("takeAlongAxis: indices must be integers, got " + indices.type() + CallSite.describe());
    if (indices.ndim() != x.ndim()) {
      throw new ShapeException("takeAlongAxis: indices and x must have the same number of dimensions, got " + indices.type() + " and " + x.type() + CallSite.describe());
    }
    int a = Shapes.axis("takeAlongAxis", axis, x.ndim());
    int n = x.shape()[a];
    int[] xs1 = x.shape();
    xs1[a] = 1;
    int[] out = Shapes.broadcast(indices.shape(), xs1);
    if (out == null) {
      throw new ShapeException("takeAlongAxis: the axes other than " + axis + " of x " + x.type() + " and indices " + indices.type()
          + " cannot be broadcast together" + CallSite.describe());
    }
    if (n == 0) return Ops.zeros(new ArrayType(x.dtype(), out));
    int[] xb = out.clone();
    xb[a] = n;
    NDArray xm = moveaxis(broadcastTo(x, xb), a, -1), im = moveaxis(broadcastTo(normalizeIndex(indices, n), out), a, -1);
    int[] lanes = Arrays.copyOf(im.shape(), im.ndim() - 1);
    int m = Shapes.size(lanes), k = im.shape()[im.ndim() - 1];
    NDArray flat = Ops.reshape(xm, m * n);
    NDArray i64 = Ops.convert(im, DType.INT64);
    NDArray row = Ops.broadcastInDim(Ops.reshape(Ops.iota(DType.INT64, new int[] {m}, 0), lanes), im.shape(), Shapes.range(lanes.length));
    NDArray clamped = Ops.min(Ops.max(i64, Ops.like(i64, 0)), Ops.like(i64, n - 1));
    NDArray g = Ops.gather(flat, Ops.add(Ops.mul(row, Ops.like(row, n)), clamped), 0);
    NDArray r = Ops.select(inRange(i64, n), g, Ops.full(g.type(), fillValue(x.dtype())));
    return moveaxis(r, -1, a);
  }

  // ---- products ----

  /** Inner product over the last axes ({@code jnp.inner}): {@code sum_k a[..., k] b[..., k]}, a's free axes then b's. */
  public static NDArray inner(NDArray a, NDArray b) {
    nonNull("inner", a, b);
    if (a.ndim() == 0 || b.ndim() == 0) return multiply(a, b);
    if (a.shape()[a.ndim() - 1] != b.shape()[b.ndim() - 1]) {
      throw new ShapeException("inner: the last axes of " + a.type() + " and " + b.type() + " must have the same size" + CallSite.describe());
    }
    return tensordot(a, b, new int[] {a.ndim() - 1}, new int[] {b.ndim() - 1});
  }

  /** {@code jnp.tensordot(a, b, axes)}: contracts the last {@code axes} axes of a with the first {@code axes} of b. */
  public static NDArray tensordot(NDArray a, NDArray b, int axes) {
    nonNull("tensordot", a, b);
    if (axes < 0 || axes > a.ndim() || axes > b.ndim()) {
      throw new ShapeException("tensordot: axes " + axes + " out of range for " + a.type() + " and " + b.type() + CallSite.describe());
    }
    int[] ca = new int[axes], cb = new int[axes];
    for (int i = 0; i < axes; i++) {
      ca[i] = a.ndim() - axes + i;
      cb[i] = i;
    }
    return tensordot(a, b, ca, cb);
  }

  /** {@code jnp.tensordot(a, b, (axesA, axesB))}: contracts axesA[i] of a with axesB[i] of b; output a's free axes, then b's. */
  public static NDArray tensordot(NDArray a, NDArray b, int[] axesA, int[] axesB) {
    nonNull("tensordot", a, b);
    if (axesA.length != axesB.length) {
      throw new ShapeException("tensordot: " + axesA.length + " axes of a but " + axesB.length + " of b; give pairs of axes" + CallSite.describe());
    }
    DType d = DType.promote(a.dtype(), b.dtype());
    int[] ca = new int[axesA.length], cb = new int[axesB.length];
    for (int i = 0; i < ca.length; i++) {
      ca[i] = Shapes.axis("tensordot", axesA[i], a.ndim());
      cb[i] = Shapes.axis("tensordot", axesB[i], b.ndim());
      if (a.shape()[ca[i]] != b.shape()[cb[i]]) {
        throw new ShapeException("tensordot: axis " + ca[i] + " of " + a.type() + " (size " + a.shape()[ca[i]] + ") does not match axis " + cb[i] + " of "
            + b.type() + " (size " + b.shape()[cb[i]] + ")" + CallSite.describe());
      }
    }
    return Ops.dotGeneral(Ops.convert(a, d), Ops.convert(b, d), ca, cb, new int[0], new int[0]);
  }

  /**
   * Einstein summation ({@code jnp.einsum}): {@code einsum("ij,jk->ik", a, b)}. Supports explicit and
   * implicit output ({@code "ij,jk"}: the labels used once, sorted), repeated labels within an operand
   * (diagonals, traces) and {@code "..."} (broadcast leading axes). Contracts left to right in pairs with
   * dot_general, summing a label out as soon as no later operand or the output needs it (JAX picks the
   * order with opt_einsum; the values agree up to rounding). Operands are promoted to one dtype.
   */
  public static NDArray einsum(String subscripts, NDArray... operands) {
    return Einsum.apply(subscripts, operands);
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
