package dev.arrax.compile.cpu.math;

/**
 * Float32 transcendental functions in plain scalar arithmetic: the same algorithms, constants and
 * operation order as the vector kernels behind {@link VectorMath}, one lane at a time.
 *
 * <p>Every fused multiply-add of the vector code is a {@link Math#fma(float, float, float)} here and
 * every other operation is the same IEEE float operation, so a scalar result is <b>bitwise
 * identical</b> to the vector lane that computes it (the tests check this over the whole float
 * range). The one cost of that choice: {@code Math.fma} is a single instruction on every x86 CPU
 * since Haswell and on AArch64, but a slow software routine on CPUs without FMA. The arguments of
 * {@link #sin}/{@link #cos} beyond {@value #SIN_HUGE}/{@value #COS_HUGE} are reduced by
 * {@link Math#sin(double)}/{@link Math#cos(double)} in double, the same in both versions.
 *
 * <p>Accuracy, special values and the algorithms are described on {@link VectorMath}. Speed on one
 * AVX-512 core ({@code VectorMathBench}, 1M floats, a busy 2-core machine), in G elements/s for
 * tanh, exp, log: ScalarMath 0.25-0.4, 0.2, 0.05-0.09; VectorMath 2.2-2.6, 2.0-2.5, 1.2;
 * {@code (float) Math.tanh/exp/log} loops 0.013-0.026, 0.04-0.07, 0.07.
 */
public final class ScalarMath {
  private ScalarMath() {}

  // ---- shared constants (VectorKernels reads these, so both versions use the same numbers) ----

  /** 1.5 * 2^23: adding it rounds a float with |v| < 2^22 to an integer, read back from the bits. */
  static final float ROUND_MAGIC = 12582912f;
  static final int ROUND_MAGIC_BITS = 0x4B400000;

  static final float LOG2E = 1.44269504088896341f;
  /** ln 2 = LN2_HI + LN2_LO, both positive (so -0 stays -0); LN2_HI has 15 significant bits. */
  static final float LN2_HI = 0.693145751953125f;
  static final float LN2_LO = 1.42860682030941723212e-6f;

  /** exp clamps its argument to [EXP_LO, EXP_HI]: e^EXP_LO rounds to 0 and e^EXP_HI overflows. */
  static final float EXP_HI = 89f;
  static final float EXP_LO = -104f;
  /** expm1(x) rounds to -1 for x below about -17.33. */
  static final float EXPM1_LO = -18f;

  /** Cephes expf: e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2; Q's coefficients, highest first. */
  static final float EXP_Q0 = 1.9875691500e-4f;
  static final float EXP_Q1 = 1.3981999507e-3f;
  static final float EXP_Q2 = 8.3334519073e-3f;
  static final float EXP_Q3 = 4.1665795894e-2f;
  static final float EXP_Q4 = 1.6666665459e-1f;
  static final float EXP_Q5 = 5.0000001201e-1f;

  /** Cephes logf: log(1+z) = z - z^2/2 + z^3 P(z) on sqrt(1/2)-1 <= z < sqrt(2)-1. */
  static final float LOG_P0 = 7.0376836292e-2f;
  static final float LOG_P1 = -1.1514610310e-1f;
  static final float LOG_P2 = 1.1676998740e-1f;
  static final float LOG_P3 = -1.2420140846e-1f;
  static final float LOG_P4 = 1.4249322787e-1f;
  static final float LOG_P5 = -1.6668057665e-1f;
  static final float LOG_P6 = 2.0000714765e-1f;
  static final float LOG_P7 = -2.4999993993e-1f;
  static final float LOG_P8 = 3.3333331174e-1f;
  static final float SQRT_HALF = 0.707106781186547524f;
  static final float MIN_NORMAL = Float.MIN_NORMAL;
  static final float TWO_23 = 8388608f;

  /** Eigen's tanh: x P(x^2) / Q(x^2), a 13/6 rational; |x| clamped where it evaluates to 1. */
  static final float TANH_CLAMP = 7.99881172180175781f;
  static final float TANH_TINY = 0.0004f;
  static final float TANH_A1 = 4.89352455891786e-03f;
  static final float TANH_A3 = 6.37261928875436e-04f;
  static final float TANH_A5 = 1.48572235717979e-05f;
  static final float TANH_A7 = 5.12229709037114e-08f;
  static final float TANH_A9 = -8.60467152213735e-11f;
  static final float TANH_A11 = 2.00018790482477e-13f;
  static final float TANH_A13 = -2.76076847742355e-16f;
  static final float TANH_B0 = 4.89352518554385e-03f;
  static final float TANH_B2 = 2.26843463243900e-03f;
  static final float TANH_B4 = 1.18534705686654e-04f;
  static final float TANH_B6 = 1.19825839466702e-06f;

  /**
   * erf: x + x T(x^2) for |x| < 1 and 1 - e^(-x^2) G(|x|) for 1 <= |x| <= 4 (and +-1 beyond, where
   * the second form rounds to 1). T and G were fitted for this class by weighted Lawson minimax: T
   * for relative error (1.2e-9), G for the absolute error of erfc = e^(-x^2) G (1.3e-8).
   */
  static final float ERF_CLAMP = 4f;
  static final float ERF_SPLIT = 1f;
  static final float ERF_T0 = 7.853956049e-05f;
  static final float ERF_T1 = -8.010224556e-04f;
  static final float ERF_T2 = 5.188331474e-03f;
  static final float ERF_T3 = -2.685381472e-02f;
  static final float ERF_T4 = 1.128358543e-01f;
  static final float ERF_T5 = -3.761262596e-01f;
  static final float ERF_T6 = 1.283791661e-01f;
  static final float ERF_G0 = -3.888834035e-04f;
  static final float ERF_G1 = 6.005116273e-03f;
  static final float ERF_G2 = -4.099811241e-02f;
  static final float ERF_G3 = 1.641334742e-01f;
  static final float ERF_G4 = -4.316792786e-01f;
  static final float ERF_G5 = 7.925944328e-01f;
  static final float ERF_G6 = -1.048210382e+00f;
  static final float ERF_G7 = 9.861271977e-01f;

  /** Eigen's sin/cos: x = j pi/2 + r, pi/2 split in three floats, exact first step with FMA. */
  static final float TWO_OVER_PI = 0.636619746685028076171875f;
  static final float PIO2_1 = 1.57079601287841796875f;
  static final float PIO2_2 = 3.1391647326017846353352069854736328125e-07f;
  static final float PIO2_3 = 5.390302529957764765544681040410068817436695098876953125e-15f;
  /** Beyond these |x| the three-float reduction loses accuracy; Math.sin/cos(double) takes over. */
  static final float SIN_HUGE = 117435.992f;
  static final float COS_HUGE = 71476.0625f;
  static final float COS_C0 = 2.4372266125283204019069671630859375e-05f;
  static final float COS_C1 = -0.00138865201734006404876708984375f;
  static final float COS_C2 = 0.041666619479656219482421875f;
  static final float SIN_S0 = -0.0001959234114083702898469196984621021329076029360294342041015625f;
  static final float SIN_S1 = 0.0083326873655616851693794799871284340042620897293090820312500000f;
  static final float SIN_S2 = -0.1666666203982298255503735617821803316473960876464843750000000000f;

  // ---- exp family ----

  /**
   * e^x. x = n ln2 + r with n = round(x / ln2) and r = x - n ln2 by a two-constant Cody-Waite split
   * (exact first step), e^r = 1 + r + r^2 Q(r) (Cephes degree-5 Q), and 2^n applied as two
   * exponent-bit factors 2^(n>>1) 2^(n-(n>>1)) so overflow and gradual underflow round once.
   */
  public static float exp(float x) {
    x = x > EXP_HI ? EXP_HI : x;
    x = x < EXP_LO ? EXP_LO : x;
    float t = Math.fma(x, LOG2E, ROUND_MAGIC);
    float n = t - ROUND_MAGIC;
    int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r);
    float y = expm1Reduced(r) + 1f;
    int n1 = ni >> 1;
    return y * pow2(n1) * pow2(ni - n1);
  }

  /**
   * e^x - 1, accurate near 0. With x = k ln2 + r as in {@link #exp}, p = expm1(r) and s = 2^(k-1):
   * e^x - 1 = 2 (s p + (s - 1/2)), one FMA whose addend s - 1/2 is exact for the k that matter;
   * k = 0 returns p itself so tiny and subnormal x come back unchanged (and +-0 as x).
   */
  public static float expm1(float x) {
    x = x > EXP_HI ? EXP_HI : x;
    x = x < EXPM1_LO ? EXPM1_LO : x;
    float t = Math.fma(x, LOG2E, ROUND_MAGIC);
    float n = t - ROUND_MAGIC;
    int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r);
    float p = expm1Reduced(r);
    float s = pow2(ni - 1);
    float big = Math.fma(s, p, s - 0.5f) * 2f;
    float y = ni == 0 ? p : big;
    return x == 0 ? x : y; // r + r^2 Q(r) loses the sign of -0
  }

  /**
   * e^x for -87 <= x <= 88 only (normal results): {@link #exp} without the clamps and with one
   * exponent factor; where both apply they give the same bits.
   */
  static float expNormalRange(float x) {
    float t = Math.fma(x, LOG2E, ROUND_MAGIC);
    float n = t - ROUND_MAGIC;
    int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r);
    return (expm1Reduced(r) + 1f) * pow2(ni);
  }

  /** r + r^2 Q(r) = e^r - 1 on |r| <= ln2/2. */
  static float expm1Reduced(float r) {
    float q = Math.fma(EXP_Q0, r, EXP_Q1);
    q = Math.fma(q, r, EXP_Q2);
    q = Math.fma(q, r, EXP_Q3);
    q = Math.fma(q, r, EXP_Q4);
    q = Math.fma(q, r, EXP_Q5);
    return Math.fma(r * r, q, r);
  }

  /** 2^n as a float for -126 <= n <= 127, built from the exponent bits. */
  static float pow2(int n) {
    return Float.intBitsToFloat((n + 127) << 23);
  }

  /**
   * The logistic sigmoid 1 / (1 + e^-x) without overflow: with e = e^-|x| in (0, 1],
   * 1 / (1 + e) for x >= 0 and e / (1 + e) for x &lt; 0 (one division either way).
   */
  public static float logistic(float x) {
    float e = exp(-Math.abs(x));
    float num = x < 0 ? e : 1f;
    return num / (1f + e);
  }

  /**
   * tanh x: Eigen's 13/6 rational x P(x^2) / Q(x^2), x clamped to +-7.9988 (where it evaluates to
   * +-1), and x itself for |x| &lt; 0.0004.
   */
  public static float tanh(float x) {
    float c = x > TANH_CLAMP ? TANH_CLAMP : x;
    c = c < -TANH_CLAMP ? -TANH_CLAMP : c;
    float x2 = c * c;
    float p = Math.fma(x2, TANH_A13, TANH_A11);
    p = Math.fma(x2, p, TANH_A9);
    p = Math.fma(x2, p, TANH_A7);
    p = Math.fma(x2, p, TANH_A5);
    p = Math.fma(x2, p, TANH_A3);
    p = Math.fma(x2, p, TANH_A1);
    p = c * p;
    float q = Math.fma(x2, TANH_B6, TANH_B4);
    q = Math.fma(x2, q, TANH_B2);
    q = Math.fma(x2, q, TANH_B0);
    float y = p / q;
    return Math.abs(x) < TANH_TINY ? x : y;
  }

  // ---- log family ----

  /**
   * Natural log. x = 2^e m with m in [sqrt(1/2), sqrt(2)) taken from the bits (subnormals scaled by
   * 2^23 first), z = m - 1, log(1+z) = z - z^2/2 + z^3 P(z) (Cephes degree 8), plus e ln2 in two
   * parts. log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf.
   */
  public static float log(float x) {
    boolean sub = x < MIN_NORMAL;
    float xs = sub ? x * TWO_23 : x;
    int bits = Float.floatToRawIntBits(xs);
    int e = ((bits >> 23) & 0xff) - 126;
    e = sub ? e - 23 : e;
    float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F000000);
    boolean lo = m < SQRT_HALF;
    e = lo ? e - 1 : e;
    float z = (lo ? m + m : m) - 1f;
    float fe = (float) e;
    float z2 = z * z;
    float p = Math.fma(LOG_P0, z, LOG_P1);
    p = Math.fma(p, z, LOG_P2);
    p = Math.fma(p, z, LOG_P3);
    p = Math.fma(p, z, LOG_P4);
    p = Math.fma(p, z, LOG_P5);
    p = Math.fma(p, z, LOG_P6);
    p = Math.fma(p, z, LOG_P7);
    p = Math.fma(p, z, LOG_P8);
    float y = p * z2 * z;
    y = Math.fma(fe, LN2_LO, y);
    y = Math.fma(z2, -0.5f, y);
    float r = z + y;
    r = Math.fma(fe, LN2_HI, r);
    r = x < Float.POSITIVE_INFINITY ? r : x; // +inf and NaN
    r = x < 0 ? Float.NaN : r;
    return x == 0 ? Float.NEGATIVE_INFINITY : r;
  }

  /**
   * log(1 + x) by Kahan's trick: u = 1 + x rounded, log1p(x) = x log(u) / (u - 1), which cancels
   * the rounding error of u; x itself where u == 1 (tiny x, zeros), and +inf for +inf.
   */
  public static float log1p(float x) {
    float u = 1f + x;
    float y = x * (log(u) / (u - 1f));
    y = u == Float.POSITIVE_INFINITY ? u : y;
    return u == 1f ? x : y;
  }

  // ---- erf ----

  /**
   * erf x, odd: on a = |x| clamped to 4, a + a T(a^2) below 1 (relative accuracy down to the
   * subnormals) and 1 - e^(-a^2) G(a) above (the small erfc term makes the rounding of a^2 and the
   * error of e^(-a^2) negligible), then the sign of x.
   */
  public static float erf(float x) {
    float a = Math.abs(x);
    a = a > ERF_CLAMP ? ERF_CLAMP : a;
    float a2 = a * a;
    float t = Math.fma(ERF_T0, a2, ERF_T1);
    t = Math.fma(t, a2, ERF_T2);
    t = Math.fma(t, a2, ERF_T3);
    t = Math.fma(t, a2, ERF_T4);
    t = Math.fma(t, a2, ERF_T5);
    t = Math.fma(t, a2, ERF_T6);
    float small = Math.fma(a, t, a);
    float e = expNormalRange(-a2);
    float g = Math.fma(ERF_G0, a, ERF_G1);
    g = Math.fma(g, a, ERF_G2);
    g = Math.fma(g, a, ERF_G3);
    g = Math.fma(g, a, ERF_G4);
    g = Math.fma(g, a, ERF_G5);
    g = Math.fma(g, a, ERF_G6);
    g = Math.fma(g, a, ERF_G7);
    float big = Math.fma(-e, g, 1f);
    float y = a < ERF_SPLIT ? small : big;
    return Float.intBitsToFloat(Float.floatToRawIntBits(y) | (Float.floatToRawIntBits(x) & 0x80000000));
  }

  // ---- sin / cos ----

  /**
   * sin x. |x| = j pi/2 + r, |r| &lt;= pi/4, with j = round(|x| 2/pi) and pi/2 in three floats
   * (exact with FMA for |x| &lt; {@value #SIN_HUGE}); sin or cos polynomial on r by j's parity; sign
   * from bit 1 of j and the sign of x. Larger |x| (and inf, giving NaN) use Math.sin in double.
   */
  public static float sin(float x) {
    float ax = Math.abs(x);
    if (ax > SIN_HUGE) return (float) Math.sin(x);
    float t = Math.fma(ax, TWO_OVER_PI, ROUND_MAGIC);
    float j = t - ROUND_MAGIC;
    int ji = Float.floatToRawIntBits(t);
    float r = reduce(ax, j);
    float y = (ji & 1) == 0 ? sinPoly(r) : cosPoly(r);
    int sign = (ji << 30) ^ Float.floatToRawIntBits(x);
    return Float.intBitsToFloat(Float.floatToRawIntBits(y) ^ (sign & 0x80000000));
  }

  /** cos x, as {@link #sin} with the quadrant shifted by one; Math.cos beyond {@value #COS_HUGE}. */
  public static float cos(float x) {
    float ax = Math.abs(x);
    if (ax > COS_HUGE) return (float) Math.cos(x);
    float t = Math.fma(ax, TWO_OVER_PI, ROUND_MAGIC);
    float j = t - ROUND_MAGIC;
    int ji = Float.floatToRawIntBits(t);
    float r = reduce(ax, j);
    float y = (ji & 1) == 0 ? cosPoly(r) : sinPoly(r);
    int sign = (ji + 1) << 30;
    return Float.intBitsToFloat(Float.floatToRawIntBits(y) ^ (sign & 0x80000000));
  }

  static float reduce(float ax, float j) {
    float r = Math.fma(j, -PIO2_1, ax);
    r = Math.fma(j, -PIO2_2, r);
    return Math.fma(j, -PIO2_3, r);
  }

  static float sinPoly(float r) {
    float r2 = r * r;
    float s = Math.fma(SIN_S0, r2, SIN_S1);
    s = Math.fma(s, r2, SIN_S2);
    s = s * r2;
    return Math.fma(s, r, r);
  }

  static float cosPoly(float r) {
    float r2 = r * r;
    float c = Math.fma(COS_C0, r2, COS_C1);
    c = Math.fma(c, r2, COS_C2);
    c = Math.fma(c, r2, -0.5f);
    return Math.fma(c, r2, 1f);
  }

  // ---- array versions ----

  /** out[outOff + i] = exp(in[inOff + i]) for i &lt; n; in and out may be the same array. */
  public static void exp(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = exp(in[inOff + i]);
  }

  /** out[outOff + i] = expm1(in[inOff + i]) for i &lt; n, with the scalar {@link #expm1(float)}; in and out may be the same array. */
  public static void expm1(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = expm1(in[inOff + i]);
  }

  /** out[outOff + i] = log(in[inOff + i]) for i &lt; n, with the scalar {@link #log(float)}; in and out may be the same array. */
  public static void log(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = log(in[inOff + i]);
  }

  /** out[outOff + i] = log1p(in[inOff + i]) for i &lt; n, with the scalar {@link #log1p(float)}; in and out may be the same array. */
  public static void log1p(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = log1p(in[inOff + i]);
  }

  /** out[outOff + i] = tanh(in[inOff + i]) for i &lt; n, with the scalar {@link #tanh(float)}; in and out may be the same array. */
  public static void tanh(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = tanh(in[inOff + i]);
  }

  /** out[outOff + i] = logistic(in[inOff + i]) for i &lt; n, with the scalar {@link #logistic(float)}; in and out may be the same array. */
  public static void logistic(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = logistic(in[inOff + i]);
  }

  /** out[outOff + i] = erf(in[inOff + i]) for i &lt; n, with the scalar {@link #erf(float)}; in and out may be the same array. */
  public static void erf(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = erf(in[inOff + i]);
  }

  /** out[outOff + i] = sin(in[inOff + i]) for i &lt; n, with the scalar {@link #sin(float)}; in and out may be the same array. */
  public static void sin(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = sin(in[inOff + i]);
  }

  /** out[outOff + i] = cos(in[inOff + i]) for i &lt; n, with the scalar {@link #cos(float)}; in and out may be the same array. */
  public static void cos(float[] in, int inOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) out[outOff + i] = cos(in[inOff + i]);
  }
}
