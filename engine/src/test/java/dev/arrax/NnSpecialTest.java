package dev.arrax;

import static dev.arrax.testing.Pinned.INF;
import static dev.arrax.testing.Pinned.NaN;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.Check;
import dev.arrax.testing.Rand;
import dev.arrax.testing.Transforms;
import org.junit.jupiter.api.Test;

/**
 * jax.nn and jax.scipy.special functions added for issue 13. References: closed forms computed here, and
 * independent float64 computations written in this class (erfc by quadrature, lgamma by Stirling's series
 * with the recurrence, digamma and trigamma from their series at integers and half-integers).
 */
class NnSpecialTest {

  // ---- jax.nn ----

  @Test
  void activations() {
    double[] xs = {-7, -1, -0.0, 0, 0.5, 3, 6, 8, NaN};
    NDArray x = NDArray.of(xs);
    double[] r6 = new double[xs.length], lr = new double[xs.length], el = new double[xs.length], se = new double[xs.length], ls = new double[xs.length];
    double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
    for (int i = 0; i < xs.length; i++) {
      double v = xs[i];
      r6[i] = Math.min(Math.max(v, 0), 6);
      lr[i] = v >= 0 ? v : 0.01 * v;
      el[i] = v > 0 ? v : Math.expm1(v);
      se[i] = scale * (v > 0 ? v : alpha * Math.expm1(v));
      ls[i] = -Math.log1p(Math.exp(-v)); // v > -30 here, so no overflow in this reference
    }
    Check.close(r6, Nn.relu6(x), 0, 0, "relu6");
    Check.close(lr, Nn.leakyRelu(x), 0, 0, "leaky_relu");
    Check.close(el, Nn.elu(x), 1e-16, 0, "elu");
    Check.close(se, Nn.selu(x), 1e-15, 0, "selu");
    Check.close(ls, Nn.logSigmoid(x), 1e-15, 1e-16, "log_sigmoid");
    Check.close(new double[] {-1000, 0}, Nn.logSigmoid(NDArray.of(-1000.0, 1000.0)), 0, 0, "log_sigmoid is stable at +-1000");
    pin(Nn.relu6(NDArray.ofInts(-3, 9)), DType.FLOAT64, new int[] {2}, new double[] {0, 6}, "relu6 of ints is f64 (jnp.minimum(x, 6.))");
    // JAX's relu6 rule: derivative 1 strictly inside (0, 6), 0 at 0 and 6
    Check.close(new double[] {0, 0, 1, 0, 0}, Arrax.grad(a -> Np.sum(Nn.relu6(a[0]))).apply(NDArray.of(-1.0, 0.0, 3.0, 6.0, 7.0)), 0, 0, "d relu6");
    Check.close(new double[] {0.01, 1, 1}, Arrax.grad(a -> Np.sum(Nn.leakyRelu(a[0]))).apply(NDArray.of(-1.0, 0.0, 2.0)), 0, 0, "d leaky_relu (1 at 0)");
    NDArray big = NDArray.of(1000.0, -2.0);
    Check.close(new double[] {1, Math.exp(-2)}, Arrax.grad(a -> Np.sum(Nn.elu(a[0]))).apply(big), 1e-15, 0, "d elu stays finite at x = 1000");
    Rand r = new Rand(1);
    NDArray z = r.normal(3, 4);
    Transforms.check(a -> Nn.relu6(Np.multiply(a[0], 4.0)), new NDArray[] {z}, r, 1, 1e-15, "relu6");
    Transforms.check(a -> Nn.elu(a[0], 0.7), new NDArray[] {z}, r, 2, 1e-15, "elu");
    Transforms.check(a -> Nn.selu(a[0]), new NDArray[] {z}, r, 1, 1e-15, "selu");
    Transforms.check(a -> Nn.logSigmoid(a[0]), new NDArray[] {z}, r, 2, 1e-15, "log_sigmoid");
    Transforms.check(a -> Nn.leakyRelu(a[0], 0.2), new NDArray[] {z}, r, 1, 1e-15, "leaky_relu");
  }

  @Test
  void gluStandardizeOneHot() {
    NDArray x = NDArray.of(new double[][] {{1, 2, 3, 4}, {-1, 0, 0.5, -2}});
    double[] e = new double[4];
    double[] xs = x.toDoubleArray();
    for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) e[i * 2 + j] = xs[i * 4 + j] / (1 + Math.exp(-xs[i * 4 + 2 + j]));
    Check.close(e, Nn.glu(x), 1e-15, 0, "glu: first half * sigmoid(second half)");
    assertEquals("f64[1,4]", Nn.glu(x, 0).type().toString(), "glu along axis 0");
    assertThrows(ShapeException.class, () -> Nn.glu(NDArray.of(1.0, 2.0, 3.0)));
    double[] st = new double[8];
    for (int i = 0; i < 2; i++) {
      double m = 0, sq = 0;
      for (int j = 0; j < 4; j++) {
        m += xs[i * 4 + j] / 4;
        sq += xs[i * 4 + j] * xs[i * 4 + j] / 4;
      }
      double var = Math.max(sq - m * m, 0); // JAX's "fast" variance
      for (int j = 0; j < 4; j++) st[i * 4 + j] = (xs[i * 4 + j] - m) / Math.sqrt(var + 1e-5);
    }
    Check.close(st, Nn.standardize(x), 1e-14, 1e-15, "standardize");
    Check.close(Np.divide(Np.subtract(x, 1.0), Math.sqrt(4 + 1e-5)), Nn.standardize(x, -1, NDArray.scalar(1.0), NDArray.scalar(4.0), 1e-5), 1e-15, 0,
        "standardize with given mean and variance");
    NDArray labels = NDArray.ofInts(2, 0, -1, 3, 1);
    pin(Nn.oneHot(labels, 3), DType.FLOAT64, new int[] {5, 3}, new double[] {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
        "one_hot: -1 and 3 (out of range) give zero rows");
    pin(Nn.oneHot(NDArray.ofInts(1, 0), 2, DType.FLOAT32, 0), DType.FLOAT32, new int[] {2, 2}, new double[] {0, 1, 1, 0}, "one_hot axis 0, f32");
    Rand r = new Rand(2);
    Transforms.check(a -> Nn.glu(a[0]), new NDArray[] {r.normal(3, 6)}, r, 2, 1e-15, "glu");
    Transforms.check(a -> Nn.standardize(a[0]), new NDArray[] {r.normal(3, 5)}, r, 2, 1e-13, "standardize");
    Transforms.check(a -> Nn.oneHot(a[0], 4), new NDArray[] {NDArray.ofInts(0, 3, 2)}, r, 0, 0, "one_hot");
  }

  // ---- jax.scipy.special ----

  /** erf by its Taylor series (|x| < 1.5: alternating terms below 1.2, so about 1e-16 absolute). */
  static double erfSeries(double x) {
    double sum = 0, term = x;
    for (int n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  /**
   * erfc: 1 - the series for |x| < 1.5; beyond, 2/sqrt(pi) exp(-x^2) * integral_0^inf exp(-2xu - u^2) du by
   * composite Simpson's rule (about 1e-14 relative).
   */
  static double erfcQuadrature(double x) {
    if (Math.abs(x) < 1.5) return 1 - erfSeries(x);
    if (x < 0) return 2 - erfcQuadrature(-x);
    double upper = Math.min(12.0, 40.0 / (2 * x + 1)), sum = 0;
    int n = 40000;
    double h = upper / n;
    for (int i = 0; i <= n; i++) {
      double u = i * h, f = Math.exp(-2 * x * u - u * u);
      sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
    }
    return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum * h / 3;
  }

  @Test
  void erfcErfErfinvNdtrNdtri() {
    double[] xs = {-3, -1, -0.2, 0, 0.3, 1, 1.5, 2.5, 4, 6, 9};
    double[] e = new double[xs.length];
    for (int i = 0; i < xs.length; i++) e[i] = erfcQuadrature(xs[i]);
    Check.close(e, Special.erfc(NDArray.of(xs)), 2e-13, 0, "erfc vs quadrature (relative, into the tail)");
    Check.close(new double[] {2, 0, 1, NaN}, Special.erfc(NDArray.of(-INF, INF, 0.0, NaN)), 0, 0, "erfc special values");
    Check.close(new double[] {0}, Special.erfc(NDArray.of(30.0)), 0, 0, "erfc underflows to 0");
    double[] one = new double[xs.length];
    for (int i = 0; i < xs.length; i++) one[i] = Math.abs(xs[i]) < 1.5 ? erfSeries(xs[i]) : 1 - e[i];
    Check.close(one, Special.erf(NDArray.of(xs)), 1e-15, 1e-15, "erf vs its series / 1 - erfc");
    pin(Special.erfc(NDArray.ofInts(1)), DType.FLOAT32, new int[] {1}, new double[] {(float) erfcQuadrature(1)}, "i32 -> f32");
    NDArray p = NDArray.of(1e-300, 1e-20, 0.001, 0.1, 0.3, 0.5, 0.8, 0.9, 0.999, 1 - 1e-12);
    NDArray q = Special.ndtri(p);
    double[] ps = p.toDoubleArray(), qs = q.toDoubleArray(), back = new double[ps.length];
    for (int i = 0; i < ps.length; i++) back[i] = 0.5 * erfcQuadrature(-qs[i] / Math.sqrt(2));
    Check.close(ps, back, 1e-9, 0, "ndtr(ndtri(p)) = p (the Cephes approximation, relative)");
    Check.close(new double[] {0}, Special.ndtri(NDArray.of(0.5)), 0, 1e-16, "ndtri(0.5) = 0");
    Check.close(new double[] {Double.NEGATIVE_INFINITY, INF, NaN}, Special.ndtri(NDArray.of(0.0, 1.0, 1.5)), 0, 0, "ndtri at 0, 1, outside");
    double[] nx = {-30, -8, -1, 0, 0.5, 2, 9};
    double[] ne = new double[nx.length];
    for (int i = 0; i < nx.length; i++) ne[i] = 0.5 * erfcQuadrature(-nx[i] / Math.sqrt(2));
    Check.close(ne, Special.ndtr(NDArray.of(nx)), 2e-13, 0, "ndtr, accurate in the lower tail");
    Check.close(new double[] {0.25, 0.5}, Special.erfinv(Special.erf(NDArray.of(0.25, 0.5))), 1e-15, 0, "erfinv(erf(x)) = x");
    assertThrows(ShapeException.class, () -> Special.ndtr(NDArray.ofInts(1)));
    Rand r = new Rand(3);
    Transforms.check(a -> Special.erfc(a[0]), new NDArray[] {r.normal(5)}, r, 2, 0, "erfc");
    dev.arrax.testing.ProgramCheck.roundTrip(a -> Special.erfc(a[0]), new NDArray[] {r.normal(5)}, "erfc program text");
    Transforms.check(a -> Special.ndtr(a[0]), new NDArray[] {r.normal(5).mul(3.0)}, r, 2, 0, "ndtr");
    Transforms.check(a -> Special.ndtri(a[0]), new NDArray[] {r.uniform(0.01, 0.99, 5)}, r, 1, 1e-15, "ndtri");
  }

  /** lgamma by Stirling's series at x + 10 and the recurrence down: about 1e-16 absolute. */
  static double lgammaRef(double x) {
    double prod = 1;
    while (x < 15) {
      prod *= x;
      x += 1;
    }
    double shift = Math.log(Math.abs(prod));
    double x2 = x * x;
    double s = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI)
        + 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x2 * x2 * x) - 1 / (1680 * x2 * x2 * x2 * x) + 1 / (1188 * x2 * x2 * x2 * x2 * x);
    return s - shift;
  }

  @Test
  void gammalnDigammaAndTheirDerivatives() {
    double[] xs = {0.001, 0.1, 0.5, 1.5, 2.5, 3.7, 10, 30.2, 171.5, 1e5};
    double[] e = new double[xs.length];
    for (int i = 0; i < xs.length; i++) e[i] = lgammaRef(xs[i]);
    // the reference subtracts logs of about 30 from Stirling's value there: a few 1e-15 absolute
    Check.close(e, Special.gammaln(NDArray.of(xs)), 1e-14, 2e-14, "gammaln vs Stirling + recurrence");
    // closed forms: lgamma(n) = log((n-1)!), lgamma(1/2) = log(sqrt(pi)); reflection for negative x
    Check.close(new double[] {0, 0, Math.log(2), Math.log(24), Math.log(Math.sqrt(Math.PI))}, Special.gammaln(NDArray.of(1.0, 2.0, 3.0, 5.0, 0.5)), 1e-14, 1e-15,
        "gammaln closed forms");
    double neg = Math.log(Math.PI / Math.abs(Math.sin(Math.PI * -2.5))) - lgammaRef(3.5);
    Check.close(new double[] {neg, INF, INF, INF, NaN}, Special.gammaln(NDArray.of(-2.5, 0.0, -3.0, INF, NaN)), 1e-13, 0, "reflection, poles, inf, NaN");
    double gamma = 0.57721566490153286061;
    double[] ds = {1, 2, 5, 0.5, 3.5, -0.5, 100};
    double[] de = {-gamma, 1 - gamma, 1 + 0.5 + 1.0 / 3 + 0.25 - gamma, -gamma - 2 * Math.log(2), -gamma - 2 * Math.log(2) + 2 + 2.0 / 3 + 2.0 / 5, 0, 0};
    de[5] = -gamma - 2 * Math.log(2) + 2; // psi(x + 1) = psi(x) + 1/x at x = -1/2: psi(-1/2) = psi(1/2) + 2
    double h = 0;
    for (int k = 1; k < 100; k++) h += 1.0 / k;
    de[6] = h - gamma;
    Check.close(de, Special.digamma(NDArray.of(ds)), 1e-13, 1e-14, "digamma at integers and half-integers");
    Check.close(new double[] {NaN, NaN}, Special.digamma(NDArray.of(0.0, -2.0)), 0, 0, "digamma poles are NaN");
    // d gammaln = digamma (JAX's rule); d digamma = trigamma: pi^2/6 at 1, pi^2/2 at 1/2, pi^2/6 - 1 - 1/4 at 3
    NDArray at = NDArray.of(1.0, 0.5, 3.0, -0.5);
    Check.close(Special.digamma(at), Arrax.grad(a -> Np.sum(Special.gammaln(a[0]))).apply(at), 0, 0, "grad gammaln = digamma");
    double pi2 = Math.PI * Math.PI;
    Check.close(new double[] {pi2 / 6, pi2 / 2, pi2 / 6 - 1.25, pi2 / 2 + 4}, Arrax.grad(a -> Np.sum(Special.digamma(a[0]))).apply(at), 1e-12, 1e-12,
        "grad digamma = trigamma (psi'(-1/2) = pi^2/2 + 4)");
    Rand r = new Rand(4);
    Transforms.check(a -> Special.gammaln(a[0]), new NDArray[] {r.uniform(0.2, 6, 6)}, r, 2, 1e-14, "gammaln");
    Transforms.check(a -> Special.digamma(a[0]), new NDArray[] {r.uniform(0.2, 6, 6)}, r, 1, 1e-14, "digamma");
    Transforms.check(a -> Lax.lgamma(a[0]), new NDArray[] {r.uniform(-3.9, -3.1, 4)}, r, 1, 1e-14, "lax.lgamma, negative non-integers");
    pin(Special.gammaln(NDArray.of(4.0f)), DType.FLOAT32, new int[] {1}, new double[] {Math.log(6)}, 1e-6, 1e-6, "f32");
  }

  @Test
  void logitExpitXlogy() {
    double[] ps = {1e-10, 0.25, 0.5, 0.75, 1 - 1e-10, 0, 1};
    double[] lg = new double[ps.length];
    for (int i = 0; i < ps.length; i++) lg[i] = Math.log(ps[i] / (1 - ps[i]));
    Check.close(lg, Special.logit(NDArray.of(ps)), 1e-15, 0, "logit");
    Check.close(new double[] {0.25, 0.5}, Special.expit(Special.logit(NDArray.of(0.25, 0.5))), 1e-15, 0, "expit inverts logit");
    Check.close(new double[] {1 / (0.25 * 0.75)}, Arrax.grad(a -> Np.sum(Special.logit(a[0]))).apply(NDArray.of(0.25)), 1e-15, 0, "d logit = 1/(p(1-p))");
    NDArray x = NDArray.of(0.0, 0.0, 2.0, 0.0, 3.0), y = NDArray.of(0.0, 5.0, 0.5, NaN, -1.0);
    Check.close(new double[] {0, 0, 2 * Math.log(0.5), NaN, NaN}, Special.xlogy(x, y), 1e-16, 0, "xlogy: 0 log 0 = 0, NaN y propagates");
    Check.close(new double[] {0, 0, 2 * Math.log1p(0.5), NaN, Double.NEGATIVE_INFINITY}, Special.xlog1py(x, y), 1e-16, 0, "xlog1py");
    NDArray[] g = Arrax.valueAndGrad(a -> Np.sum(Special.xlogy(a[0], a[1])), 0, 1).apply(NDArray.of(2.0), NDArray.of(0.5));
    Check.close(new double[] {Math.log(0.5)}, g[1], 1e-16, 0, "d xlogy / dx = log y");
    Check.close(new double[] {4}, g[2], 1e-16, 0, "d xlogy / dy = x / y");
    Rand r = new Rand(5);
    Transforms.check(a -> Special.xlogy(a[0], a[1]), new NDArray[] {r.normal(4), r.uniform(0.5, 2, 4)}, r, 2, 1e-15, "xlogy");
    Transforms.check(a -> Special.xlog1py(a[0], a[1]), new NDArray[] {r.normal(4), r.uniform(0.5, 2, 4)}, r, 2, 1e-15, "xlog1py");
    Transforms.check(a -> Special.logit(a[0]), new NDArray[] {r.uniform(0.1, 0.9, 4)}, r, 2, 1e-15, "logit");
  }

  @Test
  void logsumexpWithWeights() {
    NDArray a = NDArray.of(new double[][] {{1, 2, 3}, {1000, 1000, -INF}});
    NDArray b = NDArray.of(2.0, -1.0, 0.5);
    double[] e = new double[2], sign = new double[2];
    double[] as = a.toDoubleArray(), bs = b.toDoubleArray();
    for (int i = 0; i < 2; i++) {
      double m = Math.max(as[i * 3], Math.max(as[i * 3 + 1], as[i * 3 + 2])), s = 0;
      for (int j = 0; j < 3; j++) s += bs[j] * Math.exp(as[i * 3 + j] - m);
      e[i] = Math.log(Math.abs(s)) + m;
      sign[i] = Math.signum(s);
    }
    Check.close(e, Special.logsumexp(a, b, 1, false), 1e-15, 0, "logsumexp with b (positive sums)");
    NDArray[] ws = Special.logsumexpWithSign(a, Np.negative(b), 1, true);
    Check.close(e, ws[0], 1e-15, 0, "return_sign: log|sum|");
    Check.close(new double[] {-sign[0], -sign[1]}, ws[1], 0, 0, "return_sign: the sign");
    assertTrue(Double.isNaN(Special.logsumexp(a, Np.negative(b), 1, false).getDouble(0)), "a negative weighted sum is NaN without return_sign, as JAX");
    Check.close(Nn.logsumexp(a, 1), Special.logsumexp(a, Np.onesLike(a), 1, false), 1e-15, 0, "b = 1 is logsumexp");
    Rand r = new Rand(6);
    Transforms.check(z -> Special.logsumexp(z[0], z[1], 0, false), new NDArray[] {r.normal(4, 3), r.uniform(0.5, 2, 4, 3)}, r, 2, 1e-14, "logsumexp b");
  }
}
