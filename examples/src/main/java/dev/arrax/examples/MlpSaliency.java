package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Per-row saliency of an MLP: the gradient of the model's score with respect to ONE row's features, for every
 * row of a batch, as {@code jit(vmap(grad(mlp, 3), null, null, null, 0))}: {@code grad} differentiates the
 * one-row function in its input, {@code vmap} maps it over the rows (weights shared, {@code null} axes),
 * {@code jit} compiles the whole batched backward pass into fused kernels.
 *
 * <p>The first-layer weights of feature j are scaled by {@code importance[j]} (3, 2, 1, 0.5, then 0): the mean
 * |saliency| per feature recovers that order, and features with zero weight get exactly zero saliency. Every
 * row is checked against the closed form {@code W1 ((1 - tanh(x W1 + b1)^2) * w2)}.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.MlpSaliency}
 */
public final class MlpSaliency {
  static final int D = 8;
  static final int H = 32;
  static final double[] IMPORTANCE = {3, 2, 1, 0.5, 0, 0, 0, 0};

  private MlpSaliency() {}

  /** Mean |saliency| per feature, the features ranked by it, and the largest error against the closed form. */
  public record Result(int rows, double[] meanAbsSaliency, int[] ranking, double maxError) {}

  public static void main(String[] args) {
    Result r = run(Integer.getInteger("rows", 100_000));
    System.out.printf("saliency of %,d rows, %d features, hidden %d:%n", r.rows(), D, H);
    for (int j = 0; j < D; j++) {
      System.out.printf("  feature %d: weight scale %.1f, mean |d score / d x_%d| = %.6f%n", j, IMPORTANCE[j], j, r.meanAbsSaliency()[j]);
    }
    System.out.println("  ranking by mean |saliency|: " + Arrays.toString(r.ranking()));
    System.out.printf("  max |Arrax - closed form| = %.3e%n", r.maxError());
  }

  public static Result run(int rows) {
    Random rng = new Random(7);
    double[] w1 = new double[D * H];
    for (int i = 0; i < D; i++) {
      for (int j = 0; j < H; j++) w1[i * H + j] = IMPORTANCE[i] * rng.nextGaussian() / Math.sqrt(D);
    }
    double[] b1 = new double[H];
    double[] w2 = new double[H];
    for (int j = 0; j < H; j++) {
      b1[j] = 0.1 * rng.nextGaussian();
      w2[j] = rng.nextGaussian() / Math.sqrt(H);
    }
    double[] x = new double[rows * D];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();

    // A 2-layer tanh MLP for ONE row a[3] = x [D]; weights W1 [D,H], b1 [H], w2 [H].
    Fn mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[3], a[0]), a[1])), a[2]);
    Fn saliency = Arrax.jit(Arrax.vmap(Arrax.grad(mlp, 3), null, null, null, 0));
    double[] g = saliency.apply(NDArray.fromFlat(w1, D, H), NDArray.of(b1), NDArray.of(w2), NDArray.fromFlat(x, rows, D))
        .toDoubleArray();   // [rows, D]

    double[] meanAbs = new double[D];
    double maxErr = 0;
    double[] s = new double[H];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < H; j++) {
        double z = b1[j];
        for (int i = 0; i < D; i++) z += x[r * D + i] * w1[i * H + j];
        double t = Math.tanh(z);
        s[j] = (1 - t * t) * w2[j];
      }
      for (int i = 0; i < D; i++) {
        double e = 0;
        for (int j = 0; j < H; j++) e += w1[i * H + j] * s[j];
        maxErr = Math.max(maxErr, Math.abs(e - g[r * D + i]));
        meanAbs[i] += Math.abs(g[r * D + i]) / rows;
      }
    }
    int[] ranking = IntStream.range(0, D).boxed().sorted(Comparator.comparingDouble(j -> -meanAbs[j]))
        .mapToInt(Integer::intValue).toArray();
    return new Result(rows, meanAbs, ranking, maxErr);
  }
}
