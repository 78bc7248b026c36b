package dev.arrax.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Shared pieces of the Spark end-to-end tests: a local session per test class and small data helpers. */
final class SparkTestSupport {
  private SparkTestSupport() {}

  /** A local[2] session on loopback with the UI off; call {@code stop()} in {@code @AfterAll}. */
  static SparkSession localSession(String appName) {
    return SparkSession.builder()
        .appName(appName)
        .master("local[2]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.task.maxFailures", "1")
        .getOrCreate();
  }

  /** A DataFrame over {@code rows} in {@code partitions} contiguous slices, so row order is the list's order. */
  static Dataset<Row> frame(SparkSession spark, List<Row> rows, StructType schema, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(rows, partitions), schema);
  }

  static float[] gaussianFloats(Random rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }

  static double[] gaussianDoubles(Random rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
    return v;
  }

  /** A Spark array cell (a java.util.List or a Scala Seq behind Row.getList) as a float[]. */
  static float[] floats(Row r, int i) {
    List<Object> l = r.getList(i);
    float[] v = new float[l.size()];
    for (int j = 0; j < v.length; j++) v[j] = ((Number) l.get(j)).floatValue();
    return v;
  }

  static double[] doubles(Row r, int i) {
    List<Object> l = r.getList(i);
    double[] v = new double[l.size()];
    for (int j = 0; j < v.length; j++) v[j] = ((Number) l.get(j)).doubleValue();
    return v;
  }

  static List<Float> boxed(float[] v) {
    List<Float> l = new ArrayList<>(v.length);
    for (float x : v) l.add(x);
    return l;
  }

  static List<Double> boxed(double[] v) {
    List<Double> l = new ArrayList<>(v.length);
    for (double x : v) l.add(x);
    return l;
  }

  /** |a - b| <= tol * (1 + |b|) for every element, else a message naming the first bad element. */
  static String compare(float[] actual, float[] expected, double tol) {
    if (actual.length != expected.length) return "length " + actual.length + " != " + expected.length;
    for (int i = 0; i < actual.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
        return "element " + i + ": " + actual[i] + " != " + expected[i];
      }
    }
    return null;
  }

  static String compare(double[] actual, double[] expected, double tol) {
    if (actual.length != expected.length) return "length " + actual.length + " != " + expected.length;
    for (int i = 0; i < actual.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
        return "element " + i + ": " + actual[i] + " != " + expected[i];
      }
    }
    return null;
  }
}
