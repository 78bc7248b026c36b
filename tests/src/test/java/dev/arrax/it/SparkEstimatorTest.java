package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.spark.ArraxEstimator;
import dev.arrax.spark.ArraxModel;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import dev.arrax.spark.ArraxSparkException;
import dev.arrax.spark.TrainingSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Parameters by name ({@link ArraxSpark#sumGradientTree}, and the positional variant's order), and
 * {@link ArraxEstimator}: L-BFGS with L2 on some parameters against MLlib's LogisticRegression, Adam against the
 * least-squares solution, the training summary, and the model saved and loaded.
 */
class SparkEstimatorTest {
  private static SparkSession spark;
  private static Dataset<Row> logistic;
  private static final long SEED = 4242L;
  private static final int D = 3;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkEstimatorTest");
    Random rng = new Random(SEED);
    List<Row> rows = new ArrayList<>();
    double[] wTrue = {1.5, -2.0, 0.5};
    for (int i = 0; i < 2000; i++) {
      double[] x = SparkTestSupport.gaussianDoubles(rng, D);
      x[1] += 0.5 * x[0];
      double z = 0.3;
      for (int j = 0; j < D; j++) z += wTrue[j] * x[j];
      double y = rng.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1.0 : 0.0;
      rows.add(RowFactory.create(x, y));
    }
    StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType, false)).add("y", DataTypes.DoubleType);
    logistic = SparkTestSupport.frame(spark, rows, schema, 2).cache();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static final Arrax.TreeLoss<Map<String, NDArray>> LOSS = (p, row) -> {
    NDArray z = Np.add(Np.dot(row[0], p.get("w")), p.get("b"));
    return Np.subtract(Nn.softplus(z), Np.multiply(row[1], z));
  };

  static final Arrax.TreeLoss<Map<String, NDArray>> PROBABILITY = (p, row) -> Nn.sigmoid(Np.add(Np.dot(row[0], p.get("w")), p.get("b")));

  static Map<String, NDArray> zeros() {
    Map<String, NDArray> m = new LinkedHashMap<>();
    m.put("w", Np.zeros(new int[] {D}, DType.FLOAT64));
    m.put("b", NDArray.scalar(0.0));
    return m;
  }

  // ---------------------------------------------------------------- parameters by name

  @Test
  void sameShapedParametersReachTheLossByNameInAnyMapOrder() {
    // loss = a.x + 3 b.x: a and b have the same shape, so a swap would go unnoticed but for the numbers
    Arrax.TreeLoss<Map<String, NDArray>> loss = (p, row) -> Np.add(Np.dot(p.get("a"), row[0]), Np.dot(p.get("b"), row[0]).mul(3.0));
    double[] sumX = new double[D];
    for (Row r : logistic.collectAsList()) {
      double[] x = SparkTestSupport.doubles(r, 0);
      for (int j = 0; j < D; j++) sumX[j] += x[j];
    }
    NDArray a = NDArray.of(1.0, 2.0, 3.0);
    NDArray b = NDArray.of(4.0, 5.0, 6.0);
    Map<String, NDArray> bFirst = new LinkedHashMap<>();
    bFirst.put("b", b);
    bFirst.put("a", a);
    for (Map<String, NDArray> params : List.of(Map.of("a", a, "b", b), bFirst)) {
      ArraxSpark.GradientSum g = ArraxSpark.sumValueAndGradientTree(logistic, loss, params, new String[] {"x"}, ArraxOptions.defaults());
      assertArrayEquals(sumX, g.gradient().get("a").toDoubleArray(), 1e-9);
      assertArrayEquals(new double[] {3 * sumX[0], 3 * sumX[1], 3 * sumX[2]}, g.gradient().get("b").toDoubleArray(), 1e-9);
      double expected = 0;
      for (int j = 0; j < D; j++) expected += (a.toDoubleArray()[j] + 3 * b.toDoubleArray()[j]) * sumX[j];
      assertEquals(expected, g.value(), 1e-9 * (1 + Math.abs(expected)));
      assertEquals(2000, g.rows());
    }
  }

  @Test
  void positionalLossGetsAnOrderedMapInItsOwnOrder() {
    // insertion order b, a: the loss's a[0] is b and a[1] is a (it used to get them sorted: a, b)
    Fn loss = p -> Np.add(Np.dot(p[1], p[2]), Np.dot(p[0], p[2]).mul(3.0));
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("b", NDArray.of(0.0, 0.0, 0.0));
    params.put("a", NDArray.of(0.0, 0.0, 0.0));
    Map<String, NDArray> g = ArraxSpark.sumGradient(logistic, loss, params, new String[] {"x"});
    assertEquals(List.of("b", "a"), new ArrayList<>(g.keySet()));
    double[] ga = g.get("a").toDoubleArray();
    double[] gb = g.get("b").toDoubleArray();
    for (int j = 0; j < D; j++) assertEquals(3 * ga[j], gb[j], 1e-9 * (1 + Math.abs(gb[j])));
  }

  // ---------------------------------------------------------------- the estimator

  @Test
  void lbfgsWithL2OnTheWeightsMatchesMllibLogisticRegression() {
    double reg = 0.01;
    ArraxModel model = new ArraxEstimator(LOSS, PROBABILITY, zeros())
        .setLossCols("x", "y").setInputCols("x").setOutputCol("p")
        .setRegParam(reg).setRegularizedParams("w").setTol(1e-9).setMaxIter(200).fit(logistic);

    LogisticRegressionModel mllib = new LogisticRegression()
        .setRegParam(reg).setElasticNetParam(0.0).setStandardization(false).setFitIntercept(true)
        .setMaxIter(1000).setTol(1e-10).setLabelCol("y").setFeaturesCol("features")
        .fit(logistic.withColumn("features", org.apache.spark.ml.functions.array_to_vector(functions.col("x"))));
    Map<String, NDArray> fitted = model.getParameters();
    assertEquals(List.of("w", "b"), new ArrayList<>(fitted.keySet()));
    assertArrayEquals(mllib.coefficients().toArray(), fitted.get("w").toDoubleArray(), 1e-4, "w vs MLlib");
    assertEquals(mllib.intercept(), fitted.get("b").item(), 1e-4, "b vs MLlib");

    TrainingSummary s = model.summary();
    assertEquals("lbfgs", s.optimizer());
    assertTrue(s.converged(), "not converged: |g| = " + s.finalGradientNorm());
    assertTrue(s.finalGradientNorm() <= 1e-9, "final gradient norm " + s.finalGradientNorm());
    assertEquals(2000, s.rows());
    assertEquals(0, s.iterations().get(0).iteration());
    assertEquals(Math.log(2), s.iterations().get(0).objective(), 1e-12, "mean logistic loss at zero");
    for (int i = 1; i < s.iterations().size(); i++) {
      assertTrue(s.iterations().get(i).objective() <= s.iterations().get(i - 1).objective(), "objective rose at iteration " + i);
    }
    assertTrue(s.iterations().size() < 60, "iterations " + s.iterations().size());

    // predictions: sigmoid(x.w + b) per row, as MLlib's probability of class 1
    List<Row> out = model.transform(logistic).select("x", "p").collectAsList();
    double[] w = fitted.get("w").toDoubleArray();
    double b = fitted.get("b").item();
    for (Row r : out) {
      double[] x = SparkTestSupport.doubles(r, 0);
      double z = b;
      for (int j = 0; j < D; j++) z += w[j] * x[j];
      assertEquals(1 / (1 + Math.exp(-z)), r.getDouble(1), 1e-12);
    }
  }

  @Test
  void adamReachesTheLeastSquaresSolution() {
    // y = 2 x0 - x1 + 0.5 + noise; least squares solved by the normal equations in this test
    Random rng = new Random(SEED + 1);
    List<Row> rows = new ArrayList<>();
    double[][] ata = new double[3][3];
    double[] aty = new double[3];
    for (int i = 0; i < 500; i++) {
      double[] x = SparkTestSupport.gaussianDoubles(rng, 2);
      double y = 2 * x[0] - x[1] + 0.5 + 0.1 * rng.nextGaussian();
      rows.add(RowFactory.create(x, y));
      double[] f = {x[0], x[1], 1};
      for (int j = 0; j < 3; j++) {
        aty[j] += f[j] * y;
        for (int k = 0; k < 3; k++) ata[j][k] += f[j] * f[k];
      }
    }
    double[] exact = solve3(ata, aty);
    StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType, false)).add("y", DataTypes.DoubleType);
    Dataset<Row> df = SparkTestSupport.frame(spark, rows, schema, 2);
    Arrax.TreeLoss<Map<String, NDArray>> squared = (p, row) -> {
      NDArray r = Np.subtract(Np.add(Np.dot(row[0], p.get("w")), p.get("b")), row[1]);
      return Np.multiply(r, r).mul(0.5);
    };
    Map<String, NDArray> init = new LinkedHashMap<>();
    init.put("w", Np.zeros(new int[] {2}, DType.FLOAT64));
    init.put("b", NDArray.scalar(0.0));
    ArraxModel model = new ArraxEstimator(squared, (p, row) -> Np.add(Np.dot(row[0], p.get("w")), p.get("b")), init)
        .setLossCols("x", "y").setInputCols("x").setOptimizer("adam").setLearningRate(0.1).setMaxIter(400).setTol(1e-5).fit(df);
    TrainingSummary s = model.summary();
    assertEquals("adam", s.optimizer());
    assertTrue(s.converged(), "Adam did not converge: |g| = " + s.finalGradientNorm() + " after " + (s.iterations().size() - 1));
    double[] w = model.getParameters().get("w").toDoubleArray();
    assertArrayEquals(new double[] {exact[0], exact[1], exact[2]}, new double[] {w[0], w[1], model.getParameters().get("b").item()}, 1e-4);
    assertEquals(s.iterations().size(), s.gradientEvaluations());
  }

  private static double[] solve3(double[][] a, double[] y) {
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    double[] out = new double[3];
    for (int c = 0; c < 3; c++) {
      double[][] m = {a[0].clone(), a[1].clone(), a[2].clone()};
      for (int r = 0; r < 3; r++) m[r][c] = y[r];
      out[c] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
          + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) / det;
    }
    return out;
  }

  @Test
  void aSavedModelLoadsWithItsParametersAndPredictions() throws Exception {
    ArraxModel model = new ArraxEstimator(LOSS, PROBABILITY, zeros()).setLossCols("x", "y").setInputCols("x").setOutputCol("p")
        .setMaxIter(5).fit(logistic);
    assertFalse(model.summary().converged());
    assertEquals(6, model.summary().iterations().size());
    Path dir = Files.createTempDirectory("arrax-model");
    String path = dir.resolve("model").toString();
    model.save(path);
    ArraxModel loaded = ArraxModel.load(path);
    assertEquals(model.uid(), loaded.uid());
    assertEquals(model.getParameters().keySet(), loaded.getParameters().keySet());
    for (String k : model.getParameters().keySet()) {
      assertArrayEquals(model.getParameters().get(k).toDoubleArray(), loaded.getParameters().get(k).toDoubleArray(), 0.0, k);
    }
    assertFalse(loaded.hasSummary());
    ArraxSparkException e = assertThrows(ArraxSparkException.class, loaded::summary);
    assertEquals("ArraxModel " + model.uid() + ": no training summary; it is kept only by the model fit in this JVM, not saved", e.getMessage());
    List<Row> a = model.transform(logistic).select("p").collectAsList();
    List<Row> b = loaded.transform(logistic).select("p").collectAsList();
    assertEquals(a, b);
  }

  @Test
  void misconfiguredEstimatorsFailWithTheReason() {
    ArraxSparkException e = assertThrows(ArraxSparkException.class, () -> new ArraxEstimator(LOSS, PROBABILITY, zeros()).setOptimizer("sgd"));
    assertEquals("ArraxEstimator: optimizer 'sgd' is not one of [lbfgs, adam]", e.getMessage());
    ArraxEstimator est = new ArraxEstimator(LOSS, PROBABILITY, zeros()).setLossCols("x", "y").setInputCols("x").setRegularizedParams("W");
    e = assertThrows(ArraxSparkException.class, () -> est.fit(logistic));
    assertEquals("ArraxEstimator " + est.uid() + ": regularized parameter 'W' is not one of [w, b]", e.getMessage());
    ArraxEstimator noCols = new ArraxEstimator(LOSS, PROBABILITY, zeros());
    e = assertThrows(ArraxSparkException.class, () -> noCols.fit(logistic));
    assertEquals("ArraxEstimator " + noCols.uid() + ": param lossCols is not set", e.getMessage());
  }
}

