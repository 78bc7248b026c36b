package dev.arrax;

import dev.arrax.core.CallSite;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.Ops;

/**
 * jax.scipy.special: error and gamma functions, logit/expit, xlogy, the normal CDF and its inverse, and
 * logsumexp with weights. Integer and bool arguments are promoted to floats as JAX's
 * {@code promote_args_inexact} does (32-bit integers to f32, i64 to f64).
 *
 * <p>Where JAX binds an XLA primitive that XLA itself expands into elementary operations
 * ({@code lgamma}, {@code digamma}), the same expansion is composed here from primitives (XLA's Lanczos
 * approximation, {@code xla/hlo/builder/lib/math.cc}), so results follow JAX's closely on CPU, and
 * derivatives use JAX's rules ({@code d lgamma = digamma}, {@code d digamma = polygamma(1, .)}).
 * {@code erfc} is its own primitive (evaluated in float64; see {@link dev.arrax.primitives.Erfc}).
 */
public final class Special {
  private Special() {}

  /** The error function ({@code jax.scipy.special.erf}). */
  public static NDArray erf(NDArray x) { Np.nonNull("erf", x); return Ops.erf(Np.toFloat(x)); }

  /** {@code 1 - erf(x)}, accurate where erf is close to 1 ({@code jax.scipy.special.erfc}). */
  public static NDArray erfc(NDArray x) { Np.nonNull("erfc", x); return Ops.erfc(Np.toFloat(x)); }

  /**
   * The inverse error function ({@code jax.scipy.special.erfinv}): NaN outside [-1, 1], +-inf at +-1;
   * XLA:CPU's kernel bit for bit (it is what {@code jax.random.normal} uses).
   */
  public static NDArray erfinv(NDArray x) { Np.nonNull("erfinv", x); return Ops.erfInv(Np.toFloat(x)); }

  /** {@code log|Gamma(x)|} ({@code jax.scipy.special.gammaln}, {@code lax.lgamma}); +inf at the poles 0, -1, -2, ... */
  public static NDArray gammaln(NDArray x) { Np.nonNull("gammaln", x); return LGAMMA.apply(Np.toFloat(x)); }

  /** The digamma function {@code Gamma'(x) / Gamma(x)} ({@code jax.scipy.special.digamma}); NaN at the poles. */
  public static NDArray digamma(NDArray x) { Np.nonNull("digamma", x); return DIGAMMA.apply(Np.toFloat(x)); }

  /** {@code log(p / (1 - p))} ({@code jax.scipy.special.logit}); derivative {@code 1 / (p (1 - p))} (JAX's rule). */
  public static NDArray logit(NDArray p) { Np.nonNull("logit", p); return LOGIT.apply(Np.toFloat(p)); }

  /** {@code 1 / (1 + exp(-x))} ({@code jax.scipy.special.expit}, the {@code logistic} primitive). */
  public static NDArray expit(NDArray x) { Np.nonNull("expit", x); return Ops.logistic(Np.toFloat(x)); }

  /**
   * {@code x * log(y)}, with 0 where {@code x == 0} (so {@code xlogy(0, 0) = 0}) unless y is NaN
   * ({@code jax.scipy.special.xlogy}). Derivative (JAX's rule): {@code dx log(y) + dy x / y}.
   */
  public static NDArray xlogy(NDArray x, NDArray y) { return xlog("xlogy", XLOGY, x, y); }

  /** {@code x * log(y)} with a weakly typed scalar {@code x} (see {@link #xlogy(NDArray, NDArray)}). */
  public static NDArray xlogy(double x, NDArray y) { return xlogy(Np.weak(x, y), y); }

  /** {@code x * log1p(y)}, 0 where {@code x == 0} unless y is NaN ({@code jax.scipy.special.xlog1py}). */
  public static NDArray xlog1py(NDArray x, NDArray y) { return xlog("xlog1py", XLOG1PY, x, y); }

  private static NDArray xlog(String op, Fn f, NDArray x, NDArray y) {
    Np.nonNull(op, x, y);
    DType d = Np.floatType(DType.promote(x.dtype(), y.dtype()));
    int[] s = Np.broadcastShapes(op, x, y);
    return f.apply(Np.broadcastTo(Ops.convert(x, d), s), Np.broadcastTo(Ops.convert(y, d), s));
  }

  /**
   * The standard normal CDF ({@code jax.scipy.special.ndtr}), as JAX computes it: with
   * {@code w = x / sqrt(2)}, {@code (1 + erf(w)) / 2} for {@code |w| < 1/sqrt(2)}, else
   * {@code (2 - erfc(|w|)) / 2} or {@code erfc(|w|) / 2}, accurate in both tails. f32 and f64 only.
   */
  public static NDArray ndtr(NDArray x) {
    Np.nonNull("ndtr", x);
    requireFloat("ndtr", x);
    NDArray halfSqrt2 = Ops.like(x, 0.5 * Math.sqrt(2));
    NDArray w = Ops.mul(x, halfSqrt2);
    NDArray z = Ops.abs(w);
    NDArray small = Ops.add(Ops.like(x, 1), Ops.erf(w));
    NDArray ez = Ops.erfc(z);
    NDArray big = Ops.select(Ops.gt(w, Ops.like(x, 0)), Ops.sub(Ops.like(x, 2), ez), ez);
    return Ops.mul(Ops.like(x, 0.5), Ops.select(Ops.lt(z, halfSqrt2), small, big));
  }

  /**
   * The inverse of the normal CDF ({@code jax.scipy.special.ndtri}), JAX's port of Cephes' {@code ndtri}:
   * three rational approximations (p near 1/2, p down to exp(-32), below), +-inf at 1 and 0, NaN outside
   * [0, 1]. Composed as JAX composes it, so its derivative is that of the approximation, as in JAX.
   */
  public static NDArray ndtri(NDArray p) {
    Np.nonNull("ndtri", p);
    requireFloat("ndtri", p);
    NDArray one = Ops.like(p, 1), zero = Ops.like(p, 0);
    NDArray maybeComplement = Ops.select(Ops.gt(p, Ops.like(p, -Math.expm1(-2.0))), Ops.sub(one, p), p);
    NDArray sanitized = Ops.select(Ops.eq(maybeComplement, zero), Ops.like(p, 0.5), maybeComplement);
    NDArray w = Ops.sub(sanitized, Ops.like(p, 0.5));
    NDArray ww = Ops.mul(w, w);
    NDArray big = Ops.add(w, Ops.mul(Ops.mul(w, ww), Ops.div(Np.poly(ww, P0), Np.poly(ww, Q0))));
    big = Ops.mul(big, Ops.like(p, -Math.sqrt(2.0 * Math.PI)));
    NDArray z = Ops.sqrt(Ops.mul(Ops.like(p, -2.0), Ops.log(sanitized)));
    NDArray first = Ops.sub(z, Ops.div(Ops.log(z), z));
    NDArray invZ = Ops.div(one, z);
    NDArray secondSmall = Ops.div(Ops.div(Np.poly(invZ, P2), Np.poly(invZ, Q2)), z);
    NDArray secondOther = Ops.div(Ops.div(Np.poly(invZ, P1), Np.poly(invZ, Q1)), z);
    NDArray x = Ops.select(Ops.gt(sanitized, Ops.like(p, Math.exp(-2.0))), big,
        Ops.select(Ops.ge(z, Ops.like(p, 8.0)), Ops.sub(first, secondSmall), Ops.sub(first, secondOther)));
    x = Ops.select(Ops.gt(p, Ops.like(p, 1.0 - Math.exp(-2.0))), x, Ops.neg(x));
    return Ops.select(Ops.eq(p, zero), Ops.like(p, Double.NEGATIVE_INFINITY), Ops.select(Ops.eq(p, one), Ops.like(p, Double.POSITIVE_INFINITY), x));
  }

  // Cephes' coefficients as in jax/_src/scipy/special.py (_ndtri), highest degree first.
  private static final double[] P0 = {-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1, 1.39312609387279679503E1,
      -1.23916583867381258016E0};
  private static final double[] Q0 = {1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1, -2.25462687854119370527E2,
      2.00260212380060660359E2, -8.20372256168333339912E1, 1.59056225126211695515E1, -1.18331621121330003142E0};
  private static final double[] P1 = {4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1, 4.40805073893200834700E1,
      1.46849561928858024014E1, 2.18663306850790267539E0, -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4};
  private static final double[] Q1 = {1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1, 1.50425385692907503408E1,
      2.50464946208309415979E0, -1.42182922854787788574E-1, -3.80806407691578277194E-2, -9.33259480895457427372E-4};
  private static final double[] P2 = {3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0, 1.33303460815807542389E0,
      2.01485389549179081538E-1, 1.23716634817820021358E-2, 3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9};
  private static final double[] Q2 = {1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0, 2.16236993594496635890E-1,
      1.34204006088543189037E-2, 3.28014464682127739104E-4, 2.89247864745380683936E-6, 6.79019408009981274425E-9};

  // ---- logsumexp ----

  /** {@code log(sum(exp(a)))} over all elements ({@code jax.scipy.special.logsumexp(a)}). */
  public static NDArray logsumexp(NDArray a) { return Nn.logsumexp(a); }

  /** {@code log(sum(exp(a), axis))}, with {@code keepdims}. */
  public static NDArray logsumexp(NDArray a, int axis, boolean keepdims) { return Nn.logsumexp(a, axis, keepdims); }

  /**
   * {@code log(sum(b * exp(a), axis))} ({@code jax.scipy.special.logsumexp(a, axis, b=b, keepdims)}), with
   * {@code b} broadcast against {@code a}: as JAX, the maximum of a (finite, behind a stop-gradient) is
   * subtracted first, and where the weighted sum is negative the result is NaN (use
   * {@link #logsumexpWithSign} to get its sign instead).
   */
  public static NDArray logsumexp(NDArray a, NDArray b, int axis, boolean keepdims) {
    NDArray[] r = logsumexpSigned("logsumexp", a, b, axis, keepdims);
    return Ops.select(Ops.lt(r[1], Ops.like(r[1], 0)), Ops.like(r[0], Double.NaN), r[0]);
  }

  /** {@code logsumexp(a, axis, b, keepdims, return_sign=True)}: {log|sum b exp(a)|, sign of the sum}. */
  public static NDArray[] logsumexpWithSign(NDArray a, NDArray b, int axis, boolean keepdims) {
    return logsumexpSigned("logsumexp", a, b, axis, keepdims);
  }

  private static NDArray[] logsumexpSigned(String op, NDArray a, NDArray b, int axis, boolean keepdims) {
    Np.nonNull(op, a, b);
    DType d = Np.floatType(DType.promote(a.dtype(), b.dtype()));
    int[] s = Np.broadcastShapes(op, a, b);
    NDArray af = Np.broadcastTo(Ops.convert(a, d), s), bf = Np.broadcastTo(Ops.convert(b, d), s);
    int ax = Shapes.axis(op, axis, af.ndim());
    NDArray amax = Np.max(af, ax, true);
    amax = Ops.stopGradient(Ops.select(Ops.isFinite(amax), amax, Ops.like(amax, 0)));
    NDArray expA = Ops.mul(Ops.exp(Ops.sub(af, Np.broadcastTo(amax, s))), bf);
    NDArray sum = Np.sum(expA, ax, keepdims);
    NDArray sign = Ops.sign(sum);
    NDArray out = Ops.add(Ops.log(Ops.abs(sum)), keepdims ? amax : Np.squeeze(amax, ax));
    return new NDArray[] {out, sign};
  }

  private static void requireFloat(String op, NDArray x) {
    if (!x.dtype().isFloating()) {
      throw new ShapeException(op + ": x.dtype=" + x.dtype().shortName() + " is not supported (f32 and f64 only, as in JAX); convert with astype" + CallSite.describe());
    }
  }

  // ---- the gamma family, as XLA expands it ----

  private static final double LANCZOS_G = 7;
  private static final double LANCZOS_BASE = 0.99999999999980993227684700473478;
  private static final double[] LANCZOS = {676.520368121885098567009190444019, -1259.13921672240287047156078755283, 771.3234287776530788486528258894,
      -176.61502916214059906584551354, 12.507343278686904814458936853, -0.13857109526572011689554707, 9.984369578019570859563e-6,
      1.50563273514931155834e-7};

  private static final Fn LGAMMA = Arrax.customJvp(xs -> lgammaValue(xs[0]), (p, t) -> new Arrax.JvpResult(Special.LGAMMA.apply(p[0]),
      Ops.mul(t[0], Special.DIGAMMA.apply(p[0]))));
  private static final Fn DIGAMMA = Arrax.customJvp(xs -> digammaValue(xs[0]), (p, t) -> new Arrax.JvpResult(Special.DIGAMMA.apply(p[0]),
      Ops.mul(t[0], trigammaValue(p[0]))));
  private static final Fn LOGIT = Arrax.customJvp(xs -> Ops.log(Ops.div(xs[0], Ops.sub(Ops.like(xs[0], 1), xs[0]))), (p, t) -> new Arrax.JvpResult(
      Special.LOGIT.apply(p[0]), Ops.div(t[0], Ops.mul(p[0], Ops.sub(Ops.like(p[0], 1), p[0])))));
  private static final Fn XLOGY = Arrax.customJvp(xs -> xlogValue(xs[0], xs[1], false), (p, t) -> new Arrax.JvpResult(Special.XLOGY.apply(p[0], p[1]),
      Ops.add(Ops.mul(t[0], Ops.log(p[1])), Ops.div(Ops.mul(t[1], p[0]), p[1]))));
  private static final Fn XLOG1PY = Arrax.customJvp(xs -> xlogValue(xs[0], xs[1], true), (p, t) -> new Arrax.JvpResult(Special.XLOG1PY.apply(p[0], p[1]),
      Ops.add(Ops.mul(t[0], Ops.log1p(p[1])), Ops.div(Ops.mul(t[1], p[0]), Ops.add(Ops.like(p[1], 1), p[1])))));

  private static NDArray xlogValue(NDArray x, NDArray y, boolean plusOne) {
    NDArray ok = Ops.or(Ops.ne(x, Ops.like(x, 0)), Ops.ne(y, y));
    return Ops.select(ok, Ops.mul(x, plusOne ? Ops.log1p(y) : Ops.log(y)), Ops.zeros(x.type()));
  }

  /** {@code z = x - 1} (or {@code -x}, reflected, for x < 1/2) and the Lanczos sums {@code c0 + sum c_i / (z + i + 1)}. */
  private static NDArray lanczosZ(NDArray input, NDArray reflect) {
    return Ops.select(reflect, Ops.neg(input), Ops.sub(input, Ops.like(input, 1)));
  }

  static NDArray lgammaValue(NDArray input) {
    NDArray half = Ops.like(input, 0.5), one = Ops.like(input, 1);
    NDArray reflect = Ops.lt(input, half);
    NDArray z = lanczosZ(input, reflect);
    NDArray x = Ops.like(input, LANCZOS_BASE);
    for (int i = 0; i < LANCZOS.length; i++) x = Ops.add(x, Ops.div(Ops.like(input, LANCZOS[i]), Ops.add(Ops.add(z, Ops.like(input, i)), one)));
    NDArray gph = Ops.like(input, LANCZOS_G + 0.5);
    NDArray t = Ops.add(gph, z);
    NDArray logT = Ops.add(Ops.like(input, Math.log(LANCZOS_G + 0.5)), Ops.log1p(Ops.div(z, gph)));
    NDArray logY = Ops.add(Ops.add(Ops.like(input, (Math.log(2) + Math.log(Math.PI)) / 2), Ops.mul(Ops.sub(Ops.add(z, half), Ops.div(t, logT)), logT)),
        Ops.log(x));
    NDArray absInput = Ops.abs(input);
    NDArray absFrac = Ops.sub(absInput, Ops.floor(absInput));
    NDArray reduced = Ops.select(Ops.gt(absFrac, half), Ops.sub(one, absFrac), absFrac);
    NDArray reflectionDenom = Ops.log(Ops.sin(Ops.mul(Ops.like(input, Math.PI), reduced)));
    NDArray reflection = Ops.select(Ops.isFinite(reflectionDenom), Ops.sub(Ops.sub(Ops.like(input, Math.log(Math.PI)), reflectionDenom), logY),
        Ops.neg(reflectionDenom));
    NDArray result = Ops.select(reflect, reflection, logY);
    NDArray isInf = Ops.eq(absInput, Ops.like(input, Double.POSITIVE_INFINITY));
    return Ops.select(isInf, Ops.like(input, Double.POSITIVE_INFINITY), result);
  }

  static NDArray digammaValue(NDArray input) {
    NDArray zero = Ops.like(input, 0), half = Ops.like(input, 0.5), one = Ops.like(input, 1);
    NDArray reflect = Ops.lt(input, half);
    NDArray z = lanczosZ(input, reflect);
    NDArray num = zero, denom = Ops.like(input, LANCZOS_BASE);
    for (int i = 0; i < LANCZOS.length; i++) {
      NDArray zi = Ops.add(Ops.add(z, Ops.like(input, i)), one);
      NDArray c = Ops.like(input, LANCZOS[i]);
      num = Ops.sub(num, Ops.div(c, Ops.mul(zi, zi)));
      denom = Ops.add(denom, Ops.div(c, zi));
    }
    NDArray gph = Ops.like(input, LANCZOS_G + 0.5);
    NDArray t = Ops.add(gph, z);
    NDArray logT = Ops.add(Ops.like(input, Math.log(LANCZOS_G + 0.5)), Ops.log1p(Ops.div(z, gph)));
    NDArray y = Ops.sub(Ops.add(logT, Ops.div(num, denom)), Ops.div(Ops.like(input, LANCZOS_G), t));
    NDArray reduced = Ops.add(input, Ops.abs(Ops.floor(Ops.add(input, half))));
    NDArray pi = Ops.like(input, Math.PI);
    NDArray reflection = Ops.sub(y, Ops.div(Ops.mul(pi, Ops.cos(Ops.mul(pi, reduced))), Ops.sin(Ops.mul(pi, reduced))));
    NDArray real = Ops.select(reflect, reflection, y);
    NDArray pole = Ops.and(Ops.le(input, zero), Ops.eq(input, Ops.floor(input)));
    return Ops.select(pole, Ops.like(input, Double.NaN), real);
  }

  /**
   * {@code polygamma(1, x)}, the derivative of {@link #digammaValue}: differentiating the Lanczos form
   * gives {@code 1/t + g/t^2 + (num' denom - num^2) / denom^2}, and the reflection
   * {@code psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x)}; +inf at the poles.
   */
  static NDArray trigammaValue(NDArray input) {
    NDArray zero = Ops.like(input, 0), half = Ops.like(input, 0.5), one = Ops.like(input, 1);
    NDArray reflect = Ops.lt(input, half);
    NDArray z = lanczosZ(input, reflect);
    NDArray num = zero, dnum = zero, denom = Ops.like(input, LANCZOS_BASE);
    for (int i = 0; i < LANCZOS.length; i++) {
      NDArray zi = Ops.add(Ops.add(z, Ops.like(input, i)), one);
      NDArray c = Ops.like(input, LANCZOS[i]);
      NDArray zi2 = Ops.mul(zi, zi);
      num = Ops.sub(num, Ops.div(c, zi2));
      dnum = Ops.add(dnum, Ops.div(Ops.mul(Ops.like(input, 2), c), Ops.mul(zi2, zi)));
      denom = Ops.add(denom, Ops.div(c, zi));
    }
    NDArray t = Ops.add(Ops.like(input, LANCZOS_G + 0.5), z);
    NDArray ratio = Ops.div(Ops.sub(Ops.mul(dnum, denom), Ops.mul(num, num)), Ops.mul(denom, denom));
    NDArray y = Ops.add(Ops.add(Ops.div(one, t), Ops.div(Ops.like(input, LANCZOS_G), Ops.mul(t, t))), ratio);
    NDArray reduced = Ops.add(input, Ops.abs(Ops.floor(Ops.add(input, half))));
    NDArray s = Ops.sin(Ops.mul(Ops.like(input, Math.PI), reduced));
    NDArray reflection = Ops.sub(Ops.div(Ops.like(input, Math.PI * Math.PI), Ops.mul(s, s)), y);
    NDArray real = Ops.select(reflect, reflection, y);
    NDArray pole = Ops.and(Ops.le(input, zero), Ops.eq(input, Ops.floor(input)));
    return Ops.select(pole, Ops.like(input, Double.POSITIVE_INFINITY), real);
  }
}
