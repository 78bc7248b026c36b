package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Data valuation with per-example loss gradients: which training rows help, and which hurt?
 *
 * <p>A logistic regression (parameters {@code theta = [b, w]}) is fitted to training data in which some labels
 * were flipped. Per-example gradients {@code g_i = d loss(theta; x_i, y_i) / d theta} come from one call,
 * {@code jit(vmap(grad(lossRow), null, 0, 0))}: {@code grad} of the one-row loss, mapped over the rows with the
 * parameters shared. A row's score is {@code g_i . g_val}, where {@code g_val} is the mean gradient on clean
 * validation data: one gradient step on row i changes the validation loss by about {@code -lr * g_i . g_val}
 * (the TracIn score at the final checkpoint). Rows with the most negative scores push the model away from
 * the validation data: the flipped labels rank there.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.DataValuation}
 */
public final class DataValuation {
  static final int D = 5;
  static final int TRAIN = 400;
  static final int VALID = 400;
  static final int FLIPPED = 20;
  static final double[] TRUE_W = {3.0, -4.0, 2.0, 1.0, -2.0};

  private DataValuation() {}

  /**
   * The flipped rows, the rows ranked from most harmful to most helpful, how many flipped rows are among the
   * {@code FLIPPED} lowest scores, and the largest error of the per-example gradients against the closed form
   * {@code (sigmoid(b + w.x) - y) [1, x]}.
   */
  public record Result(int[] flipped, int[] ranking, int flippedInBottom, double maxGradientError, double[] theta) {}

  public static void main(String[] args) {
    Result r = run();
    System.out.printf("logistic regression on %d rows (%d labels flipped), theta = [b, w] = %s%n", TRAIN, FLIPPED,
        Arrays.toString(Arrays.stream(r.theta()).map(v -> Math.round(v * 1000) / 1000.0).toArray()));
    System.out.printf("per-example gradients: max |Arrax - closed form| = %.3e%n", r.maxGradientError());
    System.out.println("most harmful rows (lowest g_i . g_val): " + Arrays.toString(Arrays.copyOf(r.ranking(), FLIPPED)));
    System.out.println("flipped rows:                           " + Arrays.toString(r.flipped()));
    System.out.printf("%d of the %d flipped rows are among the %d most harmful (a random ranking finds %.0f)%n",
        r.flippedInBottom(), FLIPPED, FLIPPED, (double) FLIPPED * FLIPPED / TRAIN);
  }

  /** Row features and labels from the true model; rows listed in {@code flip} get the opposite label. */
  static double[][] data(Random rng, int n, double[] y, int[] flip) {
    double[][] x = new double[n][D];
    for (int i = 0; i < n; i++) {
      double z = 0;
      for (int j = 0; j < D; j++) {
        x[i][j] = rng.nextGaussian();
        z += TRUE_W[j] * x[i][j];
      }
      y[i] = rng.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    for (int i : flip) y[i] = 1 - y[i];
    return x;
  }

  public static Result run() {
    Random rng = new Random(11);
    int[] flipped = IntStream.range(0, TRAIN).filter(i -> i % (TRAIN / FLIPPED) == 3).toArray();
    double[] yTrain = new double[TRAIN];
    double[] yValid = new double[VALID];
    double[][] xTrain = data(rng, TRAIN, yTrain, flipped);
    double[][] xValid = data(rng, VALID, yValid, new int[0]);
    NDArray xt = NDArray.of(xTrain), yt = NDArray.of(yTrain), xv = NDArray.of(xValid), yv = NDArray.of(yValid);

    // The loss of ONE row: theta [1 + D], x [D], y scalar.
    Fn lossRow = a -> {
      NDArray z = Np.add(Np.dot(a[1], Lax.sliceInDim(a[0], 1, 1 + D, 1, 0)), Lax.indexInDim(a[0], 0, 0, false));
      return Np.subtract(Nn.softplus(z), Np.multiply(a[2], z));
    };
    Fn perExampleGrads = Arrax.jit(Arrax.vmap(Arrax.grad(lossRow, 0), null, 0, 0));   // [rows, 1 + D]
    Fn meanLoss = Arrax.jit(a -> Np.mean(Arrax.vmap(lossRow, null, 0, 0).apply(a[0], a[1], a[2])));
    Fn meanGrad = Arrax.jit(Arrax.grad(meanLoss, 0));

    // Fit by gradient descent (the loss is convex; 500 steps of size 1 reach the optimum to ~1e-6).
    NDArray theta = NDArray.of(new double[1 + D]);
    for (int step = 0; step < 500; step++) theta = Np.subtract(theta, meanGrad.apply(theta, xt, yt));

    double[] g = perExampleGrads.apply(theta, xt, yt).toDoubleArray();
    double[] gVal = meanGrad.apply(theta, xv, yv).toDoubleArray();
    double[] th = theta.toDoubleArray();

    double maxErr = 0;
    double[] score = new double[TRAIN];
    for (int i = 0; i < TRAIN; i++) {
      double z = th[0];
      for (int j = 0; j < D; j++) z += th[1 + j] * xTrain[i][j];
      double r = 1 / (1 + Math.exp(-z)) - yTrain[i];
      maxErr = Math.max(maxErr, Math.abs(g[i * (1 + D)] - r));
      for (int j = 0; j < D; j++) maxErr = Math.max(maxErr, Math.abs(g[i * (1 + D) + 1 + j] - r * xTrain[i][j]));
      for (int k = 0; k <= D; k++) score[i] += g[i * (1 + D) + k] * gVal[k];
    }
    int[] ranking = IntStream.range(0, TRAIN).boxed().sorted(Comparator.comparingDouble(i -> score[i]))
        .mapToInt(Integer::intValue).toArray();
    int inBottom = (int) Arrays.stream(ranking, 0, FLIPPED).filter(i -> Arrays.binarySearch(flipped, i) >= 0).count();
    return new Result(flipped, ranking, inBottom, maxErr, th);
  }
}
