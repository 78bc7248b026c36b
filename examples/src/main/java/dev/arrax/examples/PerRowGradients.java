package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.Random;

/**
 * Per-row input gradients (saliency) of a 2-layer tanh MLP over generated feature rows, the core of a
 * feature-gradient pipeline: {@code jit(vmap(grad(mlp)))}. Checks every row against the closed form
 * {@code W1 diag(1 - h^2) w2} and prints a few rows.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests} (optional {@code -Drows=N}).
 */
public final class PerRowGradients {
  private PerRowGradients() {}

  public static void main(String[] args) {
    int rows = Integer.getInteger("rows", 2000), d = 8, h = 16;
    Random rng = new Random(42);
    NDArray w1 = randn(rng, d, h).mul(1.0 / Math.sqrt(d));
    NDArray b1 = randn(rng, h);
    NDArray w2 = randn(rng, h).mul(1.0 / Math.sqrt(h));
    NDArray x = randn(rng, rows, d);

    // mlp(W1, b1, w2, x) for ONE row x; the transformations make it batched and differentiated.
    Fn mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[3], a[0]), a[1])), a[2]);
    Fn saliency = Arrax.jit(Arrax.vmap(Arrax.grad(mlp, 3), null, null, null, 0));

    long t0 = System.nanoTime();
    NDArray g = saliency.apply(w1, b1, w2, x);
    double secs = (System.nanoTime() - t0) / 1e9;

    double maxErr = maxErrorAgainstClosedForm(g, w1, b1, w2, x);
    System.out.println(Arrax.makeJaxpr(mlp, w1, b1, w2, Np.zeros(new int[] {d}, DType.FLOAT64)));
    System.out.printf("per-row input gradients: %s for %d rows in %.3f s (trace + run)%n", g.type(), rows, secs);
    for (int r = 0; r < 3; r++) {
      System.out.printf("row %d: %s%n", r, java.util.Arrays.toString(rowOf(g, r)));
    }
    System.out.printf("max |gradient - closed form| over all rows: %.3e%n", maxErr);
    if (!(maxErr < 1e-12)) {
      throw new IllegalStateException("gradients disagree with the closed form: max error " + maxErr);
    }
  }

  /** d/dx [tanh(x W1 + b1) . w2] = W1 ((1 - h^2) * w2), computed with plain loops. */
  static double maxErrorAgainstClosedForm(NDArray g, NDArray w1, NDArray b1, NDArray w2, NDArray x) {
    int rows = x.shape()[0], d = x.shape()[1], h = b1.shape()[0];
    double[] W1 = w1.toDoubleArray(), B1 = b1.toDoubleArray(), W2 = w2.toDoubleArray(), X = x.toDoubleArray(), G = g.toDoubleArray();
    double max = 0;
    for (int r = 0; r < rows; r++) {
      double[] s = new double[h];
      for (int j = 0; j < h; j++) {
        double z = B1[j];
        for (int i = 0; i < d; i++) z += X[r * d + i] * W1[i * h + j];
        double t = Math.tanh(z);
        s[j] = (1 - t * t) * W2[j];
      }
      for (int i = 0; i < d; i++) {
        double e = 0;
        for (int j = 0; j < h; j++) e += W1[i * h + j] * s[j];
        max = Math.max(max, Math.abs(e - G[r * d + i]));
      }
    }
    return max;
  }

  private static double[] rowOf(NDArray g, int r) {
    int d = g.shape()[1];
    return java.util.Arrays.copyOfRange(g.toDoubleArray(), r * d, r * d + d);
  }

  private static NDArray randn(Random rng, int... shape) {
    int n = 1;
    for (int s : shape) n *= s;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
    return NDArray.fromFlat(v, shape);
  }
}
