package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A feature-gradient pipeline on Spark (local[2]): per-row input gradients (saliency) of a tanh MLP added as
 * a column to a DataFrame with {@code ArraxSpark.map}, checked on every row against the closed form; the
 * score and its gradient in one pass with {@code mapMulti}; then a logistic regression trained full-batch
 * with {@code ArraxSpark.sumGradient}.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.SparkFeatureGradients}
 * (optional {@code -Drows=N}).
 */
public final class SparkFeatureGradients {
  static final int D = 8;
  static final int H = 16;

  private SparkFeatureGradients() {}

  public static void main(String[] args) {
    int rows = Integer.getInteger("rows", 20_000);
    SparkSession spark = SparkSession.builder().appName("Arrax feature gradients").master("local[2]")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    try {
      run(spark, rows);
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, int rows) {
    Random rng = new Random(42);
    double[] w1 = gaussian(rng, D * H, 1 / Math.sqrt(D));
    double[] b1 = gaussian(rng, H, 1);
    double[] w2 = gaussian(rng, H, 1 / Math.sqrt(H));
    NDArray W1 = NDArray.fromFlat(w1, D, H);
    NDArray B1 = NDArray.fromFlat(b1, H);
    NDArray W2 = NDArray.fromFlat(w2, H);

    // Features: x (array<double> of 8) and a label drawn from a logistic model of x.
    Column[] xs = new Column[D];
    for (int j = 0; j < D; j++) xs[j] = functions.randn(100 + j);
    Dataset<Row> df = spark.range(0, rows, 1, 4).select(functions.col("id"), functions.array(xs).as("x"))
        .withColumn("label", functions.expr("CAST(rand(7) < 1 / (1 + exp(-(0.3 + 1.5 * x[0] - 2.0 * x[1] + 0.5 * x[2]))) AS DOUBLE)"))
        .cache();

    // 1. saliency = d mlp / dx for every row, as a new column
    Fn mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[0], W1), B1)), W2);   // for ONE row x [8]
    Dataset<Row> withSaliency = ArraxSpark.map(df, Arrax.grad(mlp), new String[] {"x"}, new String[] {"saliency"});
    withSaliency.select("id", "label", "saliency").show(3, false);
    double maxErr = 0;
    for (Row r : withSaliency.select("x", "saliency").collectAsList()) {
      maxErr = Math.max(maxErr, maxError(r.getList(0), r.getList(1), w1, b1, w2));
    }
    System.out.printf("saliency of %,d rows: max |Arrax - closed form| = %.3e%n", rows, maxErr);
    if (!(maxErr < 1e-12)) throw new IllegalStateException("saliency disagrees with the closed form: " + maxErr);

    // 2. the score and its gradient in one pass
    Dataset<Row> both = ArraxSpark.mapMulti(df, Arrax.valueAndGrad(mlp), new String[] {"x"}, new String[] {"score", "saliency"});
    both.select("id", "score", "saliency").show(3, false);

    // 3. full-batch gradient descent on the logistic loss; lossPerRow(b, w, x, y): params in sorted key order, then features
    Fn logistic = a -> {
      NDArray z = Np.add(Np.dot(a[2], a[1]), a[0]);
      return Np.subtract(Nn.softplus(z), Np.multiply(a[3], z));
    };
    double b = 0;
    double[] w = new double[D];
    double step = 2.0 / rows;   // < 1/L for the logistic loss of unit-variance features
    for (int it = 0; it <= 100; it++) {
      ArraxSpark.GradientSum g = ArraxSpark.sumValueAndGradient(df, logistic, Map.of("b", NDArray.scalar(b), "w", NDArray.of(w)),
          new String[] {"x", "label"}, ArraxOptions.defaults().withName("logistic regression gradient"));
      if (it % 20 == 0) System.out.printf("step %3d: mean loss %.6f%n", it, g.value() / g.rows());
      b -= step * g.gradient().get("b").item();
      double[] gw = g.gradient().get("w").toDoubleArray();
      for (int j = 0; j < D; j++) w[j] -= step * gw[j];
    }
    System.out.printf("logistic regression: b = %.3f, w = %s (data drawn with b = 0.3, w = [1.5, -2.0, 0.5, 0, ...])%n", b,
        java.util.Arrays.toString(java.util.Arrays.stream(w).map(v -> Math.round(v * 1000) / 1000.0).toArray()));
    df.unpersist();
  }

  /** Max |g - W1 ((1 - tanh(x W1 + b1)^2) * w2)| over one row, in float64 loops. */
  static double maxError(List<Object> x, List<Object> g, double[] w1, double[] b1, double[] w2) {
    double[] s = new double[H];
    for (int j = 0; j < H; j++) {
      double z = b1[j];
      for (int i = 0; i < D; i++) z += ((Double) x.get(i)) * w1[i * H + j];
      double t = Math.tanh(z);
      s[j] = (1 - t * t) * w2[j];
    }
    double max = 0;
    for (int i = 0; i < D; i++) {
      double e = 0;
      for (int j = 0; j < H; j++) e += w1[i * H + j] * s[j];
      max = Math.max(max, Math.abs(e - (Double) g.get(i)));
    }
    return max;
  }

  static double[] gaussian(Random rng, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * scale;
    return v;
  }
}
