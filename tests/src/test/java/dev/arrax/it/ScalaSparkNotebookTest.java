package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Scala 2.13 notebook-style Spark job, as a Databricks Scala cell would be written with the bundle attached:
 * {@code import dev.arrax._, dev.arrax.syntax._}, typed Scala lambdas where an {@code Fn} is expected, operators on
 * arrays, {@code Seq} column lists and a Scala {@code Map} of parameters. It maps a per-row gradient over a
 * DataFrame and trains a logistic regression with {@code sumGradient}; both are compared with float64 loops here.
 */
class ScalaSparkNotebookTest {
  @TempDir
  static Path tmp;

  static final String CELL = String.join("\n",
      "import dev.arrax._",
      "import dev.arrax.syntax._",
      "import dev.arrax.spark._",
      "import org.apache.spark.sql.SparkSession",
      "import org.apache.spark.sql.functions._",
      "val spark = SparkSession.builder().master(\"local[2]\").appName(\"scala notebook\")",
      "  .config(\"spark.driver.host\", \"127.0.0.1\").config(\"spark.driver.bindAddress\", \"127.0.0.1\")",
      "  .config(\"spark.ui.enabled\", \"false\").getOrCreate()",
      "val df = spark.range(0, 400, 1, 4)",
      "  .select(col(\"id\"), array((0 until 3).map(j => randn(10L + j)): _*).as(\"x\"))",
      "  .withColumn(\"label\", expr(\"CAST(rand(7) < 1 / (1 + exp(-(1.5 * x[0] - x[1]))) AS DOUBLE)\"))",
      "  .cache()",
      "// map: the gradient of a score of ONE row, operators and a typed lambda, Seq column lists",
      "val v = NDArray.of(0.5, -1.0, 2.0)",
      "val score = (x: NDArray) => Np.sum(Np.tanh(x dot v) * 2.0 + 1.0)",
      "val saliency = ArraxSpark.map(df, Arrax.grad(score), Seq(\"x\"), Seq(\"g\"))",
      "val rows = saliency.orderBy(\"id\").select(\"x\", \"label\", \"g\").collect()",
      "val xs: Array[Array[Double]] = rows.map(_.getSeq[Double](0).toArray)",
      "val labels: Array[Double] = rows.map(_.getDouble(1))",
      "val gs: Array[Array[Double]] = rows.map(_.getSeq[Double](2).toArray)",
      "// training: the loss of one row as a function of all its arguments (params first, then the columns)",
      "val loss: Fn = (a: Array[NDArray]) => { val z = a(1) dot a(0); Nn.softplus(z) - a(2) * z }",
      "var params = Map(\"w\" -> NDArray.of(0.0, 0.0, 0.0))",
      "for (_ <- 0 until 5) {",
      "  val g = ArraxSpark.sumGradient(df, loss, params, Seq(\"x\", \"label\"))",
      "  params = Map(\"w\" -> (params(\"w\") - g.get(\"w\") * (8.0 / 400)))",
      "}",
      "val w: Array[Double] = params(\"w\").toDoubleArray",
      "val negated: Array[Double] = (-(2 * v) + 1).toDoubleArray",
      "// any arity: fn gives the lambda all arguments as one array",
      "val twiceV: Array[Double] = Arrax.grad(fn(a => Np.sum(a(0) * a(0)))).apply(v).toDoubleArray",
      "");

  @AfterAll
  static void stop() {
    SparkSession.getActiveSession().foreach(s -> {
      s.stop();
      return null;
    });
  }

  @Test
  @Timeout(180)
  void scalaCellMapsAndTrainsOnSpark() throws Exception {
    Class<?> cell = ScalaCells.compile(tmp, "SparkCell", CELL);
    double[][] xs = (double[][]) ScalaCells.read(cell, "xs");
    double[] labels = (double[]) ScalaCells.read(cell, "labels");
    double[][] gs = (double[][]) ScalaCells.read(cell, "gs");
    double[] v = {0.5, -1.0, 2.0};
    assertEquals(400, xs.length);
    for (int i = 0; i < xs.length; i++) {
      double z = 0;
      for (int j = 0; j < 3; j++) z += xs[i][j] * v[j];
      double t = Math.tanh(z);
      for (int j = 0; j < 3; j++) assertEquals(2 * (1 - t * t) * v[j], gs[i][j], 1e-12, "row " + i + " feature " + j);
    }
    // the same 5 gradient steps in float64 loops
    double[] w = new double[3];
    for (int step = 0; step < 5; step++) {
      double[] g = new double[3];
      for (int i = 0; i < xs.length; i++) {
        double z = 0;
        for (int j = 0; j < 3; j++) z += xs[i][j] * w[j];
        double r = 1 / (1 + Math.exp(-z)) - labels[i];
        for (int j = 0; j < 3; j++) g[j] += r * xs[i][j];
      }
      for (int j = 0; j < 3; j++) w[j] -= 8.0 / 400 * g[j];
    }
    assertArrayEquals(w, (double[]) ScalaCells.read(cell, "w"), 1e-9);
    assertTrue(w[0] > 0.2 && w[1] < -0.1, "the weights move toward the generating model (1.5, -1, 0): " + java.util.Arrays.toString(w));
    assertArrayEquals(new double[] {0.0, 3.0, -3.0}, (double[]) ScalaCells.read(cell, "negated"), 0, "-(2 * v) + 1");
    assertArrayEquals(new double[] {1.0, -2.0, 4.0}, (double[]) ScalaCells.read(cell, "twiceV"), 0, "grad of sum(v * v)");
  }
}
