package dev.arrax;

import static dev.arrax.testing.Pinned.INF;
import static dev.arrax.testing.Pinned.NaN;
import static dev.arrax.testing.Pinned.arr;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.Check;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The public jax.numpy-like API ({@link Np} and the arithmetic methods of {@link NDArray}). The
 * {@code pin(...)} expectations (dtype, shape and values) were generated with JAX 0.10.2 in 64-bit
 * mode from the same inputs and pasted here; the property tests compare against float64 loops
 * written in this class.
 */
class NpTest {
  static final NDArray X = arr(DType.FLOAT64, new int[] {7}, new double[] {-2.5, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0});
  static final NDArray X32 = arr(DType.FLOAT32, new int[] {7}, new double[] {-2.5, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0});
  static final NDArray LG = arr(DType.FLOAT64, new int[] {7}, new double[] {-2.0, -1.0, 0.0, 0.001, 0.5, 1.0, 10.0});
  static final NDArray LG32 = arr(DType.FLOAT32, new int[] {7}, new double[] {-2.0, -1.0, 0.0, 0.0010000000474974513, 0.5, 1.0, 10.0});
  static final NDArray SP = arr(DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, -INF});
  static final NDArray I = arr(DType.INT32, new int[] {4}, new double[] {-3.0, 0.0, 2.0, 7.0});
  static final NDArray A = arr(DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5});
  static final NDArray B = arr(DType.FLOAT64, new int[] {3}, new double[] {2.0, 0.0, -0.5});
  static final NDArray C = arr(DType.FLOAT64, new int[] {2, 1}, new double[] {-1.0, 4.0});
  static final NDArray N1 = arr(DType.FLOAT64, new int[] {6}, new double[] {1.0, -1.0, 0.0, NaN, 2.0, -INF});
  static final NDArray N2 = arr(DType.FLOAT64, new int[] {6}, new double[] {0.0, 0.0, 0.0, 1.0, NaN, -INF});
  static final NDArray M = arr(DType.FLOAT64, new int[] {3, 4}, new double[] {3.0, -1.0, 2.0, 3.0, 0.5, 4.0, -2.0, 4.0, -0.5, 1.5, 1.5, 0.0});
  static final NDArray T = arr(DType.FLOAT64, new int[] {2, 3, 4}, new double[] {2.0, 0.5, 0.75, 2.0, 0.25, 1.25, 1.5, -1.25, -2.0, -1.0, -1.0, 1.75, 2.0, -2.25, 0.0, 1.5, -1.75, 1.5, -1.75, -0.25, 1.5, -1.0, -0.75, -1.0});
  static final NDArray MI = arr(DType.INT32, new int[] {2, 4}, new double[] {3.0, -1.0, 2.0, 3.0, 5.0, 4.0, -2.0, 4.0});
  static final NDArray MB = arr(DType.BOOL, new int[] {2, 3}, new double[] {1.0, 0.0, 1.0, 1.0, 0.0, 0.0});
  static final NDArray VN = arr(DType.FLOAT64, new int[] {4}, new double[] {1.0, NaN, 3.0, NaN});
  static final NDArray V3 = arr(DType.FLOAT64, new int[] {3}, new double[] {1.0, 2.0, -1.0});
  static final NDArray V4 = arr(DType.FLOAT64, new int[] {4}, new double[] {0.5, -1.0, 2.0, 1.5});
  static final NDArray P = arr(DType.FLOAT64, new int[] {3, 4}, new double[] {0.5, -1.0, 2.0, 1.5, 0.0, 3.0, -2.0, 1.0, 1.0, -0.5, 0.25, 2.5});
  static final NDArray Q = arr(DType.FLOAT64, new int[] {3, 2}, new double[] {1.0, 2.0, 0.5, -1.0, 3.0, -0.5});
  static final NDArray BA = arr(DType.FLOAT64, new int[] {2, 1, 2, 3}, new double[] {1.5, -2.0, -1.5, -1.0, -1.5, 1.5, 1.5, 0.5, -2.0, -2.0, -1.0, -0.5});
  static final NDArray BB = arr(DType.FLOAT64, new int[] {3, 3, 2}, new double[] {1.0, 2.0, 1.5, 0.0, 2.0, 2.0, 2.0, -2.0, 0.0, 0.5, -1.0, -0.5, 0.5, 1.5, 0.5, -1.5, 1.0, 1.5});
  static final NDArray IA = arr(DType.INT32, new int[] {2, 3}, new double[] {1.0, 2.0, -3.0, 4.0, 0.0, 5.0});
  static final NDArray IB = arr(DType.INT32, new int[] {3, 2}, new double[] {2.0, -1.0, 0.0, 3.0, 1.0, 1.0});
  static final NDArray F32A = arr(DType.FLOAT32, new int[] {3, 2}, new double[] {0.10000000149011612, -0.20000000298023224, 0.30000001192092896, 0.4000000059604645, -0.5, 0.6000000238418579});
  static final NDArray S0 = arr(DType.FLOAT64, new int[] {}, new double[] {2.5});
  static final NDArray LA = arr(DType.FLOAT64, new int[] {10}, new double[] {INF, -INF, INF, NaN, 1000.0, -1000.0, 0.0, 1.0, 2.0, -INF});
  static final NDArray LB = arr(DType.FLOAT64, new int[] {10}, new double[] {INF, -INF, -INF, 1.0, 1000.0, 0.0, 0.0, -INF, 3.0, 5.0});
  static final NDArray LA32 = arr(DType.FLOAT32, new int[] {10}, new double[] {INF, -INF, INF, NaN, 100.0, -100.0, 0.0, 1.0, 2.0, -INF});
  static final NDArray LB32 = arr(DType.FLOAT32, new int[] {10}, new double[] {INF, -INF, -INF, 1.0, 100.0, 0.0, 0.0, -INF, 3.0, 5.0});

  /** Each unary function on f64 and f32 inputs (log, log1p, sqrt on inputs that reach NaN and -inf). */
  @Test
  void unaryElementwiseF64AndF32() {
    pin(Np.exp(X), DType.FLOAT64, new int[] {7}, new double[] {0.0820849986238988, 0.3678794411714423, 0.7788007830714049, 1.0, 1.6487212707001282, 2.7182818284590455, 20.085536923187668}, "exp f64");
    pin(Np.exp(X32), DType.FLOAT32, new int[] {7}, new double[] {0.08208499848842621, 0.3678794503211975, 0.7788007855415344, 1.0, 1.6487212181091309, 2.7182817459106445, 20.08553695678711}, "exp f32");
    pin(Np.log(LG), DType.FLOAT64, new int[] {7}, new double[] {NaN, NaN, -INF, -6.907755278982137, -0.6931471805599453, 0.0, 2.302585092994046}, "log f64");
    pin(Np.log(LG32), DType.FLOAT32, new int[] {7}, new double[] {NaN, NaN, -INF, -6.907755374908447, -0.6931471824645996, 0.0, 2.3025851249694824}, "log f32");
    pin(Np.log1p(LG), DType.FLOAT64, new int[] {7}, new double[] {NaN, -INF, 0.0, 0.0009995003330835331, 0.4054651081081644, 0.6931471805599453, 2.3978952727983707}, "log1p f64");
    pin(Np.log1p(LG32), DType.FLOAT32, new int[] {7}, new double[] {NaN, -INF, 0.0, 0.00099950039293617, 0.40546509623527527, 0.6931471824645996, 2.397895336151123}, "log1p f32");
    pin(Np.expm1(X), DType.FLOAT64, new int[] {7}, new double[] {-0.9179150013761012, -0.6321205588285577, -0.22119921692859512, 0.0, 0.6487212707001281, 1.7182818284590455, 19.085536923187668}, "expm1 f64");
    pin(Np.expm1(X32), DType.FLOAT32, new int[] {7}, new double[] {-0.9179149866104126, -0.6321205496788025, -0.22119919955730438, 0.0, 0.6487212777137756, 1.7182817459106445, 19.08553695678711}, "expm1 f32");
    pin(Np.tanh(X), DType.FLOAT64, new int[] {7}, new double[] {-0.9866142981514302, -0.7615941559557649, -0.2449186624037091, 0.0, 0.4621171572600098, 0.7615941559557649, 0.9950547536867305}, "tanh f64");
    pin(Np.tanh(X32), DType.FLOAT32, new int[] {7}, new double[] {-0.9866143465042114, -0.7615941762924194, -0.24491865932941437, 0.0, 0.46211716532707214, 0.7615941762924194, 0.9950547218322754}, "tanh f32");
    pin(Np.sin(X), DType.FLOAT64, new int[] {7}, new double[] {-0.5984721441039565, -0.8414709848078965, -0.24740395925452294, 0.0, 0.479425538604203, 0.8414709848078965, 0.1411200080598672}, "sin f64");
    pin(Np.sin(X32), DType.FLOAT32, new int[] {7}, new double[] {-0.5984721183776855, -0.8414709568023682, -0.24740396440029144, 0.0, 0.4794255495071411, 0.8414709568023682, 0.14112000167369843}, "sin f32");
    pin(Np.cos(X), DType.FLOAT64, new int[] {7}, new double[] {-0.8011436155469337, 0.5403023058681398, 0.9689124217106447, 1.0, 0.8775825618903728, 0.5403023058681398, -0.9899924966004454}, "cos f64");
    pin(Np.cos(X32), DType.FLOAT32, new int[] {7}, new double[] {-0.8011435866355896, 0.5403022766113281, 0.9689124226570129, 1.0, 0.8775825500488281, 0.5403022766113281, -0.9899924993515015}, "cos f32");
    pin(Np.tan(X), DType.FLOAT64, new int[] {7}, new double[] {0.7470222972386603, -1.5574077246549023, -0.25534192122103627, 0.0, 0.5463024898437905, 1.5574077246549023, -0.1425465430742778}, "tan f64");
    pin(Np.tan(X32), DType.FLOAT32, new int[] {7}, new double[] {0.7470223307609558, -1.5574077367782593, -0.25534191727638245, 0.0, 0.5463024973869324, 1.5574077367782593, -0.14254654943943024}, "tan f32");
    pin(Np.sqrt(LG), DType.FLOAT64, new int[] {7}, new double[] {NaN, NaN, 0.0, 0.03162277660168379, 0.7071067811865476, 1.0, 3.1622776601683795}, "sqrt f64");
    pin(Np.sqrt(LG32), DType.FLOAT32, new int[] {7}, new double[] {NaN, NaN, 0.0, 0.03162277862429619, 0.7071067690849304, 1.0, 3.1622776985168457}, "sqrt f32");
    pin(Np.floor(X), DType.FLOAT64, new int[] {7}, new double[] {-3.0, -1.0, -1.0, 0.0, 0.0, 1.0, 3.0}, "floor f64");
    pin(Np.floor(X32), DType.FLOAT32, new int[] {7}, new double[] {-3.0, -1.0, -1.0, 0.0, 0.0, 1.0, 3.0}, "floor f32");
    pin(Np.ceil(X), DType.FLOAT64, new int[] {7}, new double[] {-2.0, -1.0, -0.0, 0.0, 1.0, 1.0, 3.0}, "ceil f64");
    pin(Np.ceil(X32), DType.FLOAT32, new int[] {7}, new double[] {-2.0, -1.0, -0.0, 0.0, 1.0, 1.0, 3.0}, "ceil f32");
    pin(Np.abs(X), DType.FLOAT64, new int[] {7}, new double[] {2.5, 1.0, 0.25, 0.0, 0.5, 1.0, 3.0}, "abs f64");
    pin(Np.abs(X32), DType.FLOAT32, new int[] {7}, new double[] {2.5, 1.0, 0.25, 0.0, 0.5, 1.0, 3.0}, "abs f32");
    pin(Np.sign(X), DType.FLOAT64, new int[] {7}, new double[] {-1.0, -1.0, -1.0, 0.0, 1.0, 1.0, 1.0}, "sign f64");
    pin(Np.sign(X32), DType.FLOAT32, new int[] {7}, new double[] {-1.0, -1.0, -1.0, 0.0, 1.0, 1.0, 1.0}, "sign f32");
    pin(Np.negative(X), DType.FLOAT64, new int[] {7}, new double[] {2.5, 1.0, 0.25, -0.0, -0.5, -1.0, -3.0}, "negative f64");
    pin(Np.negative(X32), DType.FLOAT32, new int[] {7}, new double[] {2.5, 1.0, 0.25, -0.0, -0.5, -1.0, -3.0}, "negative f32");
    pin(Np.square(X), DType.FLOAT64, new int[] {7}, new double[] {6.25, 1.0, 0.0625, 0.0, 0.25, 1.0, 9.0}, "square f64");
    pin(Np.square(X32), DType.FLOAT32, new int[] {7}, new double[] {6.25, 1.0, 0.0625, 0.0, 0.25, 1.0, 9.0}, "square f32");
    pin(Np.isfinite(X), DType.BOOL, new int[] {7}, new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, "isfinite f64");
    pin(Np.isfinite(X32), DType.BOOL, new int[] {7}, new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, "isfinite f32");
  }

  @Test
  void unaryElementwiseOnNanAndInfinities() {
    pin(Np.exp(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, 0.0}, "exp nan/inf/-inf");
    pin(Np.log(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "log nan/inf/-inf");
    pin(Np.log1p(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "log1p nan/inf/-inf");
    pin(Np.expm1(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, -1.0}, "expm1 nan/inf/-inf");
    pin(Np.tanh(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, 1.0, -1.0}, "tanh nan/inf/-inf");
    pin(Np.sin(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, NaN, NaN}, "sin nan/inf/-inf");
    pin(Np.cos(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, NaN, NaN}, "cos nan/inf/-inf");
    pin(Np.tan(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, NaN, NaN}, "tan nan/inf/-inf");
    pin(Np.sqrt(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, NaN}, "sqrt nan/inf/-inf");
    pin(Np.floor(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, -INF}, "floor nan/inf/-inf");
    pin(Np.ceil(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, -INF}, "ceil nan/inf/-inf");
    pin(Np.abs(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, INF}, "abs nan/inf/-inf");
    pin(Np.sign(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, 1.0, -1.0}, "sign nan/inf/-inf");
    pin(Np.negative(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, -INF, INF}, "negative nan/inf/-inf");
    pin(Np.square(SP), DType.FLOAT64, new int[] {3}, new double[] {NaN, INF, INF}, "square nan/inf/-inf");
    pin(Np.isfinite(SP), DType.BOOL, new int[] {3}, new double[] {0.0, 0.0, 0.0}, "isfinite nan/inf/-inf");
  }

  /** Integer inputs keep their dtype where JAX does; i64 inputs of transcendental functions become f64. */
  @Test
  void unaryElementwiseOnIntegers() {
    pin(Np.floor(I), DType.INT32, new int[] {4}, new double[] {-3.0, 0.0, 2.0, 7.0}, "floor i32");
    pin(Np.ceil(I), DType.INT32, new int[] {4}, new double[] {-3.0, 0.0, 2.0, 7.0}, "ceil i32");
    pin(Np.abs(I), DType.INT32, new int[] {4}, new double[] {3.0, 0.0, 2.0, 7.0}, "abs i32");
    pin(Np.sign(I), DType.INT32, new int[] {4}, new double[] {-1.0, 0.0, 1.0, 1.0}, "sign i32");
    pin(Np.negative(I), DType.INT32, new int[] {4}, new double[] {3.0, 0.0, -2.0, -7.0}, "negative i32");
    pin(Np.square(I), DType.INT32, new int[] {4}, new double[] {9.0, 0.0, 4.0, 49.0}, "square i32");
    pin(Np.isfinite(I), DType.BOOL, new int[] {4}, new double[] {1.0, 1.0, 1.0, 1.0}, "isfinite i32");
    pin(Np.sqrt(I.astype(DType.INT64)), DType.FLOAT64, new int[] {4}, new double[] {NaN, 0.0, 1.4142135623730951, 2.6457513110645907}, "sqrt i64 (int64 -> f64 in JAX)");
    pin(Np.exp(I.astype(DType.INT64)), DType.FLOAT64, new int[] {4}, new double[] {0.049787068367863944, 1.0, 7.38905609893065, 1096.6331584284585}, "exp i64");
    pin(Np.abs(MB), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 0.0, 1.0, 1.0, 0.0, 0.0}, "abs bool");
  }

  @Test
  void binaryArithmeticBroadcasts() {
    pin(Np.add(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {3.0, -2.0, 0.0, 2.0, 3.0, -2.0}, "add [2,3] [3]");
    pin(Np.add(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -1.0, -1.5, 6.0, 4.0, 3.5}, "add [3] [2,1]");
    pin(Np.add(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {1.0, -1.0, 0.0, NaN, NaN, -INF}, "add with nan/inf");
    pin(Np.add(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {3.5, 0.5, 3.0, 2.5, 5.5, 1.0}, "add 0-d");
    pin(Np.add(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {2.5999999046325684, 2.299999952316284, 2.799999952316284, 2.9000000953674316, 2.0, 3.0999999046325684}, "add f32 x 2.5");
    pin(Np.subtract(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {-1.0, -2.0, 1.0, -2.0, 3.0, -1.0}, "subtract [2,3] [3]");
    pin(Np.subtract(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {3.0, 1.0, 0.5, -2.0, -4.0, -4.5}, "subtract [3] [2,1]");
    pin(Np.subtract(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {1.0, -1.0, 0.0, NaN, NaN, NaN}, "subtract with nan/inf");
    pin(Np.subtract(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {1.5, 4.5, 2.0, 2.5, -0.5, 4.0}, "subtract 0-d");
    pin(Np.subtract(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {-2.4000000953674316, -2.700000047683716, -2.200000047683716, -2.0999999046325684, -3.0, -1.899999976158142}, "subtract f32 x 2.5");
    pin(Np.multiply(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, -0.0, -0.25, 0.0, 0.0, 0.75}, "multiply [2,3] [3]");
    pin(Np.multiply(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {-2.0, -0.0, 0.5, 8.0, 0.0, -2.0}, "multiply [3] [2,1]");
    pin(Np.multiply(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {0.0, -0.0, 0.0, NaN, NaN, INF}, "multiply with nan/inf");
    pin(Np.multiply(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, -5.0, 1.25, 0.0, 7.5, -3.75}, "multiply 0-d");
    pin(Np.multiply(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {0.25, -0.5, 0.75, 1.0, -1.25, 1.5}, "multiply f32 x 2.5");
    pin(Np.divide(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {0.5, -INF, -1.0, 0.0, INF, 3.0}, "divide [2,3] [3]");
    pin(Np.divide(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {-2.0, -0.0, 0.5, 0.5, 0.0, -0.125}, "divide [3] [2,1]");
    pin(Np.divide(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {INF, -INF, NaN, NaN, NaN, NaN}, "divide with nan/inf");
    pin(Np.divide(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, -1.25, 5.0, INF, 0.8333333333333334, -1.6666666666666667}, "divide 0-d");
    pin(Np.divide(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {0.04000000283122063, -0.08000000566244125, 0.12000000476837158, 0.1600000113248825, -0.20000000298023224, 0.24000000953674316}, "divide f32 x 2.5");
    pin(Np.power(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, 1.0, 1.4142135623730951, 0.0, 1.0, NaN}, "power [2,3] [3]");
    pin(Np.power(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {0.5, INF, -2.0, 16.0, 0.0, 0.0625}, "power [3] [2,1]");
    pin(Np.power(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {1.0, 1.0, 1.0, NaN, NaN, 0.0}, "power with nan/inf");
    pin(Np.power(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, 0.16, 1.5811388300841898, 1.0, 15.625, 0.25298221281347033}, "power 0-d");
    pin(Np.power(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {0.003162277862429619, NaN, 0.049295034259557724, 0.1011928915977478, NaN, 0.2788548171520233}, "power f32 x 2.5");
    pin(Np.maximum(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, 0.0, 0.5, 2.0, 3.0, -0.5}, "maximum [2,3] [3]");
    pin(Np.maximum(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, 0.0, -0.5, 4.0, 4.0, 4.0}, "maximum [3] [2,1]");
    pin(Np.maximum(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {1.0, 0.0, 0.0, NaN, NaN, -INF}, "maximum with nan/inf");
    pin(Np.maximum(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, 2.5, 2.5, 2.5, 3.0, 2.5}, "maximum 0-d");
    pin(Np.maximum(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, "maximum f32 x 2.5");
    pin(Np.minimum(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, -0.5, 0.0, 0.0, -1.5}, "minimum [2,3] [3]");
    pin(Np.minimum(B, C), DType.FLOAT64, new int[] {2, 3}, new double[] {-1.0, -1.0, -1.0, 2.0, 0.0, -0.5}, "minimum [3] [2,1]");
    pin(Np.minimum(N1, N2), DType.FLOAT64, new int[] {6}, new double[] {0.0, -1.0, 0.0, NaN, NaN, -INF}, "minimum with nan/inf");
    pin(Np.minimum(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 2.5, -1.5}, "minimum 0-d");
    pin(Np.minimum(Np.reshape(F32A, 2, 3), 2.5), DType.FLOAT32, new int[] {2, 3}, new double[] {0.10000000149011612, -0.20000000298023224, 0.30000001192092896, 0.4000000059604645, -0.5, 0.6000000238418579}, "minimum f32 x 2.5");
    pin(Np.add(2.5, A), DType.FLOAT64, new int[] {2, 3}, new double[] {3.5, 0.5, 3.0, 2.5, 5.5, 1.0}, "add double first");
    pin(Np.subtract(2.5, A), DType.FLOAT64, new int[] {2, 3}, new double[] {1.5, 4.5, 2.0, 2.5, -0.5, 4.0}, "subtract double first");
    pin(Np.multiply(2.5, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, -5.0, 1.25, 0.0, 7.5, -3.75}, "multiply double first");
    pin(Np.divide(2.5, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, -1.25, 5.0, INF, 0.8333333333333334, -1.6666666666666667}, "divide double first");
    pin(Np.power(Lax.sliceInDim(I, 1, 4, 1, 0), NDArray.ofInts(3, 0, 3)), DType.INT32, new int[] {3}, new double[] {0.0, 1.0, 343.0}, "power i32");
    pin(Np.power(NDArray.of(-2.0, -2.0, 0.0, 4.0), NDArray.of(3.0, 0.5, 0.0, -0.5)), DType.FLOAT64, new int[] {4}, new double[] {-8.0, NaN, 1.0, 0.5}, "power negative base");
    pin(Np.add(IA, IA), DType.INT32, new int[] {2, 3}, new double[] {2.0, 4.0, -6.0, 8.0, 0.0, 10.0}, "add i32 i32");
    pin(Np.multiply(IA, MB), DType.INT32, new int[] {2, 3}, new double[] {1.0, 0.0, -3.0, 4.0, 0.0, 0.0}, "multiply i32 by bool");
    pin(Np.maximum(IA, Np.zeros(new int[] {3}, DType.INT32)), DType.INT32, new int[] {2, 3}, new double[] {1.0, 2.0, 0.0, 4.0, 0.0, 5.0}, "maximum i32");
  }

  /** Comparisons give bool, NaN compares unequal to everything, logical ops treat nonzero (and NaN) as true. */
  @Test
  void comparisonsAndLogic() {
    pin(Np.greater(A, B), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 0.0, 1.0, 0.0, 1.0, 0.0}, "greater [2,3] [3]");
    pin(Np.greater(N1, N2), DType.BOOL, new int[] {6}, new double[] {1.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "greater nan/inf");
    pin(Np.greater(A, 0.5), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 0.0, 0.0, 0.0, 1.0, 0.0}, "greater vs 0.5");
    pin(Np.greater(I, 2.0), DType.BOOL, new int[] {4}, new double[] {0.0, 0.0, 0.0, 1.0}, "greater i32 vs 2.0");
    pin(Np.greaterEqual(A, B), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 0.0, 1.0, 0.0, 1.0, 0.0}, "greaterEqual [2,3] [3]");
    pin(Np.greaterEqual(N1, N2), DType.BOOL, new int[] {6}, new double[] {1.0, 0.0, 1.0, 0.0, 0.0, 1.0}, "greaterEqual nan/inf");
    pin(Np.greaterEqual(A, 0.5), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 0.0, 1.0, 0.0, 1.0, 0.0}, "greaterEqual vs 0.5");
    pin(Np.greaterEqual(I, 2.0), DType.BOOL, new int[] {4}, new double[] {0.0, 0.0, 1.0, 1.0}, "greaterEqual i32 vs 2.0");
    pin(Np.less(A, B), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 1.0, 0.0, 1.0, 0.0, 1.0}, "less [2,3] [3]");
    pin(Np.less(N1, N2), DType.BOOL, new int[] {6}, new double[] {0.0, 1.0, 0.0, 0.0, 0.0, 0.0}, "less nan/inf");
    pin(Np.less(A, 0.5), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 1.0, 0.0, 1.0, 0.0, 1.0}, "less vs 0.5");
    pin(Np.less(I, 2.0), DType.BOOL, new int[] {4}, new double[] {1.0, 1.0, 0.0, 0.0}, "less i32 vs 2.0");
    pin(Np.lessEqual(A, B), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 1.0, 0.0, 1.0, 0.0, 1.0}, "lessEqual [2,3] [3]");
    pin(Np.lessEqual(N1, N2), DType.BOOL, new int[] {6}, new double[] {0.0, 1.0, 1.0, 0.0, 0.0, 1.0}, "lessEqual nan/inf");
    pin(Np.lessEqual(A, 0.5), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 1.0, 1.0, 1.0, 0.0, 1.0}, "lessEqual vs 0.5");
    pin(Np.lessEqual(I, 2.0), DType.BOOL, new int[] {4}, new double[] {1.0, 1.0, 1.0, 0.0}, "lessEqual i32 vs 2.0");
    pin(Np.equal(A, B), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "equal [2,3] [3]");
    pin(Np.equal(N1, N2), DType.BOOL, new int[] {6}, new double[] {0.0, 0.0, 1.0, 0.0, 0.0, 1.0}, "equal nan/inf");
    pin(Np.equal(A, 0.5), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 0.0, 1.0, 0.0, 0.0, 0.0}, "equal vs 0.5");
    pin(Np.equal(I, 2.0), DType.BOOL, new int[] {4}, new double[] {0.0, 0.0, 1.0, 0.0}, "equal i32 vs 2.0");
    pin(Np.notEqual(A, B), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, "notEqual [2,3] [3]");
    pin(Np.notEqual(N1, N2), DType.BOOL, new int[] {6}, new double[] {1.0, 1.0, 0.0, 1.0, 1.0, 0.0}, "notEqual nan/inf");
    pin(Np.notEqual(A, 0.5), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 1.0, 0.0, 1.0, 1.0, 1.0}, "notEqual vs 0.5");
    pin(Np.notEqual(I, 2.0), DType.BOOL, new int[] {4}, new double[] {1.0, 1.0, 0.0, 1.0}, "notEqual i32 vs 2.0");
    pin(Np.logicalAnd(N1, N2), DType.BOOL, new int[] {6}, new double[] {0.0, 0.0, 0.0, 1.0, 1.0, 1.0}, "logicalAnd");
    pin(Np.logicalOr(N1, N2), DType.BOOL, new int[] {6}, new double[] {1.0, 1.0, 0.0, 1.0, 1.0, 1.0}, "logicalOr");
    pin(Np.logicalNot(N1), DType.BOOL, new int[] {6}, new double[] {0.0, 0.0, 1.0, 0.0, 0.0, 0.0}, "logicalNot");
    pin(Np.logicalAnd(MB, NDArray.ofBools(true, false, true)), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 0.0, 1.0, 1.0, 0.0, 0.0}, "logicalAnd bool broadcast");
    pin(Np.logicalOr(I, NDArray.ofInts(0, 0, 0, 1)), DType.BOOL, new int[] {4}, new double[] {1.0, 0.0, 1.0, 1.0}, "logicalOr i32");
    pin(Np.logicalNot(I), DType.BOOL, new int[] {4}, new double[] {0.0, 1.0, 0.0, 0.0}, "logicalNot i32");
  }

  @Test
  void whereBroadcastsAndPromotes() {
    pin(Np.where(NDArray.ofBools(true, false).reshape(2, 1), B, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, 0.0, -0.5, 0.0, 3.0, -1.5}, "where [2,1] [3] [2,3]");
    pin(Np.where(Np.greater(A, 0.0), B, S0), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, 2.5, -0.5, 2.5, 0.0, 2.5}, "where [2,3] [3] 0-d");
    pin(Np.where(Np.greater(A, 0.0), A, -1.0), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -1.0, 0.5, -1.0, 3.0, -1.0}, "where double y");
    pin(Np.where(Np.greater(A, 0.0), 7.0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {7.0, -2.0, 7.0, 0.0, 7.0, -1.5}, "where double x");
    pin(Np.where(N2, N1, 9.0), DType.FLOAT64, new int[] {6}, new double[] {9.0, 9.0, 9.0, NaN, 2.0, -INF}, "where f64 cond (nonzero is true)");
    pin(Np.where(Np.greater(IA, 0.0), IA, Np.reshape(F32A, 2, 3)), DType.FLOAT32, new int[] {2, 3}, new double[] {1.0, 2.0, 0.30000001192092896, 4.0, -0.5, 5.0}, "where i32 x, f32 y");
    pin(Np.where(Np.greater(IA, 0.0), IA, 0.5), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, 2.0, 0.5, 4.0, 0.5, 5.0}, "where i32 x, double y");
  }

  @Test
  void clip() {
    pin(Np.clip(N1, -0.5, 1.5), DType.FLOAT64, new int[] {6}, new double[] {1.0, -0.5, 0.0, NaN, 1.5, -0.5}, "clip doubles");
    pin(Np.clip(A, C, NDArray.of(2.0, 2.0, 5.0)), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -1.0, 0.5, 2.0, 2.0, 4.0}, "clip arrays broadcast");
    pin(Np.clip(X32, -1.0, 0.75), DType.FLOAT32, new int[] {7}, new double[] {-1.0, -1.0, -0.25, 0.0, 0.5, 0.75, 0.75}, "clip f32");
    pin(Np.clip(I, -1.0, 5.0), DType.FLOAT64, new int[] {4}, new double[] {-1.0, 0.0, 2.0, 5.0}, "clip i32 by doubles -> f64");
  }

  @Test
  void logaddexpIncludingInfinitiesAndNan() {
    pin(Np.logaddexp(LA, LB), DType.FLOAT64, new int[] {10}, new double[] {INF, -INF, INF, NaN, 1000.6931471805599, 0.0, 0.6931471805599453, 1.0, 3.3132616875182226, 5.0}, "logaddexp f64 incl. inf, -inf, nan");
    pin(Np.logaddexp(LA32, LB32), DType.FLOAT32, new int[] {10}, new double[] {INF, -INF, INF, NaN, 100.69314575195312, 0.0, 0.6931471824645996, 1.0, 3.3132617473602295, 5.0}, "logaddexp f32");
    pin(Np.logaddexp(LB, LA), DType.FLOAT64, new int[] {10}, new double[] {INF, -INF, INF, NaN, 1000.6931471805599, 0.0, 0.6931471805599453, 1.0, 3.3132616875182226, 5.0}, "logaddexp symmetric");
    pin(Np.logaddexp(A, B), DType.FLOAT64, new int[] {2, 3}, new double[] {2.3132616875182226, 0.1269280110429725, 0.8132616875182228, 2.1269280110429727, 3.048587351573742, -0.1867383124817772}, "logaddexp broadcast");
    pin(Np.logaddexp(X, 0.0), DType.FLOAT64, new int[] {7}, new double[] {0.07888973429254963, 0.3132616875182228, 0.5759394198788437, 0.6931471805599453, 0.9740769841801067, 1.3132616875182228, 3.048587351573742}, "logaddexp with double");
    pin(Np.logaddexp(I, I), DType.FLOAT32, new int[] {4}, new double[] {-2.3068528194400546, 0.6931471805599453, 2.6931471805599454, 7.693147180559945}, "logaddexp i32 -> f32");
  }

  /** (x), (x, axis) and (x, axis, keepdims) with positive and negative axes, on 2-d, 3-d and 0-d inputs. */
  @Test
  void reductionsOverEveryAxisForm() {
    pin(Np.sum(M), DType.FLOAT64, new int[] {}, new double[] {16.0}, "sum(M)");
    pin(Np.sum(M, 0), DType.FLOAT64, new int[] {4}, new double[] {3.0, 4.5, 1.5, 7.0}, "sum(M, 0)");
    pin(Np.sum(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {3.0, 4.5, 1.5, 7.0}, "sum(M, 0, keepdims)");
    pin(Np.sum(M, 1), DType.FLOAT64, new int[] {3}, new double[] {7.0, 6.5, 2.5}, "sum(M, 1)");
    pin(Np.sum(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {7.0, 6.5, 2.5}, "sum(M, 1, keepdims)");
    pin(Np.sum(M, -1), DType.FLOAT64, new int[] {3}, new double[] {7.0, 6.5, 2.5}, "sum(M, -1)");
    pin(Np.sum(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {7.0, 6.5, 2.5}, "sum(M, -1, keepdims)");
    pin(Np.sum(M, -2), DType.FLOAT64, new int[] {4}, new double[] {3.0, 4.5, 1.5, 7.0}, "sum(M, -2)");
    pin(Np.sum(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {3.0, 4.5, 1.5, 7.0}, "sum(M, -2, keepdims)");
    pin(Np.sum(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {0.25, 0.75, 1.25, 2.5, 1.75, -1.75, -2.5, 0.25}, "sum(T, -2, keepdims)");
    pin(Np.sum(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {5.25, 1.75, -2.25, 1.25, -2.25, -1.25}, "sum(T, 2)");
    pin(Np.sum(S0), DType.FLOAT64, new int[] {}, new double[] {2.5}, "sum(0-d)");
    pin(Np.prod(M), DType.FLOAT64, new int[] {}, new double[] {-0.0}, "prod(M)");
    pin(Np.prod(M, 0), DType.FLOAT64, new int[] {4}, new double[] {-0.75, -6.0, -6.0, 0.0}, "prod(M, 0)");
    pin(Np.prod(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {-0.75, -6.0, -6.0, 0.0}, "prod(M, 0, keepdims)");
    pin(Np.prod(M, 1), DType.FLOAT64, new int[] {3}, new double[] {-18.0, -16.0, -0.0}, "prod(M, 1)");
    pin(Np.prod(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {-18.0, -16.0, -0.0}, "prod(M, 1, keepdims)");
    pin(Np.prod(M, -1), DType.FLOAT64, new int[] {3}, new double[] {-18.0, -16.0, -0.0}, "prod(M, -1)");
    pin(Np.prod(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {-18.0, -16.0, -0.0}, "prod(M, -1, keepdims)");
    pin(Np.prod(M, -2), DType.FLOAT64, new int[] {4}, new double[] {-0.75, -6.0, -6.0, 0.0}, "prod(M, -2)");
    pin(Np.prod(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {-0.75, -6.0, -6.0, 0.0}, "prod(M, -2, keepdims)");
    pin(Np.prod(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {-1.0, -0.625, -1.125, -4.375, -5.25, 3.375, 0.0, 0.375}, "prod(T, -2, keepdims)");
    pin(Np.prod(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {1.5, -0.5859375, -3.5, -0.0, -1.1484375, -1.125}, "prod(T, 2)");
    pin(Np.prod(S0), DType.FLOAT64, new int[] {}, new double[] {2.5}, "prod(0-d)");
    pin(Np.max(M), DType.FLOAT64, new int[] {}, new double[] {4.0}, "max(M)");
    pin(Np.max(M, 0), DType.FLOAT64, new int[] {4}, new double[] {3.0, 4.0, 2.0, 4.0}, "max(M, 0)");
    pin(Np.max(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {3.0, 4.0, 2.0, 4.0}, "max(M, 0, keepdims)");
    pin(Np.max(M, 1), DType.FLOAT64, new int[] {3}, new double[] {3.0, 4.0, 1.5}, "max(M, 1)");
    pin(Np.max(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {3.0, 4.0, 1.5}, "max(M, 1, keepdims)");
    pin(Np.max(M, -1), DType.FLOAT64, new int[] {3}, new double[] {3.0, 4.0, 1.5}, "max(M, -1)");
    pin(Np.max(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {3.0, 4.0, 1.5}, "max(M, -1, keepdims)");
    pin(Np.max(M, -2), DType.FLOAT64, new int[] {4}, new double[] {3.0, 4.0, 2.0, 4.0}, "max(M, -2)");
    pin(Np.max(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {3.0, 4.0, 2.0, 4.0}, "max(M, -2, keepdims)");
    pin(Np.max(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {2.0, 1.25, 1.5, 2.0, 2.0, 1.5, 0.0, 1.5}, "max(T, -2, keepdims)");
    pin(Np.max(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, 1.5, 1.75, 2.0, 1.5, 1.5}, "max(T, 2)");
    pin(Np.max(S0), DType.FLOAT64, new int[] {}, new double[] {2.5}, "max(0-d)");
    pin(Np.min(M), DType.FLOAT64, new int[] {}, new double[] {-2.0}, "min(M)");
    pin(Np.min(M, 0), DType.FLOAT64, new int[] {4}, new double[] {-0.5, -1.0, -2.0, 0.0}, "min(M, 0)");
    pin(Np.min(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {-0.5, -1.0, -2.0, 0.0}, "min(M, 0, keepdims)");
    pin(Np.min(M, 1), DType.FLOAT64, new int[] {3}, new double[] {-1.0, -2.0, -0.5}, "min(M, 1)");
    pin(Np.min(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {-1.0, -2.0, -0.5}, "min(M, 1, keepdims)");
    pin(Np.min(M, -1), DType.FLOAT64, new int[] {3}, new double[] {-1.0, -2.0, -0.5}, "min(M, -1)");
    pin(Np.min(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {-1.0, -2.0, -0.5}, "min(M, -1, keepdims)");
    pin(Np.min(M, -2), DType.FLOAT64, new int[] {4}, new double[] {-0.5, -1.0, -2.0, 0.0}, "min(M, -2)");
    pin(Np.min(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {-0.5, -1.0, -2.0, 0.0}, "min(M, -2, keepdims)");
    pin(Np.min(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {-2.0, -1.0, -1.0, -1.25, -1.75, -2.25, -1.75, -1.0}, "min(T, -2, keepdims)");
    pin(Np.min(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {0.5, -1.25, -2.0, -2.25, -1.75, -1.0}, "min(T, 2)");
    pin(Np.min(S0), DType.FLOAT64, new int[] {}, new double[] {2.5}, "min(0-d)");
    pin(Np.mean(M), DType.FLOAT64, new int[] {}, new double[] {1.3333333333333333}, "mean(M)");
    pin(Np.mean(M, 0), DType.FLOAT64, new int[] {4}, new double[] {1.0, 1.5, 0.5, 2.333333333333333}, "mean(M, 0)");
    pin(Np.mean(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {1.0, 1.5, 0.5, 2.333333333333333}, "mean(M, 0, keepdims)");
    pin(Np.mean(M, 1), DType.FLOAT64, new int[] {3}, new double[] {1.75, 1.625, 0.625}, "mean(M, 1)");
    pin(Np.mean(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {1.75, 1.625, 0.625}, "mean(M, 1, keepdims)");
    pin(Np.mean(M, -1), DType.FLOAT64, new int[] {3}, new double[] {1.75, 1.625, 0.625}, "mean(M, -1)");
    pin(Np.mean(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {1.75, 1.625, 0.625}, "mean(M, -1, keepdims)");
    pin(Np.mean(M, -2), DType.FLOAT64, new int[] {4}, new double[] {1.0, 1.5, 0.5, 2.333333333333333}, "mean(M, -2)");
    pin(Np.mean(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {1.0, 1.5, 0.5, 2.333333333333333}, "mean(M, -2, keepdims)");
    pin(Np.mean(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {0.08333333333333333, 0.25, 0.41666666666666663, 0.8333333333333333, 0.5833333333333333, -0.5833333333333333, -0.8333333333333333, 0.08333333333333333}, "mean(T, -2, keepdims)");
    pin(Np.mean(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {1.3125, 0.4375, -0.5625, 0.3125, -0.5625, -0.3125}, "mean(T, 2)");
    pin(Np.mean(S0), DType.FLOAT64, new int[] {}, new double[] {2.5}, "mean(0-d)");
    pin(Np.var(M), DType.FLOAT64, new int[] {}, new double[] {3.5555555555555567}, "var(M)");
    pin(Np.var(M, 0), DType.FLOAT64, new int[] {4}, new double[] {2.1666666666666665, 4.166666666666667, 3.1666666666666665, 2.888888888888889}, "var(M, 0)");
    pin(Np.var(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {2.1666666666666665, 4.166666666666667, 3.1666666666666665, 2.888888888888889}, "var(M, 0, keepdims)");
    pin(Np.var(M, 1), DType.FLOAT64, new int[] {3}, new double[] {2.6875, 6.421875, 0.796875}, "var(M, 1)");
    pin(Np.var(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {2.6875, 6.421875, 0.796875}, "var(M, 1, keepdims)");
    pin(Np.var(M, -1), DType.FLOAT64, new int[] {3}, new double[] {2.6875, 6.421875, 0.796875}, "var(M, -1)");
    pin(Np.var(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {2.6875, 6.421875, 0.796875}, "var(M, -1, keepdims)");
    pin(Np.var(M, -2), DType.FLOAT64, new int[] {4}, new double[] {2.1666666666666665, 4.166666666666667, 3.1666666666666665, 2.888888888888889}, "var(M, -2)");
    pin(Np.var(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {2.1666666666666665, 4.166666666666667, 3.1666666666666665, 2.888888888888889}, "var(M, -2, keepdims)");
    pin(Np.var(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {2.680555555555556, 0.875, 1.097222222222222, 2.1805555555555554, 2.763888888888889, 2.4305555555555554, 0.513888888888889, 1.0972222222222223}, "var(T, -2, keepdims)");
    pin(Np.var(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {0.48046875, 1.16796875, 1.94921875, 2.73046875, 1.79296875, 1.10546875}, "var(T, 2)");
    pin(Np.var(S0), DType.FLOAT64, new int[] {}, new double[] {0.0}, "var(0-d)");
    pin(Np.std(M), DType.FLOAT64, new int[] {}, new double[] {1.885618083164127}, "std(M)");
    pin(Np.std(M, 0), DType.FLOAT64, new int[] {4}, new double[] {1.4719601443879744, 2.041241452319315, 1.7795130420052185, 1.699673171197595}, "std(M, 0)");
    pin(Np.std(M, 0, true), DType.FLOAT64, new int[] {1, 4}, new double[] {1.4719601443879744, 2.041241452319315, 1.7795130420052185, 1.699673171197595}, "std(M, 0, keepdims)");
    pin(Np.std(M, 1), DType.FLOAT64, new int[] {3}, new double[] {1.6393596310755, 2.5341418665891617, 0.8926785535678563}, "std(M, 1)");
    pin(Np.std(M, 1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {1.6393596310755, 2.5341418665891617, 0.8926785535678563}, "std(M, 1, keepdims)");
    pin(Np.std(M, -1), DType.FLOAT64, new int[] {3}, new double[] {1.6393596310755, 2.5341418665891617, 0.8926785535678563}, "std(M, -1)");
    pin(Np.std(M, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {1.6393596310755, 2.5341418665891617, 0.8926785535678563}, "std(M, -1, keepdims)");
    pin(Np.std(M, -2), DType.FLOAT64, new int[] {4}, new double[] {1.4719601443879744, 2.041241452319315, 1.7795130420052185, 1.699673171197595}, "std(M, -2)");
    pin(Np.std(M, -2, true), DType.FLOAT64, new int[] {1, 4}, new double[] {1.4719601443879744, 2.041241452319315, 1.7795130420052185, 1.699673171197595}, "std(M, -2, keepdims)");
    pin(Np.std(T, -2, true), DType.FLOAT64, new int[] {2, 1, 4}, new double[] {1.6372402253657083, 0.9354143466934853, 1.0474837574980445, 1.4766704288891124, 1.6624947786050002, 1.5590239111558089, 0.7168604389202189, 1.0474837574980447}, "std(T, -2, keepdims)");
    pin(Np.std(T, 2), DType.FLOAT64, new int[] {2, 3}, new double[] {0.6931585316505886, 1.0807260291119114, 1.3961442439805423, 1.6524130083002857, 1.3390178303517843, 1.0514127400787951}, "std(T, 2)");
    pin(Np.std(S0), DType.FLOAT64, new int[] {}, new double[] {0.0}, "std(0-d)");
  }

  @Test
  void reductionsOfIntegersBoolsNanF32AndEmpty() {
    pin(Np.sum(MI, 1), DType.INT64, new int[] {2}, new double[] {7.0, 11.0}, "sum(i32, 1)");
    pin(Np.sum(MB, 0), DType.INT64, new int[] {3}, new double[] {2.0, 0.0, 1.0}, "sum(bool, 0)");
    pin(Np.prod(MI, 1), DType.INT64, new int[] {2}, new double[] {-18.0, -160.0}, "prod(i32, 1)");
    pin(Np.prod(MB, 0), DType.INT64, new int[] {3}, new double[] {1.0, 0.0, 0.0}, "prod(bool, 0)");
    pin(Np.max(MI, 1), DType.INT32, new int[] {2}, new double[] {3.0, 5.0}, "max(i32, 1)");
    pin(Np.max(MB, 0), DType.BOOL, new int[] {3}, new double[] {1.0, 0.0, 1.0}, "max(bool, 0)");
    pin(Np.min(MI, 1), DType.INT32, new int[] {2}, new double[] {-1.0, -2.0}, "min(i32, 1)");
    pin(Np.min(MB, 0), DType.BOOL, new int[] {3}, new double[] {1.0, 0.0, 0.0}, "min(bool, 0)");
    pin(Np.max(VN), DType.FLOAT64, new int[] {}, new double[] {NaN}, "max with nan");
    pin(Np.min(VN), DType.FLOAT64, new int[] {}, new double[] {NaN}, "min with nan");
    pin(Np.sum(F32A, 0), DType.FLOAT32, new int[] {2}, new double[] {-0.09999999403953552, 0.800000011920929}, "sum f32");
    pin(Np.mean(F32A, -1, true), DType.FLOAT32, new int[] {3, 1}, new double[] {-0.05000000074505806, 0.3500000238418579, 0.050000011920928955}, "mean f32");
    pin(Np.var(F32A), DType.FLOAT32, new int[] {}, new double[] {0.13805554807186127}, "var f32");
    pin(Np.mean(MI.astype(DType.INT64), 1), DType.FLOAT64, new int[] {2}, new double[] {1.75, 2.75}, "mean i64 -> f64");
    pin(Np.sum(Np.zeros(0, 3), 0), DType.FLOAT64, new int[] {3}, new double[] {0.0, 0.0, 0.0}, "sum of size-0");
    pin(Np.prod(Np.zeros(0, 3), 0), DType.FLOAT64, new int[] {3}, new double[] {1.0, 1.0, 1.0}, "prod of size-0");
    pin(Np.mean(Np.zeros(0)), DType.FLOAT64, new int[] {}, new double[] {NaN}, "mean of size-0");
  }

  @Test
  void argmaxArgminTiesNanAndAxes() {
    pin(Np.argmax(M), DType.INT64, new int[] {}, new double[] {5.0}, "argmax(M) first of ties");
    pin(Np.argmax(M, 0), DType.INT64, new int[] {4}, new double[] {0.0, 1.0, 0.0, 1.0}, "argmax(M, 0)");
    pin(Np.argmax(M, 0, true), DType.INT64, new int[] {1, 4}, new double[] {0.0, 1.0, 0.0, 1.0}, "argmax(M, 0, keepdims)");
    pin(Np.argmax(M, 1), DType.INT64, new int[] {3}, new double[] {0.0, 1.0, 1.0}, "argmax(M, 1)");
    pin(Np.argmax(M, 1, true), DType.INT64, new int[] {3, 1}, new double[] {0.0, 1.0, 1.0}, "argmax(M, 1, keepdims)");
    pin(Np.argmax(M, -1), DType.INT64, new int[] {3}, new double[] {0.0, 1.0, 1.0}, "argmax(M, -1)");
    pin(Np.argmax(M, -1, true), DType.INT64, new int[] {3, 1}, new double[] {0.0, 1.0, 1.0}, "argmax(M, -1, keepdims)");
    pin(Np.argmax(M, -2), DType.INT64, new int[] {4}, new double[] {0.0, 1.0, 0.0, 1.0}, "argmax(M, -2)");
    pin(Np.argmax(M, -2, true), DType.INT64, new int[] {1, 4}, new double[] {0.0, 1.0, 0.0, 1.0}, "argmax(M, -2, keepdims)");
    pin(Np.argmax(T, -2, true), DType.INT64, new int[] {2, 1, 4}, new double[] {0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0}, "argmax(T, -2, keepdims)");
    pin(Np.argmax(MI, 1), DType.INT64, new int[] {2}, new double[] {0.0, 0.0}, "argmax(i32, 1)");
    pin(Np.argmax(VN), DType.INT64, new int[] {}, new double[] {1.0}, "argmax nan first");
    pin(Np.argmax(SP.at(0).set(0.0)), DType.INT64, new int[] {}, new double[] {1.0}, "argmax -inf/inf");
    pin(Np.argmin(M), DType.INT64, new int[] {}, new double[] {6.0}, "argmin(M) first of ties");
    pin(Np.argmin(M, 0), DType.INT64, new int[] {4}, new double[] {2.0, 0.0, 1.0, 2.0}, "argmin(M, 0)");
    pin(Np.argmin(M, 0, true), DType.INT64, new int[] {1, 4}, new double[] {2.0, 0.0, 1.0, 2.0}, "argmin(M, 0, keepdims)");
    pin(Np.argmin(M, 1), DType.INT64, new int[] {3}, new double[] {1.0, 2.0, 0.0}, "argmin(M, 1)");
    pin(Np.argmin(M, 1, true), DType.INT64, new int[] {3, 1}, new double[] {1.0, 2.0, 0.0}, "argmin(M, 1, keepdims)");
    pin(Np.argmin(M, -1), DType.INT64, new int[] {3}, new double[] {1.0, 2.0, 0.0}, "argmin(M, -1)");
    pin(Np.argmin(M, -1, true), DType.INT64, new int[] {3, 1}, new double[] {1.0, 2.0, 0.0}, "argmin(M, -1, keepdims)");
    pin(Np.argmin(M, -2), DType.INT64, new int[] {4}, new double[] {2.0, 0.0, 1.0, 2.0}, "argmin(M, -2)");
    pin(Np.argmin(M, -2, true), DType.INT64, new int[] {1, 4}, new double[] {2.0, 0.0, 1.0, 2.0}, "argmin(M, -2, keepdims)");
    pin(Np.argmin(T, -2, true), DType.INT64, new int[] {2, 1, 4}, new double[] {2.0, 2.0, 2.0, 1.0, 1.0, 0.0, 1.0, 2.0}, "argmin(T, -2, keepdims)");
    pin(Np.argmin(MI, 1), DType.INT64, new int[] {2}, new double[] {1.0, 2.0}, "argmin(i32, 1)");
    pin(Np.argmin(VN), DType.INT64, new int[] {}, new double[] {1.0}, "argmin nan first");
    pin(Np.argmin(SP.at(0).set(0.0)), DType.INT64, new int[] {}, new double[] {2.0}, "argmin -inf/inf");
  }

  @Test
  void cumsum() {
    pin(Np.cumsum(M), DType.FLOAT64, new int[] {12}, new double[] {3.0, 2.0, 4.0, 7.0, 7.5, 11.5, 9.5, 13.5, 13.0, 14.5, 16.0, 16.0}, "cumsum(M)");
    pin(Np.cumsum(M, 0), DType.FLOAT64, new int[] {3, 4}, new double[] {3.0, -1.0, 2.0, 3.0, 3.5, 3.0, 0.0, 7.0, 3.0, 4.5, 1.5, 7.0}, "cumsum(M, 0)");
    pin(Np.cumsum(M, -1), DType.FLOAT64, new int[] {3, 4}, new double[] {3.0, 2.0, 4.0, 7.0, 0.5, 4.5, 2.5, 6.5, -0.5, 1.0, 2.5, 2.5}, "cumsum(M, -1)");
    pin(Np.cumsum(T, -2), DType.FLOAT64, new int[] {2, 3, 4}, new double[] {2.0, 0.5, 0.75, 2.0, 2.25, 1.75, 2.25, 0.75, 0.25, 0.75, 1.25, 2.5, 2.0, -2.25, 0.0, 1.5, 0.25, -0.75, -1.75, 1.25, 1.75, -1.75, -2.5, 0.25}, "cumsum(T, -2)");
    pin(Np.cumsum(F32A, 0), DType.FLOAT32, new int[] {3, 2}, new double[] {0.10000000149011612, -0.20000000298023224, 0.4000000059604645, 0.20000000298023224, -0.09999999403953552, 0.800000011920929}, "cumsum f32");
    pin(Np.cumsum(MB, 1), DType.INT64, new int[] {2, 3}, new double[] {1.0, 1.0, 2.0, 1.0, 1.0, 1.0}, "cumsum bool");
    pin(Np.cumsum(MI.astype(DType.INT64), 1), DType.INT64, new int[] {2, 4}, new double[] {3.0, 2.0, 4.0, 7.0, 5.0, 9.0, 7.0, 11.0}, "cumsum i64");
    pin(Np.cumsum(S0), DType.FLOAT64, new int[] {1}, new double[] {2.5}, "cumsum 0-d");
    pin(Np.cumsum(VN), DType.FLOAT64, new int[] {4}, new double[] {1.0, NaN, NaN, NaN}, "cumsum with nan");
  }

  @Test
  void dotMatmulOuter() {
    pin(Np.dot(V3, B), DType.FLOAT64, new int[] {}, new double[] {2.5}, "dot vec vec");
    pin(Np.dot(A, V3), DType.FLOAT64, new int[] {2}, new double[] {-3.5, 7.5}, "dot mat vec");
    pin(Np.dot(V3, P), DType.FLOAT64, new int[] {4}, new double[] {-0.5, 5.5, -2.25, 1.0}, "dot vec mat");
    pin(Np.dot(A, P), DType.FLOAT64, new int[] {2, 4}, new double[] {1.0, -7.25, 6.125, 0.75, -1.5, 9.75, -6.375, -0.75}, "dot mat mat");
    pin(Np.dot(T, Np.reshape(P, 4, 3)), DType.FLOAT64, new int[] {2, 3, 3}, new double[] {-0.75, -0.75, 11.25, -0.375, 0.9375, 2.625, -1.375, 1.4375, -3.625, -3.125, -1.625, 1.0, 5.0, -0.0625, -1.375, 1.25, -2.5, -3.25}, "dot 3-d mat");
    pin(Np.dot(Np.reshape(A, 1, 2, 3), Np.reshape(BB, 3, 3, 2)), DType.FLOAT64, new int[] {1, 2, 3, 2}, new double[] {-1.0, 3.0, 1.5, -3.25, 0.0, 5.25, 1.5, -3.0, 1.5, 2.25, 0.0, -6.75}, "dot 3-d 3-d");
    pin(Np.dot(T, V4), DType.FLOAT64, new int[] {2, 3}, new double[] {5.0, 0.0, 0.625, 5.5, -6.25, -1.25}, "dot 3-d vec");
    pin(Np.dot(S0, A), DType.FLOAT64, new int[] {2, 3}, new double[] {2.5, -5.0, 1.25, 0.0, 7.5, -3.75}, "dot 0-d");
    pin(Np.dot(IA, IB), DType.INT32, new int[] {2, 2}, new double[] {-1.0, 2.0, 13.0, 1.0}, "dot i32");
    pin(Np.dot(IA, F32A), DType.FLOAT32, new int[] {2, 2}, new double[] {2.200000047683716, -1.2000000476837158, -2.0999999046325684, 2.200000047683716}, "dot i32 f32");
    pin(Np.matmul(A, P), DType.FLOAT64, new int[] {2, 4}, new double[] {1.0, -7.25, 6.125, 0.75, -1.5, 9.75, -6.375, -0.75}, "matmul mat mat");
    pin(Np.matmul(V3, P), DType.FLOAT64, new int[] {4}, new double[] {-0.5, 5.5, -2.25, 1.0}, "matmul vec mat");
    pin(Np.matmul(P, V4), DType.FLOAT64, new int[] {3}, new double[] {7.5, -5.5, 5.25}, "matmul mat vec");
    pin(Np.matmul(V3, B), DType.FLOAT64, new int[] {}, new double[] {2.5}, "matmul vec vec");
    pin(Np.matmul(BA, BB), DType.FLOAT64, new int[] {2, 3, 2, 2}, new double[] {-4.5, 0.0, -0.25, 1.0, 4.5, -3.25, -3.5, 0.5, -1.75, 3.0, 0.25, 3.0, -1.75, -1.0, -4.5, -5.0, 5.0, -1.75, -3.5, 3.75, -1.0, -1.5, -2.0, -2.25}, "matmul broadcast batch [2,1,2,3] [3,3,2]");
    pin(Np.matmul(A, BB), DType.FLOAT64, new int[] {3, 2, 2}, new double[] {-1.0, 3.0, 1.5, -3.0, 1.5, -3.25, 1.5, 2.25, 0.0, 5.25, 0.0, -6.75}, "matmul 2-d with batch [2,3] [3,3,2]");
    pin(Np.matmul(BA, V3), DType.FLOAT64, new int[] {2, 1, 2}, new double[] {-1.0, -5.5, 4.5, -3.5}, "matmul batch with vec");
    pin(Np.matmul(NDArray.of(1.0, -2.0), BA), DType.FLOAT64, new int[] {2, 1, 3}, new double[] {3.5, 1.0, -4.5, 5.5, 2.5, -1.0}, "matmul vec with batch");
    pin(Np.matmul(IA, IB), DType.INT32, new int[] {2, 2}, new double[] {-1.0, 2.0, 13.0, 1.0}, "matmul i32");
    pin(Np.matmul(F32A, Np.reshape(IA, 2, 3)), DType.FLOAT32, new int[] {3, 3}, new double[] {-0.699999988079071, 0.20000000298023224, -1.3000000715255737, 1.9000000953674316, 0.6000000238418579, 1.100000023841858, 1.9000000953674316, -1.0, 4.5}, "matmul f32 i32");
    pin(Np.outer(V3, Np.reshape(C, 1, 2)), DType.FLOAT64, new int[] {3, 2}, new double[] {-1.0, 4.0, -2.0, 8.0, 1.0, -4.0}, "outer");
    pin(Np.outer(Q, B), DType.FLOAT64, new int[] {6, 3}, new double[] {2.0, 0.0, -0.5, 4.0, 0.0, -1.0, 1.0, 0.0, -0.25, -2.0, -0.0, 0.5, 6.0, 0.0, -1.5, -1.0, -0.0, 0.25}, "outer 2-d flattens");
  }

  @Test
  void transposeReshapeExpandSqueeze() {
    pin(Np.transpose(T), DType.FLOAT64, new int[] {4, 3, 2}, new double[] {2.0, 2.0, 0.25, -1.75, -2.0, 1.5, 0.5, -2.25, 1.25, 1.5, -1.0, -1.0, 0.75, 0.0, 1.5, -1.75, -1.0, -0.75, 2.0, 1.5, -1.25, -0.25, 1.75, -1.0}, "transpose default");
    pin(Np.transpose(T, 1, 0, 2), DType.FLOAT64, new int[] {3, 2, 4}, new double[] {2.0, 0.5, 0.75, 2.0, 2.0, -2.25, 0.0, 1.5, 0.25, 1.25, 1.5, -1.25, -1.75, 1.5, -1.75, -0.25, -2.0, -1.0, -1.0, 1.75, 1.5, -1.0, -0.75, -1.0}, "transpose perm");
    pin(Np.transpose(T, -1, 0, 1), DType.FLOAT64, new int[] {4, 2, 3}, new double[] {2.0, 0.25, -2.0, 2.0, -1.75, 1.5, 0.5, 1.25, -1.0, -2.25, 1.5, -1.0, 0.75, 1.5, -1.0, 0.0, -1.75, -0.75, 2.0, -1.25, 1.75, 1.5, -0.25, -1.0}, "transpose negative perm");
    pin(Np.transpose(V3), DType.FLOAT64, new int[] {3}, new double[] {1.0, 2.0, -1.0}, "transpose 1-d");
    pin(Np.reshape(T, -1, 4), DType.FLOAT64, new int[] {6, 4}, new double[] {2.0, 0.5, 0.75, 2.0, 0.25, 1.25, 1.5, -1.25, -2.0, -1.0, -1.0, 1.75, 2.0, -2.25, 0.0, 1.5, -1.75, 1.5, -1.75, -0.25, 1.5, -1.0, -0.75, -1.0}, "reshape -1 first");
    pin(Np.reshape(T, 4, -1), DType.FLOAT64, new int[] {4, 6}, new double[] {2.0, 0.5, 0.75, 2.0, 0.25, 1.25, 1.5, -1.25, -2.0, -1.0, -1.0, 1.75, 2.0, -2.25, 0.0, 1.5, -1.75, 1.5, -1.75, -0.25, 1.5, -1.0, -0.75, -1.0}, "reshape -1 last");
    pin(Np.reshape(T, -1), DType.FLOAT64, new int[] {24}, new double[] {2.0, 0.5, 0.75, 2.0, 0.25, 1.25, 1.5, -1.25, -2.0, -1.0, -1.0, 1.75, 2.0, -2.25, 0.0, 1.5, -1.75, 1.5, -1.75, -0.25, 1.5, -1.0, -0.75, -1.0}, "reshape -1 flat");
    pin(Np.reshape(S0, 1, 1), DType.FLOAT64, new int[] {1, 1}, new double[] {2.5}, "reshape 0-d");
    pin(Np.reshape(NDArray.of(4.0)), DType.FLOAT64, new int[] {}, new double[] {4.0}, "reshape to 0-d");
    pin(Np.expandDims(A, 0), DType.FLOAT64, new int[] {1, 2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "expandDims 0");
    pin(Np.expandDims(A, 1), DType.FLOAT64, new int[] {2, 1, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "expandDims 1");
    pin(Np.expandDims(A, -1), DType.FLOAT64, new int[] {2, 3, 1}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "expandDims -1");
    pin(Np.expandDims(A, -3), DType.FLOAT64, new int[] {1, 2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "expandDims -3");
    pin(Np.expandDims(S0, -1), DType.FLOAT64, new int[] {1}, new double[] {2.5}, "expandDims 0-d");
    pin(Np.squeeze(Np.reshape(B, 1, 3, 1)), DType.FLOAT64, new int[] {3}, new double[] {2.0, 0.0, -0.5}, "squeeze all");
    pin(Np.squeeze(Np.reshape(B, 1, 3, 1), -1), DType.FLOAT64, new int[] {1, 3}, new double[] {2.0, 0.0, -0.5}, "squeeze -1");
    pin(Np.squeeze(Np.reshape(B, 1, 3, 1), 0), DType.FLOAT64, new int[] {3, 1}, new double[] {2.0, 0.0, -0.5}, "squeeze 0");
    pin(Np.squeeze(Np.reshape(S0, 1, 1)), DType.FLOAT64, new int[] {}, new double[] {2.5}, "squeeze to 0-d");
    pin(Np.broadcastTo(C, 2, 2, 3), DType.FLOAT64, new int[] {2, 2, 3}, new double[] {-1.0, -1.0, -1.0, 4.0, 4.0, 4.0, -1.0, -1.0, -1.0, 4.0, 4.0, 4.0}, "broadcastTo");
    pin(Np.broadcastTo(S0, 2), DType.FLOAT64, new int[] {2}, new double[] {2.5, 2.5}, "broadcastTo 0-d");
  }

  @Test
  void concatenateAndStack() {
    pin(Np.concatenate(new NDArray[] {A, Np.reshape(B, 1, 3)}, 0), DType.FLOAT64, new int[] {3, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5, 2.0, 0.0, -0.5}, "concatenate axis 0");
    pin(Np.concatenate(new NDArray[] {A, C, A}, -1), DType.FLOAT64, new int[] {2, 7}, new double[] {1.0, -2.0, 0.5, -1.0, 1.0, -2.0, 0.5, 0.0, 3.0, -1.5, 4.0, 0.0, 3.0, -1.5}, "concatenate axis -1");
    pin(Np.concatenate(V3, B, V4), DType.FLOAT64, new int[] {10}, new double[] {1.0, 2.0, -1.0, 2.0, 0.0, -0.5, 0.5, -1.0, 2.0, 1.5}, "concatenate varargs 1-d");
    pin(Np.concatenate(new NDArray[] {IA, Np.reshape(F32A, 2, 3)}, 1), DType.FLOAT32, new int[] {2, 6}, new double[] {1.0, 2.0, -3.0, 0.10000000149011612, -0.20000000298023224, 0.30000001192092896, 4.0, 0.0, 5.0, 0.4000000059604645, -0.5, 0.6000000238418579}, "concatenate promotes i32 f32");
    pin(Np.concatenate(new NDArray[] {IA, MB}, 0), DType.INT32, new int[] {4, 3}, new double[] {1.0, 2.0, -3.0, 4.0, 0.0, 5.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0}, "concatenate i32 bool");
    pin(Np.concatenate(new NDArray[] {A, Np.zeros(2, 0)}, 1), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "concatenate with size-0");
    pin(Np.stack(V3, B), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, 2.0, -1.0, 2.0, 0.0, -0.5}, "stack axis 0");
    pin(Np.stack(new NDArray[] {A, A.mul(2.0)}, 1), DType.FLOAT64, new int[] {2, 2, 3}, new double[] {1.0, -2.0, 0.5, 2.0, -4.0, 1.0, 0.0, 3.0, -1.5, 0.0, 6.0, -3.0}, "stack axis 1");
    pin(Np.stack(new NDArray[] {A, A.mul(2.0), B.add(A)}, -1), DType.FLOAT64, new int[] {2, 3, 3}, new double[] {1.0, 2.0, 3.0, -2.0, -4.0, -2.0, 0.5, 1.0, 0.0, 0.0, 0.0, 2.0, 3.0, 6.0, 3.0, -1.5, -3.0, -2.0}, "stack axis -1");
    pin(Np.stack(S0, S0.neg()), DType.FLOAT64, new int[] {2}, new double[] {2.5, -2.5}, "stack 0-d");
    pin(Np.stack(new NDArray[] {I, I.astype(DType.FLOAT32)}, 0), DType.FLOAT32, new int[] {2, 4}, new double[] {-3.0, 0.0, 2.0, 7.0, -3.0, 0.0, 2.0, 7.0}, "stack promotes");
  }

  @Test
  void creation() {
    pin(Np.arange(5), DType.INT64, new int[] {5}, new double[] {0.0, 1.0, 2.0, 3.0, 4.0}, "arange");
    pin(Np.arange(0), DType.INT64, new int[] {0}, new double[] {}, "arange 0");
    pin(Np.linspace(0.0, 1.0, 5), DType.FLOAT64, new int[] {5}, new double[] {0.0, 0.25, 0.5, 0.75, 1.0}, "linspace");
    pin(Np.linspace(2.0, -1.0, 7), DType.FLOAT64, new int[] {7}, new double[] {2.0, 1.5, 1.0000000000000002, 0.5, 1.1102230246251565e-16, -0.4999999999999998, -1.0}, "linspace descending");
    pin(Np.linspace(0.1, 0.7, 4), DType.FLOAT64, new int[] {4}, new double[] {0.1, 0.3, 0.49999999999999994, 0.7}, "linspace 0.1 steps");
    pin(Np.linspace(3.0, 5.0, 1), DType.FLOAT64, new int[] {1}, new double[] {3.0}, "linspace 1");
    pin(Np.linspace(3.0, 5.0, 0), DType.FLOAT64, new int[] {0}, new double[] {}, "linspace 0");
    pin(Np.zeros(2, 3), DType.FLOAT64, new int[] {2, 3}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "zeros");
    pin(Np.zeros(new int[] {2}, DType.INT32), DType.INT32, new int[] {2}, new double[] {0.0, 0.0}, "zeros i32");
    pin(Np.zeros(), DType.FLOAT64, new int[] {}, new double[] {0.0}, "zeros 0-d");
    pin(Np.zeros(0, 2), DType.FLOAT64, new int[] {0, 2}, new double[] {}, "zeros size-0");
    pin(Np.ones(3), DType.FLOAT64, new int[] {3}, new double[] {1.0, 1.0, 1.0}, "ones");
    pin(Np.ones(new int[] {2, 1}, DType.BOOL), DType.BOOL, new int[] {2, 1}, new double[] {1.0, 1.0}, "ones bool");
    pin(Np.full(new int[] {2, 2}, -1.5), DType.FLOAT64, new int[] {2, 2}, new double[] {-1.5, -1.5, -1.5, -1.5}, "full");
    pin(Np.full(new int[] {3}, 0.1, DType.FLOAT32), DType.FLOAT32, new int[] {3}, new double[] {0.10000000149011612, 0.10000000149011612, 0.10000000149011612}, "full f32");
    pin(Np.full(new int[] {2}, 7.0, DType.UINT32), DType.UINT32, new int[] {2}, new double[] {7.0, 7.0}, "full u32");
    pin(Np.eye(3), DType.FLOAT64, new int[] {3, 3}, new double[] {1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0}, "eye");
    pin(Np.eye(2, DType.INT32), DType.INT32, new int[] {2, 2}, new double[] {1.0, 0.0, 0.0, 1.0}, "eye i32");
    pin(Np.eye(0), DType.FLOAT64, new int[] {0, 0}, new double[] {}, "eye 0");
    pin(Np.zerosLike(IA), DType.INT32, new int[] {2, 3}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "zerosLike");
    pin(Np.onesLike(F32A), DType.FLOAT32, new int[] {3, 2}, new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, "onesLike");
    pin(Np.onesLike(S0), DType.FLOAT64, new int[] {}, new double[] {1.0}, "onesLike 0-d");
    pin(Np.fullLike(MB, 0.0), DType.BOOL, new int[] {2, 3}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "fullLike");
  }

  @Test
  void ndarrayMethodsMatchJax() {
    pin(A.add(B), DType.FLOAT64, new int[] {2, 3}, new double[] {3.0, -2.0, 0.0, 2.0, 3.0, -2.0}, "add");
    pin(A.add(0.5), DType.FLOAT64, new int[] {2, 3}, new double[] {1.5, -1.5, 1.0, 0.5, 3.5, -1.0}, "add double");
    pin(A.sub(C), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, -1.0, 1.5, -4.0, -1.0, -5.5}, "sub");
    pin(A.sub(0.5), DType.FLOAT64, new int[] {2, 3}, new double[] {0.5, -2.5, 0.0, -0.5, 2.5, -2.0}, "sub double");
    pin(A.mul(B), DType.FLOAT64, new int[] {2, 3}, new double[] {2.0, -0.0, -0.25, 0.0, 0.0, 0.75}, "mul");
    pin(A.mul(-2.0), DType.FLOAT64, new int[] {2, 3}, new double[] {-2.0, 4.0, -1.0, -0.0, -6.0, 3.0}, "mul double");
    pin(A.div(C), DType.FLOAT64, new int[] {2, 3}, new double[] {-1.0, 2.0, -0.5, 0.0, 0.75, -0.375}, "div");
    pin(A.div(4.0), DType.FLOAT64, new int[] {2, 3}, new double[] {0.25, -0.5, 0.125, 0.0, 0.75, -0.375}, "div double");
    pin(IA.div(IB.reshape(2, 3)), DType.FLOAT32, new int[] {2, 3}, new double[] {0.5, -2.0, -INF, 1.3333333333333333, 0.0, 5.0}, "div i32 -> f32 as in JAX");
    pin(A.pow(NDArray.of(2.0, 3.0, 0.5)), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -8.0, 0.7071067811865476, 0.0, 27.0, NaN}, "pow");
    pin(A.pow(2.0), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, 4.0, 0.25, 0.0, 9.0, 2.25}, "pow double");
    pin(A.neg(), DType.FLOAT64, new int[] {2, 3}, new double[] {-1.0, 2.0, -0.5, -0.0, -3.0, 1.5}, "neg");
    pin(IA.neg(), DType.INT32, new int[] {2, 3}, new double[] {-1.0, -2.0, 3.0, -4.0, 0.0, -5.0}, "neg i32");
    pin(A.reshape(3, -1), DType.FLOAT64, new int[] {3, 2}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "reshape");
    pin(A.astype(DType.INT32), DType.INT32, new int[] {2, 3}, new double[] {1.0, -2.0, 0.0, 0.0, 3.0, -1.0}, "astype i32 truncates");
    pin(A.astype(DType.FLOAT32), DType.FLOAT32, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, "astype f32");
    pin(A.astype(DType.BOOL), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 1.0, 1.0, 0.0, 1.0, 1.0}, "astype bool");
    pin(IA.astype(DType.FLOAT64), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, 2.0, -3.0, 4.0, 0.0, 5.0}, "astype f64 from i32");
    pin(T.transpose(), DType.FLOAT64, new int[] {4, 3, 2}, new double[] {2.0, 2.0, 0.25, -1.75, -2.0, 1.5, 0.5, -2.25, 1.25, 1.5, -1.0, -1.0, 0.75, 0.0, 1.5, -1.75, -1.0, -0.75, 2.0, 1.5, -1.25, -0.25, 1.75, -1.0}, "transpose");
    pin(T.transpose(2, 0, 1), DType.FLOAT64, new int[] {4, 2, 3}, new double[] {2.0, 0.25, -2.0, 2.0, -1.75, 1.5, 0.5, 1.25, -1.0, -2.25, 1.5, -1.0, 0.75, 1.5, -1.0, 0.0, -1.75, -0.75, 2.0, -1.25, 1.75, 1.5, -0.25, -1.0}, "transpose perm");
    pin(M.sum(), DType.FLOAT64, new int[] {}, new double[] {16.0}, "sum");
    pin(M.mean(), DType.FLOAT64, new int[] {}, new double[] {1.3333333333333333}, "mean");
    pin(A.at(1).set(9.0), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 9.0, 9.0, 9.0}, "at(1).set");
    pin(A.at(1).set(B), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 2.0, 0.0, -0.5}, "at(1).set array");
    pin(A.at(0, 2).set(9.0), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 9.0, 0.0, 3.0, -1.5}, "at(0, 2).set");
    pin(A.at(-1).add(10.0), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 10.0, 13.0, 8.5}, "at(-1).add");
    pin(A.at(1, -1).add(0.25), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.25}, "at(1, -1).add");
    pin(I.at(2).set(-5.0), DType.INT32, new int[] {4}, new double[] {-3.0, 0.0, -5.0, 7.0}, "at(2).set i32 stays i32");
    pin(T.at(1).get(), DType.FLOAT64, new int[] {3, 4}, new double[] {2.0, -2.25, 0.0, 1.5, -1.75, 1.5, -1.75, -0.25, 1.5, -1.0, -0.75, -1.0}, "at(0).get");
    pin(T.at(1, 2).get(), DType.FLOAT64, new int[] {4}, new double[] {1.5, -1.0, -0.75, -1.0}, "at(1, 2).get");
  }

  /** Where the operands tie, each gets half the gradient (JAX: logaddexp's custom JVP); softplus'(0) = 1/2. */
  @Test
  void logaddexpGradientAtTiesMatchesJax() {
    NDArray a = NDArray.of(0.0, 1.0, -2.0, 3.0, -1000.0), b = NDArray.of(0.0, 1.0, -2.0, 5.0, -1000.0), w = NDArray.of(1.0, -0.5, 2.0, 0.75, 1.5);
    Fn f = xs -> Np.sum(Np.multiply(w, Np.logaddexp(xs[0], xs[1])));
    pin(Arrax.grad(f, 0).apply(a, b), DType.FLOAT64, new int[] {5}, new double[] {0.5, -0.24999999999999997, 0.9999999999999999, 0.0894021915165882, 0.7500000000000413}, "d/da");
    pin(Arrax.grad(f, 1).apply(a, b), DType.FLOAT64, new int[] {5}, new double[] {0.5, -0.24999999999999997, 0.9999999999999999, 0.660597808483412, 0.7500000000000413}, "d/db");
    pin(Arrax.grad(xs -> Np.sum(Np.logaddexp(xs[0], 0.0))).apply(a), DType.FLOAT64, new int[] {5}, new double[] {0.5, 0.731058578630005, 0.11920292202211753, 0.9525741268224333, 0.0}, "d/da logaddexp(a, 0.0)");
  }

  // ---------------------------------------------------------------------------------------------
  // Properties over random shapes (0-d, size-0 and broadcasting included) against float64 loops.

  private static final ToDoubleFunction<double[]> SUM = v -> { double s = 0; for (double d : v) s += d; return s; };
  private static final ToDoubleFunction<double[]> PROD = v -> { double s = 1; for (double d : v) s *= d; return s; };
  private static final ToDoubleFunction<double[]> MEAN = v -> SUM.applyAsDouble(v) / v.length;
  private static final ToDoubleFunction<double[]> VAR = v -> {
    double m = MEAN.applyAsDouble(v), s = 0;
    for (double d : v) s += (d - m) * (d - m);
    return s / v.length;
  };
  private static final ToDoubleFunction<double[]> STD = v -> Math.sqrt(VAR.applyAsDouble(v));
  private static final ToDoubleFunction<double[]> MAX = v -> { double s = -INF; for (double d : v) s = Math.max(s, d); return s; };
  private static final ToDoubleFunction<double[]> MIN = v -> { double s = INF; for (double d : v) s = Math.min(s, d); return s; };
  private static final ToDoubleFunction<double[]> ARGMAX = v -> { int b = 0; for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i; return b; };
  private static final ToDoubleFunction<double[]> ARGMIN = v -> { int b = 0; for (int i = 1; i < v.length; i++) if (v[i] < v[b]) b = i; return b; };

  private record Reduction(String name, ToDoubleFunction<double[]> ref, Function<NDArray, NDArray> all, AxisFn axis, boolean needsElements, boolean index) {}

  @FunctionalInterface
  private interface AxisFn {
    NDArray apply(NDArray x, int axis, boolean keepdims);
  }

  private static final Reduction[] REDUCTIONS = {
    new Reduction("sum", SUM, Np::sum, Np::sum, false, false),
    new Reduction("prod", PROD, Np::prod, Np::prod, false, false),
    new Reduction("mean", MEAN, Np::mean, Np::mean, false, false),
    new Reduction("var", VAR, Np::var, Np::var, false, false),
    new Reduction("std", STD, Np::std, Np::std, false, false),
    new Reduction("max", MAX, Np::max, Np::max, true, false),
    new Reduction("min", MIN, Np::min, Np::min, true, false),
    new Reduction("argmax", ARGMAX, Np::argmax, Np::argmax, true, true),
    new Reduction("argmin", ARGMIN, Np::argmin, Np::argmin, true, true),
  };

  @Test
  void reductionsMatchFloat64LoopOnRandomShapes() {
    for (long seed = 0; seed < 60; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(4, 4, true);
      NDArray x = r.normal(shape);
      double[] xs = x.toDoubleArray();
      for (Reduction red : REDUCTIONS) {
        String msg = red.name + " of " + x.type() + " " + r.describe();
        if (red.needsElements && xs.length == 0) {
          assertThrows(ShapeException.class, () -> red.all.apply(x), msg + ": empty reduction must throw, as in JAX");
        } else {
          NDArray got = red.all.apply(x);
          assertEquals(red.index ? DType.INT64 : DType.FLOAT64, got.dtype(), msg);
          assertArrayEquals(new int[0], got.shape(), msg);
          Check.close(new double[] {red.ref.applyAsDouble(xs)}, got, 1e-12, 1e-12 * (1 + absSum(xs)), msg);
        }
        for (int axis = -shape.length; axis < shape.length; axis++) {
          int a = axis < 0 ? axis + shape.length : axis;
          for (boolean keep : new boolean[] {false, true}) {
            String m = msg + " axis " + axis + (keep ? " keepdims" : "");
            final int ax = axis;
            if (red.needsElements && shape[a] == 0) {
              assertThrows(ShapeException.class, () -> red.axis.apply(x, ax, keep), m + ": reducing an empty axis must throw, as in JAX");
              continue;
            }
            NDArray got = red.axis.apply(x, axis, keep);
            assertArrayEquals(keep ? withAxis(shape, a, 1) : without(shape, a), got.shape(), m + ": shape");
            assertEquals(red.index ? DType.INT64 : DType.FLOAT64, got.dtype(), m + ": dtype");
            Check.close(refAxis(xs, shape, a, red.ref), got, 1e-12, 1e-12 * (1 + absSum(xs)), m);
          }
        }
      }
      // cumsum: flattened and along every axis
      NDArray flat = Np.cumsum(x);
      assertArrayEquals(new int[] {xs.length}, flat.shape(), "cumsum shape " + r.describe());
      Check.close(refCumsum(xs, new int[] {xs.length}, 0), flat, 1e-12, 1e-12 * (1 + absSum(xs)), "cumsum flat " + r.describe());
      for (int axis = -shape.length; axis < shape.length; axis++) {
        int a = axis < 0 ? axis + shape.length : axis;
        NDArray got = Np.cumsum(x, axis);
        assertArrayEquals(shape, got.shape(), "cumsum shape " + r.describe());
        Check.close(refCumsum(xs, shape, a), got, 1e-12, 1e-12 * (1 + absSum(xs)), "cumsum axis " + axis + " of " + x.type() + " " + r.describe());
      }
    }
  }

  @Test
  void integerSumsAccumulateInI64OnRandomShapes() {
    for (long seed = 0; seed < 20; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(3, 5, true);
      for (DType d : new DType[] {DType.INT32, DType.BOOL, DType.UINT32}) {
        NDArray x = d == DType.BOOL ? r.ints(0, 2, d, shape) : r.ints(d == DType.UINT32 ? 0 : -1_000_000_000, 1_000_000_000, d, shape);
        if (d == DType.UINT32) x = Np.add(x, NDArray.scalar(3_000_000_000.0, DType.UINT32)); // values above 2^31
        double[] xs = x.toDoubleArray();
        NDArray s = Np.sum(x);
        assertEquals(DType.INT64, s.dtype(), "sum of " + x.type());
        // exact: |sum| < 2^53 for these sizes
        assertEquals(SUM.applyAsDouble(xs), s.item(), 0.0, "sum of " + x.type() + " " + r.describe());
        for (int a = 0; a < shape.length; a++) {
          Check.close(refAxis(xs, shape, a, SUM), Np.sum(x, a), 0, 0, "sum axis " + a + " of " + x.type() + " " + r.describe());
          // jnp.cumsum keeps 32-bit integer dtypes and wraps modulo 2^32 (bool counts in i64)
          double[] cum = refCumsum(xs, shape, a);
          if (d != DType.BOOL) for (int i = 0; i < cum.length; i++) cum[i] = wrap32(cum[i], d);
          NDArray c = Np.cumsum(x, a);
          assertEquals(d == DType.BOOL ? DType.INT64 : d, c.dtype(), "cumsum dtype of " + x.type());
          Check.close(cum, c, 0, 0, "cumsum axis " + a + " of " + x.type() + " " + r.describe());
        }
      }
    }
  }

  /** The value modulo 2^32 as an i32 (two's complement) or u32. */
  private static double wrap32(double v, DType d) {
    long bits = (long) v & 0xffffffffL;
    return d == DType.UINT32 ? bits : (int) bits;
  }

  @Test
  void binaryOpsBroadcastLikeNumpyOnRandomShapes() {
    String[] names = {"add", "subtract", "multiply", "divide", "maximum", "minimum", "power", "where"};
    DoubleBinaryOperator[] refs = {(a, b) -> a + b, (a, b) -> a - b, (a, b) -> a * b, (a, b) -> a / b, Math::max, Math::min,
        (a, b) -> Math.pow(Math.abs(a), b), (a, b) -> a > 0 ? a : b};
    for (long seed = 0; seed < 40; seed++) {
      Rand r = new Rand(seed);
      int[] sa = r.shape(4, 3, true);
      int[] sb = broadcastPartner(sa, r);
      if (r.nextInt(2) == 0) {
        int[] t = sa;
        sa = sb;
        sb = t;
      }
      NDArray a = r.normal(sa), b = r.normal(sb);
      int[] so = broadcast(sa, sb);
      double[] as = a.toDoubleArray(), bs = b.toDoubleArray();
      for (int k = 0; k < names.length; k++) {
        NDArray got = switch (names[k]) {
          case "add" -> Np.add(a, b);
          case "subtract" -> Np.subtract(a, b);
          case "multiply" -> Np.multiply(a, b);
          case "divide" -> Np.divide(a, b);
          case "maximum" -> Np.maximum(a, b);
          case "minimum" -> Np.minimum(a, b);
          case "power" -> Np.power(Np.abs(a), b);
          default -> Np.where(Np.greater(a, 0.0), a, b);
        };
        String msg = names[k] + " " + Arrays.toString(sa) + " " + Arrays.toString(sb) + " " + r.describe();
        assertArrayEquals(so, got.shape(), msg + ": broadcast shape");
        Check.close(refBroadcast(as, sa, bs, sb, so, refs[k]), got, 1e-14, 0, msg);
      }
    }
  }

  @Test
  void matmulBroadcastsBatchAxesOnRandomShapes() {
    for (long seed = 0; seed < 25; seed++) {
      Rand r = new Rand(seed);
      int n = 1 + r.nextInt(3), k = r.nextInt(4), m = 1 + r.nextInt(3);
      int[] batch = r.shape(2, 3, true);
      int[] ba = batch.clone(), bb = batch.clone();
      for (int i = 0; i < batch.length; i++) if (r.nextInt(3) == 0) (r.nextInt(2) == 0 ? ba : bb)[i] = 1;
      if (r.nextInt(3) == 0 && bb.length > 0) bb = Arrays.copyOfRange(bb, 1, bb.length);
      NDArray a = r.normal(concat(ba, new int[] {n, k})), b = r.normal(concat(bb, new int[] {k, m}));
      NDArray got = Np.matmul(a, b);
      int[] bo = broadcast(ba, bb);
      String msg = "matmul " + a.type() + " @ " + b.type() + " " + r.describe();
      assertArrayEquals(concat(bo, new int[] {n, m}), got.shape(), msg);
      double[] as = a.toDoubleArray(), bs = b.toDoubleArray();
      int nb = size(bo);
      double[] expect = new double[nb * n * m];
      for (int t = 0; t < nb; t++) {
        int[] idx = unravel(t, bo);
        int ta = ravelBroadcast(idx, bo, ba), tb = ravelBroadcast(idx, bo, bb);
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < m; j++) {
            double s = 0;
            for (int q = 0; q < k; q++) s += as[(ta * n + i) * k + q] * bs[(tb * k + q) * m + j];
            expect[(t * n + i) * m + j] = s;
          }
        }
      }
      Check.close(expect, got, 1e-13, 1e-13, msg);
    }
  }

  @Test
  void logaddexpGradientsAndBroadcastGradients() {
    for (long seed = 0; seed < 5; seed++) {
      Rand r = new Rand(seed);
      NDArray a = r.normal(2, 3), b = r.normal(3);
      GradCheck.check(xs -> Np.logaddexp(xs[0], xs[1]), new NDArray[] {a, b}, 2, r, 1e-5, "logaddexp " + r.describe());
      GradCheck.check(xs -> Np.sum(Np.multiply(Np.var(xs[0], -1, true), Np.where(Np.greater(xs[1], 0.0), xs[1], xs[0]))),
          new NDArray[] {a, b}, 2, r, 1e-5, "var/where " + r.describe());
      GradCheck.check(xs -> Np.matmul(xs[0], Np.outer(xs[1], xs[1])), new NDArray[] {a, b}, 1, r, 1e-5, "matmul/outer " + r.describe());
      GradCheck.check(xs -> Np.cumsum(Np.concatenate(new NDArray[] {xs[0], Np.expandDims(xs[1], 0)}, 0), -2), new NDArray[] {a, b}, 1, r, 1e-5,
          "concatenate/cumsum " + r.describe());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // NDArray values, immutability and errors.

  @Test
  void atUpdatesReturnNewArraysAndLeaveTheOriginalUnchanged() {
    double[] before = A.toDoubleArray();
    NDArray set = A.at(1).set(9.0);
    NDArray added = A.at(0, 1).add(100.0);
    assertNotSame(A, set);
    assertArrayEquals(before, A.toDoubleArray(), 0.0, "A changed by at().set/add");
    assertEquals(9.0, set.getDouble(1, 0));
    assertEquals(98.0, added.getDouble(0, 1));
    assertEquals(-2.0, A.getDouble(0, 1));
    assertEquals(-1.5, A.getDouble(-1, -1), "negative indices count from the end");
    assertEquals(2.5, S0.item());
    assertEquals(3.0, Np.sum(NDArray.of(1.0, 2.0)).item());
    assertEquals(7.0, NDArray.ofInts(7).item());
    assertArrayEquals(new double[] {1.0, -2.0, 0.5, 0.0, 3.0, -1.5}, A.toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {4294967295.0, 2}, arr(DType.UINT32, new int[] {2}, 4294967295.0, 2).toDoubleArray(), 0.0, "u32 read as unsigned");
    assertThrows(ShapeException.class, A::item, "item() of a 6-element array");
    assertThrows(ShapeException.class, () -> A.getDouble(2, 0), "getDouble out of bounds");
    assertThrows(ShapeException.class, () -> A.at(2).set(1.0), "at out of bounds");
  }

  @Test
  void shapeErrorsNameTheOperationAndShapes() {
    ShapeException e = assertThrows(ShapeException.class, () -> Np.add(A, V4));
    assertTrue(e.getMessage().startsWith("add: shapes f64[2,3] and f64[4] cannot be broadcast together"), e.getMessage());
    ShapeException arg = assertThrows(ShapeException.class, () -> Np.argmax(Np.zeros(2, 0), 1));
    assertTrue(arg.getMessage().startsWith("argmax: cannot reduce an empty axis 1 of f64[2,0]"), arg.getMessage());
    assertThrows(ShapeException.class, () -> Np.max(Np.zeros(0)), "max of an empty array has no identity (JAX raises)");
    assertThrows(ShapeException.class, () -> Np.reshape(A, 4, -1), "reshape [2,3] to [4,-1]");
    assertThrows(ShapeException.class, () -> Np.reshape(A, -1, -1), "two -1");
    assertThrows(ShapeException.class, () -> Np.squeeze(A, 0), "squeeze an axis of size 2");
    assertThrows(ShapeException.class, () -> Np.sum(A, 2), "axis out of range");
    assertThrows(ShapeException.class, () -> Np.sum(A, -3), "negative axis out of range");
    assertThrows(ShapeException.class, () -> Np.dot(A, A), "dot [2,3] [2,3]");
    assertThrows(ShapeException.class, () -> Np.matmul(A, V4), "matmul [2,3] [4]");
    assertThrows(ShapeException.class, () -> Np.matmul(S0, A), "matmul of a 0-d operand");
    assertThrows(ShapeException.class, () -> Np.stack(V3, V4), "stack of different shapes");
    assertThrows(ShapeException.class, () -> Np.broadcastTo(A, 3, 3), "broadcastTo incompatible");
    assertThrows(ShapeException.class, () -> Np.negative(MB), "negative of bool (JAX raises too)");
  }

  // ---- reference helpers ----

  private static double absSum(double[] xs) {
    double s = 0;
    for (double d : xs) s += Math.abs(d);
    return s;
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  private static int[] without(int[] shape, int axis) {
    int[] r = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) r[j++] = shape[i];
    return r;
  }

  private static int[] withAxis(int[] shape, int axis, int value) {
    int[] r = shape.clone();
    r[axis] = value;
    return r;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** f applied to every 1-d slice along {@code axis}, in row-major order of the remaining axes. */
  private static double[] refAxis(double[] x, int[] shape, int axis, ToDoubleFunction<double[]> f) {
    int outer = size(Arrays.copyOfRange(shape, 0, axis)), n = shape[axis], inner = size(Arrays.copyOfRange(shape, axis + 1, shape.length));
    double[] out = new double[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) v[k] = x[(o * n + k) * inner + i];
        out[o * inner + i] = f.applyAsDouble(v);
      }
    }
    return out;
  }

  private static double[] refCumsum(double[] x, int[] shape, int axis) {
    int outer = size(Arrays.copyOfRange(shape, 0, axis)), n = shape[axis], inner = size(Arrays.copyOfRange(shape, axis + 1, shape.length));
    double[] out = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += x[(o * n + k) * inner + i];
          out[(o * n + k) * inner + i] = s;
        }
      }
    }
    return out;
  }

  /** A shape that broadcasts with {@code s}: some trailing axes of it, some set to 1. */
  private static int[] broadcastPartner(int[] s, Rand r) {
    int drop = s.length == 0 ? 0 : r.nextInt(s.length + 1);
    int[] p = Arrays.copyOfRange(s, drop, s.length);
    for (int i = 0; i < p.length; i++) if (r.nextInt(3) == 0) p[i] = 1;
    return p;
  }

  private static int[] broadcast(int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1, db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
      r[i] = da == 1 ? db : da;
    }
    return r;
  }

  private static int[] unravel(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      idx[i] = flat % shape[i];
      flat /= shape[i];
    }
    return idx;
  }

  /** Row-major offset in an array of shape {@code s} broadcast to {@code out}, at output index {@code idx}. */
  private static int ravelBroadcast(int[] idx, int[] out, int[] s) {
    int off = 0, lead = out.length - s.length;
    for (int i = 0; i < s.length; i++) off = off * s[i] + (s[i] == 1 ? 0 : idx[lead + i]);
    return off;
  }

  private static double[] refBroadcast(double[] a, int[] sa, double[] b, int[] sb, int[] so, DoubleBinaryOperator op) {
    double[] out = new double[size(so)];
    for (int t = 0; t < out.length; t++) {
      int[] idx = unravel(t, so);
      out[t] = op.applyAsDouble(a[ravelBroadcast(idx, so, sa)], b[ravelBroadcast(idx, so, sb)]);
    }
    return out;
  }
}
