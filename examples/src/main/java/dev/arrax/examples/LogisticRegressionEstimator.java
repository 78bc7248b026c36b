package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.spark.ArraxEstimator;
import dev.arrax.spark.ArraxModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Logistic regression written as a per-row loss and fitted with {@link ArraxEstimator} (full-batch L-BFGS over
 * exact gradient sums), next to MLlib's {@code LogisticRegression} on the same data with the same objective
 * (mean log-loss + regParam/2 ||w||^2, intercept not regularized, no standardization). Any differentiable per-row
 * loss fits the same way; logistic regression is the one MLlib can check.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.LogisticRegressionEstimator}
 */
public final class LogisticRegressionEstimator {
  static final int D = 6;
  static final double REG = 0.01;

  private LogisticRegressionEstimator() {}

  /** Both fits, and the largest difference between them. */
  public record Result(double[] arraxW, double arraxB, double[] mllibW, double mllibB, double maxDifference,
                       int iterations, boolean converged) {}

  public static void main(String[] args) {
    SparkSession spark = SparkSessions.getOrCreate("Arrax logistic regression");
    try {
      Result r = run(spark, Integer.getInteger("rows", 20_000));
      System.out.printf("ArraxEstimator (L-BFGS, %d iterations, converged %s): w = %s, b = %.6f%n", r.iterations(), r.converged(),
          round(r.arraxW()), r.arraxB());
      System.out.printf("MLlib LogisticRegression:                        w = %s, b = %.6f%n", round(r.mllibW()), r.mllibB());
      System.out.printf("max |Arrax - MLlib| = %.3e%n", r.maxDifference());
    } finally {
      spark.stop();
    }
  }

  public static Result run(SparkSession spark, int rows) {
    Column[] xs = new Column[D];
    for (int j = 0; j < D; j++) xs[j] = functions.randn(200 + j);
    Dataset<Row> df = spark.range(0, rows, 1, 4).select(functions.array(xs).as("x"))
        .withColumn("y", functions.expr("CAST(rand(3) < 1 / (1 + exp(-(0.5 + 2 * x[0] - x[1] + 0.5 * x[2]))) AS DOUBLE)"))
        .cache();

    // The loss and the prediction of ONE row, reading the parameters by name.
    Arrax.TreeLoss<Map<String, NDArray>> loss = (p, row) -> {
      NDArray z = Np.add(Np.dot(row[0], p.get("w")), p.get("b"));
      return Np.subtract(Nn.softplus(z), Np.multiply(row[1], z));
    };
    Arrax.TreeLoss<Map<String, NDArray>> probability = (p, row) -> Nn.sigmoid(Np.add(Np.dot(row[0], p.get("w")), p.get("b")));
    Map<String, NDArray> init = new LinkedHashMap<>();
    init.put("w", Np.zeros(new int[] {D}, DType.FLOAT64));
    init.put("b", NDArray.scalar(0.0));
    ArraxModel model = new ArraxEstimator(loss, probability, init)
        .setLossCols("x", "y").setInputCols("x").setOutputCol("probability")
        .setRegParam(REG).setRegularizedParams("w").setTol(1e-9).setMaxIter(200)
        .fit(df);

    LogisticRegressionModel mllib = new LogisticRegression()
        .setRegParam(REG).setElasticNetParam(0.0).setStandardization(false).setFitIntercept(true)
        .setMaxIter(1000).setTol(1e-10).setLabelCol("y").setFeaturesCol("features")
        .fit(df.withColumn("features", org.apache.spark.ml.functions.array_to_vector(functions.col("x"))));

    double[] w = model.getParameters().get("w").toDoubleArray();
    double b = model.getParameters().get("b").item();
    double[] mw = mllib.coefficients().toArray();
    double diff = Math.abs(b - mllib.intercept());
    for (int j = 0; j < D; j++) diff = Math.max(diff, Math.abs(w[j] - mw[j]));
    df.unpersist();
    return new Result(w, b, mw, mllib.intercept(), diff, model.summary().iterations().size(), model.summary().converged());
  }

  private static String round(double[] v) {
    return Arrays.toString(Arrays.stream(v).map(x -> Math.round(x * 1e4) / 1e4).toArray());
  }
}
