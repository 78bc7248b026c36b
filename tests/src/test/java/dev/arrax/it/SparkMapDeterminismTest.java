package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code map} gives bit-identical outputs for the same rows however they are cut: 1, 3 or 17 partitions, batches of
 * 64, 1,000 or 65,536 rows, rows or column batches in (a Parquet scan read as columns and as rows), and equal to
 * {@code jit(vmap(f))} on the whole array in the engine. The function has the parts whose results could depend on
 * a cut: a matmul, a transcendental (tanh), a sum over each row, and its gradient.
 */
class SparkMapDeterminismTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkMapDeterminismTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static final int D = 24;
  static final int H = 40;
  static final int N = 2_000;

  static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  static Fn saliency() {
    Random rng = new Random(5);
    NDArray w1 = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, D * H), D, H);
    NDArray w2 = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, H), H);
    Fn mlp = a -> Np.add(Np.dot(Np.tanh(Np.dot(a[0], w1)), w2), Np.sum(Np.exp(a[0].mul(0.1f))));
    return Arrax.grad(mlp);
  }

  static long[][] bits(List<Row> rows) {
    long[][] out = new long[rows.size()][];
    for (Row r : rows) {
      int id = (int) r.getLong(0);
      float[] g = SparkTestSupport.floats(r, 2);
      out[id] = new long[g.length];
      for (int j = 0; j < g.length; j++) out[id][j] = Float.floatToRawIntBits(g[j]);
    }
    return out;
  }

  @Test
  void outputsAreBitIdenticalAcrossPartitionsBatchSizesAndColumnarOrRowInput(@TempDir Path dir) {
    Random rng = new Random(9);
    List<Row> rows = new ArrayList<>();
    float[] flat = new float[N * D];
    for (int i = 0; i < N; i++) {
      float[] x = SparkTestSupport.gaussianFloats(rng, D);
      System.arraycopy(x, 0, flat, i * D, D);
      rows.add(RowFactory.create((long) i, x));
    }
    Fn f = saliency();
    NDArray engine = Arrax.jit(Arrax.vmap(f)).apply(NDArray.fromFlat(flat, N, D));
    float[] e = engine.toFloatArray();
    long[][] reference = new long[N][D];
    for (int i = 0; i < N; i++) for (int j = 0; j < D; j++) reference[i][j] = Float.floatToRawIntBits(e[i * D + j]);

    List<String> cases = new ArrayList<>();
    for (int partitions : new int[] {1, 3, 17}) {
      for (int batch : new int[] {64, 1000, 65_536}) {
        Dataset<Row> df = SparkTestSupport.frame(spark, rows, SCHEMA, partitions);
        List<Row> got = ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"g"},
            ArraxOptions.defaults().withArrayLength("x", D).withBatchRows(batch)).collectAsList();
        assertEquals(N, got.size());
        long[][] b = bits(got);
        for (int i = 0; i < N; i++) {
          assertTrue(java.util.Arrays.equals(reference[i], b[i]),
              "row " + i + " differs from the engine with " + partitions + " partitions and batches of " + batch);
        }
        cases.add(partitions + "x" + batch);
      }
    }
    String path = dir.resolve("x.parquet").toString();
    SparkTestSupport.frame(spark, rows, SCHEMA, 3).write().parquet(path);
    for (String columnar : new String[] {"true", "false"}) {
      spark.conf().set(ArraxOptions.COLUMNAR_INPUT_KEY, columnar);
      try {
        List<Row> got = ArraxSpark.map(spark.read().parquet(path), f, new String[] {"x"}, new String[] {"g"},
            ArraxOptions.defaults().withArrayLength("x", D).withBatchRows(500)).collectAsList();
        long[][] b = bits(got);
        for (int i = 0; i < N; i++) {
          assertTrue(java.util.Arrays.equals(reference[i], b[i]), "row " + i + " differs from the engine (Parquet, columnar " + columnar + ")");
        }
      } finally {
        spark.conf().unset(ArraxOptions.COLUMNAR_INPUT_KEY);
      }
    }
    assertEquals(9, cases.size());
  }
}
