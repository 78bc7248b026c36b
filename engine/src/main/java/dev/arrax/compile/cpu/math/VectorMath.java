package dev.arrax.compile.cpu.math;

import dev.arrax.core.EngineLog;
import jdk.incubator.vector.FloatVector;

/**
 * Fast float32 transcendental functions for generated CPU kernels, vectorized with the JDK Vector
 * API ({@code jdk.incubator.vector}, {@code FloatVector.SPECIES_PREFERRED}: 16 lanes with AVX-512).
 *
 * <p>Two shapes of every function:
 * <ul>
 *   <li>arrays, {@code exp(in, inOff, out, outOff, n)}: {@code out[outOff+i] = exp(in[inOff+i])}
 *       for {@code i < n}; {@code in} and {@code out} may be the same array at the same offset;
 *   <li>one register, {@code FloatVector exp(FloatVector x)}, for a generated fused loop:
 *       <pre>{@code
 * for (; i < bound; i += S.length()) {
 *   FloatVector v = FloatVector.fromArray(S, a, i);
 *   VectorMath.tanh(v.mul(w).add(b)).intoArray(out, i);   // S = FloatVector.SPECIES_PREFERRED
 * }}</pre>
 *       These are small enough for C2 to inline, so {@code v} stays in a register. They need the
 *       module at run time; use {@link ScalarMath}'s {@code float} methods for scalar tails and
 *       when {@link #available()} is false.
 * </ul>
 *
 * <p>Where {@code jdk.incubator.vector} is not in the boot layer (the JVM was started without
 * {@code --add-modules jdk.incubator.vector}), the array methods run {@link ScalarMath}, chosen
 * once when this class loads; {@link #available()} says which. Both compute the same operations in
 * the same order with fused multiply-adds ({@code Math.fma} in the scalar code), so their results
 * are bitwise identical, lane for lane; the tests check this over the whole float range.
 *
 * <h2>Algorithms</h2>
 * In the style of Eigen's {@code pexp}/{@code plog}/{@code ptanh} and Cephes:
 * <ul>
 *   <li>exp: x = n ln2 + r, n = round(x log2 e) by the 1.5*2^23 trick, r by a two-constant
 *       Cody-Waite split (exact first step), e^r = 1 + r + r^2 Q(r) with Cephes' degree-5 Q, and
 *       2^n as two exponent-bit factors so overflow to inf and gradual underflow round once;
 *   <li>expm1: the same reduction; 2 (2^(k-1) p + (2^(k-1) - 1/2)) in one FMA, p = e^r - 1;
 *   <li>log: frexp from the exponent bits (subnormals scaled by 2^23 first), mantissa in
 *       [sqrt(1/2), sqrt 2), z - z^2/2 + z^3 P(z) with Cephes' degree-8 P, plus e ln2 in two parts;
 *   <li>log1p: Kahan's x log(u) / (u - 1), u = 1 + x;
 *   <li>tanh: Eigen's 13/6 rational x P(x^2) / Q(x^2), |x| clamped to 7.9988, x for |x| &lt; 4e-4;
 *   <li>logistic: e = e^-|x|, then 1 / (1 + e) or e / (1 + e): never overflows;
 *   <li>erf: x + x T(x^2) for |x| &lt; 1, 1 - e^(-x^2) G(|x|) for 1 &lt;= |x| &lt;= 4, polynomials fitted
 *       for this class (Eigen's 13/8 rational, tried first, was 6.5 ulps off near |x| = 3.9);
 *   <li>sin, cos: |x| = j pi/2 + r with pi/2 in three floats (Eigen's {@code psincos}), sin or cos
 *       polynomial on |r| &lt;= pi/4; for |x| beyond 117435.992 (sin) / 71476.0625 (cos), where the
 *       three-float reduction loses accuracy, Math.sin/cos in double (a slow, rare lane-wise path).
 * </ul>
 *
 * <h2>Accuracy</h2>
 * Maximum error in float32 ulps of the float64 {@code Math} result (erf: a float64 series; logistic:
 * its float64 formula), over <em>every</em> float with |x| >= 2^-30 in the range where the function
 * is not trivially 0, +-1 or x (smaller |x| and the rest are covered by {@code VectorMathTest}'s
 * sweep of every 997th bit pattern and its dense windows, with the same or lower maxima):
 * <pre>
 *   exp      1.01   (-104.5, 89)        logistic 2.40   (-104.5, 18)
 *   expm1    1.44   (-18.5, 89)         tanh     4.90   (0, 9.2), odd
 *   log      0.83   all x > 0           erf      1.42   (0, 4.1), odd
 *   log1p    2.47   (-1, inf)           sin, cos 1.50, 1.49   (0, 2e5), odd / even
 * </pre>
 * tanh is the least accurate: Eigen's rational, evaluated in float, is 4.9 ulps off where tanh x
 * nears 1 (worst at x = 5.13) and 4.3 near x = 0.03 (its P(0)/Q(0) is 1 - 1.3e-7).
 * tanh = -e / (2 + e) with e = expm1(-2|x|) measured 2.50 ulps but ran at 0.63x the speed, and
 * XLA's CPU tanh uses the same rational, so Eigen's stays.
 *
 * <p>A generated loop that calls many of these per iteration can exceed C2's inlining budget
 * (NodeCountInliningCutoff); a call left out of line boxes its vectors and runs ~10x slower. Split
 * such loops, or call the array methods on a temporary.
 *
 * <p>Special values match {@code Math} rounded to float: NaN gives NaN; exp(+inf) = +inf,
 * exp(-inf) = 0, overflow to +inf (x > 88.7228) and underflow through the subnormals to 0
 * (x &lt; -103.97); expm1(-inf) = -1; log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf;
 * log1p(-1) = -inf, log1p(x &lt; -1) = NaN; tanh(+-inf) = +-1; logistic(-inf) = 0,
 * logistic(+inf) = 1; erf(+-inf) = +-1; sin/cos(+-inf) = NaN; odd functions keep the sign of zero.
 */
public final class VectorMath {
  private VectorMath() {}

  private static final boolean VECTOR = detect();

  private static boolean detect() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      EngineLog.of(VectorMath.class).info("jdk.incubator.vector is not in the boot layer: VectorMath runs its scalar twin "
          + "ScalarMath (start the JVM with --add-modules jdk.incubator.vector for SIMD)");
      return false;
    }
    try {
      return VectorKernels.SPECIES != null; // loads the Vector API's classes: a LinkageError if they fail
    } catch (LinkageError e) {
      EngineLog.of(VectorMath.class).warn("jdk.incubator.vector is present but failed to load; VectorMath runs ScalarMath", e);
      return false;
    }
  }

  /** True when the array methods run on the Vector API, false when they run {@link ScalarMath}. */
  public static boolean available() {
    return VECTOR;
  }

  private static void check(String op, float[] in, int inOff, float[] out, int outOff, int n) {
    if (n < 0 || inOff < 0 || outOff < 0 || inOff > in.length - n || outOff > out.length - n) {
      throw new IndexOutOfBoundsException(op + ": " + n + " elements from in[" + inOff
          + "] (length " + in.length + ") to out[" + outOff + "] (length " + out.length
          + ") are out of bounds");
    }
  }

  // ---- arrays ----

  /** out[outOff + i] = e^in[inOff + i] for i &lt; n. */
  public static void exp(float[] in, int inOff, float[] out, int outOff, int n) {
    check("exp", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.exp(in, inOff, out, outOff, n);
    else ScalarMath.exp(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = e^in[inOff + i] - 1 for i &lt; n, accurate near 0. */
  public static void expm1(float[] in, int inOff, float[] out, int outOff, int n) {
    check("expm1", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.expm1(in, inOff, out, outOff, n);
    else ScalarMath.expm1(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = ln in[inOff + i] for i &lt; n. */
  public static void log(float[] in, int inOff, float[] out, int outOff, int n) {
    check("log", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.log(in, inOff, out, outOff, n);
    else ScalarMath.log(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = ln(1 + in[inOff + i]) for i &lt; n, accurate near 0. */
  public static void log1p(float[] in, int inOff, float[] out, int outOff, int n) {
    check("log1p", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.log1p(in, inOff, out, outOff, n);
    else ScalarMath.log1p(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = tanh in[inOff + i] for i &lt; n. */
  public static void tanh(float[] in, int inOff, float[] out, int outOff, int n) {
    check("tanh", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.tanh(in, inOff, out, outOff, n);
    else ScalarMath.tanh(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = 1 / (1 + e^-in[inOff + i]) for i &lt; n (the sigmoid). */
  public static void logistic(float[] in, int inOff, float[] out, int outOff, int n) {
    check("logistic", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.logistic(in, inOff, out, outOff, n);
    else ScalarMath.logistic(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = erf in[inOff + i] for i &lt; n. */
  public static void erf(float[] in, int inOff, float[] out, int outOff, int n) {
    check("erf", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.erf(in, inOff, out, outOff, n);
    else ScalarMath.erf(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = sin in[inOff + i] for i &lt; n. */
  public static void sin(float[] in, int inOff, float[] out, int outOff, int n) {
    check("sin", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.sin(in, inOff, out, outOff, n);
    else ScalarMath.sin(in, inOff, out, outOff, n);
  }

  /** out[outOff + i] = cos in[inOff + i] for i &lt; n. */
  public static void cos(float[] in, int inOff, float[] out, int outOff, int n) {
    check("cos", in, inOff, out, outOff, n);
    if (VECTOR) VectorKernels.cos(in, inOff, out, outOff, n);
    else ScalarMath.cos(in, inOff, out, outOff, n);
  }

  // ---- one vector between arrays (needs jdk.incubator.vector; vectors of SPECIES_PREFERRED) ----
  // out[o, o + L) = f(in[i, i + L)), L = FloatVector.SPECIES_PREFERRED.length(); in and out may be the same
  // array at the same offset. No bounds message beyond the Vector API's own. What generated kernels call:
  // they pass arrays, never vectors, so a call C2 leaves out of line in a large kernel boxes nothing.

  /** One vector of e^x, from in[i] to out[o]. */
  public static void expLanes(float[] in, int i, float[] out, int o) { VectorKernels.expLanes(in, i, out, o); }

  /** One vector of e^x - 1, from in[i] to out[o]. */
  public static void expm1Lanes(float[] in, int i, float[] out, int o) { VectorKernels.expm1Lanes(in, i, out, o); }

  /** One vector of ln x, from in[i] to out[o]. */
  public static void logLanes(float[] in, int i, float[] out, int o) { VectorKernels.logLanes(in, i, out, o); }

  /** One vector of ln(1 + x), from in[i] to out[o]. */
  public static void log1pLanes(float[] in, int i, float[] out, int o) { VectorKernels.log1pLanes(in, i, out, o); }

  /** One vector of tanh x, from in[i] to out[o]. */
  public static void tanhLanes(float[] in, int i, float[] out, int o) { VectorKernels.tanhLanes(in, i, out, o); }

  /** One vector of 1 / (1 + e^-x), from in[i] to out[o]. */
  public static void logisticLanes(float[] in, int i, float[] out, int o) { VectorKernels.logisticLanes(in, i, out, o); }

  /** One vector of erf x, from in[i] to out[o]. */
  public static void erfLanes(float[] in, int i, float[] out, int o) { VectorKernels.erfLanes(in, i, out, o); }

  /** One vector of sin x, from in[i] to out[o]. */
  public static void sinLanes(float[] in, int i, float[] out, int o) { VectorKernels.sinLanes(in, i, out, o); }

  /** One vector of cos x, from in[i] to out[o]. */
  public static void cosLanes(float[] in, int i, float[] out, int o) { VectorKernels.cosLanes(in, i, out, o); }

  // ---- one vector (needs jdk.incubator.vector; any float species, SPECIES_PREFERRED is fastest) ----

  /** e^x lane-wise. */
  public static FloatVector exp(FloatVector x) {
    return VectorKernels.exp(x);
  }

  /** e^x - 1 lane-wise. */
  public static FloatVector expm1(FloatVector x) {
    return VectorKernels.expm1(x);
  }

  /** ln x lane-wise. */
  public static FloatVector log(FloatVector x) {
    return VectorKernels.log(x);
  }

  /** ln(1 + x) lane-wise. */
  public static FloatVector log1p(FloatVector x) {
    return VectorKernels.log1p(x);
  }

  /** tanh x lane-wise. */
  public static FloatVector tanh(FloatVector x) {
    return VectorKernels.tanh(x);
  }

  /** 1 / (1 + e^-x) lane-wise. */
  public static FloatVector logistic(FloatVector x) {
    return VectorKernels.logistic(x);
  }

  /** erf x lane-wise. */
  public static FloatVector erf(FloatVector x) {
    return VectorKernels.erf(x);
  }

  /** sin x lane-wise. */
  public static FloatVector sin(FloatVector x) {
    return VectorKernels.sin(x);
  }

  /** cos x lane-wise. */
  public static FloatVector cos(FloatVector x) {
    return VectorKernels.cos(x);
  }
}
