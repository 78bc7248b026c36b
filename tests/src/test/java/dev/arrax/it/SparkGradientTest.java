package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import dev.arrax.spark.ArraxSparkException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ArraxSpark#sumGradient} in Spark local[2]: against float64 loops over the rows, bit-for-bit
 * repeatable, nulls per policy, and full-batch training of a logistic regression that reaches the
 * coefficients of Spark MLlib's {@code LogisticRegression} (no regularization).
 */
class SparkGradientTest {
  private static SparkSession spark;
  static final long SEED = 777L;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkGradientTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  // ---------------------------------------------------------------- least squares, matrix parameters

  static final StructType XT = new StructType()
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, true))
      .add("t", DataTypes.createArrayType(DataTypes.DoubleType, true));

  /** 0.5 |x W + b - t|^2 for ONE row; params sorted by key: a[0] = W [3,2], a[1] = b [2]; features a[2] = x [3], a[3] = t [2]. */
  static final Fn SQUARED = a -> {
    NDArray r = Np.subtract(Np.add(Np.dot(a[2], a[0]), a[1]), a[3]);
    return Np.sum(Np.multiply(r, r)).mul(0.5);
  };

  record Data(List<double[]> x, List<double[]> t, Dataset<Row> df) {}

  static Data squaredData(long seed, int n, int partitions) {
    Random rng = new Random(seed);
    List<double[]> xs = new ArrayList<>();
    List<double[]> ts = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add(SparkTestSupport.gaussianDoubles(rng, 3));
      ts.add(SparkTestSupport.gaussianDoubles(rng, 2));
      rows.add(RowFactory.create(xs.get(i), ts.get(i)));
    }
    return new Data(xs, ts, frame(spark, rows, XT, partitions));
  }

  static final double[] W0 = {0.5, -1.0, 2.0, 0.25, -0.75, 1.5};
  static final double[] B0 = {0.1, -0.2};

  /** dL/dW = sum x^T r, dL/db = sum r, L = sum 0.5 |r|^2, r = x W + b - t: a float64 loop over the given rows. */
  static double[][] squaredReference(Data d, java.util.function.IntPredicate use) {
    double[] gw = new double[6];
    double[] gb = new double[2];
    double loss = 0;
    for (int i = 0; i < d.x().size(); i++) {
      if (!use.test(i)) continue;
      double[] x = d.x().get(i);
      double[] t = d.t().get(i);
      for (int k = 0; k < 2; k++) {
        double r = B0[k] - t[k];
        for (int j = 0; j < 3; j++) r += x[j] * W0[j * 2 + k];
        loss += 0.5 * r * r;
        gb[k] += r;
        for (int j = 0; j < 3; j++) gw[j * 2 + k] += x[j] * r;
      }
    }
    return new double[][] {gw, gb, {loss}};
  }

  static Map<String, NDArray> squaredParams() {
    return Map.of("W", NDArray.fromFlat(W0, 3, 2), "b", NDArray.of(B0));
  }

  @Test
  void sumGradientEqualsAFloat64LoopOverTheRows() {
    Data d = squaredData(SEED, 1000, 5);
    Map<String, NDArray> g = ArraxSpark.sumGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"},
        ArraxOptions.defaults().withBatchRows(64));
    double[][] ref = squaredReference(d, i -> true);
    assertEquals(List.of("W", "b"), new ArrayList<>(g.keySet()));
    assertEquals("f64[3,2]", g.get("W").type().toString());
    assertEquals("f64[2]", g.get("b").type().toString());
    assertArrayEquals(ref[0], g.get("W").toDoubleArray(), 1e-9, "dL/dW (seed " + SEED + ")");
    assertArrayEquals(ref[1], g.get("b").toDoubleArray(), 1e-9, "dL/db (seed " + SEED + ")");

    ArraxSpark.GradientSum vg = ArraxSpark.sumValueAndGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"},
        ArraxOptions.defaults());
    assertEquals(ref[2][0], vg.value(), 1e-9 * ref[2][0]);
    assertEquals(1000, vg.rows());
    assertArrayEquals(ref[0], vg.gradient().get("W").toDoubleArray(), 1e-9);
  }

  @Test
  void sumGradientIsBitForBitRepeatableForAFixedPartitioning() {
    Data d = squaredData(SEED + 1, 3000, 7);
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(100);
    Map<String, NDArray> first = ArraxSpark.sumGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"}, o);
    for (int run = 0; run < 3; run++) {
      Map<String, NDArray> again = ArraxSpark.sumGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"}, o);
      for (String k : first.keySet()) {
        double[] a = first.get(k).toDoubleArray();
        double[] b = again.get(k).toDoubleArray();
        for (int i = 0; i < a.length; i++) {
          assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), k + "[" + i + "] differs on run " + run);
        }
      }
    }
    double[][] ref = squaredReference(d, i -> true);
    assertArrayEquals(ref[0], first.get("W").toDoubleArray(), 1e-9);
  }

  @Test
  void float32ParametersGiveFloat32Gradients() {
    Data d = squaredData(SEED + 2, 500, 3);
    Map<String, NDArray> params = Map.of("W", NDArray.fromFlat(W0, DType.FLOAT32, 3, 2), "b", NDArray.fromFlat(B0, DType.FLOAT32, 2));
    // f32 params with f64 features: the per-row loss is f64 (promotion) and the gradient keeps each parameter's dtype
    Map<String, NDArray> g = ArraxSpark.sumGradient(d.df(), SQUARED, params, new String[] {"x", "t"});
    assertEquals("f32[3,2]", g.get("W").type().toString());
    double[][] ref = squaredReference(d, i -> true);
    assertArrayEquals(ref[0], g.get("W").toDoubleArray(), 1e-3);
    assertArrayEquals(ref[1], g.get("b").toDoubleArray(), 1e-3);
  }

  @Test
  void nullRowsAreSkippedOrFilledOrRejectedPerPolicy() {
    Random rng = new Random(SEED + 3);
    List<double[]> xs = new ArrayList<>();
    List<double[]> ts = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    int n = 400;
    for (int i = 0; i < n; i++) {
      xs.add(SparkTestSupport.gaussianDoubles(rng, 3));
      ts.add(SparkTestSupport.gaussianDoubles(rng, 2));
      Double[] t = {ts.get(i)[0], ts.get(i)[1]};
      if (i % 10 == 7) t[1] = null;
      rows.add(RowFactory.create(i % 17 == 2 ? null : xs.get(i), t));
    }
    Data d = new Data(xs, ts, frame(spark, rows, XT, 4));
    ArraxSpark.GradientSum g = ArraxSpark.sumValueAndGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"},
        ArraxOptions.defaults().withNullPolicy(NullPolicy.NULL_ROW).withBatchRows(50));
    double[][] ref = squaredReference(d, i -> i % 10 != 7 && i % 17 != 2);
    long used = java.util.stream.IntStream.range(0, n).filter(i -> i % 10 != 7 && i % 17 != 2).count();
    assertEquals(used, g.rows());
    assertArrayEquals(ref[0], g.gradient().get("W").toDoubleArray(), 1e-9);
    assertArrayEquals(ref[1], g.gradient().get("b").toDoubleArray(), 1e-9);
    assertEquals(ref[2][0], g.value(), 1e-9 * ref[2][0]);

    // fill(0): a null x row is all zeros, a null target element is 0
    for (int i = 0; i < n; i++) {
      if (i % 17 == 2) xs.set(i, new double[3]);
      if (i % 10 == 7) ts.get(i)[1] = 0.0;
    }
    Map<String, NDArray> filled = ArraxSpark.sumGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"},
        ArraxOptions.defaults().withNullPolicy(NullPolicy.fill(0.0)));
    double[][] refFilled = squaredReference(d, i -> true);
    assertArrayEquals(refFilled[0], filled.get("W").toDoubleArray(), 1e-9);

    Exception e = assertThrows(Exception.class, () -> ArraxSpark.sumGradient(d.df(), SQUARED, squaredParams(), new String[] {"x", "t"}));
    StringBuilder chain = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) chain.append(c.getMessage());
    // whichever task fails first, the row it names (partition k holds rows [100 k, 100 k + 100)) must be one with a null x
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("ArraxSpark.sumGradient: column 'x' is null at row (\\d+) of partition (\\d+)")
        .matcher(chain);
    assertTrue(m.find(), chain.toString());
    int global = 100 * Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(1));
    assertEquals(2, global % 17, "the named row " + global + " must be a row whose x is null: " + chain);
  }

  @Test
  void parametersMustBeFloatingArrays() {
    Data d = squaredData(SEED + 4, 10, 1);
    ArraxSparkException e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.sumGradient(d.df(), SQUARED,
        Map.of("W", NDArray.ofInts(1, 2, 3, 4, 5, 6).reshape(3, 2), "b", NDArray.of(B0)), new String[] {"x", "t"}));
    assertEquals("ArraxSpark.sumGradient: parameter 'W' is i32[3,2]; gradients need f32 or f64 parameters", e.getMessage());
    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.sumGradient(d.df(), SQUARED, Map.of(), new String[] {"x", "t"}));
    assertEquals("ArraxSpark.sumGradient: give at least one parameter array in params", e.getMessage());
    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.sumGradient(d.df(), a -> Np.dot(a[2], a[0]), squaredParams(),
        new String[] {"x", "t"}));
    assertTrue(e.getMessage().startsWith("ArraxSpark.sumGradient: tracing the per-row function failed for 2 parameter arrays and inputs "
        + "'x' (array<double>) as f64[3], 't' (array<double>) as f64[2]: grad: only defined for scalar-output functions"), e.getMessage());
  }

  // ---------------------------------------------------------------- logistic regression vs MLlib

  /** log(1 + e^z) - y z with z = x . w + b, for ONE row; a[0] = b, a[1] = w (sorted keys), a[2] = x, a[3] = y. */
  static final Fn LOGISTIC = a -> {
    NDArray z = Np.add(Np.dot(a[2], a[1]), a[0]);
    return Np.subtract(Nn.softplus(z), Np.multiply(a[3], z));
  };

  @Test
  void logisticRegressionTrainedWithSumGradientMatchesSparkMllib() {
    int n = 4000;
    int d = 4;
    double[] wTrue = {1.5, -2.0, 0.5, 0.0};
    double bTrue = 0.3;
    Random rng = new Random(SEED + 5);
    List<Row> rows = new ArrayList<>();
    double[][] xs = new double[n][];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      double[] x = SparkTestSupport.gaussianDoubles(rng, d);
      x[1] += 0.5 * x[0]; // correlated features
      double z = bTrue;
      for (int j = 0; j < d; j++) z += wTrue[j] * x[j];
      double y = rng.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1.0 : 0.0;
      xs[i] = x;
      ys[i] = y;
      rows.add(RowFactory.create(x, y));
    }
    StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType, false))
        .add("y", DataTypes.DoubleType);
    Dataset<Row> df = frame(spark, rows, schema, 2).cache();

    // Full-batch L-BFGS on theta = [b, w], every gradient a sumGradient job over the DataFrame.
    ArraxOptions opts = ArraxOptions.defaults().withName("logistic loss gradient");
    java.util.function.Function<double[], double[]> gradient = theta -> {
      Map<String, NDArray> g = ArraxSpark.sumGradient(df, LOGISTIC,
          Map.of("b", NDArray.scalar(theta[0]), "w", NDArray.of(java.util.Arrays.copyOfRange(theta, 1, d + 1))),
          new String[] {"x", "y"}, opts);
      double[] out = new double[d + 1];
      out[0] = g.get("b").item();
      System.arraycopy(g.get("w").toDoubleArray(), 0, out, 1, d);
      return out;
    };
    Lbfgs.Result fit = Lbfgs.minimize(gradient, new double[d + 1], 1e-10 * n, 200);
    assertTrue(fit.converged(), "L-BFGS did not converge: |g| = " + fit.gradientNorm() + " after " + fit.evaluations() + " gradients");

    // independent check: the gradient at the solution, by a float64 loop in this test, is ~0
    double[] g = new double[d + 1];
    for (int i = 0; i < n; i++) {
      double z = fit.x()[0];
      for (int j = 0; j < d; j++) z += fit.x()[j + 1] * xs[i][j];
      double r = 1 / (1 + Math.exp(-z)) - ys[i];
      g[0] += r;
      for (int j = 0; j < d; j++) g[j + 1] += r * xs[i][j];
    }
    for (double v : g) assertEquals(0.0, v, 1e-6, "float64 gradient at the fitted coefficients");

    LogisticRegressionModel mllib = new LogisticRegression()
        .setRegParam(0.0).setElasticNetParam(0.0).setStandardization(false).setFitIntercept(true)
        .setMaxIter(1000).setTol(1e-10).setLabelCol("y").setFeaturesCol("features")
        .fit(df.withColumn("features", org.apache.spark.ml.functions.array_to_vector(functions.col("x"))));
    double[] expected = new double[d + 1];
    expected[0] = mllib.intercept();
    System.arraycopy(mllib.coefficients().toArray(), 0, expected, 1, d);
    assertArrayEquals(expected, fit.x(), 1e-4, "coefficients [b, w] vs MLlib " + java.util.Arrays.toString(expected)
        + " (seed " + (SEED + 5) + ", " + fit.evaluations() + " sumGradient calls)");
    df.unpersist();
  }
}
