package dev.arrax.examples.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hand-written loops' float32 transcendental functions, vectorized with the Vector API. They are
 * the benchmark's own (independent of the engine's kernels), written the way XLA's CPU backend does
 * it (Eigen's {@code ptanh}, Cephes' {@code expf}), so the floor measures what a careful programmer
 * gets, not what {@code Math.tanh} costs.
 *
 * <ul>
 *   <li>{@link #tanh}: Eigen's 13/6 rational approximation {@code x P(x^2) / Q(x^2)} with |x|
 *       clamped to 7.9988 (where tanh rounds to 1 in float32). A few float32 ulps; the benchmark
 *       prints the measured maximum error against {@code Math.tanh} at start-up.
 *   <li>{@link #exp}: {@code x = n ln2 + r}, n by the 1.5*2^23 rounding trick, r by a two-constant
 *       Cody-Waite split, {@code e^r = 1 + r + r^2 Q(r)} with Cephes' degree-5 Q, times 2^n built in
 *       the exponent bits. x is clamped to [-87.3, 88.3], so results below 2^-126 come out as
 *       ~1.2e-38 instead of a subnormal or 0 (irrelevant for these workloads: they only add such
 *       values to numbers near 1).
 * </ul>
 */
final class FastMath {
  private FastMath() {}

  // Eigen's generic_fast_tanh_float coefficients.
  private static final float TANH_CLAMP = 7.99881172180175781f;
  private static final float A1 = 4.89352455891786e-03f;
  private static final float A3 = 6.37261928875436e-04f;
  private static final float A5 = 1.48572235717979e-05f;
  private static final float A7 = 5.12229709037114e-08f;
  private static final float A9 = -8.60467152213735e-11f;
  private static final float A11 = 2.00018790482477e-13f;
  private static final float A13 = -2.76076847742355e-16f;
  private static final float B0 = 4.89352518554385e-03f;
  private static final float B2 = 2.26843463243900e-03f;
  private static final float B4 = 1.18534705686654e-04f;
  private static final float B6 = 1.19825839466702e-06f;

  /** tanh of every lane (Eigen's rational approximation; see the class comment). */
  static FloatVector tanh(FloatVector v) {
    FloatVector x = v.max(-TANH_CLAMP).min(TANH_CLAMP);
    FloatVector x2 = x.mul(x);
    FloatVector p = x2.fma(A13, A11);
    p = p.fma(x2, x.broadcast(A9));
    p = p.fma(x2, x.broadcast(A7));
    p = p.fma(x2, x.broadcast(A5));
    p = p.fma(x2, x.broadcast(A3));
    p = p.fma(x2, x.broadcast(A1));
    p = p.mul(x);
    FloatVector q = x2.fma(B6, B4);
    q = q.fma(x2, x.broadcast(B2));
    q = q.fma(x2, x.broadcast(B0));
    return p.div(q);
  }

  /** The same approximation for one float, for scalar tails and the accuracy report. */
  static float tanh(float v) {
    float x = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, v));
    float x2 = x * x;
    float p = Math.fma(x2, A13, A11);
    p = Math.fma(p, x2, A9);
    p = Math.fma(p, x2, A7);
    p = Math.fma(p, x2, A5);
    p = Math.fma(p, x2, A3);
    p = Math.fma(p, x2, A1);
    p = p * x;
    float q = Math.fma(x2, B6, B4);
    q = Math.fma(q, x2, B2);
    q = Math.fma(q, x2, B0);
    return p / q;
  }

  private static final float EXP_HI = 88.3762626647949f;
  private static final float EXP_LO = -87.3365447504019f;
  private static final float LOG2E = 1.44269504088896341f;
  private static final float MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low bits
  private static final int MAGIC_BITS = 0x4B400000;
  private static final float C1 = 0.693359375f;
  private static final float C2 = -2.12194440e-4f;
  private static final float P0 = 1.9875691500e-4f;
  private static final float P1 = 1.3981999507e-3f;
  private static final float P2 = 8.3334519073e-3f;
  private static final float P3 = 4.1665795894e-2f;
  private static final float P4 = 1.6666665459e-1f;
  private static final float P5 = 5.0000001201e-1f;

  /** e^x of every lane (Cephes' expf; see the class comment). */
  static FloatVector exp(FloatVector v) {
    VectorSpecies<Float> s = v.species();
    FloatVector x = v.max(EXP_LO).min(EXP_HI);
    FloatVector t = x.mul(LOG2E).add(MAGIC);
    FloatVector n = t.sub(MAGIC);
    FloatVector r = n.fma(x.broadcast(-C1), x);
    r = n.fma(x.broadcast(-C2), r);
    FloatVector y = r.fma(P0, P1);
    y = y.fma(r, x.broadcast(P2));
    y = y.fma(r, x.broadcast(P3));
    y = y.fma(r, x.broadcast(P4));
    y = y.fma(r, x.broadcast(P5));
    y = y.mul(r.mul(r)).add(r).add(1f);
    IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
    FloatVector scale = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return y.mul(scale);
  }

  /** The same for one float. */
  static float exp(float v) {
    float x = Math.max(EXP_LO, Math.min(EXP_HI, v));
    float t = x * LOG2E + MAGIC;
    float n = t - MAGIC;
    float r = Math.fma(n, -C1, x);
    r = Math.fma(n, -C2, r);
    float y = Math.fma(r, P0, P1);
    y = Math.fma(y, r, P2);
    y = Math.fma(y, r, P3);
    y = Math.fma(y, r, P4);
    y = Math.fma(y, r, P5);
    y = y * (r * r) + r + 1f;
    int ni = Float.floatToRawIntBits(t) - MAGIC_BITS;
    return y * Float.intBitsToFloat((ni + 127) << 23);
  }

  /** Max error of {@link #tanh}/{@link #exp} against {@code Math} in float64, in units of the float32 ulp of the true value. */
  static String accuracyReport(VectorSpecies<Float> species) {
    int n = 1 << 20;
    float[] xs = new float[n];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
    for (int i = 0; i < n; i++) xs[i] = (float) (rng.nextDouble() * 20 - 10);
    for (int i = 0; i < 4096; i++) xs[i] = (float) (i * 1e-4); // near zero
    float[] t = new float[n];
    float[] e = new float[n];
    int i = 0;
    for (; i <= n - species.length(); i += species.length()) {
      FloatVector v = FloatVector.fromArray(species, xs, i);
      tanh(v).intoArray(t, i);
      exp(v).intoArray(e, i);
    }
    for (; i < n; i++) {
      t[i] = tanh(xs[i]);
      e[i] = exp(xs[i]);
    }
    double tanhUlps = 0, tanhAbs = 0, expUlps = 0;
    for (int k = 0; k < n; k++) {
      double rt = Math.tanh(xs[k]);
      tanhAbs = Math.max(tanhAbs, Math.abs(t[k] - rt));
      tanhUlps = Math.max(tanhUlps, Math.abs(t[k] - rt) / Math.ulp((float) rt));
      double re = Math.exp(xs[k]);
      expUlps = Math.max(expUlps, Math.abs(e[k] - re) / Math.ulp((float) re));
    }
    return String.format("hand-loop fast math (vectorized, %d lanes) vs Math in float64 over [-10, 10]: tanh max %.2f ulp (max abs %.2e), exp max %.2f ulp",
        species.length(), tanhUlps, tanhAbs, expUlps);
  }
}
