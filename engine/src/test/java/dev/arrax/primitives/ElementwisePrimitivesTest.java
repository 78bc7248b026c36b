package dev.arrax.primitives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.ShapeException;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.ProgramCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the one-operand elementwise primitives, called through {@link Ops} (lax semantics):
 * values against float64 references written here (java.lang.Math, closed forms, a series for erf, values
 * pinned from JAX), derivatives against finite differences to order 2, vmap against a loop, and the
 * program text round trip. Binary primitives are in {@link BinaryPrimitivesTest}.
 */
class ElementwisePrimitivesTest {
  private static final int SEEDS = 10;

  /** Random f64 input values of a shape. */
  @FunctionalInterface
  interface Sampler {
    NDArray sample(Rand r, int[] shape);
  }

  static Sampler uniform(double lo, double hi) {
    return (r, shape) -> r.uniform(lo, hi, shape);
  }

  /** |x| in [lo, hi) with a random sign: keeps finite differences away from a kink at 0. */
  static Sampler awayFromZero(double lo, double hi) {
    return (r, shape) -> {
      double[] d = r.uniform(lo, hi, shape).toDoubleArray();
      for (int i = 0; i < d.length; i++) if (r.random().nextBoolean()) d[i] = -d[i];
      return NDArray.fromFlat(d, shape);
    };
  }

  /** Half uniform in [lo, hi), half exact multiples of 1/2 (zeros, integers, ties of rounding), signed zeros included. */
  static Sampler steps(double lo, double hi) {
    return (r, shape) -> {
      double[] d = r.uniform(lo, hi, shape).toDoubleArray();
      for (int i = 0; i < d.length; i++) {
        int k = r.nextInt(4);
        if (k == 0) d[i] = Math.rint(2 * d[i]) / 2;
        else if (k == 1) d[i] = r.random().nextBoolean() ? 0.0 : -0.0;
      }
      return NDArray.fromFlat(d, shape);
    };
  }

  /** Uniform values with about a quarter replaced by NaN, +-inf, the largest finite and the smallest subnormal. */
  static Sampler withSpecials(double lo, double hi) {
    double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 0.0};
    return (r, shape) -> {
      double[] d = r.uniform(lo, hi, shape).toDoubleArray();
      for (int i = 0; i < d.length; i++) if (r.nextInt(4) == 0) d[i] = specials[r.nextInt(specials.length)];
      return NDArray.fromFlat(d, shape);
    };
  }

  /**
   * A floating one-operand primitive: its name, how to bind it, an independent f64 reference, where to
   * sample values, where to check derivatives (null: piecewise constant, its derivative must be exactly 0),
   * the f64 relative tolerance, and whether it returns bool.
   */
  record Unary(String name, UnaryOperator<NDArray> op, DoubleUnaryOperator ref, Sampler values, Sampler gradPoints, double rtol, boolean boolOut) {
    Fn fn() { return xs -> op.apply(xs[0]); }

    @Override public String toString() { return name; }
  }

  static final List<Unary> FLOAT_UNARY = List.of(
      new Unary("neg", Ops::neg, x -> -x, uniform(-5, 5), uniform(-3, 3), 0, false),
      new Unary("exp", Ops::exp, Math::exp, uniform(-20, 20), uniform(-2, 2), 1e-15, false),
      new Unary("log", Ops::log, Math::log, uniform(1e-3, 50), uniform(0.5, 3), 1e-15, false),
      new Unary("log1p", Ops::log1p, Math::log1p, uniform(-0.999, 10), uniform(-0.5, 2), 1e-15, false),
      new Unary("expm1", Ops::expm1, Math::expm1, uniform(-20, 20), uniform(-2, 2), 1e-15, false),
      new Unary("tanh", Ops::tanh, Math::tanh, uniform(-10, 10), uniform(-2, 2), 1e-15, false),
      // the plain formula, accurate to a few ulps on [-30, 30]; the primitive uses e^x / (1 + e^x) for x < 0
      new Unary("logistic", Ops::logistic, x -> 1.0 / (1.0 + Math.exp(-x)), uniform(-30, 30), uniform(-3, 3), 2e-15, false),
      new Unary("sin", Ops::sin, Math::sin, uniform(-10, 10), uniform(-3, 3), 1e-15, false),
      new Unary("cos", Ops::cos, Math::cos, uniform(-10, 10), uniform(-3, 3), 1e-15, false),
      new Unary("tan", Ops::tan, Math::tan, uniform(-1.5, 1.5), uniform(-1.2, 1.2), 1e-15, false),
      new Unary("sqrt", Ops::sqrt, Math::sqrt, uniform(0, 20), uniform(0.5, 3), 1e-15, false),
      new Unary("abs", Ops::abs, Math::abs, steps(-5, 5), awayFromZero(0.1, 3), 0, false),
      new Unary("sign", Ops::sign, Math::signum, steps(-5, 5), null, 0, false),
      new Unary("floor", Ops::floor, Math::floor, steps(-5, 5), null, 0, false),
      new Unary("ceil", Ops::ceil, Math::ceil, steps(-5, 5), null, 0, false),
      new Unary("erf", Ops::erf, ElementwisePrimitivesTest::erfSeries, uniform(-4, 4), uniform(-2, 2), 1e-14, false),
      new Unary("is_finite", Ops::isFinite, x -> Double.isFinite(x) ? 1 : 0, withSpecials(-5, 5), null, 0, true),
      new Unary("stop_gradient", Ops::stopGradient, x -> x, uniform(-5, 5), null, 0, false));

  /**
   * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)): all terms positive, so no
   * cancellation; about 1e-15 relative on [-6, 6]. Independent of the primitive's series/continued fraction.
   */
  static double erfSeries(double x) {
    if (x == 0) return x;
    double term = x, sum = x, x2 = x * x;
    for (int n = 1; n < 500; n++) {
      term *= 2 * x2 / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-18 * Math.abs(sum)) break;
    }
    return 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
  }

  static Unary unary(String name) {
    return FLOAT_UNARY.stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
  }

  static double[] map(DoubleUnaryOperator f, double[] xs) {
    double[] out = new double[xs.length];
    for (int i = 0; i < xs.length; i++) out[i] = f.applyAsDouble(xs[i]);
    return out;
  }

  // ---------------------------------------------------------------- values

  @Test
  void floatValuesMatchFloat64ReferenceInF64AndF32() {
    for (int k = 0; k < FLOAT_UNARY.size(); k++) {
      Unary u = FLOAT_UNARY.get(k);
      for (int s = 0; s < SEEDS; s++) {
        Rand r = new Rand(100 * k + s);
        int[] shape = r.shape(3, 4, true);
        NDArray x = u.values().sample(r, shape);
        String msg = u.name() + " at " + Arrays.toString(shape) + " " + r.describe();

        NDArray y = u.op().apply(x);
        assertEquals(u.boolOut() ? DType.BOOL : DType.FLOAT64, y.dtype(), msg + ": f64 result dtype");
        assertArrayEquals(shape, y.shape(), msg + ": f64 result shape");
        Check.close(map(u.ref(), x.toDoubleArray()), y, u.rtol(), 0, msg + " f64");

        NDArray x32 = x.astype(DType.FLOAT32);
        NDArray y32 = u.op().apply(x32);
        assertEquals(u.boolOut() ? DType.BOOL : DType.FLOAT32, y32.dtype(), msg + ": f32 result dtype");
        assertArrayEquals(shape, y32.shape(), msg + ": f32 result shape");
        double[] ref32 = map(u.ref(), x32.toDoubleArray());
        if (u.boolOut()) Check.close(ref32, y32, 0, 0, msg + " f32");
        else Exact.withinFloatUlps(ref32, y32, 1, msg + " f32");
      }
    }
  }

  @Test
  void specialValues() {
    double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
    // every floating primitive but is_finite propagates NaN
    for (Unary u : FLOAT_UNARY) {
      if (u.boolOut()) continue;
      for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
        NDArray y = u.op().apply(NDArray.fromFlat(new double[] {nan, nan}, d, 2));
        assertTrue(Double.isNaN(y.toDoubleArray()[0]) && Double.isNaN(y.toDoubleArray()[1]), u.name() + "(NaN) must be NaN in " + d + ", got " + y);
      }
    }
    for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      String m = " in " + d;
      Check.close(new double[] {nan, -0.0, inf, nan}, Ops.sqrt(f(d, -1, -0.0, inf, -inf)), 0, 0, "sqrt of negatives is NaN" + m);
      Check.close(new double[] {nan, -inf, -inf, inf}, Ops.log(f(d, -1, 0, -0.0, inf)), 0, 0, "log of negatives is NaN, of 0 -inf" + m);
      Check.close(new double[] {-inf, nan, inf}, Ops.log1p(f(d, -1, -2, inf)), 0, 0, "log1p at -1 and below" + m);
      Check.close(new double[] {inf, 0, 0, inf}, Ops.exp(f(d, 1000, -1000, -inf, inf)), 0, 0, "exp overflow/underflow" + m);
      Check.close(new double[] {inf, -1, -1}, Ops.expm1(f(d, 1000, -1000, -inf)), 0, 0, "expm1 overflow/underflow" + m);
      Check.close(new double[] {1, -1, 1, -1}, Ops.tanh(f(d, 1000, -1000, inf, -inf)), 0, 0, "tanh saturates" + m);
      // logistic must not compute inf/inf for large |x|
      Check.close(new double[] {1, 0, 1, 0, 0.5}, Ops.logistic(f(d, 1000, -1000, inf, -inf, 0)), 0, 0, "logistic at +-1000 and +-inf" + m);
      Check.close(new double[] {nan, nan, nan}, Ops.sin(f(d, inf, -inf, nan)), 0, 0, "sin of inf" + m);
      Check.close(new double[] {1, -1, 1, -1}, Ops.erf(f(d, inf, -inf, 40, -40)), 0, 0, "erf saturates" + m);
      Check.close(new double[] {-1, -1, 2, 2, inf}, Ops.floor(f(d, -0.5, -1, 2, 2.5, inf)), 0, 0, "floor" + m);
      Check.close(new double[] {0, -1, 2, 3, -inf}, Ops.ceil(f(d, -0.5, -1, 2, 2.5, -inf)), 0, 0, "ceil" + m);
      Check.close(new double[] {0, 0, 0, 1, 1, 1, 1}, Ops.isFinite(f(d, nan, inf, -inf, 0, -Float.MAX_VALUE, Float.MAX_VALUE, Float.MIN_VALUE)), 0, 0,
          "is_finite" + m);
      Check.close(new double[] {1, -1, 1, -1}, Ops.sign(f(d, 3, -3, inf, -inf)), 0, 0, "sign" + m);
      // signed zeros, bit for bit: sign(-0) = -0 (JAX), ceil(-0.5) = -0, abs(-0) = +0, neg(0) = -0
      Exact.sameBits(f(d, -0.0, 0.0), Ops.sign(f(d, -0.0, 0.0)), "sign of signed zeros" + m);
      Exact.sameBits(f(d, -0.0, -0.0), Ops.ceil(f(d, -0.5, -0.0)), "ceil(-0.5) is -0" + m);
      Exact.sameBits(f(d, 0.0, 0.0), Ops.abs(f(d, -0.0, 0.0)), "abs of signed zeros" + m);
      Exact.sameBits(f(d, -0.0, 0.0), Ops.neg(f(d, 0.0, -0.0)), "neg of signed zeros" + m);
    }
    // the float32 version rounds once: exp(-1000) is 0 and exp(100) overflows f32 only
    Check.close(new double[] {inf, Math.exp(88.0)}, Ops.exp(f(DType.FLOAT32, 100, 88)), 1e-7, 0, "f32 exp overflow at 100, not at 88");
  }

  @Test
  void expm1AndLog1pAreAccurateNearZero() {
    // closed forms: expm1(x) = x + x^2/2 + O(x^3), log1p(x) = x - x^2/2 + O(x^3); a naive exp(x) - 1 is off by 8e-8 relative here
    double x = 1e-10;
    Check.close(new double[] {x + x * x / 2, -x + x * x / 2}, Ops.expm1(NDArray.of(x, -x)), 1e-15, 0, "expm1 near 0");
    Check.close(new double[] {x - x * x / 2, -x - x * x / 2}, Ops.log1p(NDArray.of(x, -x)), 1e-15, 0, "log1p near 0");
    Check.close(new double[] {1e-30, -1e-30}, Ops.expm1(NDArray.of(1e-30, -1e-30)), 0, 0, "expm1 of a tiny number is itself");
    Check.close(new double[] {1e-30, -1e-30}, Ops.log1p(NDArray.of(1e-30, -1e-30)), 0, 0, "log1p of a tiny number is itself");
  }

  /** erf pinned from JAX 0.10.2: jax.scipy.special.erf in float64 (jax_enable_x64). */
  @Test
  void erfMatchesPinnedJaxValues() {
    double[] x = {0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.5, -3.5, 6.0, -6.0, 1e-10, 0.1, 1.2, 1.25, 1.224744871391589, 2.7, 4.5, 5.9, 10.0, 30.0, 1e300};
    double[] jax = {0.0, 0.5204998778130465, -0.5204998778130465, 0.8427007929497149, -0.8427007929497149, 0.9953222650189527, -0.9953222650189527,
        0.9999992569016276, -0.9999992569016276, 1.0, -1.0, 1.1283791670955126e-10, 0.1124629160182849, 0.9103139782296353, 0.9229001282564582,
        0.9167354833364496, 0.9998656672600594, 0.9999999998033839, 0.9999999999999999, 1.0, 1.0, 1.0};
    Check.close(jax, Ops.erf(NDArray.of(x)), 1e-14, 0, "erf vs JAX");
    // f32: JAX's value rounded to float
    Exact.withinFloatUlps(jax, Ops.erf(NDArray.of(x).astype(DType.FLOAT32)), 1, "erf f32 vs JAX");
    // odd symmetry, exactly, at random points of both branches (|x| below and above sqrt(1.5))
    for (int s = 0; s < SEEDS; s++) {
      Rand r = new Rand(s);
      int[] shape = r.shape(3, 5, true);
      NDArray p = r.uniform(-7, 7, shape);
      Exact.sameBits(Ops.neg(Ops.erf(p)), Ops.erf(Ops.neg(p)), "erf(-x) = -erf(x) " + r.describe());
    }
  }

  // ---------------------------------------------------------------- integers and bool

  /** An integer-accepting primitive and its reference on Java ints (i32, and u32 as raw bits), longs and booleans (null: rejected). */
  record IntUnary(String name, UnaryOperator<NDArray> op, IntUnaryOperator i32, IntUnaryOperator u32, LongUnaryOperator i64, IntUnaryOperator bool) {
    @Override public String toString() { return name; }
  }

  static final List<IntUnary> INT_UNARY = List.of(
      new IntUnary("neg", Ops::neg, v -> -v, v -> -v, v -> -v, null),
      new IntUnary("abs", Ops::abs, Math::abs, v -> v, Math::abs, null),
      new IntUnary("sign", Ops::sign, Integer::signum, v -> v == 0 ? 0 : 1, Long::signum, null),
      new IntUnary("not", Ops::not, v -> ~v, v -> ~v, v -> ~v, v -> 1 - v),
      new IntUnary("stop_gradient", Ops::stopGradient, v -> v, v -> v, v -> v, v -> v));

  static final long[] INT_EDGES = {0, 1, -1, 2, -2, 7, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1};
  static final long[] LONG_EDGES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MIN_VALUE,
      1L << 32, -(1L << 32)};

  /** Random raw values for a dtype, a third of them edge values (the extremes of i32/i64; as raw bits they are u32's). */
  static long[] intValues(Rand r, DType d, int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      boolean edge = r.nextInt(3) == 0;
      v[i] = switch (d) {
        case BOOL -> r.nextInt(2);
        case INT64 -> edge ? LONG_EDGES[r.nextInt(LONG_EDGES.length)] : r.random().nextLong();
        default -> edge ? INT_EDGES[r.nextInt(INT_EDGES.length)] : r.random().nextInt();
      };
    }
    return v;
  }

  static int size(int[] shape) { return Arrays.stream(shape).reduce(1, (a, b) -> a * b); }

  /** The expected value as {@link NDArray#toLongArray()} reports it: signed i32, unsigned u32. */
  static long expectInt(IntUnary u, DType d, long v) {
    return switch (d) {
      case INT32 -> u.i32().applyAsInt((int) v);
      case UINT32 -> Integer.toUnsignedLong(u.u32().applyAsInt((int) v));
      case INT64 -> u.i64().applyAsLong(v);
      case BOOL -> u.bool().applyAsInt((int) v);
      default -> throw new IllegalArgumentException(d.toString());
    };
  }

  @Test
  void integerAndBoolValuesMatchJavaArithmetic() {
    for (int k = 0; k < INT_UNARY.size(); k++) {
      IntUnary u = INT_UNARY.get(k);
      for (DType d : new DType[] {DType.INT32, DType.UINT32, DType.INT64, DType.BOOL}) {
        if (d == DType.BOOL && u.bool() == null) continue;
        for (int s = 0; s < SEEDS; s++) {
          Rand r = new Rand(1000 * k + s);
          int[] shape = r.shape(3, 4, true);
          long[] v = intValues(r, d, size(shape));
          NDArray x = Exact.ints(d, shape, v);
          String msg = u.name() + " " + d + " at " + Arrays.toString(shape) + " " + r.describe();
          NDArray y = u.op().apply(x);
          assertEquals(x.type(), y.type(), msg + ": result type");
          long[] expected = new long[v.length];
          long[] xs = x.toLongArray();
          for (int i = 0; i < v.length; i++) expected[i] = expectInt(u, d, xs[i]);
          Exact.sameLongs(expected, y, msg);
        }
      }
    }
  }

  @Test
  void integerEdgeCasesWrap() {
    long min = Integer.MIN_VALUE, max = Integer.MAX_VALUE;
    Exact.sameLongs(new long[] {min, -max, 0, 1}, Ops.neg(Exact.ints(DType.INT32, new int[] {4}, new long[] {min, max, 0, -1})), "i32 neg wraps at MIN");
    Exact.sameLongs(new long[] {4294967295L, 2147483648L, 0}, Ops.neg(Exact.ints(DType.UINT32, new int[] {3}, new long[] {1, 1L << 31, 0})),
        "u32 neg is 2^32 - x");
    Exact.sameLongs(new long[] {Long.MIN_VALUE}, Ops.neg(Exact.ints(DType.INT64, new int[] {1}, new long[] {Long.MIN_VALUE})), "i64 neg wraps at MIN");
    Exact.sameLongs(new long[] {min, max, 5}, Ops.abs(Exact.ints(DType.INT32, new int[] {3}, new long[] {min, -max, -5})), "i32 abs(MIN) = MIN");
    Exact.sameLongs(new long[] {4294967295L, 1}, Ops.abs(Exact.ints(DType.UINT32, new int[] {2}, new long[] {-1, 1})), "u32 abs is the identity");
    Exact.sameLongs(new long[] {1, 0, -1}, Ops.sign(Exact.ints(DType.INT64, new int[] {3}, new long[] {Long.MAX_VALUE, 0, Long.MIN_VALUE})), "i64 sign");
    Exact.sameLongs(new long[] {1, 0}, Ops.sign(Exact.ints(DType.UINT32, new int[] {2}, new long[] {1L << 31, 0})), "u32 sign of 2^31 is +1");
    Exact.sameLongs(new long[] {-1, 0, -8}, Ops.not(Exact.ints(DType.INT32, new int[] {3}, new long[] {0, -1, 7})), "i32 not is bitwise");
    Exact.sameLongs(new long[] {4294967295L, 0}, Ops.not(Exact.ints(DType.UINT32, new int[] {2}, new long[] {0, 4294967295L})), "u32 not is bitwise");
    Exact.sameLongs(new long[] {0, 1}, Ops.not(NDArray.ofBools(true, false)), "bool not");
  }

  @Test
  void dtypeRulesRejectWithTheOpName() {
    NDArray i = NDArray.ofInts(1, 2), b = NDArray.ofBools(true), x = NDArray.of(1.0);
    for (Unary u : FLOAT_UNARY) {
      if (u.name().equals("neg") || u.name().equals("abs") || u.name().equals("sign") || u.name().equals("stop_gradient")) continue;
      ShapeException e = assertThrows(ShapeException.class, () -> u.op().apply(i), u.name() + " must reject i32");
      assertTrue(e.getMessage().contains(u.name()), u.name() + ": message names the op: " + e.getMessage());
    }
    assertThrows(ShapeException.class, () -> Ops.not(x), "not rejects f64");
    assertThrows(ShapeException.class, () -> Ops.neg(b), "neg rejects bool");
  }

  // ---------------------------------------------------------------- derivatives

  @Test
  void derivativesMatchFiniteDifferencesToOrder2() {
    for (int k = 0; k < FLOAT_UNARY.size(); k++) {
      Unary u = FLOAT_UNARY.get(k);
      if (u.gradPoints() == null) continue;
      for (int s = 0; s < 5; s++) {
        Rand r = new Rand(2000 + 100 * k + s);
        int[] shape = r.shape(3, 3, true);
        NDArray x = u.gradPoints().sample(r, shape);
        GradCheck.check(u.fn(), new NDArray[] {x}, 2, r, 1e-6, u.name() + " at " + Arrays.toString(shape) + " " + r.describe());
      }
    }
  }

  /** Piecewise-constant and non-differentiable primitives, as f64-valued functions of a float input. */
  static final List<Object[]> ZERO_DERIVATIVE = List.of(
      new Object[] {"sign", (Fn) xs -> Ops.sign(xs[0])},
      new Object[] {"floor", (Fn) xs -> Ops.floor(xs[0])},
      new Object[] {"ceil", (Fn) xs -> Ops.ceil(xs[0])},
      new Object[] {"stop_gradient", (Fn) xs -> Ops.stopGradient(xs[0])},
      new Object[] {"is_finite", (Fn) xs -> Ops.convert(Ops.isFinite(xs[0]), DType.FLOAT64)},
      new Object[] {"not", (Fn) xs -> Ops.convert(Ops.not(Ops.gt(xs[0], Ops.like(xs[0], 0.0))), DType.FLOAT64)});

  @Test
  void piecewiseConstantPrimitivesHaveExactlyZeroDerivative() {
    for (Object[] z : ZERO_DERIVATIVE) {
      String name = (String) z[0];
      Fn h = (Fn) z[1];
      for (int s = 0; s < SEEDS; s++) {
        Rand r = new Rand(3000 + s);
        int[] shape = r.shape(3, 4, true);
        NDArray x = steps(-3, 3).sample(r, shape);
        String msg = name + " at " + Arrays.toString(shape) + " " + r.describe();
        NDArray g = Arrax.grad(xs -> Np.sum(h.apply(xs))).apply(x);
        assertArrayEquals(shape, g.shape(), msg + ": gradient shape");
        Check.close(new double[size(shape)], g, 0, 0, msg + ": gradient");
        NDArray t = Arrax.jvp(h, new NDArray[] {x}, new NDArray[] {r.normal(shape)}).tangentOut();
        Check.close(new double[size(shape)], t, 0, 0, msg + ": jvp tangent");
        // product rule with a zero factor: d/dx sum(h(x) * x) = h(x)
        NDArray gp = Arrax.grad(xs -> Np.sum(Ops.mul(h.apply(xs), xs[0]))).apply(x);
        Check.close(h.apply(x).toDoubleArray(), gp, 0, 0, msg + ": d/dx sum(h(x) x) = h(x)");
      }
    }
  }

  @Test
  void derivativeConventionsAtKinksAndSingularities() {
    Fn gradAbs = Arrax.grad(xs -> Np.sum(Ops.abs(xs[0])));
    // JAX: select(x >= 0, t, -t), so +1 at 0 and at -0.0
    Check.close(new double[] {1, 1, 1, -1}, gradAbs.apply(NDArray.of(0.0, -0.0, 2.0, -2.0)), 0, 0, "d|x|/dx at 0 is +1");
    // JAX: 0.5 / sqrt(x), +inf at 0
    Check.close(new double[] {Double.POSITIVE_INFINITY, 0.25, 0.5}, Arrax.grad(xs -> Np.sum(Ops.sqrt(xs[0]))).apply(NDArray.of(0.0, 4.0, 1.0)), 0, 0,
        "d sqrt at 0 is +inf");
    // y (1 - y) is exactly 0 at the saturated ends, with no NaN
    Check.close(new double[] {0, 0, 0.25}, Arrax.grad(xs -> Np.sum(Ops.logistic(xs[0]))).apply(NDArray.of(1000.0, -1000.0, 0.0)), 0, 0,
        "logistic derivative at +-1000 and 0");
    // closed forms at a few points
    Check.close(new double[] {1 - Math.tanh(0.5) * Math.tanh(0.5), 2 / Math.sqrt(Math.PI), 2 / Math.sqrt(Math.PI) * Math.exp(-1), 1 / 1.5, 2.0},
        NDArray.of(Arrax.grad(xs -> Np.sum(Ops.tanh(xs[0]))).apply(NDArray.scalar(0.5)).item(),
            Arrax.grad(xs -> Np.sum(Ops.erf(xs[0]))).apply(NDArray.scalar(0.0)).item(),
            Arrax.grad(xs -> Np.sum(Ops.erf(xs[0]))).apply(NDArray.scalar(-1.0)).item(),
            Arrax.grad(xs -> Np.sum(Ops.log1p(xs[0]))).apply(NDArray.scalar(0.5)).item(),
            Arrax.grad(xs -> Np.sum(Ops.tan(xs[0]))).apply(NDArray.scalar(Math.PI / 4)).item()),
        1e-15, 0, "tanh' erf' log1p' tan' closed forms");
  }

  // ---------------------------------------------------------------- vmap

  /** {@code shape} with a dimension of {@code size} inserted at {@code axis} (negative counts from the end of the result). */
  static int[] insertAxis(int[] shape, int axis, int size) {
    int a = axis < 0 ? axis + shape.length + 1 : axis;
    int[] out = new int[shape.length + 1];
    for (int i = 0, j = 0; i < out.length; i++) out[i] = i == a ? size : shape[j++];
    return out;
  }

  /** Batch axes to try for an example of rank {@code rank}: 0, a positive non-zero axis when there is one, and -1. */
  static int[] batchAxes(Rand r, int rank) {
    return rank == 0 ? new int[] {0, -1} : new int[] {0, 1 + r.nextInt(rank), -1};
  }

  @Test
  void vmapMatchesLoopForEveryBatchAxis() {
    for (int k = 0; k < FLOAT_UNARY.size(); k++) {
      Unary u = FLOAT_UNARY.get(k);
      for (int s = 0; s < 5; s++) {
        Rand r = new Rand(4000 + 100 * k + s);
        int[] shape = r.shape(2, 3, true);
        int batch = s == 0 ? 0 : 1 + r.nextInt(3);
        for (int axis : batchAxes(r, shape.length)) {
          NDArray x = u.values().sample(r, insertAxis(shape, axis, batch));
          for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            VmapCheck.check(u.fn(), new NDArray[] {x.astype(d)}, new Integer[] {axis}, 0,
                u.name() + " " + d + " example " + Arrays.toString(shape) + " batch " + batch + " at axis " + axis + " " + r.describe());
          }
        }
      }
    }
    for (int k = 0; k < INT_UNARY.size(); k++) {
      IntUnary u = INT_UNARY.get(k);
      for (DType d : new DType[] {DType.INT32, DType.UINT32, DType.INT64, DType.BOOL}) {
        if (d == DType.BOOL && u.bool() == null) continue;
        Rand r = new Rand(5000 + 10 * k + d.ordinal());
        int[] shape = r.shape(2, 3, true);
        int batch = 1 + r.nextInt(3);
        for (int axis : batchAxes(r, shape.length)) {
          int[] full = insertAxis(shape, axis, batch);
          NDArray x = Exact.ints(d, full, intValues(r, d, size(full)));
          VmapCheck.check(xs -> u.op().apply(xs[0]), new NDArray[] {x}, new Integer[] {axis}, 0,
              u.name() + " " + d + " example " + Arrays.toString(shape) + " batch at axis " + axis + " " + r.describe());
        }
      }
    }
  }

  // ---------------------------------------------------------------- program text

  @Test
  void programTextRoundTripsAndVerifies() {
    for (int k = 0; k < FLOAT_UNARY.size(); k++) {
      Unary u = FLOAT_UNARY.get(k);
      for (int s = 0; s < 3; s++) {
        Rand r = new Rand(6000 + 100 * k + s);
        int[] shape = r.shape(3, 3, true);
        for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
          NDArray x = u.values().sample(r, shape).astype(d);
          String msg = u.name() + " " + d + " at " + Arrays.toString(shape) + " " + r.describe();
          Program p = ProgramCheck.roundTrip(u.fn(), new NDArray[] {x}, msg);
          assertEquals(java.util.Map.of(u.name(), 1), p.primitiveCounts(), msg + ": one equation of the primitive\n" + p);
          if (u.gradPoints() != null) {
            NDArray xg = u.gradPoints().sample(r, shape).astype(d);
            ProgramCheck.roundTrip(Arrax.grad(xs -> Np.sum(u.op().apply(xs[0]))), new NDArray[] {xg}, msg + " grad");
          }
        }
      }
    }
    for (Object[] z : ZERO_DERIVATIVE) {
      Fn h = (Fn) z[1];
      Rand r = new Rand(6500);
      NDArray x = steps(-3, 3).sample(r, new int[] {2, 3});
      ProgramCheck.roundTrip(Arrax.grad(xs -> Np.sum(Ops.mul(h.apply(xs), xs[0]))), new NDArray[] {x}, z[0] + " grad of sum(h(x) x)");
    }
    for (int k = 0; k < INT_UNARY.size(); k++) {
      IntUnary u = INT_UNARY.get(k);
      for (DType d : new DType[] {DType.INT32, DType.UINT32, DType.INT64, DType.BOOL}) {
        if (d == DType.BOOL && u.bool() == null) continue;
        Rand r = new Rand(7000 + 10 * k + d.ordinal());
        int[] shape = r.shape(3, 3, true);
        NDArray x = Exact.ints(d, shape, intValues(r, d, size(shape)));
        String msg = u.name() + " " + d + " at " + Arrays.toString(shape) + " " + r.describe();
        Program p = ProgramCheck.roundTrip(xs -> u.op().apply(xs[0]), new NDArray[] {x}, msg);
        assertEquals(java.util.Map.of(u.name(), 1), p.primitiveCounts(), msg + ": one equation of the primitive\n" + p);
      }
    }
  }

  /** A 1-d array of the dtype holding the values (as {@link NDArray#astype} converts them). */
  static NDArray f(DType d, double... values) {
    return NDArray.fromFlat(values, d, values.length);
  }
}
