package dev.arrax;

import static dev.arrax.testing.Pinned.INF;
import static dev.arrax.testing.Pinned.NaN;
import static dev.arrax.testing.Pinned.arr;
import static dev.arrax.testing.Pinned.pin;

import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link Nn} against jax.nn: values and gradients ({@code jax.grad(lambda x: jnp.sum(w * f(x)))}) were
 * generated with JAX 0.10.2 in 64-bit mode and pinned; derivatives are also checked against finite
 * differences to order 2 at random points.
 */
class NnTest {
  static final NDArray X = arr(DType.FLOAT64, new int[] {10}, new double[] {-30.0, -5.0, -1.0, -0.001, 0.0, 0.001, 0.5, 2.0, 20.0, 40.0});
  static final NDArray X32 = arr(DType.FLOAT32, new int[] {10}, new double[] {-30.0, -5.0, -1.0, -0.0010000000474974513, 0.0, 0.0010000000474974513, 0.5, 2.0, 20.0, 40.0});
  static final NDArray SP = arr(DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, -INF});
  static final NDArray W = arr(DType.FLOAT64, new int[] {10}, new double[] {0.3, -1.2, 0.7, 2.0, -0.4, 1.1, -0.9, 0.25, 1.5, -2.0});
  static final NDArray LS = arr(DType.FLOAT64, new int[] {4, 5}, new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -INF, 1.0, -INF, 0.5, 2.0, 1000.0, 1001.0, 999.5, 1000.0, -1000.0, -3.0, -2.5, -10.0, -0.5, -7.0});
  static final NDArray LS32 = arr(DType.FLOAT32, new int[] {4, 5}, new double[] {0.5, -1.0, 2.0, 0.0, 1.5, -INF, 1.0, -INF, 0.5, 2.0, 1000.0, 1001.0, 999.5, 1000.0, -1000.0, -3.0, -2.5, -10.0, -0.5, -7.0});
  static final NDArray LINF = arr(DType.FLOAT64, new int[] {3, 3}, new double[] {-INF, -INF, -INF, 1.0, INF, 0.0, NaN, 1.0, 2.0});
  static final NDArray WL = arr(DType.FLOAT64, new int[] {4, 5}, new double[] {0.2, -0.5, 1.0, 0.3, -1.1, 0.8, 0.4, -0.3, 1.7, -0.6, 0.9, 0.1, -1.4, 0.5, 0.35, -0.25, 1.2, 0.6, -0.8, 0.45});
  static final NDArray WR = arr(DType.FLOAT64, new int[] {4}, new double[] {0.7, -1.3, 0.4, 2.2});
  static final NDArray PAIR = arr(DType.FLOAT64, new int[] {2}, new double[] {1000.0, 1001.0});
  static final NDArray PAIR32 = arr(DType.FLOAT32, new int[] {2}, new double[] {1000.0, 1001.0});

  /** Values at representative points, in f64 (rtol 1e-13) and f32 (rtol 1e-6), and at NaN and the infinities (relu(NaN) is NaN). */
  @Test
  void activationValuesF64F32AndSpecials() {
    pin(Nn.sigmoid(X), DType.FLOAT64, new int[] {10}, new double[] {9.357622968839299e-14, 0.0066928509242848554, 0.2689414213699951, 0.4997500000208333, 0.5, 0.5002499999791666, 0.6224593312018546, 0.8807970779778823, 0.9999999979388463, 1.0}, "sigmoid f64");
    pin(Nn.sigmoid(X32), DType.FLOAT32, new int[] {10}, new double[] {9.357623589846195e-14, 0.006692850962281227, 0.2689414322376251, 0.499750018119812, 0.5, 0.500249981880188, 0.622459352016449, 0.8807970285415649, 1.0, 1.0}, "sigmoid f32");
    pin(Nn.sigmoid(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, 1.0, 0.0}, "sigmoid nan/inf/-inf");
    pin(Nn.relu(X), DType.FLOAT64, new int[] {10}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.001, 0.5, 2.0, 20.0, 40.0}, "relu f64");
    pin(Nn.relu(X32), DType.FLOAT32, new int[] {10}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0010000000474974513, 0.5, 2.0, 20.0, 40.0}, "relu f32");
    pin(Nn.relu(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, 0.0}, "relu nan/inf/-inf");
    pin(Nn.softplus(X), DType.FLOAT64, new int[] {10}, new double[] {9.357622968839737e-14, 0.006715348489118068, 0.3132616875182228, 0.6926473055599401, 0.6931471805599453, 0.6936473055599401, 0.9740769841801067, 2.1269280110429727, 20.000000002061153, 40.0}, "softplus f64");
    pin(Nn.softplus(X32), DType.FLOAT32, new int[] {10}, new double[] {9.357622912219837e-14, 0.006715348456054926, 0.3132616877555847, 0.6926473379135132, 0.6931471824645996, 0.6936473250389099, 0.9740769863128662, 2.1269280910491943, 20.0, 40.0}, "softplus f32");
    pin(Nn.softplus(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, 0.0}, "softplus nan/inf/-inf");
    pin(Nn.silu(X), DType.FLOAT64, new int[] {10}, new double[] {-2.8072868906517896e-12, -0.03346425462142428, -0.2689414213699951, -0.0004997500000208334, 0.0, 0.0005002499999791667, 0.3112296656009273, 1.7615941559557646, 19.999999958776925, 40.0}, "silu f64");
    pin(Nn.silu(X32), DType.FLOAT32, new int[] {10}, new double[] {-2.8072871718215486e-12, -0.033464252948760986, -0.2689414322376251, -0.0004997500218451023, 0.0, 0.000500250025652349, 0.3112296760082245, 1.7615940570831299, 20.0, 40.0}, "silu f32");
    pin(Nn.silu(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "silu nan/inf/-inf");
    pin(Nn.gelu(X, true), DType.FLOAT64, new int[] {10}, new double[] {-0.0, -2.2917961944868281e-07, -0.1588080093917233, -0.000499601057786418, 0.0, 0.000500398942213582, 0.3457140098251439, 1.954597694087775, 20.0, 40.0}, "gelu approximate f64");
    // XLA's f32 tanh rounds tanh(-8.45) to -1, so JAX gives gelu(-5) = -0.0 in f32; the exact value is -4.6e-7 and
    // the engine's correctly rounded f32 tanh gives -3.0e-7: hence atol 5e-7 here.
    pin(Nn.gelu(X32, true), DType.FLOAT32, new int[] {10}, new double[] {-0.0, -0.0, -0.15880796313285828, -0.0004996010684408247, 0.0, 0.0005003989790566266, 0.3457140028476715, 1.9545977115631104, 20.0, 40.0}, 1e-6, 5e-7, "gelu approximate f32");
    pin(Nn.gelu(SP, true), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "gelu approximate nan/inf/-inf");
    pin(Nn.gelu(X, false), DType.FLOAT64, new int[] {10}, new double[] {-1.4720141781443724e-196, -1.4332578593959672e-06, -0.15865525393145707, -0.000499601057786089, 0.0, 0.000500398942213911, 0.34573123063700656, 1.9544997361036416, 20.0, 40.0}, "gelu exact f64");
    pin(Nn.gelu(X32, false), DType.FLOAT32, new int[] {10}, new double[] {-0.0, -1.4332579212350538e-06, -0.15865527093410492, -0.0004996010684408247, 0.0, 0.0005003989790566266, 0.3457312285900116, 1.9544997215270996, 20.0, 40.0}, "gelu exact f32");
    pin(Nn.gelu(SP, false), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "gelu exact nan/inf/-inf");
    pin(Nn.gelu(X), DType.FLOAT64, new int[] {10}, new double[] {-0.0, -2.2917961944868281e-07, -0.1588080093917233, -0.000499601057786418, 0.0, 0.000500398942213582, 0.3457140098251439, 1.954597694087775, 20.0, 40.0}, "gelu default f64");
    // XLA's f32 tanh rounds tanh(-8.45) to -1, so JAX gives gelu(-5) = -0.0 in f32; the exact value is -4.6e-7 and
    // the engine's correctly rounded f32 tanh gives -3.0e-7: hence atol 5e-7 here.
    pin(Nn.gelu(X32), DType.FLOAT32, new int[] {10}, new double[] {-0.0, -0.0, -0.15880796313285828, -0.0004996010684408247, 0.0, 0.0005003989790566266, 0.3457140028476715, 1.9545977115631104, 20.0, 40.0}, 1e-6, 5e-7, "gelu default f32");
    pin(Nn.gelu(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "gelu default nan/inf/-inf");
  }

  /** jax.grad(lambda x: jnp.sum(W * f(x)))(X), pinned. */
  @Test
  void activationGradientsMatchJaxGrad() {
    pin(grad(x -> Nn.sigmoid(x), X), DType.FLOAT64, new int[] {10}, new double[] {2.8072868906515267e-14, -0.007977668004948184, 0.13762835326903727, 0.4999998750000209, -0.1, 0.2749999312500115, -0.21150334098143506, 0.026248396350876654, 3.091730531879093e-09, -0.0}, "grad of sum(w * sigmoid)");
    pin(grad(x -> Nn.relu(x), X), DType.FLOAT64, new int[] {10}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 1.1, -0.9, 0.25, 1.5, -2.0}, "grad of sum(w * relu)");
    pin(grad(x -> Nn.softplus(x), X), DType.FLOAT64, new int[] {10}, new double[] {2.807286890651793e-14, -0.008031421109141824, 0.18825899495899656, 0.9995000000416666, -0.2, 0.5502749999770834, -0.5602133980816691, 0.22019926949447058, 1.4999999969082705, -2.0}, "grad of sum(w * softplus)");
    pin(grad(x -> Nn.silu(x), X), DType.FLOAT64, new int[] {10}, new double[] {-8.141131982889401e-13, 0.0318569189155991, 0.05063064168995929, 0.9990000001666666, -0.2, 0.5505499999083333, -0.6659650685723867, 0.2726960621962239, 1.5000000587428801, -2.0}, "grad of sum(w * silu)");
    // at x = -5 the derivative involves 1 + tanh(-8.45) ~ 1e-7: tanh's last-bit differences grow to ~1e-9 relative
    pin(grad(x -> Nn.gelu(x, true), X), DType.FLOAT64, new int[] {10}, new double[] {0.0, 1.8556343837215568e-06, -0.05807485869204783, 0.99840423141295, -0.2, 0.5508776727228776, -0.780632913181178, 0.27152481415590457, 1.5, -2.0}, 1e-8, 1e-15, "grad of sum(w * gelu approximate)");
    pin(grad(x -> Nn.gelu(x, false), X), DType.FLOAT64, new int[] {10}, new double[] {-1.3248095072124734e-195, 8.576335202150739e-06, -0.058320829411380365, 0.9984042314103172, -0.2, 0.5508776727243255, -0.7807456121905466, 0.27130795026954924, 1.5, -2.0}, "grad of sum(w * gelu exact)");
    // at x = -5 the derivative involves 1 + tanh(-8.45) ~ 1e-7: tanh's last-bit differences grow to ~1e-9 relative
    pin(grad(x -> Nn.gelu(x), X), DType.FLOAT64, new int[] {10}, new double[] {0.0, 1.8556343837215568e-06, -0.05807485869204783, 0.99840423141295, -0.2, 0.5508776727228776, -0.780632913181178, 0.27152481415590457, 1.5, -2.0}, 1e-8, 1e-15, "grad of sum(w * gelu default)");
    pin(grad(x -> Nn.relu(x), NDArray.of(0.0, -0.0, 1.0, -1.0), NDArray.of(1.0, 1.0, 1.0, 1.0)), DType.FLOAT64, new int[] {4}, new double[] {0.0, 0.0, 1.0, 0.0}, "grad relu at 0 is 0 (JAX), at -0.0 and 1");
  }

  @Test
  void logsumexpIncludingInfinitiesAndLargeValues() {
    pin(Nn.logsumexp(LS, -1, false), DType.FLOAT64, new int[] {4}, new double[] {2.700511582395443, 2.464368784107945, 1001.6723774974865, -0.30197032022888737}, "logsumexp axis -1 keepdims False");
    pin(Nn.logsumexp(LS, -1, true), DType.FLOAT64, new int[] {4, 1}, new double[] {2.700511582395443, 2.464368784107945, 1001.6723774974865, -0.30197032022888737}, "logsumexp axis -1 keepdims True");
    pin(Nn.logsumexp(LS, 0, false), DType.FLOAT64, new int[] {5}, new double[] {1000.0, 1001.0, 999.5, 1000.0, 2.474153798813903}, "logsumexp axis 0 keepdims False");
    pin(Nn.logsumexp(LS, 0, true), DType.FLOAT64, new int[] {1, 5}, new double[] {1000.0, 1001.0, 999.5, 1000.0, 2.474153798813903}, "logsumexp axis 0 keepdims True");
    pin(Nn.logsumexp(LS, 1, false), DType.FLOAT64, new int[] {4}, new double[] {2.700511582395443, 2.464368784107945, 1001.6723774974865, -0.30197032022888737}, "logsumexp axis 1 keepdims False");
    pin(Nn.logsumexp(LS, 1, true), DType.FLOAT64, new int[] {4, 1}, new double[] {2.700511582395443, 2.464368784107945, 1001.6723774974865, -0.30197032022888737}, "logsumexp axis 1 keepdims True");
    pin(Nn.logsumexp(LS, -1), DType.FLOAT64, new int[] {4}, new double[] {2.700511582395443, 2.464368784107945, 1001.6723774974865, -0.30197032022888737}, "logsumexp axis -1 (default keepdims)");
    pin(Nn.logsumexp(LS), DType.FLOAT64, new int[] {}, new double[] {1001.6723774974865}, "logsumexp all");
    pin(Nn.logsumexp(LS32, -1), DType.FLOAT32, new int[] {4}, new double[] {2.7005116939544678, 2.4643688201904297, 1001.67236328125, -0.30197033286094666}, "logsumexp f32");
    pin(Nn.logsumexp(LINF, 1), DType.FLOAT64, new int[] {3}, new double[] {-INF, INF, NaN}, "logsumexp rows of -inf, +inf, nan");
    pin(Nn.logsumexp(PAIR), DType.FLOAT64, new int[] {}, new double[] {1001.3132616875182}, "logsumexp [1000, 1001]");
    pin(Nn.logsumexp(PAIR32), DType.FLOAT32, new int[] {}, new double[] {1001.313232421875}, "logsumexp [1000, 1001] f32");
    pin(Nn.logsumexp(NDArray.scalar(3.5)), DType.FLOAT64, new int[] {}, new double[] {3.5}, "logsumexp 0-d");
  }

  @Test
  void softmaxAndLogSoftmaxStable() {
    pin(Nn.softmax(LS), DType.FLOAT64, new int[] {4, 5}, new double[] {0.11074648791419398, 0.02471088158417025, 0.49633132446336975, 0.06717114037545327, 0.3010401656628128, 0.0, 0.23122389762214904, 0.0, 0.14024438316608848, 0.6285317192117624, 0.18780004032467978, 0.5104934369984531, 0.1139064823521872, 0.18780004032467978, 0.0, 0.06733805965805013, 0.11102169128590146, 6.140436219761004e-05, 0.820345505109686, 0.0012333395841648853}, "softmax default axis");
    pin(Nn.softmax(LS, 0), DType.FLOAT64, new int[] {4, 5}, new double[] {0.0, 0.0, 0.0, 0.0, 0.3775116692637372, 0.0, 0.0, 0.0, 0.0, 0.6224115190526353, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.681168362757834e-05}, "softmax axis 0");
    pin(Nn.softmax(LS, -2), DType.FLOAT64, new int[] {4, 5}, new double[] {0.0, 0.0, 0.0, 0.0, 0.3775116692637372, 0.0, 0.0, 0.0, 0.0, 0.6224115190526353, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.681168362757834e-05}, "softmax axis -2");
    pin(Nn.softmax(LS32), DType.FLOAT32, new int[] {4, 5}, new double[] {0.11074648052453995, 0.02471087872982025, 0.49633127450942993, 0.0671711340546608, 0.3010401427745819, 0.0, 0.23122389614582062, 0.0, 0.14024437963962555, 0.6285316944122314, 0.18780004978179932, 0.5104934573173523, 0.11390648782253265, 0.18780004978179932, 0.0, 0.06733806431293488, 0.11102169007062912, 6.140436016721651e-05, 0.8203455209732056, 0.0012333395425230265}, "softmax f32");
    pin(Nn.softmax(PAIR), DType.FLOAT64, new int[] {2}, new double[] {0.2689414213699951, 0.7310585786300049}, "softmax [1000, 1001]");
    pin(Nn.softmax(PAIR32), DType.FLOAT32, new int[] {2}, new double[] {0.2689414322376251, 0.7310585975646973}, "softmax [1000, 1001] f32");
    pin(Nn.softmax(LINF), DType.FLOAT64, new int[] {3, 3}, new double[] {NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN}, "softmax rows with -inf, +inf, nan");
    pin(Nn.logSoftmax(LS), DType.FLOAT64, new int[] {4, 5}, new double[] {-2.200511582395443, -3.700511582395443, -0.7005115823954432, -2.700511582395443, -1.200511582395443, -INF, -1.464368784107945, -INF, -1.964368784107945, -0.4643687841079449, -1.6723774974865928, -0.6723774974865928, -2.172377497486593, -1.6723774974865928, -2001.6723774974867, -2.6980296797711127, -2.1980296797711127, -9.698029679771112, -0.19802967977111263, -6.698029679771112}, "logSoftmax default axis");
    pin(Nn.logSoftmax(LS, 0), DType.FLOAT64, new int[] {4, 5}, new double[] {-999.5, -1002.0, -997.5, -1000.0, -0.9741537988139027, -INF, -1000.0, -INF, -999.5, -0.47415379881390274, 0.0, 0.0, 0.0, 0.0, -1002.4741537988139, -1003.0, -1003.5, -1009.5, -1000.5, -9.474153798813903}, "logSoftmax axis 0");
    pin(Nn.logSoftmax(LS, -2), DType.FLOAT64, new int[] {4, 5}, new double[] {-999.5, -1002.0, -997.5, -1000.0, -0.9741537988139027, -INF, -1000.0, -INF, -999.5, -0.47415379881390274, 0.0, 0.0, 0.0, 0.0, -1002.4741537988139, -1003.0, -1003.5, -1009.5, -1000.5, -9.474153798813903}, "logSoftmax axis -2");
    pin(Nn.logSoftmax(LS32), DType.FLOAT32, new int[] {4, 5}, new double[] {-2.2005116939544678, -3.7005116939544678, -0.7005116939544678, -2.7005116939544678, -1.2005116939544678, -INF, -1.4643688201904297, -INF, -1.9643688201904297, -0.4643687903881073, -1.6723774671554565, -0.6723774671554565, -2.172377586364746, -1.6723774671554565, -2001.67236328125, -2.6980297565460205, -2.1980297565460205, -9.698029518127441, -0.19802966713905334, -6.698029518127441}, "logSoftmax f32");
    pin(Nn.logSoftmax(PAIR), DType.FLOAT64, new int[] {2}, new double[] {-1.3132616875182228, -0.31326168751822286}, "logSoftmax [1000, 1001]");
    pin(Nn.logSoftmax(PAIR32), DType.FLOAT32, new int[] {2}, new double[] {-1.31326162815094, -0.31326162815093994}, "logSoftmax [1000, 1001] f32");
    pin(Nn.logSoftmax(LINF), DType.FLOAT64, new int[] {3, 3}, new double[] {NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN}, "logSoftmax rows with -inf, +inf, nan");
  }

  /** Row 1 of LS holds -inf entries: their gradient is 0, as in JAX. */
  @Test
  void normalizationGradientsMatchJaxGrad() {
    pin(grad(x -> Nn.logsumexp(x, -1), LS, WR), DType.FLOAT64, new int[] {4, 5}, new double[] {0.07752254153993578, 0.017297617108919174, 0.3474319271243588, 0.047019798262817276, 0.2107281159639689, -0.0, -0.3005910669087937, -0.0, -0.182317698115915, -0.8170912349752911, 0.07512001612987192, 0.20419737479938124, 0.045562592940874884, 0.07512001612987192, 0.0, 0.1481437312477103, 0.24424772082898322, 0.00013508959683474208, 1.8047601112413092, 0.0027133470851627476}, "grad of logsumexp axis -1");
    pin(grad(x -> Nn.logsumexp(x, 0, true), LS, Lax.sliceInDim(WL, 0, 1, 1, 0)), DType.FLOAT64, new int[] {4, 5}, new double[] {0.0, -0.0, 0.0, 0.0, -0.4152628361901109, 0.0, -0.0, 0.0, 0.0, -0.6846526709578988, 0.2, -0.5, 1.0, 0.3, -0.0, 0.0, -0.0, 0.0, 0.0, -8.449285199033618e-05}, "grad of logsumexp axis 0 keepdims");
    pin(grad(x -> Nn.softmax(x), LS, WL), DType.FLOAT64, new int[] {4, 5}, new double[] {0.0005390761233679831, -0.01717733296717988, 0.3994810311408743, 0.007044080234287037, -0.38988685453134925, 0.0, 0.10317534513143367, -0.0, 0.24489670826456214, -0.34807205339599584, 0.14000486905307696, -0.027822058155995123, -0.1770676638202869, 0.06488485292320506, 0.0, 0.019480432257482836, 0.193099255389902, 6.995756272477358e-05, -0.21386977948164954, 0.0012201342715399241}, "grad of softmax");
    pin(grad(x -> Nn.logSoftmax(x), LS, WL), DType.FLOAT64, new int[] {4, 5}, new double[] {0.2110746487914194, -0.497528911841583, 1.049633132446337, 0.3067171140375453, -1.0698959834337187, 0.8, -0.06244779524429805, -0.3, 1.419511233667823, -1.8570634384235247, 0.8154899818538941, -0.12972204664930392, -1.451257917058484, 0.4154899818538941, 0.35, -0.3308056715896601, 1.0667739704569181, 0.5999263147653628, -1.784414606131623, 0.44851999249900215}, "grad of logSoftmax");
    pin(grad(x -> Nn.softmax(x, 0), LS, WL), DType.FLOAT64, new int[] {4, 5}, new double[] {-0.0, -0.0, 0.0, -0.0, -0.11752875158897247, -0.0, 0.0, 0.0, 0.0, 0.11743360686274729, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 0.0, -0.0, 9.514472622508104e-05}, "grad of softmax axis 0");
    pin(grad(x -> Nn.logSoftmax(x, 0), LS, WL), DType.FLOAT64, new int[] {4, 5}, new double[] {0.2, -0.5, 1.0, 0.3, -0.7602394976626367, 0.8, 0.4, -0.3, 1.7, -0.039829632852628194, -0.7499999999999999, -1.0999999999999999, -1.2999999999999998, -1.2, 0.35, -0.25, 1.2, 0.6, -0.8, 0.4500691305152648}, "grad of logSoftmax axis 0");
    pin(grad(x -> Nn.logsumexp(x), PAIR, NDArray.scalar(1.0)), DType.FLOAT64, new int[] {2}, new double[] {0.2689414213699951, 0.7310585786300049}, "grad of logsumexp [1000, 1001]");
  }

  /** The gradient of {@code sum(w * f(x))} at x. */
  private static NDArray grad(UnaryOperator<NDArray> f, NDArray x, NDArray w) {
    return Arrax.grad(xs -> Np.sum(Np.multiply(w, f.apply(xs[0])))).apply(x);
  }

  private static NDArray grad(UnaryOperator<NDArray> f, NDArray x) { return grad(f, x, W); }

  @Test
  void gradCheckOrder2AtRandomPoints() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      NDArray x = r.normal(3, 4).mul(2.0);
      // relu is smooth away from 0; a normal sample lies away from 0 with probability 1
      GradCheck.check(xs -> Nn.relu(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "relu " + r.describe());
      GradCheck.check(xs -> Nn.sigmoid(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "sigmoid " + r.describe());
      GradCheck.check(xs -> Nn.softplus(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "softplus " + r.describe());
      GradCheck.check(xs -> Nn.silu(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "silu " + r.describe());
      GradCheck.check(xs -> Nn.gelu(xs[0], true), new NDArray[] {x}, 2, r, 1e-5, "gelu approximate " + r.describe());
      GradCheck.check(xs -> Nn.gelu(xs[0], false), new NDArray[] {x}, 2, r, 1e-5, "gelu exact " + r.describe());
      GradCheck.check(xs -> Nn.logsumexp(xs[0], -1), new NDArray[] {x}, 2, r, 1e-5, "logsumexp -1 " + r.describe());
      GradCheck.check(xs -> Nn.logsumexp(xs[0], 0, true), new NDArray[] {x}, 2, r, 1e-5, "logsumexp 0 keepdims " + r.describe());
      GradCheck.check(xs -> Nn.logsumexp(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "logsumexp all " + r.describe());
      GradCheck.check(xs -> Nn.softmax(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "softmax " + r.describe());
      GradCheck.check(xs -> Nn.softmax(xs[0], 0), new NDArray[] {x}, 2, r, 1e-5, "softmax axis 0 " + r.describe());
      GradCheck.check(xs -> Nn.logSoftmax(xs[0]), new NDArray[] {x}, 2, r, 1e-5, "logSoftmax " + r.describe());
      GradCheck.check(xs -> Nn.logSoftmax(xs[0].add(500.0), -2), new NDArray[] {x}, 2, r, 1e-5, "logSoftmax shifted by 500 " + r.describe());
    }
  }

  @Test
  void vmapOfNormalizationsMatchesRowLoop() {
    for (long seed = 0; seed < 3; seed++) {
      Rand r = new Rand(seed);
      NDArray x = r.normal(5, 8).mul(3.0);
      VmapCheck.check(xs -> Nn.logSoftmax(xs[0]), new NDArray[] {x}, new Integer[] {0}, 1e-14, "logSoftmax " + r.describe());
      VmapCheck.check(xs -> Nn.softmax(xs[0]), new NDArray[] {x}, new Integer[] {1}, 1e-14, "softmax over axis 1 " + r.describe());
      VmapCheck.check(xs -> Nn.logsumexp(xs[0]), new NDArray[] {x}, new Integer[] {0}, 1e-14, "logsumexp " + r.describe());
      VmapCheck.check(Arrax.grad(xs -> Nn.logsumexp(Nn.gelu(xs[0]))), new NDArray[] {x}, new Integer[] {0}, 1e-13, "grad logsumexp(gelu) " + r.describe());
    }
  }
}
