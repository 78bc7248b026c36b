package dev.arrax.primitives;

/** Special functions the JDK lacks, in float64. */
public final class SpecialFunctions {
  private SpecialFunctions() {}

  /**
   * erf(x) = P(1/2, x^2) sign(x), the regularized lower incomplete gamma function: its power series
   * converges fast for x^2 &lt; 1.5 and the continued fraction of Q = 1 - P (modified Lentz) for larger x,
   * both to about 1e-16 relative.
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    if (x == 0) return x;
    double ax = Math.abs(x);
    if (ax > 6.0) return Math.copySign(1.0, x);
    double a2 = ax * ax;
    double r;
    if (a2 < 1.5) {
      // P(1/2, z) = e^-z z^(1/2) / Gamma(3/2) * sum z^n / ((3/2)(5/2)...(1/2+n))
      double sum = 1.0 / 0.5, term = sum;
      for (int n = 1; n < 200; n++) {
        term *= a2 / (0.5 + n);
        sum += term;
        if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
      }
      r = sum * Math.exp(-a2 + 0.5 * Math.log(a2) - LOG_GAMMA_HALF);
    } else {
      r = 1.0 - erfcContinuedFraction(a2);
    }
    return Math.copySign(r, x);
  }

  private static final double LOG_GAMMA_HALF = 0.5 * Math.log(Math.PI);

  private static double erfcContinuedFraction(double z) {
    return Math.exp(-z + 0.5 * Math.log(z) - LOG_GAMMA_HALF) * gammaHalfFraction(z);
  }

  /**
   * The continued fraction (modified Lentz) of the upper incomplete gamma function Q(1/2, z), without its
   * prefactor {@code exp(-z) z^(1/2) / Gamma(1/2)}: shared by {@link #erfc} and the tail of erf.
   */
  private static double gammaHalfFraction(double z) {
    final double tiny = 1e-300;
    double b = z + 1.0 - 0.5, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 500; i++) {
      double an = -i * (i - 0.5);
      b += 2.0;
      d = an * d + b;
      if (Math.abs(d) < tiny) d = tiny;
      c = b + an / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1.0 / d;
      double del = d * c;
      h *= del;
      if (Math.abs(del - 1.0) < 1e-17) break;
    }
    return h;
  }

  /**
   * erfc(x) = 1 - erf(x) with full relative accuracy in the tail: {@code 1 - erf(x)} for |x| &lt; 1.22
   * (erfc is then above 0.08, so the subtraction loses nothing), the continued fraction of the upper
   * incomplete gamma function Q(1/2, x^2) beyond, with exp(-x^2) split so x^2 is not rounded, and
   * {@code 2 - erfc(-x)} for negative x. About 2e-16 relative for x below 20.
   */
  public static double erfc(double x) {
    if (Double.isNaN(x)) return x;
    if (x < -1.22) return 2.0 - erfc(-x);
    if (x < 1.22) return 1.0 - erf(x);
    if (x > 27.3) return 0.0;
    return expMinusSquare(x) * (x / Math.sqrt(Math.PI)) * gammaHalfFraction(x * x);
  }

  /** exp(-x^2) without the rounding of x^2: x = hi + lo with hi of 26 bits, so hi^2 is exact. */
  static double expMinusSquare(double x) {
    double hi = Double.longBitsToDouble(Double.doubleToRawLongBits(x) & 0xFFFFFFFFF8000000L);
    double lo = x - hi;
    return Math.exp(-hi * hi) * Math.exp(-(2 * hi + lo) * lo);
  }
}
