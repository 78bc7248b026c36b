package dev.arrax.compile.cpu.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Accuracy of {@link VectorMath} against float64 {@code Math} (erf: a float64 series written here),
 * in float32 ulps of the correctly rounded result, over every 997th float bit pattern (offset from a
 * printed seed) plus 2 x 2^17 consecutive floats around each function's critical points (0, 1,
 * overflow and underflow thresholds, clamps, branch boundaries) and their negatives; and that the
 * array, per-vector and {@link ScalarMath} versions agree bitwise on all of them.
 *
 * <p>Measured maxima over these samples (this test prints them): exp 0.98, expm1 1.43, log 0.83,
 * log1p 2.32, logistic 2.07, tanh 4.32, erf 1.27, sin 1.47 (1.45 for |x| < 1e4), cos 1.44 (1.43)
 * ulps; an exhaustive run over every float gave the maxima in {@link VectorMath}'s Javadoc (tanh
 * 4.90). Asserted: <= 4 for exp/expm1/log/log1p/logistic and for sin/cos at every sampled x (the
 * brief asks |x| < 1e4), <= 5 for tanh/erf.
 */
class VectorMathTest {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int STRIDE = 997;
  private static final int WINDOW = 1 << 17;
  private static final long SEED = 20261126L;

  interface ArrayOp { void apply(float[] in, int inOff, float[] out, int outOff, int n); }
  interface ScalarOp { float apply(float x); }
  interface LaneOp { void apply(float[] in, int i, float[] out, int o); }

  /** The one-vector array methods generated kernels call ({@code VectorMath.expLanes} ...). */
  static final Map<String, LaneOp> LANE_METHODS = new LinkedHashMap<>();

  static {
    LANE_METHODS.put("exp", VectorMath::expLanes);
    LANE_METHODS.put("expm1", VectorMath::expm1Lanes);
    LANE_METHODS.put("log", VectorMath::logLanes);
    LANE_METHODS.put("log1p", VectorMath::log1pLanes);
    LANE_METHODS.put("tanh", VectorMath::tanhLanes);
    LANE_METHODS.put("logistic", VectorMath::logisticLanes);
    LANE_METHODS.put("erf", VectorMath::erfLanes);
    LANE_METHODS.put("sin", VectorMath::sinLanes);
    LANE_METHODS.put("cos", VectorMath::cosLanes);
  }

  /** One function: its three implementations, the float64 reference, the bound and critical points. */
  record Fn(String name, ArrayOp array, ScalarOp scalar, UnaryOperator<FloatVector> lane,
      DoubleUnaryOperator ref, double bound, float... centers) {}

  static final Map<String, Fn> FNS = new LinkedHashMap<>();

  static {
    add(new Fn("exp", VectorMath::exp, ScalarMath::exp, VectorMath::exp, Math::exp, 4,
        0f, 0x1p-24f, 0x1p-12f, 0.34657359f, 1f, 88.72283f, 87.33654f, 103.97208f, 89f, 104f));
    add(new Fn("expm1", VectorMath::expm1, ScalarMath::expm1, VectorMath::expm1, Math::expm1, 4,
        0f, 0x1p-24f, 0x1p-12f, 0.34657359f, 1.0397208f, 17.328680f, 88.72283f, 0.5f));
    add(new Fn("log", VectorMath::log, ScalarMath::log, VectorMath::log, Math::log, 4,
        0f, 1f, Float.MIN_NORMAL, 0.70710678f, 1.41421356f, 2f, Float.MAX_VALUE));
    add(new Fn("log1p", VectorMath::log1p, ScalarMath::log1p, VectorMath::log1p, Math::log1p, 4,
        0f, 0x1p-24f, 0x1p-12f, 1f, 0.99999994f, 0.5f, 1e30f));
    add(new Fn("tanh", VectorMath::tanh, ScalarMath::tanh, VectorMath::tanh, Math::tanh, 5,
        0f, 0.0004f, 0.03f, 1f, 7.9988117f, 9.010913f));
    add(new Fn("logistic", VectorMath::logistic, ScalarMath::logistic, VectorMath::logistic,
        VectorMathTest::logisticRef, 4, 0f, 16.635532f, 87.33654f, 103.97208f, 1f));
    add(new Fn("erf", VectorMath::erf, ScalarMath::erf, VectorMath::erf, VectorMathTest::erfRef, 5,
        0f, 0x1p-12f, 1f, 3.9192812f, 4f));
    add(new Fn("sin", VectorMath::sin, ScalarMath::sin, VectorMath::sin, Math::sin, 4,
        0f, 0.78539816f, 1.5707964f, 3.1415927f, 9999.f, 10000.f, 71476.0625f, 117435.992f,
        6.2831855f * 1000f));
    add(new Fn("cos", VectorMath::cos, ScalarMath::cos, VectorMath::cos, Math::cos, 4,
        0f, 0.78539816f, 1.5707964f, 3.1415927f, 9999.f, 10000.f, 71476.0625f, 117435.992f,
        1.5707964f * 6367f));
  }

  private static void add(Fn f) {
    FNS.put(f.name(), f);
  }

  // ---- the float64 references ----

  static double logisticRef(double x) {
    return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
  }

  /**
   * erf in float64: the reference evaluator's SpecialFunctions.erf (incomplete-gamma series and
   * continued fraction, about 1e-16 relative), an algorithm independent of the float32 polynomials
   * under test.
   */
  static double erfRef(double x) {
    return dev.arrax.primitives.SpecialFunctions.erf(x);
  }

  /**
   * |y - ref| in units of the float32 ulp at ref (2^(e-23) for 2^e <= |ref| < 2^(e+1), 2^-149 for
   * subnormals), so a result one float away across a power of two counts its true distance. A ref
   * that rounds to +-inf demands y = +-inf; an infinite y otherwise counts as +-2^128.
   */
  static double ulpError(float y, double ref) {
    if (Double.isNaN(ref)) return Float.isNaN(y) ? 0 : Double.POSITIVE_INFINITY;
    if (Float.isNaN(y)) return Double.POSITIVE_INFINITY;
    if (Float.isInfinite((float) ref)) return y == (float) ref ? 0 : Double.POSITIVE_INFINITY;
    double yv = Float.isInfinite(y) ? Math.copySign(0x1p128, y) : y;
    int e = Math.max(Math.getExponent(ref), -126);
    return Math.abs(yv - ref) / Math.scalb(1.0, e - 23);
  }

  // ---- samples ----

  /** Every STRIDE-th bit pattern from a seeded offset, plus windows of floats around +-centers. */
  static float[] samples(Fn f, long seed) {
    int offset = new Random(seed).nextInt(STRIDE);
    int sweep = (int) (((1L << 32) - offset + STRIDE - 1) / STRIDE);
    float[] s = new float[sweep + f.centers().length * 4 * WINDOW];
    int k = 0;
    for (long b = offset; b < (1L << 32); b += STRIDE) s[k++] = Float.intBitsToFloat((int) b);
    for (float c : f.centers()) {
      int bits = Float.floatToRawIntBits(c);
      int lo = c == 0 ? 0 : bits - WINDOW;
      for (int i = 0; i < 2 * WINDOW; i++) {
        float x = Float.intBitsToFloat(lo + i);
        s[k++] = x;
        s[k++] = -x;
      }
    }
    return Arrays.copyOf(s, k);
  }

  // ---- accuracy and agreement over the sweep ----

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"exp", "expm1", "log", "log1p", "tanh", "logistic", "erf", "sin", "cos"})
  void accurateOverTheFloatRangeAndAllVersionsAgreeBitwise(String name) {
    Fn f = FNS.get(name);
    float[] xs = samples(f, SEED);
    float[] vec = new float[xs.length];
    f.array().apply(xs, 0, vec, 0, xs.length);
    float[] lane = lanes(f, xs);
    float[] laneMethod = laneMethod(name, xs);
    double max = 0;
    float worst = Float.NaN;
    double maxSmall = 0; // |x| < 1e4, for sin/cos
    int n = xs.length;
    for (int i = 0; i < n; i++) {
      float x = xs[i];
      float v = vec[i];
      float s = f.scalar().apply(x);
      if (Float.floatToRawIntBits(s) != Float.floatToRawIntBits(v) && !(Float.isNaN(s) && Float.isNaN(v))) {
        fail(name + "(" + x + " = " + Float.toHexString(x) + "): vector " + v + " but scalar " + s
            + " (seed=" + SEED + ")");
      }
      if (Float.floatToRawIntBits(lane[i]) != Float.floatToRawIntBits(v) && !(Float.isNaN(lane[i]) && Float.isNaN(v))) {
        fail(name + "(" + x + "): per-vector " + lane[i] + " but array " + v + " (seed=" + SEED + ")");
      }
      if (Float.floatToRawIntBits(laneMethod[i]) != Float.floatToRawIntBits(v) && !(Float.isNaN(laneMethod[i]) && Float.isNaN(v))) {
        fail(name + "(" + x + "): " + name + "Lanes " + laneMethod[i] + " but array " + v + " (seed=" + SEED + ")");
      }
      double err = ulpError(v, f.ref().applyAsDouble(x));
      if (err > max) {
        max = err;
        worst = x;
      }
      if (Math.abs(x) < 1e4f) maxSmall = Math.max(maxSmall, err);
    }
    System.out.printf("%-8s max %.3f ulp at x = %s (%s); %d samples; vector, per-vector, lane method and scalar bitwise equal%s%n",
        name, max, worst, Float.toHexString(worst), n,
        name.equals("sin") || name.equals("cos") ? String.format(" (|x| < 1e4: %.3f)", maxSmall) : "");
    assertTrue(max <= f.bound(), name + ": max error " + max + " ulp at x = " + worst + " ("
        + Float.toHexString(worst) + "): got " + f.scalar().apply(worst) + ", float64 reference "
        + f.ref().applyAsDouble(worst) + "; bound " + f.bound() + " (seed=" + SEED + ")");
  }

  /** The per-vector method over xs, a vector at a time (the tail padded with zeros). */
  private static float[] lanes(Fn f, float[] xs) {
    int len = S.length();
    float[] out = new float[xs.length];
    float[] pad = new float[len];
    for (int i = 0; i < xs.length; i += len) {
      int m = Math.min(len, xs.length - i);
      Arrays.fill(pad, 0f);
      System.arraycopy(xs, i, pad, 0, m);
      float[] r = f.lane().apply(FloatVector.fromArray(S, pad, 0)).toArray();
      System.arraycopy(r, 0, out, i, m);
    }
    return out;
  }

  /** The lane method over xs, a vector at a time in place in a copy (the tail padded with zeros). */
  private static float[] laneMethod(String name, float[] xs) {
    int len = S.length();
    float[] buf = Arrays.copyOf(xs, (xs.length + len - 1) / len * len);
    LaneOp op = LANE_METHODS.get(name);
    for (int i = 0; i < buf.length; i += len) op.apply(buf, i, buf, i);
    return Arrays.copyOf(buf, xs.length);
  }

  // ---- special values, exactly as Math rounded to float ----

  private static final float INF = Float.POSITIVE_INFINITY;
  private static final float NAN = Float.NaN;
  private static final float MAX = Float.MAX_VALUE;
  private static final float TINY = Float.MIN_VALUE;

  /** Pairs {x, expected}: NaN means any NaN, zeros are compared with their sign. */
  static final Map<String, float[]> SPECIAL = new LinkedHashMap<>();

  static {
    SPECIAL.put("exp", new float[] {NAN, NAN, INF, INF, -INF, 0f, 0f, 1f, -0f, 1f, MAX, INF,
        -MAX, 0f, 89f, INF, 88.7229f, INF, -104f, 0f, -200f, 0f, TINY, 1f, -TINY, 1f, 1f, 2.7182817f});
    SPECIAL.put("expm1", new float[] {NAN, NAN, INF, INF, -INF, -1f, 0f, 0f, -0f, -0f, TINY, TINY,
        -TINY, -TINY, MAX, INF, -MAX, -1f, -18f, -1f, -100f, -1f, 89f, INF, 1e-30f, 1e-30f});
    SPECIAL.put("log", new float[] {NAN, NAN, INF, INF, -INF, NAN, 0f, -INF, -0f, -INF, -1f, NAN,
        -TINY, NAN, 1f, 0f, 2f, 0.6931472f, -MAX, NAN});
    SPECIAL.put("log1p", new float[] {NAN, NAN, INF, INF, -INF, NAN, -1f, -INF, -2f, NAN, 0f, 0f,
        -0f, -0f, TINY, TINY, -TINY, -TINY, 1e-30f, 1e-30f, -MAX, NAN});
    SPECIAL.put("tanh", new float[] {NAN, NAN, INF, 1f, -INF, -1f, 0f, 0f, -0f, -0f, TINY, TINY,
        -TINY, -TINY, MAX, 1f, -MAX, -1f, 10f, 1f, -10f, -1f, 9.1f, 1f});
    SPECIAL.put("logistic", new float[] {NAN, NAN, INF, 1f, -INF, 0f, 0f, 0.5f, -0f, 0.5f, MAX,
        1f, -MAX, 0f, 18f, 1f, -105f, 0f, TINY, 0.5f});
    SPECIAL.put("erf", new float[] {NAN, NAN, INF, 1f, -INF, -1f, 0f, 0f, -0f, -0f, TINY, TINY,
        -TINY, -TINY, MAX, 1f, -MAX, -1f, 4f, 1f, -5f, -1f});
    SPECIAL.put("sin", new float[] {NAN, NAN, INF, NAN, -INF, NAN, 0f, 0f, -0f, -0f, TINY, TINY,
        -TINY, -TINY, 1e-30f, 1e-30f, -1e-30f, -1e-30f});
    SPECIAL.put("cos", new float[] {NAN, NAN, INF, NAN, -INF, NAN, 0f, 1f, -0f, 1f, TINY, 1f,
        -TINY, 1f, 1e-30f, 1f});
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"exp", "expm1", "log", "log1p", "tanh", "logistic", "erf", "sin", "cos"})
  void specialValuesAsMathRoundedToFloat(String name) {
    Fn f = FNS.get(name);
    float[] pairs = SPECIAL.get(name);
    float[] xs = new float[pairs.length / 2];
    for (int i = 0; i < xs.length; i++) xs[i] = pairs[2 * i];
    float[] vec = new float[xs.length];
    f.array().apply(xs, 0, vec, 0, xs.length);
    float[] lane = lanes(f, xs);
    float[] laneMethod = laneMethod(name, xs);
    for (int i = 0; i < xs.length; i++) {
      float x = xs[i], want = pairs[2 * i + 1];
      // the table agrees with Math (checked here so a wrong table entry cannot hide a bug)
      float math = (float) f.ref().applyAsDouble(x);
      assertSame(name + " table, Math says", x, want, math);
      assertSame(name + " array", x, want, vec[i]);
      assertSame(name + " per-vector", x, want, lane[i]);
      assertSame(name + " lane method", x, want, laneMethod[i]);
      assertSame(name + " scalar", x, want, f.scalar().apply(x));
    }
  }

  private static void assertSame(String what, float x, float want, float got) {
    boolean ok = Float.isNaN(want) ? Float.isNaN(got)
        : Float.floatToRawIntBits(want) == Float.floatToRawIntBits(got);
    if (!ok) fail(what + ": f(" + x + ") = " + got + ", expected " + want);
  }

  // ---- array plumbing: offsets, tails, in place, bounds ----

  @Test
  void offsetsTailsAndInPlace() {
    long seed = SEED + 1;
    Random rng = new Random(seed);
    int len = S.length();
    for (Fn f : FNS.values()) {
      for (int n = 0; n <= 3 * len + 3; n++) {
        int inOff = rng.nextInt(len + 2), outOff = rng.nextInt(len + 2);
        float[] in = new float[inOff + n + 3];
        for (int i = 0; i < in.length; i++) in[i] = (float) (rng.nextGaussian() * 4);
        if (f.name().startsWith("log")) for (int i = 0; i < in.length; i++) in[i] = Math.abs(in[i]);
        float[] out = new float[outOff + n + 5];
        Arrays.fill(out, 12345f);
        f.array().apply(in, inOff, out, outOff, n);
        for (int i = 0; i < out.length; i++) {
          String where = f.name() + " n=" + n + " inOff=" + inOff + " outOff=" + outOff + " i=" + i
              + " (seed=" + seed + ")";
          if (i < outOff || i >= outOff + n) {
            assertEquals(12345f, out[i], where + ": wrote outside [outOff, outOff + n)");
          } else {
            float x = in[inOff + i - outOff];
            double err = ulpError(out[i], f.ref().applyAsDouble(x));
            assertTrue(err <= f.bound(), where + ": f(" + x + ") = " + out[i] + ", " + err + " ulp");
            assertEquals(f.scalar().apply(x), out[i], 0f, where + ": differs from ScalarMath");
          }
        }
        float[] copy = in.clone();
        f.array().apply(in, inOff, in, inOff, n); // in place
        for (int i = 0; i < n; i++) {
          assertEquals(f.scalar().apply(copy[inOff + i]), in[inOff + i], 0f,
              f.name() + " in place, n=" + n + " i=" + i + " (seed=" + seed + ")");
        }
      }
    }
  }

  @Test
  void boundsAreCheckedWithTheOpAndTheNumbers() {
    float[] a = new float[6], b = new float[4];
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> VectorMath.exp(a, 3, b, 0, 5));
    assertEquals("exp: 5 elements from in[3] (length 6) to out[0] (length 4) are out of bounds",
        e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> VectorMath.tanh(a, 0, b, 1, 4));
    assertEquals("tanh: 4 elements from in[0] (length 6) to out[1] (length 4) are out of bounds",
        e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> VectorMath.log(a, -1, b, 0, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> VectorMath.erf(a, 0, b, 0, -1));
    VectorMath.sin(a, 6, b, 4, 0); // empty ranges at the very end are fine
  }

  @Test
  void theVectorApiIsInUseUnderSurefire() {
    // surefire passes --add-modules=jdk.incubator.vector (the parent pom's arrax.jvm.flags)
    assertTrue(VectorMath.available(), "jdk.incubator.vector should be in the boot layer here");
  }
}
