package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.boxed;
import static dev.arrax.it.SparkTestSupport.compare;
import static dev.arrax.it.SparkTestSupport.doubles;
import static dev.arrax.it.SparkTestSupport.floats;
import static dev.arrax.it.SparkTestSupport.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import dev.arrax.spark.ArraxSparkException;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end tests of {@link ArraxSpark#map} and {@link ArraxSpark#mapMulti} in Spark local[2]: every output
 * row against the engine run on that row alone and against closed forms in float64; input columns (of many
 * Spark types) and row order preserved; null policies; errors raised on the driver before any task runs.
 */
class SparkMapTest {
  private static SparkSession spark;

  static final int D = 8;
  static final int H = 16;
  static final long SEED = 20261126L;
  static NDArray w1;
  static NDArray b1;
  static NDArray w2;
  /** f(x) = tanh(x W1 + b1) . w2 for ONE row x (f32[8]); the weights are constants of the traced program. */
  static Fn mlp;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkMapTest");
    Random rng = new Random(SEED);
    w1 = NDArray.fromFlat(scaled(SparkTestSupport.gaussianFloats(rng, D * H), 1 / Math.sqrt(D)), D, H);
    b1 = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, H), H);
    w2 = NDArray.fromFlat(scaled(SparkTestSupport.gaussianFloats(rng, H), 1 / Math.sqrt(H)), H);
    mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[0], w1), b1)), w2);
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  private static float[] scaled(float[] v, double s) {
    for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * s);
    return v;
  }

  /** d/dx [tanh(x W1 + b1) . w2] = W1 ((1 - t^2) * w2), in float64 from the f32 values. */
  static double[] closedFormSaliency(float[] x) {
    float[] W1 = w1.toFloatArray();
    float[] B1 = b1.toFloatArray();
    float[] W2 = w2.toFloatArray();
    double[] s = new double[H];
    for (int j = 0; j < H; j++) {
      double z = B1[j];
      for (int i = 0; i < D; i++) z += (double) x[i] * W1[i * H + j];
      double t = Math.tanh(z);
      s[j] = (1 - t * t) * W2[j];
    }
    double[] g = new double[D];
    for (int i = 0; i < D; i++) {
      for (int j = 0; j < H; j++) g[i] += W1[i * H + j] * s[j];
    }
    return g;
  }

  static final StructType ID_X = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  static List<float[]> randomRows(long seed, int n, int d) {
    Random rng = new Random(seed);
    List<float[]> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) xs.add(SparkTestSupport.gaussianFloats(rng, d));
    return xs;
  }

  static Dataset<Row> idX(List<float[]> xs, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) rows.add(RowFactory.create((long) i, xs.get(i)));
    return frame(spark, rows, ID_X, partitions);
  }

  @Test
  void perRowGradientsEqualTheEngineRowByRowAndTheClosedForm() {
    int n = 1000;
    List<float[]> xs = randomRows(SEED + 1, n, D);
    Fn saliency = Arrax.grad(mlp);
    // batches of 128 rows: full batches plus a padded last batch in every partition
    Dataset<Row> out = ArraxSpark.map(idX(xs, 3), saliency, new String[] {"x"}, new String[] {"saliency"},
        ArraxOptions.defaults().withBatchRows(128));
    assertEquals("struct<id:bigint,x:array<float>,saliency:array<float>>", out.schema().simpleString());
    List<Row> rows = out.collectAsList();
    assertEquals(n, rows.size());
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      String where = "row " + i + " (seed " + (SEED + 1) + ")";
      assertEquals(i, r.getLong(0), "row order, at " + where);
      assertTrue(Arrays.equals(xs.get(i), floats(r, 1)), "input x must pass through unchanged at " + where);
      float[] got = floats(r, 2);
      float[] engine = saliency.apply(NDArray.fromFlat(xs.get(i), D)).toFloatArray();
      String e = compare(got, engine, 2e-5);
      if (e != null) fail("saliency differs from the engine run on the row alone at " + where + ": " + e);
      double[] closed = closedFormSaliency(xs.get(i));
      double[] gotD = new double[D];
      for (int k = 0; k < D; k++) gotD[k] = got[k];
      e = compare(gotD, closed, 1e-4);
      if (e != null) fail("saliency differs from the closed form at " + where + ": " + e);
    }
  }

  @Test
  void mapMultiGivesValueAndGradientColumnsInOnePass() {
    int n = 300;
    List<float[]> xs = randomRows(SEED + 2, n, D);
    MultiFn vg = Arrax.valueAndGrad(mlp);
    Dataset<Row> out = ArraxSpark.mapMulti(idX(xs, 2), vg, new String[] {"x"}, new String[] {"score", "saliency"},
        ArraxOptions.defaults().withBatchRows(100));
    assertEquals("struct<id:bigint,x:array<float>,score:float,saliency:array<float>>", out.schema().simpleString());
    List<Row> rows = out.collectAsList();
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      NDArray[] engine = vg.apply(NDArray.fromFlat(xs.get(i), D));
      assertEquals(i, r.getLong(0));
      assertEquals(engine[0].item(), r.getFloat(2), 2e-5 * (1 + Math.abs(engine[0].item())), "score at row " + i);
      String e = compare(floats(r, 3), engine[1].toFloatArray(), 2e-5);
      if (e != null) fail("saliency at row " + i + ": " + e);
      // the value is also checked against float64 arithmetic
      double z = 0;
      float[] W1 = w1.toFloatArray();
      float[] B1 = b1.toFloatArray();
      float[] W2 = w2.toFloatArray();
      for (int j = 0; j < H; j++) {
        double a = B1[j];
        for (int k = 0; k < D; k++) a += (double) xs.get(i)[k] * W1[k * H + j];
        z += Math.tanh(a) * W2[j];
      }
      assertEquals(z, r.getFloat(2), 1e-4 * (1 + Math.abs(z)), "score vs float64 at row " + i);
    }
  }

  @Test
  void scalarColumnsOfEveryNumericTypeBecomeZeroDimensionalArrays() {
    StructType schema = new StructType()
        .add("a", DataTypes.DoubleType).add("b", DataTypes.FloatType).add("c", DataTypes.IntegerType)
        .add("d", DataTypes.LongType).add("s", DataTypes.ShortType).add("t", DataTypes.ByteType).add("flag", DataTypes.BooleanType);
    Random rng = new Random(SEED + 3);
    List<Row> rows = new ArrayList<>();
    int n = 257;
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create(rng.nextGaussian(), (float) rng.nextGaussian(), rng.nextInt(1000) - 500, rng.nextLong() >> 20,
          (short) (rng.nextInt(60000) - 30000), (byte) (rng.nextInt(256) - 128), rng.nextBoolean()));
    }
    Fn f = a -> {
      NDArray[] x = new NDArray[7];
      for (int i = 0; i < 6; i++) x[i] = a[i].astype(DType.FLOAT64);
      return x[0].add(x[1].mul(2.0)).add(x[2].mul(3.0)).sub(x[3].div(4.0)).add(x[4].mul(x[5]))
          .add(Np.where(a[6], Np.fullLike(x[0], 10.0), -10.0));
    };
    Dataset<Row> out = ArraxSpark.map(frame(spark, rows, schema, 2), f, new String[] {"a", "b", "c", "d", "s", "t", "flag"},
        new String[] {"y"}, ArraxOptions.defaults().withBatchRows(64));
    assertEquals(DataTypes.DoubleType, out.schema().apply("y").dataType());
    List<Row> got = out.collectAsList();
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      double expected = r.getDouble(0) + 2.0 * r.getFloat(1) + 3.0 * r.getInt(2) - r.getLong(3) / 4.0
          + (double) r.getShort(4) * r.getByte(5) + (r.getBoolean(6) ? 10 : -10);
      assertEquals(expected, got.get(i).getDouble(7), 1e-9 * (1 + Math.abs(expected)), "row " + i + " (seed " + (SEED + 3) + ")");
    }
  }

  @Test
  void severalOutputNamesSplitAVectorOutputIntoScalarColumns() {
    StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType));
    Random rng = new Random(SEED + 4);
    List<Row> rows = new ArrayList<>();
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      xs.add(SparkTestSupport.gaussianDoubles(rng, 5));
      rows.add(RowFactory.create((Object) xs.get(i)));
    }
    Fn stats = a -> Np.stack(Np.sum(a[0]), Np.max(a[0]), Np.min(a[0]));
    Dataset<Row> out = ArraxSpark.map(frame(spark, rows, schema, 2), stats, new String[] {"x"}, new String[] {"s", "mx", "mn"});
    assertEquals("struct<x:array<double>,s:double,mx:double,mn:double>", out.schema().simpleString());
    List<Row> got = out.collectAsList();
    for (int i = 0; i < rows.size(); i++) {
      double[] x = xs.get(i);
      double s = 0;
      double mx = Double.NEGATIVE_INFINITY;
      double mn = Double.POSITIVE_INFINITY;
      for (double v : x) {
        s += v;
        mx = Math.max(mx, v);
        mn = Math.min(mn, v);
      }
      assertEquals(s, got.get(i).getDouble(1), 1e-12, "sum at row " + i);
      assertEquals(mx, got.get(i).getDouble(2), 0.0, "max at row " + i);
      assertEquals(mn, got.get(i).getDouble(3), 0.0, "min at row " + i);
    }
  }

  @Test
  void everyInputColumnOfAnyTypeAndTheRowOrderArePreserved() {
    StructType inner = new StructType().add("a", DataTypes.IntegerType).add("b", DataTypes.StringType);
    StructType schema = new StructType()
        .add("id", DataTypes.LongType)
        .add("name", DataTypes.StringType)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType))
        .add("big", DataTypes.createDecimalType(30, 10))
        .add("small", DataTypes.createDecimalType(10, 2))
        .add("day", DataTypes.DateType)
        .add("ts", DataTypes.TimestampType)
        .add("st", inner)
        .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType))
        .add("x", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("bin", DataTypes.BinaryType);
    Random rng = new Random(SEED + 5);
    List<Row> rows = new ArrayList<>();
    int n = 150;
    for (int i = 0; i < n; i++) {
      boolean nulls = i % 9 == 4;
      rows.add(RowFactory.create((long) i,
          nulls ? null : "name-" + i + "-ünïcødé".repeat(i % 3),
          nulls ? null : new String[] {"t" + i, "", "tag with spaces " + i},
          nulls ? null : new BigDecimal(rng.nextLong()).movePointLeft(10),
          new BigDecimal(rng.nextInt(1_000_000)).movePointLeft(2),
          new Date(86_400_000L * (18_000 + i)),
          nulls ? null : new Timestamp(1_700_000_000_000L + 1000L * i),
          nulls ? null : RowFactory.create(i, "b" + i),
          nulls ? null : scala.jdk.javaapi.CollectionConverters.asScala(Map.of("k" + i, i, "z", -i)),
          SparkTestSupport.gaussianDoubles(rng, 3),
          new byte[] {(byte) i, 1, 2, (byte) (i % 7)}));
    }
    Dataset<Row> in = frame(spark, rows, schema, 4);
    Fn total = a -> Np.sum(a[0]);
    Dataset<Row> out = ArraxSpark.map(in, total, new String[] {"x"}, new String[] {"total"}, ArraxOptions.defaults().withBatchRows(16));
    List<String> names = Arrays.asList(out.schema().fieldNames());
    assertEquals(List.of("id", "name", "tags", "big", "small", "day", "ts", "st", "m", "x", "bin", "total"), names);
    List<Row> expected = in.collectAsList();
    List<Row> got = out.collectAsList();
    assertEquals(n, got.size());
    for (int i = 0; i < n; i++) {
      Row e = expected.get(i);
      Row g = got.get(i);
      for (int c = 0; c < schema.size(); c++) {
        Object ev = e.get(c);
        Object gv = g.get(c);
        boolean same = ev instanceof byte[] eb ? Arrays.equals(eb, (byte[]) gv) : Objects.equals(ev, gv);
        assertTrue(same, "column " + schema.fields()[c].name() + " of row " + i + ": " + ev + " became " + gv);
      }
      double[] x = doubles(e, 9);
      assertEquals(x[0] + x[1] + x[2], g.getDouble(11), 1e-12, "total at row " + i);
    }
  }

  // ---------------------------------------------------------------- nulls

  static final StructType NULLABLE = new StructType()
      .add("id", DataTypes.LongType)
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, true))
      .add("w", DataTypes.DoubleType);

  /** Rows where x is null (i % 7 == 3), x has a null element 1 (i % 11 == 5) or w is null (i % 13 == 6). */
  static List<Row> rowsWithNulls(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Double[] x = {0.25 * i, 1.0, -0.5 * i, 2.0};
      if (i % 11 == 5) x[1] = null;
      rows.add(RowFactory.create((long) i, i % 7 == 3 ? null : x, i % 13 == 6 ? null : 1.0 + i));
    }
    return rows;
  }

  static final Fn SUM_TIMES_W = a -> Np.sum(a[0]).mul(a[1]);

  private static String messageChain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append(" | ");
    return sb.toString();
  }

  @Test
  void nullsFailByDefaultNamingTheColumnAndTheRow() {
    List<Row> rows = rowsWithNulls(40);
    Dataset<Row> df = frame(spark, rows, NULLABLE, 1);
    String[] in = {"x", "w"};
    Dataset<Row> out = ArraxSpark.map(df, SUM_TIMES_W, in, new String[] {"y"});
    SparkException e = assertThrows(SparkException.class, out::collectAsList);
    assertTrue(messageChain(e).contains("ArraxSpark.map: column 'x' is null at row 3 of partition 0"), messageChain(e));

    // an element null, and a scalar null, each alone
    Dataset<Row> elementNull = frame(spark, rows.subList(4, 7), NULLABLE, 1);
    e = assertThrows(SparkException.class, () -> ArraxSpark.map(elementNull, SUM_TIMES_W, in, new String[] {"y"}).collectAsList());
    assertTrue(messageChain(e).contains("column 'x' holds a null at element 1 at row 1 of partition 0"), messageChain(e));
    Dataset<Row> scalarNull = frame(spark, rows.subList(6, 7), NULLABLE, 1);
    e = assertThrows(SparkException.class, () -> ArraxSpark.map(scalarNull, SUM_TIMES_W, in, new String[] {"y"}).collectAsList());
    assertTrue(messageChain(e).contains("column 'w' is null at row 0 of partition 0"), messageChain(e));
  }

  @Test
  void nullRowPolicyGivesNullOutputsExactlyWhereAnInputIsNull() {
    int n = 200;
    List<Row> rows = rowsWithNulls(n);
    Dataset<Row> out = ArraxSpark.map(frame(spark, rows, NULLABLE, 3), SUM_TIMES_W, new String[] {"x", "w"}, new String[] {"y"},
        ArraxOptions.defaults().withNullPolicy(NullPolicy.NULL_ROW).withBatchRows(32));
    assertTrue(out.schema().apply("y").nullable());
    List<Row> got = out.collectAsList();
    int nulls = 0;
    for (int i = 0; i < n; i++) {
      boolean isNull = i % 7 == 3 || i % 11 == 5 || i % 13 == 6;
      if (isNull) {
        nulls++;
        assertTrue(got.get(i).isNullAt(3), "row " + i + " has a null input, so its output must be null");
      } else {
        double expected = (0.25 * i + 1.0 - 0.5 * i + 2.0) * (1.0 + i);
        assertEquals(expected, got.get(i).getDouble(3), 1e-12, "row " + i);
      }
      assertEquals(rows.get(i).get(2), got.get(i).get(2), "input w at row " + i);
    }
    assertTrue(nulls > 40, "the data must contain null rows; found " + nulls);
  }

  @Test
  void fillPolicyReplacesEachNullInputElement() {
    int n = 100;
    Dataset<Row> out = ArraxSpark.map(frame(spark, rowsWithNulls(n), NULLABLE, 2), SUM_TIMES_W, new String[] {"x", "w"},
        new String[] {"y"}, ArraxOptions.defaults().withNullPolicy(NullPolicy.fill(0.5)));
    List<Row> got = out.collectAsList();
    for (int i = 0; i < n; i++) {
      double[] x = {0.25 * i, 1.0, -0.5 * i, 2.0};
      if (i % 11 == 5) x[1] = 0.5;
      if (i % 7 == 3) x = new double[] {0.5, 0.5, 0.5, 0.5};
      double w = i % 13 == 6 ? 0.5 : 1.0 + i;
      double expected = (x[0] + x[1] + x[2] + x[3]) * w;
      assertEquals(expected, got.get(i).getDouble(3), 1e-12, "row " + i);
    }
  }

  @Test
  void sparkConfKeysSetTheNullPolicyAndBatchSize() {
    int n = 60;
    Dataset<Row> df = frame(spark, rowsWithNulls(n), NULLABLE, 2);
    spark.conf().set(ArraxOptions.NULL_POLICY_KEY, "null_row");
    spark.conf().set(ArraxOptions.BATCH_ROWS_KEY, "7");
    spark.conf().set(ArraxOptions.BACKEND_KEY, "auto"); // nothing but the CPU is usable here: auto runs on it (and logs why)
    try {
      List<Row> got = ArraxSpark.map(df, SUM_TIMES_W, new String[] {"x", "w"}, new String[] {"y"}).collectAsList();
      for (int i = 0; i < n; i++) {
        boolean isNull = i % 7 == 3 || i % 11 == 5 || i % 13 == 6;
        assertEquals(isNull, got.get(i).isNullAt(3), "row " + i);
        if (!isNull) assertEquals((0.25 * i + 1.0 - 0.5 * i + 2.0) * (1.0 + i), got.get(i).getDouble(3), 1e-12, "row " + i);
      }
      // explicit options win over the conf
      SparkException e = assertThrows(SparkException.class, () -> ArraxSpark.map(df, SUM_TIMES_W, new String[] {"x", "w"},
          new String[] {"y"}, ArraxOptions.defaults().withNullPolicy(NullPolicy.ERROR)).collectAsList());
      // whichever of the two partitions (30 rows each) fails first, the row named must be one whose x is null
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("column 'x' is null at row (\\d+) of partition (\\d+)")
          .matcher(messageChain(e));
      assertTrue(m.find(), messageChain(e));
      assertEquals(3, (30 * Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(1))) % 7, messageChain(e));
      spark.conf().set(ArraxOptions.BATCH_ROWS_KEY, "many");
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
          () -> ArraxSpark.map(df, SUM_TIMES_W, new String[] {"x", "w"}, new String[] {"y"}));
      assertEquals("spark.arrax.batchRows=many: expected a whole number of rows >= 1", bad.getMessage());
    } finally {
      spark.conf().unset(ArraxOptions.NULL_POLICY_KEY);
      spark.conf().unset(ArraxOptions.BATCH_ROWS_KEY);
      spark.conf().unset(ArraxOptions.BACKEND_KEY);
    }
  }

  // ---------------------------------------------------------------- errors

  /** Counts rows produced by the source of {@link #countingFrame}: any task that reads the data increments it. */
  static final AtomicInteger SOURCE_ROWS_READ = new AtomicInteger();

  static Dataset<Row> countingFrame() {
    StructType schema = new StructType()
        .add("id", DataTypes.LongType)
        .add("x", DataTypes.createArrayType(DataTypes.FloatType))
        .add("name", DataTypes.StringType)
        .add("words", DataTypes.createArrayType(DataTypes.StringType));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) rows.add(RowFactory.create((long) i, new float[] {i, 1f}, "n" + i, new String[] {"w"}));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(rows, 2).map(r -> {
      SOURCE_ROWS_READ.incrementAndGet();
      return r;
    }), schema);
  }

  @Test
  void missingOrMistypedColumnsFailOnTheDriverBeforeAnyTaskRuns() {
    Dataset<Row> df = countingFrame();
    Fn f = a -> Np.sum(a[0]);
    String[] out = {"y"};
    SOURCE_ROWS_READ.set(0);

    ArraxSparkException e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.map(df, f, new String[] {"nope"}, out));
    assertEquals("ArraxSpark.map: input column 'nope' does not exist; the DataFrame has columns "
        + "[id bigint, x array<float>, name string, words array<string>]", e.getMessage());

    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.map(df, f, new String[] {"X"}, out));
    assertTrue(e.getMessage().startsWith("ArraxSpark.map: input column 'X' does not exist (did you mean 'x'? names are matched exactly)"),
        e.getMessage());

    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.map(df, f, new String[] {"name"}, out));
    assertEquals("ArraxSpark.map: input column 'name' has type string, but Arrax reads float, double, int, bigint, smallint, tinyint, "
        + "boolean, array<float>, array<double>, array<int> or array<bigint> columns; cast it first (e.g. col(\"name\").cast(\"double\"))",
        e.getMessage());

    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.map(df, f, new String[] {"words"}, out));
    assertTrue(e.getMessage().startsWith("ArraxSpark.map: input column 'words' has type array<string>, but Arrax reads"), e.getMessage());

    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"name"}));
    assertTrue(e.getMessage().startsWith("ArraxSpark.map: output column 'name' already exists in the DataFrame"), e.getMessage());

    e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.sumGradient(df, f, Map.of("w", NDArray.of(1.0)), new String[] {"name"}));
    assertTrue(e.getMessage().startsWith("ArraxSpark.sumGradient: input column 'name' has type string"), e.getMessage());

    assertEquals(0, SOURCE_ROWS_READ.get(), "no task may read the data before a column error");

    // the counter is live: a valid call reads every row (a length probe, then the map itself)
    assertEquals(20, ArraxSpark.map(df, f, new String[] {"x"}, out).count());
    assertTrue(SOURCE_ROWS_READ.get() >= 20, "rows read: " + SOURCE_ROWS_READ.get());
  }

  @Test
  void functionsThatDoNotFitTheColumnsFailOnTheDriverWithTheTypes() {
    Dataset<Row> df = idX(randomRows(SEED + 6, 10, 3), 1);
    ArraxSparkException e = assertThrows(ArraxSparkException.class,
        () -> ArraxSpark.mapMulti(df, Arrax.valueAndGrad(a -> Np.sum(a[0])), new String[] {"x"}, new String[] {"only"}));
    assertEquals("ArraxSpark.mapMulti: the function returns 2 outputs [f32[], f32[3]] per row but 1 output column names were given "
        + "[only]; give one name per output", e.getMessage());

    e = assertThrows(ArraxSparkException.class,
        () -> ArraxSpark.map(df, a -> Np.outer(a[0], a[0]), new String[] {"x"}, new String[] {"o"}));
    assertTrue(e.getMessage().startsWith("ArraxSpark.map: output 0 of the function is f32[3,3] per row"), e.getMessage());

    e = assertThrows(ArraxSparkException.class,
        () -> ArraxSpark.map(df, a -> Np.dot(a[0], w1), new String[] {"x"}, new String[] {"o"}));
    assertTrue(e.getMessage().startsWith("ArraxSpark.map: tracing the per-row function failed for inputs 'x' (array<float>) as f32[3]: "),
        e.getMessage());
  }

  @Test
  void arraysOfAnotherLengthFailNamingTheColumnAndTheRow() {
    List<float[]> xs = randomRows(SEED + 7, 30, 4);
    xs.set(17, new float[] {1f, 2f, 3f});
    Dataset<Row> out = ArraxSpark.map(idX(xs, 1), a -> Np.sum(a[0]), new String[] {"x"}, new String[] {"s"});
    SparkException e = assertThrows(SparkException.class, out::collectAsList);
    assertTrue(messageChain(e).contains("ArraxSpark.map: column 'x' has 3 elements at row 17 of partition 0, but the function was traced "
        + "for arrays of 4 elements"), messageChain(e));
  }

  @Test
  void emptyFramesGiveEmptyResultsWithTheOutputSchema() {
    Dataset<Row> empty = idX(new ArrayList<>(), 2);
    Dataset<Row> out = ArraxSpark.map(empty, Arrax.grad(mlp), new String[] {"x"}, new String[] {"g"},
        ArraxOptions.defaults().withArrayLength("x", D));
    assertEquals("struct<id:bigint,x:array<float>,g:array<float>>", out.schema().simpleString());
    assertEquals(0, out.count());
    // without the length (no row tells it), a function that needs d = 8 is traced at the first length that traces,
    // only for the output's type: the frame is empty, so no row is computed at it
    Dataset<Row> guessed = ArraxSpark.map(empty, Arrax.grad(mlp), new String[] {"x"}, new String[] {"g"});
    assertEquals("struct<id:bigint,x:array<float>,g:array<float>>", guessed.schema().simpleString());
    assertEquals(0, guessed.count());
    // a function that traces at no length at all still fails, saying how to give the length
    ArraxSparkException e = assertThrows(ArraxSparkException.class,
        () -> ArraxSpark.map(empty, a -> Np.dot(a[0], Np.zeros(100)), new String[] {"x"}, new String[] {"g"}));
    assertTrue(e.getMessage().endsWith("Column 'x' has no non-null row to read its length from; give it with "
        + "ArraxOptions.withArrayLength(\"x\", d)"), e.getMessage());
  }

  @Test
  void theOutputIsAnOrdinaryDataFrame() {
    List<float[]> xs = randomRows(SEED + 8, 500, D);
    Dataset<Row> out = ArraxSpark.map(idX(xs, 4), mlp, new String[] {"x"}, new String[] {"score"}).cache();
    // filter, aggregate and join on the output: Spark plans over it like any other source
    double[] scores = new double[xs.size()];
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      scores[i] = mlp.apply(NDArray.fromFlat(xs.get(i), D)).item();
      sum += scores[i];
    }
    Row agg = out.agg(org.apache.spark.sql.functions.sum("score"), org.apache.spark.sql.functions.count("id")).first();
    assertEquals(sum, agg.getDouble(0), 1e-3);
    assertEquals(500L, agg.getLong(1));
    long positives = java.util.Arrays.stream(scores).filter(v -> v > 0).count();
    assertEquals(positives, out.where("score > 0").count());
    Row r42 = out.select("id", "score").join(idX(xs, 2).select("id"), "id").where("id = 42").first();
    assertEquals(scores[42], r42.getFloat(1), 2e-5);
    // a map of a map's output runs both in the same tasks
    List<Row> chained = ArraxSpark.map(out, a -> a[0].mul(2.0f), new String[] {"score"}, new String[] {"twice"},
        ArraxOptions.defaults().withBatchRows(50)).select("score", "twice").collectAsList();
    for (int i = 0; i < chained.size(); i++) {
      assertEquals(2 * chained.get(i).getFloat(0), chained.get(i).getFloat(1), 0.0, "twice at row " + i);
      assertEquals(scores[i], chained.get(i).getFloat(0), 2e-5, "score at row " + i);
    }
    out.unpersist();
  }
}
