package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connector's Arrow batch path end to end in Spark local[2], driven by the test-only backend
 * {@link ArrowTestBackend} ({@code arrowtest}: claims every segment, accepts only {@code runDirect} with direct
 * buffers that the connector's Arrow allocators hold, computes through the CPU backend). Every result must be
 * the cpu backend's, row for row and bit for bit: map, mapMulti (scalar columns of every type in, outputs of
 * several dtypes out), sumGradient, the three null policies, tails of partitions padded to buckets; and after
 * every job the connector's Arrow memory is back to zero with no task allocator left open.
 */
class SparkArrowBatchTest {
  private static SparkSession spark;
  private AutoCloseable arrowtest;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkArrowBatchTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  @BeforeEach
  void switchOn() {
    arrowtest = ArrowTestBackend.use(ArrowTestBackend.Mode.ALL);
  }

  @AfterEach
  void switchOffAndCheckTheMemory() throws Exception {
    arrowtest.close();
    ArraxSpark.ArrowMemory m = ArraxSpark.arrowMemory();
    assertEquals(0L, m.allocatedBytes(), "Arrow memory still held after the jobs: " + m);
    assertEquals(0, m.openTaskAllocators(), "task allocators left open: " + m);
  }

  static final StructType MIXED = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.FloatType, true), true)
      .add("w", DataTypes.DoubleType, true)
      .add("k", DataTypes.IntegerType, true)
      .add("s", DataTypes.ShortType, true)
      .add("b", DataTypes.ByteType, true)
      .add("n", DataTypes.LongType, true)
      .add("flag", DataTypes.BooleanType, true)
      .add("name", DataTypes.StringType, true);

  /** Rows of every scalar type beside an f32[4] array; with {@code nulls}, a null cell now and then in every column. */
  static Dataset<Row> mixed(int n, int partitions, boolean nulls) {
    Random rng = new Random(31);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = SparkTestSupport.gaussianFloats(rng, 4);
      Object xs = x;
      if (nulls && i % 17 == 5) xs = null;
      if (nulls && i % 23 == 7) xs = new Float[] {x[0], null, x[2], x[3]};
      rows.add(RowFactory.create((long) i, xs,
          nulls && i % 19 == 3 ? null : rng.nextGaussian(),
          nulls && i % 29 == 11 ? null : rng.nextInt(1000) - 500,
          (short) (rng.nextInt(200) - 100),
          (byte) (rng.nextInt(50) - 25),
          nulls && i % 31 == 13 ? null : rng.nextLong() >> 20,
          nulls && i % 37 == 2 ? null : rng.nextBoolean(),
          "row " + i));
    }
    return frame(spark, rows, MIXED, partitions);
  }

  static final String[] INPUTS = {"x", "w", "k", "s", "b", "n", "flag"};

  /**
   * Per row: the gradient of sum(tanh(x)) * w (f32[4]), a combination of every input (f64), 2k + s (i32), and
   * whether it is positive (bool).
   */
  static final MultiFn MANY = a -> {
    Fn g = Arrax.grad(v -> Np.sum(Np.tanh(v[0])).mul(v[1].astype(DType.FLOAT32)));
    NDArray grad = g.apply(a[0], a[1]);
    NDArray value = Np.sum(Np.tanh(a[0])).astype(DType.FLOAT64).mul(a[1])
        .add(a[2].astype(DType.FLOAT64)).add(a[3].astype(DType.FLOAT64)).add(a[4].astype(DType.FLOAT64))
        .add(a[5].astype(DType.FLOAT64).mul(1e-6)).add(a[6].astype(DType.FLOAT64));
    NDArray ints = Np.add(Np.add(a[2], a[2]), a[3]);
    NDArray positive = Np.greater(value, 0.0);
    return new NDArray[] {grad, value, ints, positive};
  };
  static final String[] OUTPUTS = {"g", "v", "i", "p"};

  private static List<Row> mapMulti(Dataset<Row> df, String backend, ArraxOptions o) {
    return ArraxSpark.mapMulti(df, MANY, INPUTS, OUTPUTS, o.withBackend(backend)).collectAsList();
  }

  @Test
  void mapMultiOverEveryColumnTypeGivesTheCpuRowsBitForBit() {
    Dataset<Row> df = mixed(1000, 3, false);
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(128).withArrayLength("x", 4);
    long runs = ArrowTestBackend.DIRECT_RUNS.get();
    List<Row> cpu = mapMulti(df, "cpu", o);
    Dataset<Row> arrowDf = ArraxSpark.mapMulti(df, MANY, INPUTS, OUTPUTS, o.withBackend(ArrowTestBackend.NAME));
    List<Row> arrow = arrowDf.collectAsList();
    // 3 partitions of 333/333/334 rows in batches of 128: 3 x (2 full + one tail padded to a bucket).
    assertEquals(9, ArrowTestBackend.DIRECT_RUNS.get() - runs, "every batch went through runDirect");
    assertEquals(1000, arrow.size());
    assertEquals(cpu, arrow);
    // the plan node says where it ran, and its metrics count the rows run off the CPU
    org.apache.spark.sql.execution.SparkPlan node = SparkPlanNodeTest.arraxNode(SparkPlanNodeTest.qe(arrowDf).executedPlan());
    assertTrue(node.toString().contains(" [backend " + ArrowTestBackend.NAME + "], "), node.toString());
    assertEquals(1000, SparkPlanNodeTest.metric(node, "gpuRows"));
    assertEquals(0, SparkPlanNodeTest.metric(node, "cpuRows"));
    assertEquals(9, SparkPlanNodeTest.metric(node, "numBatches"));
    StructType out = ArraxSpark.mapMulti(df, MANY, INPUTS, OUTPUTS, o.withBackend(ArrowTestBackend.NAME)).schema();
    assertEquals("array<float> double int boolean", out.apply("g").dataType().simpleString() + " " + out.apply("v").dataType().simpleString()
        + " " + out.apply("i").dataType().simpleString() + " " + out.apply("p").dataType().simpleString());
    // and the values are the function's: row 0 through the engine alone
    Row r = arrow.get(0);
    float[] x = SparkTestSupport.floats(r, 1);
    NDArray[] expect = MANY.apply(NDArray.fromFlat(x, 4), NDArray.scalar(r.getDouble(2)), NDArray.scalar(r.getInt(3), DType.INT32),
        NDArray.scalar(r.getShort(4), DType.INT32), NDArray.scalar(r.getByte(5), DType.INT32), NDArray.scalar(r.getLong(6), DType.INT64),
        NDArray.scalar(r.getBoolean(7) ? 1 : 0, DType.BOOL));
    assertEquals(null, SparkTestSupport.compare(SparkTestSupport.floats(r, 9), expect[0].toFloatArray(), 1e-5));
    assertEquals(expect[1].item(), r.getDouble(10), 1e-9 * (1 + Math.abs(expect[1].item())));
    assertEquals((int) expect[2].item(), r.getInt(11));
    assertEquals(r.getDouble(10) > 0, r.getBoolean(12));
    assertTrue(ArraxSpark.arrowMemory().peakBytes() > 0, "the batches were Arrow memory");
  }

  @Test
  void mapOfAnArrayColumnGivesTheCpuRowsAndAutoPicksTheUsableBackend() {
    Random rng = new Random(5);
    NDArray w = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, 8 * 3), 8, 3);
    Fn f = a -> Np.tanh(Np.dot(a[0], w));
    StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 517; i++) rows.add(RowFactory.create((Object) SparkTestSupport.gaussianFloats(rng, 8)));
    Dataset<Row> df = frame(spark, rows, schema, 2);
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(200);
    List<Row> cpu = ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"y"}, o).collectAsList();
    long runs = ArrowTestBackend.DIRECT_RUNS.get();
    List<Row> auto = ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"y"}, o.withBackend("auto")).collectAsList();
    assertTrue(ArrowTestBackend.DIRECT_RUNS.get() - runs >= 4, "auto ran on arrowtest, the usable backend that takes the program");
    assertEquals(cpu, auto);
    for (int i = 0; i < 517; i += 101) {
      float[] expected = f.apply(NDArray.fromFlat(SparkTestSupport.floats(cpu.get(i), 0), 8)).toFloatArray();
      assertEquals(null, SparkTestSupport.compare(SparkTestSupport.floats(auto.get(i), 1), expected, 1e-6), "row " + i);
    }
  }

  @Test
  void nullPoliciesAreHonouredOnTheArrowPath() {
    Dataset<Row> df = mixed(300, 2, true);
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(64).withArrayLength("x", 4);

    ArraxOptions nullRow = o.withNullPolicy(NullPolicy.NULL_ROW);
    List<Row> cpu = mapMulti(df, "cpu", nullRow);
    List<Row> arrow = mapMulti(df, ArrowTestBackend.NAME, nullRow);
    assertEquals(cpu, arrow);
    int nullRows = 0;
    for (int i = 0; i < 300; i++) {
      boolean isNull = i % 17 == 5 || i % 23 == 7 || i % 19 == 3 || i % 29 == 11 || i % 31 == 13 || i % 37 == 2;
      for (int c = 9; c < 13; c++) assertEquals(isNull, arrow.get(i).isNullAt(c), "row " + i + " column " + c);
      if (isNull) nullRows++;
    }
    assertTrue(nullRows > 40, "nulls in " + nullRows + " rows");

    ArraxOptions fill = o.withNullPolicy(NullPolicy.fill(1.0));
    assertEquals(mapMulti(df, "cpu", fill), mapMulti(df, ArrowTestBackend.NAME, fill));

    Dataset<Row> one = mixed(60, 1, true);
    SparkException cpuError = assertThrows(SparkException.class, () -> mapMulti(one, "cpu", o));
    SparkException arrowError = assertThrows(SparkException.class, () -> mapMulti(one, ArrowTestBackend.NAME, o));
    String expected = "ArraxSpark.mapMulti: column 'flag' is null at row 2 of partition 0 (rows counted from 0 within the partition)";
    assertTrue(messages(cpuError).contains(expected), messages(cpuError));
    assertTrue(messages(arrowError).contains(expected), messages(arrowError));
  }

  private static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append(" | ");
    return sb.toString();
  }

  @Test
  void aTaskThatStopsEarlyClosesItsArrowMemory() {
    Dataset<Row> df = mixed(2000, 2, false);
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(100).withArrayLength("x", 4).withBackend(ArrowTestBackend.NAME);
    List<Row> first = ArraxSpark.mapMulti(df, MANY, INPUTS, OUTPUTS, o).limit(5).collectAsList();
    assertEquals(5, first.size());
    List<Row> cpu = mapMulti(df, "cpu", o);
    for (Row r : first) assertEquals(cpu.get((int) r.getLong(0)), r);
  }

  // ---------------------------------------------------------------- sumGradient

  static final StructType XT = new StructType()
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
      .add("t", DataTypes.FloatType, true);

  /** 0.5 (x W + b - t)^2 summed over the 2 outputs, for ONE row: a[0] = W [3,2] (f32), a[1] = b [2] (f64), a[2] = x [3], a[3] = t. */
  static final Fn LOSS = a -> {
    NDArray z = Np.add(Np.dot(a[2], a[0].astype(DType.FLOAT64)), a[1]);
    NDArray r = Np.subtract(z, a[3].astype(DType.FLOAT64));
    return Np.sum(Np.multiply(r, r)).mul(0.5);
  };

  @Test
  void sumGradientGivesTheCpuSumsBitForBitWithAndWithoutNulls() {
    Random rng = new Random(11);
    List<Row> rows = new ArrayList<>();
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      double[] x = SparkTestSupport.gaussianDoubles(rng, 3);
      xs.add(x);
      rows.add(RowFactory.create(i % 41 == 9 ? null : x, i % 43 == 4 ? null : (float) rng.nextGaussian()));
    }
    Dataset<Row> df = frame(spark, rows, XT, 4);
    Map<String, NDArray> params = Map.of("W", NDArray.fromFlat(new float[] {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f}, 3, 2),
        "b", NDArray.of(0.1, -0.2));
    String[] features = {"x", "t"};
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(128).withArrayLength("x", 3).withNullPolicy(NullPolicy.NULL_ROW);

    ArrowTestBackend.ROW_MAPPED.clear();
    ArraxSpark.GradientSum cpu = ArraxSpark.sumValueAndGradient(df, LOSS, params, features, o);
    long runs = ArrowTestBackend.DIRECT_RUNS.get();
    ArraxSpark.GradientSum arrow = ArraxSpark.sumValueAndGradient(df, LOSS, params, features, o.withBackend(ArrowTestBackend.NAME));
    assertTrue(ArrowTestBackend.DIRECT_RUNS.get() - runs >= 8, "4 partitions of 225 rows in batches of 128");
    long used = rows.stream().filter(r -> !r.isNullAt(0) && !r.isNullAt(1)).count();
    assertEquals(used, cpu.rows());
    assertEquals(cpu.rows(), arrow.rows());
    assertEquals(cpu.value(), arrow.value());
    assertArrayEquals(cpu.gradient().get("W").toFloatArray(), arrow.gradient().get("W").toFloatArray());
    assertArrayEquals(cpu.gradient().get("b").toDoubleArray(), arrow.gradient().get("b").toDoubleArray());
    // The plans the backend compiled: W and b unmapped, x, t and the mask mapped over the rows.
    assertTrue(ArrowTestBackend.ROW_MAPPED.contains("128 [false, false, true, true, true]"), ArrowTestBackend.ROW_MAPPED.toString());

    // the float64 loop over the rows used
    double[] gw = new double[6];
    double[] gb = new double[2];
    double[] w = {0.5, -1, 2, 0.25, -0.75, 1.5};
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      if (r.isNullAt(0) || r.isNullAt(1)) continue;
      double[] x = xs.get(i);
      for (int k = 0; k < 2; k++) {
        double res = (k == 0 ? 0.1 : -0.2) - r.getFloat(1);
        for (int j = 0; j < 3; j++) res += x[j] * w[j * 2 + k];
        gb[k] += res;
        for (int j = 0; j < 3; j++) gw[j * 2 + k] += x[j] * res;
      }
    }
    assertEquals(null, SparkTestSupport.compare(arrow.gradient().get("b").toDoubleArray(), gb, 1e-9));
    float[] gwf = new float[6];
    for (int i = 0; i < 6; i++) gwf[i] = (float) gw[i];
    assertEquals(null, SparkTestSupport.compare(arrow.gradient().get("W").toFloatArray(), gwf, 1e-6));
  }
}
