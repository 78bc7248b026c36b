package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A map over a plan that produces columnar batches (a vectorized Parquet scan, the columnar cache) reads its inputs
 * as columns: the executed plan has no row conversion between the scan and {@code ArraxMap}, the node is columnar,
 * and the results are bit-identical to the row path ({@code spark.arrax.columnarInput=false}) and equal to a Java
 * loop; nulls follow the policy and bad lengths name the column and row; batches longer than the map's batch size
 * run in slices.
 */
class SparkColumnarInputTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkColumnarInputTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType).add("x", DataTypes.createArrayType(DataTypes.FloatType))
      .add("s", DataTypes.DoubleType).add("name", DataTypes.StringType);

  /** y = sum(x * x) * s (f64), z = x[0:3] * 2 (an f32 array column of 3), w = x + 1 (an f32 array column of 8). */
  static final MultiFn F = a -> {
    NDArray x = a[0];
    NDArray s = a[1];
    NDArray y = Np.sum(x.mul(x)).astype(dev.arrax.DType.FLOAT64).mul(s);
    NDArray z = dev.arrax.Lax.sliceInDim(x, 0, 3, 1, 0).mul(2.0f);
    return new NDArray[] {y, z, x.add(1.0f)};
  };

  static List<Row> data(int n, int d, long seed) {
    Random rng = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) rows.add(RowFactory.create((long) i, SparkTestSupport.gaussianFloats(rng, d), rng.nextGaussian(), "r" + i));
    return rows;
  }

  static String parquet(List<Row> rows, Path dir, int files) {
    String path = dir.resolve("in.parquet").toString();
    spark.createDataFrame(rows, SCHEMA).repartition(files).write().parquet(path);
    return path;
  }

  static Dataset<Row> map(Dataset<Row> in, ArraxOptions o) {
    return ArraxSpark.mapMulti(in, F, new String[] {"x", "s"}, new String[] {"y", "z", "w"}, o.withArrayLength("x", 8));
  }

  static SparkPlan arraxNode(SparkPlan p) {
    return SparkPlanNodeTest.arraxNode(p);
  }

  static Map<Long, Row> byId(List<Row> rows) {
    Map<Long, Row> m = new HashMap<>();
    for (Row r : rows) m.put(r.getLong(0), r);
    return m;
  }

  static List<Row> withConf(String key, String value, java.util.function.Supplier<List<Row>> body) {
    spark.conf().set(key, value);
    try {
      return body.get();
    } finally {
      spark.conf().unset(key);
    }
  }

  @Test
  void aParquetScanIsReadAsColumnsWithResultsBitIdenticalToTheRowPathAndAJavaLoop(@TempDir Path dir) {
    int n = 10_000;
    List<Row> rows = data(n, 8, 11);
    String path = parquet(rows, dir, 3);
    Dataset<Row> out = map(spark.read().parquet(path), ArraxOptions.defaults().withBatchRows(1000));
    SparkPlan plan = SparkPlanNodeTest.qe(out).executedPlan();
    SparkPlan node = arraxNode(plan);
    assertNotNull(node, plan.toString());
    assertTrue(node.supportsColumnar(), "the map reads columns:\n" + plan);
    SparkPlan child = CollectionConverters.asJava(node.children()).get(0);
    assertTrue(child.nodeName().contains("Scan parquet"), "no row conversion between the scan and the map:\n" + plan);
    assertTrue(plan.toString().indexOf("ColumnarToRow") < plan.toString().indexOf("ArraxMap"), "rows are made above the map:\n" + plan);

    List<Row> columnar = out.collectAsList();
    List<Row> rowPath = withConf(ArraxOptions.COLUMNAR_INPUT_KEY, "false",
        () -> map(spark.read().parquet(path), ArraxOptions.defaults().withBatchRows(1000)).collectAsList());
    assertEquals(n, columnar.size());
    assertEquals(n, rowPath.size());
    Map<Long, Row> expectedIn = byId(rows);
    Map<Long, Row> rowsById = byId(rowPath);
    for (Row r : columnar) {
      long id = r.getLong(0);
      Row src = expectedIn.get(id);
      float[] x = (float[]) src.get(1);
      double sq = 0;
      for (float v : x) sq += (double) (v * v);
      // float32 sum of squares (order may differ from this double loop): compare loosely with the loop, exactly with the row path
      assertEquals(sq * src.getDouble(2), r.getDouble(4), 1e-5 * Math.max(1, Math.abs(sq * src.getDouble(2))), "y of id " + id);
      List<Float> z = r.getList(5);
      for (int j = 0; j < 3; j++) assertEquals(x[j] * 2f, z.get(j), 0f, "z" + j + " of id " + id);
      List<Float> w = r.getList(6);
      for (int j = 0; j < 8; j++) assertEquals(x[j] + 1f, w.get(j), 0f, "w[" + j + "] of id " + id);
      Row other = rowsById.get(id);
      assertEquals(Double.doubleToRawLongBits(other.getDouble(4)), Double.doubleToRawLongBits(r.getDouble(4)), "y bits of id " + id);
      assertEquals(other.getList(6), r.getList(6));
    }
    // 10,000 rows in 3 files, Parquet batches of up to 4,096 rows, each run in slices of at most 1,000 rows
    assertEquals(n, SparkPlanNodeTest.metric(node, "numOutputRows"));
    long batches = SparkPlanNodeTest.metric(node, "numBatches");
    assertTrue(batches >= 10 && batches <= 15, "batches: " + batches);
  }

  /** On a backend other than the CPU (the Arrow test backend) the columns go into Arrow batches for runDirect. */
  @Test
  void onAnArrowBackendTheColumnsGoIntoArrowBatches(@TempDir Path dir) throws Exception {
    List<Row> rows = data(3000, 8, 17);
    String path = parquet(rows, dir, 2);
    List<Row> cpu = map(spark.read().parquet(path), ArraxOptions.defaults().withBatchRows(500)).collectAsList();
    long runs = ArrowTestBackend.DIRECT_RUNS.get();
    List<Row> arrow;
    SparkPlan node;
    try (AutoCloseable use = ArrowTestBackend.use(ArrowTestBackend.Mode.ALL)) {
      Dataset<Row> out = map(spark.read().parquet(path), ArraxOptions.defaults().withBatchRows(500).withBackend(ArrowTestBackend.NAME));
      arrow = out.collectAsList();
      node = arraxNode(SparkPlanNodeTest.qe(out).executedPlan());
    }
    assertTrue(node.supportsColumnar(), node.toString());
    assertEquals(3000, SparkPlanNodeTest.metric(node, "gpuRows"), "every row ran off the CPU");
    assertTrue(ArrowTestBackend.DIRECT_RUNS.get() - runs >= 6, "batches of at most 500 rows went to runDirect");
    assertEquals(0, ArraxSpark.arrowMemory().allocatedBytes(), "every task closed its Arrow memory");
    Map<Long, Row> byId = byId(cpu);
    assertEquals(3000, arrow.size());
    for (Row r : arrow) {
      Row c = byId.get(r.getLong(0));
      assertEquals(Double.doubleToRawLongBits(c.getDouble(4)), Double.doubleToRawLongBits(r.getDouble(4)), "y of id " + r.getLong(0));
      assertEquals(c.getList(5), r.getList(5));
      assertEquals(c.getList(6), r.getList(6));
    }
  }

  @Test
  void theRowPathStaysWhenTheSettingIsOff(@TempDir Path dir) {
    String path = parquet(data(100, 8, 3), dir, 1);
    spark.conf().set(ArraxOptions.COLUMNAR_INPUT_KEY, "false");
    try {
      SparkPlan node = arraxNode(SparkPlanNodeTest.qe(map(spark.read().parquet(path), ArraxOptions.defaults())).executedPlan());
      assertTrue(!node.supportsColumnar(), node.toString());
      String plan = node.toString();
      assertTrue(plan.indexOf("ArraxMap") < plan.indexOf("ColumnarToRow"), "rows are made below the map:\n" + plan);
    } finally {
      spark.conf().unset(ArraxOptions.COLUMNAR_INPUT_KEY);
    }
  }

  static final StructType NULLABLE = new StructType().add("id", DataTypes.LongType)
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, true), true);

  static final Fn TOTAL = a -> Np.sum(a[0]);

  @Test
  void nullsFollowThePolicyAndBadLengthsNameTheColumnAndRow(@TempDir Path dir) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Object x = switch (i % 10) {
        case 3 -> null;
        case 7 -> new Double[] {1.0, null, 2.0};
        default -> new Double[] {(double) i, 1.0, 0.5};
      };
      rows.add(RowFactory.create((long) i, x));
    }
    String path = dir.resolve("nulls.parquet").toString();
    spark.createDataFrame(rows, NULLABLE).coalesce(1).write().parquet(path);
    Dataset<Row> in = spark.read().parquet(path);

    ArraxOptions o = ArraxOptions.defaults().withArrayLength("x", 3);
    Dataset<Row> nullRows = ArraxSpark.map(in, TOTAL, new String[] {"x"}, new String[] {"t"}, o.withNullPolicy(NullPolicy.NULL_ROW));
    assertTrue(arraxNode(SparkPlanNodeTest.qe(nullRows).executedPlan()).supportsColumnar());
    for (Row r : nullRows.collectAsList()) {
      long i = r.getLong(0);
      if (i % 10 == 3 || i % 10 == 7) assertTrue(r.isNullAt(2), "row " + i + " has a null input: null output");
      else assertEquals(i + 1.5, r.getDouble(2), 0.0, "t of row " + i);
    }
    Dataset<Row> filled = ArraxSpark.map(in, TOTAL, new String[] {"x"}, new String[] {"t"}, o.withNullPolicy(NullPolicy.fill(10.0)));
    for (Row r : filled.collectAsList()) {
      long i = r.getLong(0);
      double expected = i % 10 == 3 ? 30.0 : i % 10 == 7 ? 13.0 : i + 1.5;
      assertEquals(expected, r.getDouble(2), 0.0, "t of row " + i);
    }
    Exception e = assertThrows(Exception.class,
        () -> ArraxSpark.map(in, TOTAL, new String[] {"x"}, new String[] {"t"}, o).collectAsList());
    assertTrue(messages(e).contains("column 'x' is null at row 3 of partition 0"), messages(e));

    List<Row> ragged = List.of(RowFactory.create(0L, new Double[] {1.0, 2.0, 3.0}), RowFactory.create(1L, new Double[] {1.0, 2.0}));
    String raggedPath = dir.resolve("ragged.parquet").toString();
    spark.createDataFrame(ragged, NULLABLE).coalesce(1).write().parquet(raggedPath);
    Exception bad = assertThrows(Exception.class, () -> ArraxSpark.map(spark.read().parquet(raggedPath), TOTAL, new String[] {"x"},
        new String[] {"t"}, o).collectAsList());
    assertTrue(messages(bad).contains("column 'x' has 2 elements at row 1 of partition 0, but the function was traced for arrays of 3"),
        messages(bad));
  }

  @Test
  void aCachedFrameOfScalarColumnsIsReadAsColumns() {
    StructType schema = new StructType().add("a", DataTypes.DoubleType, false).add("b", DataTypes.IntegerType, false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) rows.add(RowFactory.create(i * 0.5, i));
    Dataset<Row> cached = SparkTestSupport.frame(spark, rows, schema, 2).cache();
    try {
      Fn f = a -> a[0].mul(a[1].astype(dev.arrax.DType.FLOAT64)).add(1.0);
      Dataset<Row> out = ArraxSpark.map(cached, f, new String[] {"a", "b"}, new String[] {"c"}, ArraxOptions.defaults());
      SparkPlan node = arraxNode(SparkPlanNodeTest.qe(out).executedPlan());
      assertTrue(node.supportsColumnar(), SparkPlanNodeTest.qe(out).executedPlan().toString());
      List<Row> got = out.collectAsList();
      assertEquals(3000, got.size());
      for (Row r : got) assertEquals(r.getDouble(0) * r.getInt(1) + 1.0, r.getDouble(2), 0.0);
    } finally {
      cached.unpersist();
    }
  }

  /** A [4] output split into 4 scalar columns of each dtype, read from columns, against a Java loop. */
  @Test
  void splitOutputsOfEveryDtypeAreWrittenAsColumns(@TempDir Path dir) {
    List<Row> rows = data(700, 8, 21);
    String path = parquet(rows, dir, 2);
    Map<Long, Row> in = byId(rows);
    for (dev.arrax.DType d : dev.arrax.DType.values()) {
      Fn f = a -> {
        NDArray s = dev.arrax.Lax.sliceInDim(a[0], 2, 6, 1, 0);
        return s.mul(s).mul(3.0f).astype(d); // >= 0: every dtype converts it without sign questions
      };
      Dataset<Row> out = ArraxSpark.map(spark.read().parquet(path), f, new String[] {"x"}, new String[] {"a", "b", "c", "e"},
          ArraxOptions.defaults().withArrayLength("x", 8).withBatchRows(256));
      assertTrue(arraxNode(SparkPlanNodeTest.qe(out).executedPlan()).supportsColumnar());
      for (Row r : out.collectAsList()) {
        float[] x = (float[]) in.get(r.getLong(0)).get(1);
        for (int j = 0; j < 4; j++) {
          float v = x[2 + j] * x[2 + j] * 3f;
          Object expected = switch (d) {
            case FLOAT32 -> v;
            case FLOAT64 -> (double) v;
            case INT32 -> (int) v;
            case INT64 -> (long) v;
            case UINT32 -> (long) (int) v;
            case BOOL -> v != 0f;
          };
          assertEquals(expected, r.get(4 + j), d + " column " + j + " of id " + r.getLong(0));
        }
      }
    }
  }

  @Test
  void anEmptyParquetFileGivesNoRows(@TempDir Path dir) {
    String path = dir.resolve("empty.parquet").toString();
    spark.createDataFrame(new ArrayList<Row>(), SCHEMA).coalesce(1).write().parquet(path);
    Dataset<Row> out = map(spark.read().parquet(path), ArraxOptions.defaults());
    assertEquals(List.of("id", "x", "s", "name", "y", "z", "w"), List.of(out.columns()));
    assertEquals(0, out.collectAsList().size());
  }

  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) b.append(c.getMessage()).append(" | ");
    return b.toString();
  }
}
