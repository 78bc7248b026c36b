package dev.arrax;

import static dev.arrax.testing.Pinned.arr;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import org.junit.jupiter.api.Test;

/**
 * The seed's sampling statistics written with the public API, f64, over V = 8 logits:
 * <pre>
 *   normalize_logits(x) = x - logsumexp(x, -1, keepdims=True)
 *   entropy(x)          = -sum(p * logp)                          p = exp(logp), logp = normalize_logits(x)
 *   varentropy(x)       = sum(p * (logp + H)^2)
 *   kl(x, y)            = sum(where(p > 0, p * (logp - logq), 0))  logq = log_softmax(y)
 * </pre>
 * Values and {@code jax.grad} of each were generated with JAX 0.10.2 (x64) for three inputs (a generic
 * one, a uniform one, and one whose probabilities underflow to exactly 0) and pinned; derivatives are
 * also checked to order 2 against finite differences, vmap against a row loop, and the traced program
 * is verified, round-tripped through text and (for kl) pinned as printed.
 */
class SeedFunctionsTest {
  static NDArray normalizeLogits(NDArray x) { return Np.subtract(x, Nn.logsumexp(x, -1, true)); }

  static NDArray entropy(NDArray x) {
    NDArray logp = normalizeLogits(x);
    return Np.negative(Np.sum(Np.multiply(Np.exp(logp), logp), -1));
  }

  static NDArray varentropy(NDArray x) {
    NDArray logp = normalizeLogits(x);
    NDArray p = Np.exp(logp);
    NDArray h = Np.negative(Np.sum(Np.multiply(p, logp), -1));
    NDArray d = Np.add(logp, Np.expandDims(h, -1));
    return Np.sum(Np.multiply(p, Np.multiply(d, d)), -1);
  }

  static NDArray kl(NDArray x, NDArray y) {
    NDArray logp = normalizeLogits(x);
    NDArray p = Np.exp(logp);
    NDArray logq = Nn.logSoftmax(y, -1);
    return Np.sum(Np.where(Np.greater(p, 0.0), Np.multiply(p, Np.subtract(logp, logq)), 0.0), -1);
  }

  /** jnp.arange(8.0) * 0.25 - 1.0 */
  static final NDArray W8 = Np.subtract(Np.multiply(Np.arange(8), 0.25), 1.0);

  static final NDArray X0 = arr(DType.FLOAT64, new int[] {8}, new double[] {0.3, -1.2, 2.1, 0.0, -0.7, 1.5, -2.4, 0.9});
  static final NDArray X1 = arr(DType.FLOAT64, new int[] {8}, new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
  static final NDArray X2 = arr(DType.FLOAT64, new int[] {8}, new double[] {0.0, -800.0, -800.0, 5.0, -3.0, -800.0, 1.0, -1000.0});
  static final NDArray Y0 = arr(DType.FLOAT64, new int[] {8}, new double[] {1.0, 0.2, -0.5, 0.8, 0.0, -1.5, 2.0, 0.3});
  static final NDArray Y1 = arr(DType.FLOAT64, new int[] {8}, new double[] {0.4, -0.3, 0.1, 0.9, -1.1, 0.6, 0.0, -0.2});
  static final NDArray Y2 = arr(DType.FLOAT64, new int[] {8}, new double[] {2.0, 0.0, -1.0, 4.0, -2.0, 0.5, 1.0, -3.0});
  static final NDArray[] XS = {X0, X1, X2}, YS = {Y0, Y1, Y2};

  @Test
  void normalizeLogitsValuesAndGradientsMatchJax() {
    pin(normalizeLogits(X0), DType.FLOAT64, new int[] {8}, new double[] {-2.6094016668221527, -4.109401666822152, -0.8094016668221524, -2.9094016668221525, -3.6094016668221522, -1.4094016668221525, -5.309401666822152, -2.0094016668221526}, "normalizeLogits(X0)");
    pin(Arrax.grad(a -> Np.sum(Np.multiply(W8, normalizeLogits(a[0])))).apply(X0), DType.FLOAT64, new int[] {8}, new double[] {-0.9264214449142874, -0.7335824052202349, -0.05487568079055011, -0.19549166574107057, 0.027068037727134165, 0.49428940589057785, 0.5049448845211852, 0.8840688685272458}, "grad of sum(w * normalizeLogits(X0))");
    pin(normalizeLogits(X1), DType.FLOAT64, new int[] {8}, new double[] {-2.0794415416798357, -2.0794415416798357, -2.0794415416798357, -2.0794415416798357, -2.0794415416798357, -2.0794415416798357, -2.0794415416798357, -2.0794415416798357}, "normalizeLogits(X1)");
    pin(Arrax.grad(a -> Np.sum(Np.multiply(W8, normalizeLogits(a[0])))).apply(X1), DType.FLOAT64, new int[] {8}, new double[] {-0.875, -0.625, -0.375, -0.125, 0.125, 0.375, 0.625, 0.875}, "grad of sum(w * normalizeLogits(X1))");
    pin(normalizeLogits(X2), DType.FLOAT64, new int[] {8}, new double[] {-5.02507210010341, -805.0250721001034, -805.0250721001034, -0.025072100103409767, -8.02507210010341, -805.0250721001034, -4.02507210010341, -1005.0250721001034}, "normalizeLogits(X2)");
    pin(Arrax.grad(a -> Np.sum(Np.multiply(W8, normalizeLogits(a[0])))).apply(X2), DType.FLOAT64, new int[] {8}, new double[] {-0.9934288873000557, -0.75, -0.5, 0.7252395946177957, 0.0003271564372450661, 0.25, 0.5178621362450151, 0.75}, "grad of sum(w * normalizeLogits(X2))");
  }

  @Test
  void entropyValuesAndGradientsMatchJax() {
    pin(entropy(X0), DType.FLOAT64, new int[] {}, new double[] {1.515987402441763}, "entropy(X0)");
    pin(Arrax.grad(a -> entropy(a[0])).apply(X0), DType.FLOAT64, new int[] {8}, new double[] {0.08045184168321648, 0.04257762448865994, -0.3145184945307874, 0.07595269048400652, 0.05666461628676921, -0.02603776603092478, 0.01875799547837789, 0.06615149214068217}, "grad entropy(X0)");
    pin(entropy(X1), DType.FLOAT64, new int[] {}, new double[] {2.079441541679836}, "entropy(X1)");
    pin(Arrax.grad(a -> entropy(a[0])).apply(X1), DType.FLOAT64, new int[] {8}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "grad entropy(X1)");
    pin(entropy(X2), DType.FLOAT64, new int[] {}, new double[] {0.13199346008115204}, "entropy(X2)");
    pin(Arrax.grad(a -> entropy(a[0])).apply(X2), DType.FLOAT64, new int[] {8}, new double[] {0.03215297119327645, 0.0, 0.0, -0.10427394376067656, 0.002582271486764813, 0.0, 0.06953870108063549, 0.0}, "grad entropy(X2)");
  }

  @Test
  void varentropyValuesAndGradientsMatchJax() {
    pin(varentropy(X0), DType.FLOAT64, new int[] {}, new double[] {0.7516511620646993}, "varentropy(X0)");
    pin(Arrax.grad(a -> varentropy(a[0])).apply(X0), DType.FLOAT64, new int[] {8}, new double[] {-0.12824189850754864, 0.012925865520484785, 0.5166930590885426, -0.08704307141746503, -0.01505243856558594, -0.12876962930960087, 0.029924028465481135, -0.2004359152743081}, "grad varentropy(X0)");
    pin(varentropy(X1), DType.FLOAT64, new int[] {}, new double[] {1.97215226305253e-31}, "varentropy(X1)");
    pin(Arrax.grad(a -> varentropy(a[0])).apply(X1), DType.FLOAT64, new int[] {8}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "grad varentropy(X1)");
    pin(varentropy(X2), DType.FLOAT64, new int[] {}, new double[] {0.45957783218304277}, "varentropy(X2)");
    pin(Arrax.grad(a -> varentropy(a[0])).apply(X2), DType.FLOAT64, new int[] {8}, new double[] {0.09000113644284821, 0.0, 0.0, -0.22850149935502828, 0.015067175095178421, 0.0, 0.12343318781700156, 0.0}, "grad varentropy(X2)");
  }

  @Test
  void klValuesAndGradientsMatchJax() {
    pin(kl(X0, Y0), DType.FLOAT64, new int[] {}, new double[] {1.7198603952263134}, "kl(X0, Y0)");
    pin(Arrax.grad(a -> kl(a[0], a[1]), 0).apply(X0, Y0), DType.FLOAT64, new int[] {8}, new double[] {-0.18481692221813445, -0.05273054579850783, 0.3508330285136432, -0.14236657689540277, -0.06799034606463322, 0.2902570107306257, -0.030716788749037577, -0.16246885951855367}, "d kl / dx at (X0, Y0)");
    pin(Arrax.grad(a -> kl(a[0], a[1]), 1).apply(X0, Y0), DType.FLOAT64, new int[] {8}, new double[] {0.08886402381387563, 0.05657256092571691, -0.40887848056466086, 0.07848840069546001, 0.032691247420894305, -0.2309553070251426, 0.43661982586959036, -0.05340227113573367}, "d kl / dy at (X0, Y0)");
    pin(kl(X1, Y1), DType.FLOAT64, new int[] {}, new double[] {0.14999135410864262}, "kl(X1, Y1)");
    pin(Arrax.grad(a -> kl(a[0], a[1]), 0).apply(X1, Y1), DType.FLOAT64, new int[] {8}, new double[] {-0.04375000000000001, 0.04375000000000001, -0.0062500000000000056, -0.10625000000000002, 0.14375000000000004, -0.06875000000000002, 0.0062500000000000056, 0.03125}, "d kl / dx at (X1, Y1)");
    pin(Arrax.grad(a -> kl(a[0], a[1]), 1).apply(X1, Y1), DType.FLOAT64, new int[] {8}, new double[] {0.027676664790171463, -0.04918301203331351, -0.011894344850526107, 0.12672126477910903, -0.09093323133444092, 0.06147969948141109, -0.022657771029284405, -0.04120926980312679}, "d kl / dy at (X1, Y1)");
    pin(kl(X2, Y2), DType.FLOAT64, new int[] {}, new double[] {0.1548403422511717}, "kl(X2, Y2)");
    pin(Arrax.grad(a -> kl(a[0], a[1]), 0).apply(X2, Y2), DType.FLOAT64, new int[] {8}, new double[] {-0.01946212585951975, 0.0, 0.0, 0.03728320219011172, -0.0006418057535068167, 0.0, -0.017179270577085307, 0.0}, "d kl / dx at (X2, Y2)");
    pin(Arrax.grad(a -> kl(a[0], a[1]), 1).apply(X2, Y2), DType.FLOAT64, new int[] {8}, new double[] {0.10223995445341147, 0.014725976592477487, 0.005417384039544358, -0.17122851523713967, 0.0016657877758336033, 0.024279030839849825, 0.02216721833262975, 0.0007331632033932407}, "d kl / dy at (X2, Y2)");
    pin(kl(X0, X0), DType.FLOAT64, new int[] {}, new double[] {4.941872680069292e-17}, "kl(X0, X0) = 0");
  }

  @Test
  void batchedRowsMatchJax() {
    NDArray xb = Np.stack(XS, 0), yb = Np.stack(YS, 0);
    pin(entropy(xb), DType.FLOAT64, new int[] {3}, new double[] {1.515987402441763, 2.079441541679836, 0.13199346008115204}, "entropy of 3 rows");
    pin(varentropy(xb), DType.FLOAT64, new int[] {3}, new double[] {0.7516511620646993, 1.97215226305253e-31, 0.45957783218304277}, "varentropy of 3 rows");
    pin(kl(xb, yb), DType.FLOAT64, new int[] {3}, new double[] {1.7198603952263134, 0.14999135410864262, 0.1548403422511717}, "kl of 3 rows");
    pin(Arrax.grad(a -> Np.sum(entropy(a[0]))).apply(xb), DType.FLOAT64, new int[] {3, 8}, new double[] {0.08045184168321648, 0.04257762448865994, -0.3145184945307874, 0.07595269048400652, 0.05666461628676921, -0.02603776603092478, 0.01875799547837789, 0.06615149214068217, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.03215297119327645, 0.0, 0.0, -0.10427394376067656, 0.002582271486764813, 0.0, 0.06953870108063549, 0.0}, "grad of sum of row entropies");
  }

  @Test
  void gradCheckOrder2AtRandomPoints() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      NDArray x = r.normal(8).mul(2.0), y = r.normal(8).mul(2.0);
      GradCheck.check(a -> normalizeLogits(a[0]), new NDArray[] {x}, 2, r, 1e-5, "normalizeLogits " + r.describe());
      GradCheck.check(a -> entropy(a[0]), new NDArray[] {x}, 2, r, 1e-5, "entropy " + r.describe());
      GradCheck.check(a -> varentropy(a[0]), new NDArray[] {x}, 2, r, 1e-5, "varentropy " + r.describe());
      GradCheck.check(a -> kl(a[0], a[1]), new NDArray[] {x, y}, 2, r, 1e-5, "kl " + r.describe());
    }
  }

  @Test
  void vmapOverFiveRowsMatchesLoop() {
    for (long seed = 0; seed < 3; seed++) {
      Rand r = new Rand(seed);
      NDArray xb = r.normal(5, 8).mul(3.0), yb = r.normal(5, 8).mul(3.0);
      Integer[] rows = {0};
      VmapCheck.check(a -> normalizeLogits(a[0]), new NDArray[] {xb}, rows, 1e-14, "normalizeLogits " + r.describe());
      VmapCheck.check(a -> entropy(a[0]), new NDArray[] {xb}, rows, 1e-14, "entropy " + r.describe());
      VmapCheck.check(a -> varentropy(a[0]), new NDArray[] {xb}, rows, 1e-14, "varentropy " + r.describe());
      VmapCheck.check(a -> kl(a[0], a[1]), new NDArray[] {xb, yb}, new Integer[] {0, 0}, 1e-14, "kl " + r.describe());
      VmapCheck.check(a -> kl(a[0], a[1]), new NDArray[] {xb, Y0}, new Integer[] {0, null}, 1e-14, "kl against one q " + r.describe());
      VmapCheck.check(Arrax.grad(a -> varentropy(a[0])), new NDArray[] {xb}, rows, 1e-13, "grad varentropy " + r.describe());
      VmapCheck.check(Arrax.grad(a -> kl(a[0], a[1]), 1), new NDArray[] {xb, yb}, new Integer[] {0, 0}, 1e-13, "grad kl wrt q " + r.describe());
    }
  }

  @Test
  void entropyJaxprPrintsVerifiesAndRoundTrips() {
    Program p = Arrax.makeJaxpr(a -> entropy(a[0]), X0);
    System.out.println("makeJaxpr(entropy) at f64[8]:\n" + p);
    IrVerifier.verify(p);
    Program back = Program.parse(p.toText());
    IrVerifier.verify(back);
    assertEquals(p.toText(), back.toText(), "toText -> parse -> toText");
    assertEquals(p.toString(), back.toString(), "printed form after the round trip");
    for (NDArray x : XS) Check.same(entropy(x), back.call(x)[0], "parsed program vs entropy at " + x);
    Check.close(new double[] {2.079441541679836}, back.call(X1)[0], 1e-13, 1e-15, "parsed program at the uniform input: log 8 (JAX)");
  }

  /** The printed form of kl's program, pinned so that any change to printing (or to how kl traces) is deliberate. */
  @Test
  void klJaxprPrintingIsPinned() {
    Program p = Arrax.makeJaxpr(a -> kl(a[0], a[1]), X0, Y0);
    IrVerifier.verify(p);
    assertEquals(KL_JAXPR, p.toString());
    Program back = Program.parse(p.toText());
    assertEquals(KL_JAXPR, back.toString(), "printed form after toText -> parse");
    for (int i = 0; i < 3; i++) Check.same(kl(XS[i], YS[i]), back.call(XS[i], YS[i])[0], "parsed kl program at input " + i);
  }

  static final String KL_JAXPR = """
      { lambda ; a:f64[8] b:f64[8] . let
          c:f64[] = reduce_max[axes=(0,)] a
          d:f64[1] = reshape[new_sizes=(1,)] c
          e:bool[1] = is_finite d
          f:f64[1] = broadcast_in_dim[shape=(1,) broadcast_dimensions=()] 0.0:f64[]
          g:f64[1] = select_n e f d
          h:f64[1] = stop_gradient g
          i:f64[8] = broadcast_in_dim[shape=(8,) broadcast_dimensions=(0,)] h
          j:f64[8] = sub a i
          k:f64[8] = exp j
          l:f64[] = reduce_sum[axes=(0,)] k
          m:f64[1] = reshape[new_sizes=(1,)] l
          n:f64[1] = log m
          o:f64[1] = add n h
          p:f64[8] = broadcast_in_dim[shape=(8,) broadcast_dimensions=(0,)] o
          q:f64[8] = sub a p
          r:f64[8] = exp q
          s:f64[] = reduce_max[axes=(0,)] b
          t:f64[1] = reshape[new_sizes=(1,)] s
          u:f64[1] = stop_gradient t
          v:f64[8] = broadcast_in_dim[shape=(8,) broadcast_dimensions=(0,)] u
          w:f64[8] = sub b v
          x:f64[8] = exp w
          y:f64[] = reduce_sum[axes=(0,)] x
          z:f64[1] = reshape[new_sizes=(1,)] y
          ba:f64[1] = log z
          bb:f64[8] = broadcast_in_dim[shape=(8,) broadcast_dimensions=(0,)] ba
          bc:f64[8] = sub w bb
          bd:f64[8] = broadcast_in_dim[shape=(8,) broadcast_dimensions=()] 0.0:f64[]
          be:bool[8] = gt r bd
          bf:f64[8] = sub q bc
          bg:f64[8] = mul r bf
          bh:f64[8] = broadcast_in_dim[shape=(8,) broadcast_dimensions=()] 0.0:f64[]
          bi:f64[8] = select_n be bh bg
          bj:f64[] = reduce_sum[axes=(0,)] bi
        in (bj) }""";
}
