package dev.arrax.primitives;

import static dev.arrax.primitives.ElementwisePrimitivesTest.awayFromZero;
import static dev.arrax.primitives.ElementwisePrimitivesTest.insertAxis;
import static dev.arrax.primitives.ElementwisePrimitivesTest.intValues;
import static dev.arrax.primitives.ElementwisePrimitivesTest.size;
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
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.ProgramCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the two-operand elementwise primitives through {@link Ops} (equal shapes and dtypes,
 * no promotion): values against references written here (float64 Java arithmetic, Java int/long
 * arithmetic for the wrapping integer types, unsigned helpers for u32), derivatives to order 2, vmap for
 * every mapped/unmapped combination, and the program text round trip, f32 literals included.
 */
class BinaryPrimitivesTest {
  private static final int SEEDS = 10;

  /** Two random f64 operands of one shape. */
  @FunctionalInterface
  interface PairSampler {
    NDArray[] sample(Rand r, int[] shape);
  }

  static PairSampler independent(double lo, double hi) {
    return (r, s) -> new NDArray[] {r.uniform(lo, hi, s), r.uniform(lo, hi, s)};
  }

  /** Operands equal in about a third of the elements (ties of max/min and comparisons), NaN in some when {@code nans}. */
  static PairSampler withTies(double lo, double hi, boolean nans) {
    return (r, s) -> {
      double[] a = r.uniform(lo, hi, s).toDoubleArray(), b = r.uniform(lo, hi, s).toDoubleArray();
      for (int i = 0; i < a.length; i++) {
        int k = r.nextInt(nans ? 8 : 6);
        if (k < 2) b[i] = a[i];
        else if (k == 6) a[i] = Double.NaN;
        else if (k == 7) b[i] = Double.NaN;
      }
      return new NDArray[] {NDArray.fromFlat(a, s), NDArray.fromFlat(b, s)};
    };
  }

  /** a in [-lo.., ..), b = a + d with |d| in [0.1, 1): operands distinct by far more than the finite-difference step. */
  static PairSampler separated() {
    return (r, s) -> {
      NDArray a = r.uniform(-2, 2, s);
      return new NDArray[] {a, Ops.add(a, awayFromZero(0.1, 1).sample(r, s))};
    };
  }

  /** Divisors away from 0. */
  static PairSampler quotients(double bLo, double bHi) {
    return (r, s) -> new NDArray[] {r.uniform(-5, 5, s), awayFromZero(bLo, bHi).sample(r, s)};
  }

  /** Positive bases with real exponents; with {@code negativeBases}, a quarter negative bases with integral exponents. */
  static PairSampler powers(double aLo, double aHi, boolean negativeBases) {
    return (r, s) -> {
      double[] a = r.uniform(aLo, aHi, s).toDoubleArray(), b = r.uniform(-3, 3, s).toDoubleArray();
      for (int i = 0; negativeBases && i < a.length; i++) {
        if (r.nextInt(4) == 0) {
          a[i] = -a[i];
          b[i] = Math.rint(b[i]);
        }
      }
      return new NDArray[] {NDArray.fromFlat(a, s), NDArray.fromFlat(b, s)};
    };
  }

  /** Random raw integer operands: default edges-and-random values, or small bases and exponents for pow. */
  @FunctionalInterface
  interface IntPairSampler {
    long[][] sample(Rand r, DType d, int n);
  }

  static final IntPairSampler ANY_INTS = (r, d, n) -> new long[][] {intValues(r, d, n), intValues(r, d, n)};

  static final IntPairSampler INT_POWERS = (r, d, n) -> {
    long[] a = intValues(r, d, n), b = new long[n];
    for (int i = 0; i < n; i++) {
      if (r.nextInt(2) == 0) a[i] = d == DType.UINT32 ? r.nextInt(6) : r.nextInt(11) - 5;
      b[i] = d == DType.UINT32 ? r.nextInt(41) : r.nextInt(44) - 3;
    }
    return new long[][] {a, b};
  };

  /**
   * A two-operand primitive: how to bind it, the f64 reference (null: no floating version), value and
   * derivative sampling (derivative null: not differentiable, checked to be exactly zero), references on
   * i32 (Java int), u32 (raw int bits), i64 and bool (null: that dtype is rejected).
   */
  record Binary(String name, BinaryOperator<NDArray> op, DoubleBinaryOperator ref, PairSampler values, PairSampler gradPoints, boolean boolOut,
      IntPairSampler ints, IntBinaryOperator i32, IntBinaryOperator u32, LongBinaryOperator i64, IntBinaryOperator bool) {
    Fn fn() { return xs -> op.apply(xs[0], xs[1]); }

    @Override public String toString() { return name; }
  }

  static int ipow(int a, int b) {
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0;
    int r = 1;
    for (int i = 0; i < b; i++) r *= a;
    return r;
  }

  static long lpow(long a, long b) {
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0;
    long r = 1;
    for (long i = 0; i < b; i++) r *= a;
    return r;
  }

  static int b(boolean v) { return v ? 1 : 0; }

  static final List<Binary> BINARY = List.of(
      new Binary("add", Ops::add, Double::sum, independent(-5, 5), independent(-2, 2), false, ANY_INTS, Integer::sum, Integer::sum, Long::sum, (a, c) -> a | c),
      new Binary("sub", Ops::sub, (a, c) -> a - c, independent(-5, 5), independent(-2, 2), false, ANY_INTS, (a, c) -> a - c, (a, c) -> a - c, (a, c) -> a - c, null),
      new Binary("mul", Ops::mul, (a, c) -> a * c, independent(-5, 5), independent(-2, 2), false, ANY_INTS, (a, c) -> a * c, (a, c) -> a * c, (a, c) -> a * c,
          (a, c) -> a & c),
      // integer division truncates toward zero; by zero it gives -1 (all bits set), as Div.java documents and XLA does
      new Binary("div", Ops::div, (a, c) -> a / c, quotients(0.1, 5), quotients(0.5, 2), false, ANY_INTS, (a, c) -> c == 0 ? -1 : a / c,
          (a, c) -> c == 0 ? -1 : Integer.divideUnsigned(a, c), (a, c) -> c == 0 ? -1 : a / c, null),
      new Binary("pow", Ops::pow, Math::pow, powers(0, 3, true), powers(0.5, 2, false), false, INT_POWERS, BinaryPrimitivesTest::ipow,
          BinaryPrimitivesTest::ipow, BinaryPrimitivesTest::lpow, null),
      new Binary("max", Ops::max, Math::max, withTies(-5, 5, false), separated(), false, ANY_INTS, Math::max,
          (a, c) -> Integer.compareUnsigned(a, c) >= 0 ? a : c, Math::max, (a, c) -> a | c),
      new Binary("min", Ops::min, Math::min, withTies(-5, 5, false), separated(), false, ANY_INTS, Math::min,
          (a, c) -> Integer.compareUnsigned(a, c) <= 0 ? a : c, Math::min, (a, c) -> a & c),
      new Binary("eq", Ops::eq, (a, c) -> b(a == c), withTies(-5, 5, true), null, true, ANY_INTS, (a, c) -> b(a == c), (a, c) -> b(a == c),
          (a, c) -> b(a == c), (a, c) -> b(a == c)),
      new Binary("ne", Ops::ne, (a, c) -> b(a != c), withTies(-5, 5, true), null, true, ANY_INTS, (a, c) -> b(a != c), (a, c) -> b(a != c),
          (a, c) -> b(a != c), (a, c) -> b(a != c)),
      new Binary("lt", Ops::lt, (a, c) -> b(a < c), withTies(-5, 5, true), null, true, ANY_INTS, (a, c) -> b(a < c),
          (a, c) -> b(Integer.compareUnsigned(a, c) < 0), (a, c) -> b(a < c), (a, c) -> b(a < c)),
      new Binary("le", Ops::le, (a, c) -> b(a <= c), withTies(-5, 5, true), null, true, ANY_INTS, (a, c) -> b(a <= c),
          (a, c) -> b(Integer.compareUnsigned(a, c) <= 0), (a, c) -> b(a <= c), (a, c) -> b(a <= c)),
      new Binary("gt", Ops::gt, (a, c) -> b(a > c), withTies(-5, 5, true), null, true, ANY_INTS, (a, c) -> b(a > c),
          (a, c) -> b(Integer.compareUnsigned(a, c) > 0), (a, c) -> b(a > c), (a, c) -> b(a > c)),
      new Binary("ge", Ops::ge, (a, c) -> b(a >= c), withTies(-5, 5, true), null, true, ANY_INTS, (a, c) -> b(a >= c),
          (a, c) -> b(Integer.compareUnsigned(a, c) >= 0), (a, c) -> b(a >= c), (a, c) -> b(a >= c)),
      new Binary("and", Ops::and, null, null, null, false, ANY_INTS, (a, c) -> a & c, (a, c) -> a & c, (a, c) -> a & c, (a, c) -> a & c),
      new Binary("or", Ops::or, null, null, null, false, ANY_INTS, (a, c) -> a | c, (a, c) -> a | c, (a, c) -> a | c, (a, c) -> a | c));

  static final DType[] INT_DTYPES = {DType.INT32, DType.UINT32, DType.INT64, DType.BOOL};

  static boolean accepts(Binary u, DType d) {
    return d.isFloating() ? u.ref() != null : d == DType.BOOL ? u.bool() != null : true;
  }

  static double[] map2(DoubleBinaryOperator f, double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) out[i] = f.applyAsDouble(a[i], b[i]);
    return out;
  }

  static long expectInt(Binary u, DType d, long a, long c) {
    return switch (d) {
      case INT32 -> u.i32().applyAsInt((int) a, (int) c);
      case UINT32 -> u.boolOut() ? u.u32().applyAsInt((int) a, (int) c) : Integer.toUnsignedLong(u.u32().applyAsInt((int) a, (int) c));
      case INT64 -> u.i64().applyAsLong(a, c);
      case BOOL -> u.bool().applyAsInt((int) a, (int) c);
      default -> throw new IllegalArgumentException(d.toString());
    };
  }

  static NDArray[] intPair(Binary u, Rand r, DType d, int[] shape) {
    long[][] v = u.ints().sample(r, d, size(shape));
    return new NDArray[] {Exact.ints(d, shape, v[0]), Exact.ints(d, shape, v[1])};
  }

  // ---------------------------------------------------------------- values

  @Test
  void floatValuesMatchFloat64ReferenceInF64AndF32() {
    for (int k = 0; k < BINARY.size(); k++) {
      Binary u = BINARY.get(k);
      if (u.ref() == null) continue;
      for (int s = 0; s < SEEDS; s++) {
        Rand r = new Rand(100 * k + s);
        int[] shape = r.shape(3, 4, true);
        NDArray[] x = u.values().sample(r, shape);
        String msg = u.name() + " at " + Arrays.toString(shape) + " " + r.describe();
        NDArray y = u.op().apply(x[0], x[1]);
        assertEquals(u.boolOut() ? DType.BOOL : DType.FLOAT64, y.dtype(), msg + ": f64 result dtype");
        assertArrayEquals(shape, y.shape(), msg + ": f64 result shape");
        // the arithmetic is exactly Java's double arithmetic, so the tolerance is ~1 ulp
        Check.close(map2(u.ref(), x[0].toDoubleArray(), x[1].toDoubleArray()), y, 1e-15, 0, msg + " f64");

        NDArray a32 = x[0].astype(DType.FLOAT32), b32 = x[1].astype(DType.FLOAT32);
        NDArray y32 = u.op().apply(a32, b32);
        assertEquals(u.boolOut() ? DType.BOOL : DType.FLOAT32, y32.dtype(), msg + ": f32 result dtype");
        double[] ref32 = map2(u.ref(), a32.toDoubleArray(), b32.toDoubleArray());
        if (u.boolOut()) Check.close(ref32, y32, 0, 0, msg + " f32");
        else Exact.withinFloatUlps(ref32, y32, 1, msg + " f32");
      }
    }
    // + - * / of two floats rounded once equals Java float arithmetic, bit for bit
    Rand r = new Rand(99);
    NDArray a = r.uniform(-5, 5, 50).astype(DType.FLOAT32), c = awayFromZero(0.1, 5).sample(r, new int[] {50}).astype(DType.FLOAT32);
    float[] af = a.toFloatArray(), cf = c.toFloatArray();
    float[][] expect = new float[4][50];
    for (int i = 0; i < 50; i++) {
      expect[0][i] = af[i] + cf[i];
      expect[1][i] = af[i] - cf[i];
      expect[2][i] = af[i] * cf[i];
      expect[3][i] = af[i] / cf[i];
    }
    Exact.sameBits(NDArray.fromFlat(expect[0], 50), Ops.add(a, c), "f32 add is float addition");
    Exact.sameBits(NDArray.fromFlat(expect[1], 50), Ops.sub(a, c), "f32 sub is float subtraction");
    Exact.sameBits(NDArray.fromFlat(expect[2], 50), Ops.mul(a, c), "f32 mul is float multiplication");
    Exact.sameBits(NDArray.fromFlat(expect[3], 50), Ops.div(a, c), "f32 div is float division");
  }

  @Test
  void specialFloatValues() {
    double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
    for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      String m = " in " + d;
      NDArray p = f(d, nan, 1, nan, -inf, 2), q = f(d, 1, nan, nan, nan, 3);
      Check.close(new double[] {nan, nan, nan, nan, 3}, Ops.max(p, q), 0, 0, "max propagates NaN from either side" + m);
      Check.close(new double[] {nan, nan, nan, nan, 2}, Ops.min(p, q), 0, 0, "min propagates NaN from either side" + m);
      NDArray one = f(d, nan, 1, nan), other = f(d, 1, nan, nan);
      for (String c : new String[] {"eq", "lt", "le", "gt", "ge"}) {
        Check.close(new double[] {0, 0, 0}, binary(c).op().apply(one, other), 0, 0, c + " with NaN is false" + m);
      }
      Check.close(new double[] {1, 1, 1}, Ops.ne(one, other), 0, 0, "ne with NaN is true" + m);
      Check.close(new double[] {1, 0, 1, 0}, Ops.eq(f(d, 0.0, inf, inf, -inf), f(d, -0.0, -inf, inf, inf)), 0, 0, "eq: -0 == 0, infinities" + m);
      Check.close(new double[] {inf, -inf, nan, -inf}, Ops.div(f(d, 1, -1, 0, 1), f(d, 0, 0, 0, -0.0)), 0, 0, "division by zero" + m);
      Check.close(new double[] {1, inf, 0, -8, nan, 1, 0}, Ops.pow(f(d, 0, 0, 0, -2, -2, nan, inf), f(d, 0, -1, 2, 3, 0.5, 0, -1)), 0, 0,
          "pow at 0, negative bases, NaN^0 = 1" + m);
      Check.close(new double[] {nan, inf}, Ops.add(f(d, inf, inf), f(d, -inf, inf)), 0, 0, "inf - inf is NaN" + m);
    }
    Check.close(new double[] {Double.POSITIVE_INFINITY}, Ops.mul(f(DType.FLOAT32, 3e38), f(DType.FLOAT32, 2)), 0, 0, "f32 mul overflows at 6e38");
  }

  // ---------------------------------------------------------------- integers and bool

  @Test
  void integerAndBoolValuesMatchJavaArithmetic() {
    for (int k = 0; k < BINARY.size(); k++) {
      Binary u = BINARY.get(k);
      for (DType d : INT_DTYPES) {
        if (!accepts(u, d)) continue;
        for (int s = 0; s < SEEDS; s++) {
          Rand r = new Rand(1000 * k + 10 * d.ordinal() + s);
          int[] shape = r.shape(3, 4, true);
          NDArray[] x = intPair(u, r, d, shape);
          String msg = u.name() + " " + d + " at " + Arrays.toString(shape) + " " + r.describe();
          NDArray y = u.op().apply(x[0], x[1]);
          assertEquals(u.boolOut() ? DType.BOOL : d, y.dtype(), msg + ": result dtype");
          assertArrayEquals(shape, y.shape(), msg + ": result shape");
          long[] a = x[0].toLongArray(), c = x[1].toLongArray(), expected = new long[a.length];
          for (int i = 0; i < a.length; i++) expected[i] = expectInt(u, d, a[i], c[i]);
          Exact.sameLongs(expected, y, msg);
        }
      }
    }
  }

  @Test
  void integerEdgeCasesWrapAndDivideByZeroGivesMinusOne() {
    long min = Integer.MIN_VALUE, max = Integer.MAX_VALUE, u32max = 4294967295L;
    Exact.sameLongs(new long[] {min, max, -2, min}, Ops.add(i32(max, min, max, min), i32(1, -1, max, 0)), "i32 add wraps: MAX + 1 = MIN");
    Exact.sameLongs(new long[] {max, -1}, Ops.sub(i32(min, max), i32(1, min)), "i32 sub wraps: MIN - 1 = MAX");
    Exact.sameLongs(new long[] {-2, 0, min}, Ops.mul(i32(max, 1 << 16, min), i32(2, 1 << 16, -1)), "i32 mul wraps");
    Exact.sameLongs(new long[] {3, -3, -3, -1, -1, min, 0}, Ops.div(i32(7, -7, 7, 5, 0, min, 3), i32(2, 2, -2, 0, 0, -1, 4)),
        "i32 div truncates; x / 0 = -1; MIN / -1 = MIN");
    Exact.sameLongs(new long[] {0, u32max, 0, u32max, 1}, Ops.add(u32(u32max, 0, 1L << 31, 1L << 31, 0), u32(1, u32max, 1L << 31, max, 1)),
        "u32 add wraps at 2^32");
    Exact.sameLongs(new long[] {u32max, 1L << 31}, Ops.sub(u32(0, 0), u32(1, 1L << 31)), "u32 0 - 1 = 2^32 - 1");
    Exact.sameLongs(new long[] {2147483647, u32max, 0, 0, 1}, Ops.div(u32(u32max, 5, 0, 3, u32max), u32(2, 0, 1, 4, u32max)),
        "u32 div is unsigned; x / 0 = all bits set");
    Exact.sameLongs(new long[] {1, 0}, Ops.gt(u32(u32max, 1), u32(1, u32max)), "u32 compares unsigned");
    Exact.sameLongs(new long[] {u32max, 1L << 31}, Ops.max(u32(u32max, 1L << 31), u32(1, 7)), "u32 max is unsigned");
    Exact.sameLongs(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, -1}, Ops.add(
        Exact.ints(DType.INT64, new int[] {4}, new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, 0}),
        Exact.ints(DType.INT64, new int[] {4}, new long[] {1, -1, 0, -1})), "i64 add wraps at 2^63");
    Exact.sameLongs(new long[] {Long.MIN_VALUE, -1}, Ops.div(Exact.ints(DType.INT64, new int[] {2}, new long[] {Long.MIN_VALUE, 9}),
        Exact.ints(DType.INT64, new int[] {2}, new long[] {-1, 0})), "i64 MIN / -1 = MIN, x / 0 = -1");
    Exact.sameLongs(new long[] {1024, 0, 1, -1, 1, 1, 0, min}, Ops.pow(i32(2, 2, 1, -1, -1, 7, 0, 2), i32(10, -1, -5, -3, -2, 0, 3, 31)),
        "i32 pow: negative exponents give 0 unless the base is +-1; 2^31 wraps");
    Exact.sameLongs(new long[] {0, 6, 7, 1}, Ops.and(i32(12, 7, -1, 1), i32(3, 14, 7, -1)), "i32 and is bitwise");
    Exact.sameLongs(new long[] {15, 15, -1}, Ops.or(i32(12, 7, -1), i32(3, 8, 0)), "i32 or is bitwise");
    NDArray tf = NDArray.ofBools(true, true, false, false), ft = NDArray.ofBools(true, false, true, false);
    Exact.sameLongs(new long[] {1, 0, 0, 0}, Ops.and(tf, ft), "bool and");
    Exact.sameLongs(new long[] {1, 1, 1, 0}, Ops.or(tf, ft), "bool or");
    Exact.sameLongs(new long[] {1, 1, 1, 0}, Ops.add(tf, ft), "bool add is or (NumPy)");
    Exact.sameLongs(new long[] {1, 0, 0, 0}, Ops.mul(tf, ft), "bool mul is and (NumPy)");
    Exact.sameLongs(new long[] {0, 1, 0, 0}, Ops.gt(tf, ft), "bool gt: true > false");
  }

  @Test
  void dtypeAndShapeRulesRejectWithTheOpName() {
    NDArray bools = NDArray.ofBools(true, false), x = NDArray.of(1.0, 2.0);
    for (String n : new String[] {"sub", "div", "pow"}) {
      ShapeException e = assertThrows(ShapeException.class, () -> binary(n).op().apply(bools, bools), n + " must reject bool");
      assertTrue(e.getMessage().contains(n), n + ": the message names the op: " + e.getMessage());
    }
    for (String n : new String[] {"and", "or"}) {
      ShapeException e = assertThrows(ShapeException.class, () -> binary(n).op().apply(x, x), n + " must reject f64");
      assertTrue(e.getMessage().contains(n), n + ": the message names the op: " + e.getMessage());
    }
    for (Binary u : BINARY) {
      NDArray a = u.ref() == null ? NDArray.ofInts(1, 2) : x;
      assertThrows(ShapeException.class, () -> u.op().apply(a, Ops.reshape(a, 2, 1)), u.name() + ": lax semantics reject unequal shapes");
      assertThrows(ShapeException.class, () -> u.op().apply(NDArray.ofInts(1, 2), NDArray.ofLongs(1, 2)), u.name() + ": lax semantics reject mixed dtypes");
    }
  }

  // ---------------------------------------------------------------- derivatives

  @Test
  void derivativesMatchFiniteDifferencesToOrder2() {
    for (int k = 0; k < BINARY.size(); k++) {
      Binary u = BINARY.get(k);
      if (u.gradPoints() == null) continue;
      for (int s = 0; s < 5; s++) {
        Rand r = new Rand(2000 + 100 * k + s);
        int[] shape = r.shape(3, 3, true);
        NDArray[] x = u.gradPoints().sample(r, shape);
        GradCheck.check(u.fn(), x, 2, r, 1e-6, u.name() + " at " + Arrays.toString(shape) + " " + r.describe());
      }
    }
  }

  static final List<Object[]> ZERO_DERIVATIVE = new ArrayList<>();

  static {
    for (String c : new String[] {"eq", "ne", "lt", "le", "gt", "ge"}) {
      ZERO_DERIVATIVE.add(new Object[] {c, (Fn) xs -> Ops.convert(binary(c).op().apply(xs[0], xs[1]), DType.FLOAT64)});
    }
    for (String c : new String[] {"and", "or"}) {
      ZERO_DERIVATIVE.add(new Object[] {c, (Fn) xs -> Ops.convert(
          binary(c).op().apply(Ops.gt(xs[0], Ops.like(xs[0], 0.0)), Ops.lt(xs[1], Ops.like(xs[1], 0.5))), DType.FLOAT64)});
    }
  }

  @Test
  void comparisonsAndLogicalOpsHaveExactlyZeroDerivative() {
    for (Object[] z : ZERO_DERIVATIVE) {
      String name = (String) z[0];
      Fn h = (Fn) z[1];
      for (int s = 0; s < 5; s++) {
        Rand r = new Rand(3000 + s);
        int[] shape = r.shape(3, 4, true);
        NDArray[] x = withTies(-2, 2, false).sample(r, shape);
        String msg = name + " at " + Arrays.toString(shape) + " " + r.describe();
        for (int argnum = 0; argnum < 2; argnum++) {
          NDArray g = Arrax.grad(xs -> Np.sum(h.apply(xs)), argnum).apply(x);
          Check.close(new double[size(shape)], g, 0, 0, msg + ": gradient w.r.t. argument " + argnum);
        }
        NDArray t = Arrax.jvp(h, x, new NDArray[] {r.normal(shape), r.normal(shape)}).tangentOut();
        Check.close(new double[size(shape)], t, 0, 0, msg + ": jvp tangent");
        // product rule with a zero factor: d/dx sum(h(x, y) x) = h(x, y)
        NDArray gp = Arrax.grad(xs -> Np.sum(Ops.mul(h.apply(xs), xs[0]))).apply(x);
        Check.close(h.apply(x).toDoubleArray(), gp, 0, 0, msg + ": d/dx sum(h(x, y) x) = h(x, y)");
      }
    }
  }

  @Test
  void derivativeConventionsPinnedFromJax() {
    // jax.grad(lax.max, (0, 1))(1., 1.) == (0.5, 0.5), same for min; d max(x, x)/dx == 1
    NDArray a = NDArray.of(1.0, -2.0, 3.0), c = NDArray.of(1.0, -2.0, 0.0);
    for (String n : new String[] {"max", "min"}) {
      Fn f = xs -> Np.sum(binary(n).op().apply(xs[0], xs[1]));
      double off = n.equals("max") ? 1 : 0;
      Check.close(new double[] {0.5, 0.5, off}, Arrax.grad(f, 0).apply(a, c), 0, 0, n + ": d/dx at ties is 0.5");
      Check.close(new double[] {0.5, 0.5, 1 - off}, Arrax.grad(f, 1).apply(a, c), 0, 0, n + ": d/dy at ties is 0.5");
      Check.close(new double[] {1, 1, 1}, Arrax.grad(xs -> Np.sum(binary(n).op().apply(xs[0], xs[0]))).apply(a), 0, 0, n + "(x, x)' = 1");
    }
    // jax.grad(lax.div, (0, 1))(3., 2.) == (0.5, -0.75)
    Fn div = xs -> Np.sum(Ops.div(xs[0], xs[1]));
    assertEquals(0.5, Arrax.grad(div, 0).apply(NDArray.scalar(3.0), NDArray.scalar(2.0)).item(), 0, "d(a/b)/da");
    assertEquals(-0.75, Arrax.grad(div, 1).apply(NDArray.scalar(3.0), NDArray.scalar(2.0)).item(), 0, "d(a/b)/db");
    // pow, pinned from JAX: d/db at (0, 2) = 0 (log 0 replaced by 0); d/da at (0, 2) = 0; d/db at (2, 0) = log 2;
    // d/da at (2, 3) = 12, d/db at (2, 3) = 8 log 2.
    Fn pow = xs -> Np.sum(Ops.pow(xs[0], xs[1]));
    NDArray base = NDArray.of(0.0, 2.0, 2.0, 0.0), exponent = NDArray.of(2.0, 0.0, 3.0, 0.0);
    // at (0, 0) d/da is NaN, as jax.grad(lax.pow) gives with a float exponent (0 * 0^-1)
    Check.close(new double[] {0, 0, 12, Double.NaN}, Arrax.grad(pow, 0).apply(base, exponent), 1e-15, 0, "d pow / d base");
    Check.close(new double[] {0, 0.6931471805599453, 8 * 0.6931471805599453, 0}, Arrax.grad(pow, 1).apply(base, exponent), 1e-15, 0,
        "d pow / d exponent, 0 at base 0");
  }

  // ---------------------------------------------------------------- vmap

  /** Moves axis 0 of {@code x} to {@code axis} (negative counts from the end). */
  static NDArray moveFront(NDArray x, int axis) {
    int n = x.ndim(), a = axis < 0 ? axis + n : axis;
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i == a ? 0 : i < a ? i + 1 : i;
    return Ops.transpose(x, perm);
  }

  /** All in_axes pairs: both mapped (at 0, at non-zero axes, mixed, negative), one mapped and one not. */
  static List<Integer[]> axisPairs(Rand r, int rank) {
    int k = rank == 0 ? 0 : 1 + r.nextInt(rank), j = rank == 0 ? 0 : 1 + r.nextInt(rank);
    List<Integer[]> out = new ArrayList<>(List.of(new Integer[] {0, 0}, new Integer[] {0, null}, new Integer[] {null, 0}, new Integer[] {-1, 0},
        new Integer[] {0, -1}));
    if (rank > 0) {
      out.addAll(List.of(new Integer[] {0, k}, new Integer[] {k, 0}, new Integer[] {k, j}, new Integer[] {k, null}, new Integer[] {null, k}));
    }
    return out;
  }

  /**
   * Operands for {@code inAxes} from a pair sampled example-major ([batch, ...shape]): a mapped operand has
   * its batch axis moved to its in_axis, an unmapped one is the first example. Keeps ties between operands.
   */
  static NDArray[] layout(NDArray[] exampleMajor, Integer[] inAxes) {
    NDArray[] out = new NDArray[2];
    for (int i = 0; i < 2; i++) {
      out[i] = inAxes[i] == null ? dev.arrax.Lax.indexInDim(exampleMajor[i], 0, 0, false) : moveFront(exampleMajor[i], inAxes[i]);
    }
    return out;
  }

  @Test
  void vmapMatchesLoopForEveryAxisCombination() {
    for (int k = 0; k < BINARY.size(); k++) {
      Binary u = BINARY.get(k);
      List<DType> dtypes = new ArrayList<>();
      if (u.ref() != null) dtypes.addAll(List.of(DType.FLOAT64, DType.FLOAT32));
      dtypes.add(DType.INT32);
      if (u.bool() != null) dtypes.add(DType.BOOL);
      for (DType d : dtypes) {
        Rand r = new Rand(4000 + 100 * k + d.ordinal());
        int[] shape = r.shape(2, 3, true);
        for (Integer[] axes : axisPairs(r, shape.length)) {
          boolean bothMapped = axes[0] != null && axes[1] != null;
          int batch = bothMapped && r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(3);
          int[] full = insertAxis(shape, 0, batch);
          NDArray[] pair = d.isFloating() ? u.values().sample(r, full) : intPair(u, r, d, full);
          pair = new NDArray[] {pair[0].astype(d), pair[1].astype(d)};
          VmapCheck.check(u.fn(), layout(pair, axes), axes, 0,
              u.name() + " " + d + " example " + Arrays.toString(shape) + " batch " + batch + " in_axes " + Arrays.toString(axes) + " " + r.describe());
        }
      }
    }
  }

  // ---------------------------------------------------------------- program text

  @Test
  void programTextRoundTripsAndVerifies() {
    for (int k = 0; k < BINARY.size(); k++) {
      Binary u = BINARY.get(k);
      for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32, DType.INT32, DType.UINT32, DType.INT64, DType.BOOL}) {
        if (!accepts(u, d)) continue;
        Rand r = new Rand(6000 + 100 * k + d.ordinal());
        int[] shape = r.shape(3, 3, true);
        NDArray[] x = d.isFloating() ? u.values().sample(r, shape) : intPair(u, r, d, shape);
        x = new NDArray[] {x[0].astype(d), x[1].astype(d)};
        String msg = u.name() + " " + d + " at " + Arrays.toString(shape) + " " + r.describe();
        Program p = ProgramCheck.roundTrip(u.fn(), x, msg);
        assertEquals(Map.of(u.name(), 1), p.primitiveCounts(), msg + ": one equation of the primitive\n" + p);
        if (u.gradPoints() != null && d.isFloating()) {
          NDArray[] g = u.gradPoints().sample(r, shape);
          g = new NDArray[] {g[0].astype(d), g[1].astype(d)};
          for (int argnum = 0; argnum < 2; argnum++) {
            ProgramCheck.roundTrip(Arrax.grad(xs -> Np.sum(u.op().apply(xs[0], xs[1])), argnum), g, msg + " grad w.r.t. argument " + argnum);
          }
        }
      }
    }
    for (Object[] z : ZERO_DERIVATIVE) {
      Fn h = (Fn) z[1];
      NDArray[] x = withTies(-2, 2, false).sample(new Rand(6500), new int[] {2, 3});
      ProgramCheck.roundTrip(Arrax.grad(xs -> Np.sum(Ops.mul(h.apply(xs), xs[0]))), x, z[0] + " grad of sum(h(x, y) x)");
    }
  }

  @Test
  void f32LiteralsAndConstantsSurviveTheTextRoundTripBitExactly() {
    for (int s = 0; s < SEEDS; s++) {
      Rand r = new Rand(8000 + s);
      int[] shape = r.shape(3, 4, true);
      NDArray x = r.uniform(-5, 5, shape).astype(DType.FLOAT32);
      String msg = "x * 0.1f at " + Arrays.toString(shape) + " " + r.describe();
      Program p = ProgramCheck.roundTrip(xs -> Ops.mul(xs[0], Ops.full(xs[0].type(), 0.1f)), new NDArray[] {x}, msg);
      assertTrue(p.toText().contains(" 0.1:f32[]"), msg + ": 0.1f is a literal printed as 0.1\n" + p.toText());
      // the program computes x * 0.1f in float arithmetic
      float[] xf = x.toFloatArray(), expected = new float[xf.length];
      for (int i = 0; i < xf.length; i++) expected[i] = xf[i] * 0.1f;
      Exact.sameBits(NDArray.fromFlat(expected, shape), Program.parse(p.toText()).call(x)[0], msg + ": parsed program computes x * 0.1f");
    }

    // many f32 and f64 literals: random bit patterns (subnormals included), signed zeros, extremes, infinities, NaN
    Rand r = new Rand(8100);
    List<Double> f32 = new ArrayList<>(List.of((double) 0.1f, (double) (1f / 3f), -0.0, 0.0, (double) Float.MIN_VALUE, (double) -Float.MIN_NORMAL,
        (double) Float.MAX_VALUE, (double) Math.nextDown(1f), (double) 16777217f, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
    List<Double> f64 = new ArrayList<>(List.of(0.1, 1.0 / 3, -0.0, Double.MIN_VALUE, -Double.MIN_NORMAL, Double.MAX_VALUE, Math.nextDown(1.0),
        9007199254740993.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
    while (f32.size() < 200) {
      float v = Float.intBitsToFloat(r.random().nextInt());
      if (!Float.isNaN(v)) f32.add((double) v);
    }
    while (f64.size() < 200) {
      double v = Double.longBitsToDouble(r.random().nextLong());
      if (!Double.isNaN(v)) f64.add(v);
    }
    literalsRoundTrip(DType.FLOAT32, f32);
    literalsRoundTrip(DType.FLOAT64, f64);

    // a closed-over f32 array becomes a program constant printed in the text: its bits survive too
    float[] bits = new float[64];
    for (int i = 0; i < bits.length; i++) {
      do bits[i] = Float.intBitsToFloat(r.random().nextInt()); while (Float.isNaN(bits[i]));
    }
    bits[0] = -0.0f;
    bits[1] = Float.MIN_VALUE;
    NDArray constant = NDArray.fromFlat(bits, 8, 8);
    NDArray x = r.uniform(-1, 1, 8, 8).astype(DType.FLOAT32);
    Program p = ProgramCheck.roundTrip(xs -> Ops.add(xs[0], constant), new NDArray[] {x}, "x + f32 constant");
    Program q = Program.parse(p.toText());
    assertEquals(p.constValues().size(), q.constValues().size(), "constants after parsing");
    for (int i = 0; i < p.constValues().size(); i++) Exact.sameBits(p.constValues().get(i), q.constValues().get(i), "constant " + i + " after parsing");
    Exact.sameBits(constant, Program.parse(p.toText()).call(Ops.full(x.type(), -0.0))[0], "-0 + constant is the constant, bit for bit");
  }

  /** One program holding each value as a scalar literal; the parsed program holds the same literals, bit for bit. */
  private static void literalsRoundTrip(DType d, List<Double> values) {
    Fn f = xs -> {
      NDArray acc = xs[0];
      for (double v : values) acc = Ops.add(acc, Ops.mul(xs[0], Ops.scalar(v, d)));
      return acc;
    };
    NDArray x = Ops.scalar(0.5, d);
    Program p = ProgramCheck.roundTrip(f, new NDArray[] {x}, d + " literals");
    List<NDArray> before = literals(p), after = literals(Program.parse(p.toText()));
    assertEquals(values.size(), before.size(), d + ": every constant is a literal\n" + p);
    assertEquals(before.size(), after.size(), d + ": literal count after parsing");
    for (int i = 0; i < before.size(); i++) {
      Exact.sameBits(Ops.scalar(values.get(i), d), before.get(i), d + " literal " + i + " in the traced program");
      Exact.sameBits(before.get(i), after.get(i), d + " literal " + i + " (" + values.get(i) + ") after parsing");
    }
  }

  private static List<NDArray> literals(Program p) {
    List<NDArray> out = new ArrayList<>();
    for (Eqn e : p.eqns()) for (Atom a : e.inputs()) if (a instanceof Literal l) out.add(l.value());
    return out;
  }

  static Binary binary(String name) {
    return BINARY.stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
  }

  static NDArray f(DType d, double... values) {
    return NDArray.fromFlat(values, d, values.length);
  }

  static NDArray i32(long... v) {
    return Exact.ints(DType.INT32, new int[] {v.length}, v);
  }

  static NDArray u32(long... v) {
    return Exact.ints(DType.UINT32, new int[] {v.length}, v);
  }
}
