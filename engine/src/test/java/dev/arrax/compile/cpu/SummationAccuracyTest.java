package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: float32 sums over millions of values are as accurate as blocked partial sums make them
 * (XLA-like), not a million-term running float32 sum. Each compiled f32 result is compared with a
 * float64 loop over the same float32 inputs; the bound is 1e-6 relative (max |f32 - f64| / max |f64|),
 * where one running float32 sum is off by about 1e-4 at these sizes.
 */
class SummationAccuracyTest {
  private static final double BOUND = 1e-6;

  private static float[] uniform(long seed, int n, double lo, double hi) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
    return x;
  }

  private static float[] run(Fn f, NDArray... args) {
    return CompiledProgram.compile(Arrax.makeJaxpr(f, args)).run(args)[0].toFloatArray();
  }

  private static double relative(float[] got, double[] want) {
    double diff = 0, scale = 0;
    for (int i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    return diff / scale;
  }

  private static void assertWithin(String what, float[] got, double[] want) {
    double rel = relative(got, want);
    assertTrue(rel <= BOUND, what + ": float32 result is " + rel + " relative off the float64 sum (bound " + BOUND + ")");
  }

  @Test
  void wholeArraySumOfTenMillionValues() {
    int n = 10_000_000;
    float[] x = uniform(1, n, 0, 1);
    double want = 0;
    for (float v : x) want += v;
    NDArray a = NDArray.fromFlat(x, n);
    assertWithin("sum of 10M values in [0, 1)", run(v -> Np.sum(v[0]), a), new double[] {want});
    double sq = 0;
    for (float v : x) sq += (double) (v * v);
    assertWithin("sum of squares of 10M values (fused multiply and sum)", run(v -> Np.sum(Np.multiply(v[0], v[0])), a), new double[] {sq});
  }

  @Test
  void lastAxisSumsOfMillionLongRows() {
    int rows = 4, cols = 2_500_001;
    float[] x = uniform(2, rows * cols, 0.5, 1.5);
    double[] want = new double[rows];
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) want[r] += x[r * cols + j];
    assertWithin("row sums of [4, 2500001]", run(v -> Np.sum(v[0], -1), NDArray.fromFlat(x, rows, cols)), want);
  }

  @Test
  void contractionOverRowsOfOneMillionRows() {
    int n = 1_000_000, d = 8;
    float[] c = uniform(3, n, 0, 1), x = uniform(4, n * d, 0, 2);
    double[] want = new double[d];
    for (int r = 0; r < n; r++) for (int i = 0; i < d; i++) want[i] += (double) c[r] * x[r * d + i];
    assertWithin("c^T X over 1M rows", run(v -> Np.dot(v[0], v[1]), NDArray.fromFlat(c, n), NDArray.fromFlat(x, n, d)), want);
  }

  static NDArray logisticLoss(NDArray... a) {
    NDArray z = Np.matmul(a[1], a[0]);
    return Np.sum(Np.subtract(Np.logaddexp(z, 0.0), Np.multiply(a[2], z)));
  }

  /** The W3-shaped gradient X^T (sigmoid(X w) - y) at 10M rows, against its float64 closed form. */
  @Test
  void summedGradientOfAPerRowLossOverTenMillionRows() {
    int n = 10_000_000, d = 4;
    float[] x = uniform(5, n * d, -1, 1), w = {0.5f, -0.25f, 1f, 0.75f}, y = new float[n];
    SplittableRandom r = new SplittableRandom(6);
    for (int i = 0; i < n; i++) y[i] = r.nextBoolean() ? 1f : 0f;
    // labels correlated with x_0 so that the gradient is not a sum of pure noise
    for (int i = 0; i < n; i++) if (x[i * d] > 0.3f) y[i] = 1f;
    double[] want = new double[d];
    for (int i = 0; i < n; i++) {
      double z = 0;
      for (int k = 0; k < d; k++) z += (double) x[i * d + k] * w[k];
      double g = 1 / (1 + Math.exp(-z)) - y[i];
      for (int k = 0; k < d; k++) want[k] += g * x[i * d + k];
    }
    float[] got = run(Arrax.grad(SummationAccuracyTest::logisticLoss), NDArray.fromFlat(w, d), NDArray.fromFlat(x, n, d), NDArray.fromFlat(y, n));
    assertWithin("gradient of the logistic loss summed over 10M rows", got, want);
  }
}
