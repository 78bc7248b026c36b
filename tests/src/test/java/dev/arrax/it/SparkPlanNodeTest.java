package dev.arrax.it;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.nio.file.Files;
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
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@link ArraxSpark#map} as a node of Spark's query plan: {@code ArraxMap} shows in the executed plan above the
 * upstream plan, whose filters still reach a Parquet scan and whose unused columns are pruned; its SQL metrics
 * count the rows and batches; array lengths that the plan tells need no Spark job; the planner strategy is
 * registered once per session; a cached map's output is found by later queries.
 */
class SparkPlanNodeTest {
  private static SparkSession spark;
  private static JobLog JOBS;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkPlanNodeTest");
    JOBS = JobLog.attach(spark);
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static org.apache.spark.sql.execution.QueryExecution qe(Dataset<Row> df) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) df).queryExecution();
  }

  /** The first node of the executed plan named ArraxMap (depth first). */
  static SparkPlan arraxNode(SparkPlan p) {
    if (p.nodeName().equals("ArraxMap")) return p;
    for (SparkPlan c : CollectionConverters.asJava(p.children())) {
      SparkPlan f = arraxNode(c);
      if (f != null) return f;
    }
    return null;
  }

  static long metric(SparkPlan node, String key) {
    SQLMetric m = node.metrics().apply(key);
    return m.value();
  }

  static final StructType ID_X = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  static List<Row> rows(int n, int d, long seed) {
    Random rng = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) rows.add(RowFactory.create((long) i, SparkTestSupport.gaussianFloats(rng, d)));
    return rows;
  }

  static final Fn SUM2 = a -> Np.sum(a[0]).mul(2.0f);

  @Test
  void explainShowsTheNodeAboveAParquetScanThatKeepsItsPushedFiltersAndPrunedColumns(@TempDir Path dir) throws Exception {
    StructType schema = new StructType().add("id", DataTypes.LongType).add("x", DataTypes.createArrayType(DataTypes.FloatType))
        .add("a", DataTypes.DoubleType).add("name", DataTypes.StringType);
    List<Row> data = new ArrayList<>();
    Map<Long, Float> expected = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      float[] x = {i, 0.5f, -1f, 0.25f * i};
      data.add(RowFactory.create((long) i, x, i / 100.0, "row " + i));
      if (i / 100.0 > 2.5) expected.put((long) i, (x[0] + x[1] + x[2] + x[3]) * 2f);
    }
    String path = dir.resolve("t.parquet").toString();
    spark.createDataFrame(data, schema).repartition(3).write().parquet(path);
    assertTrue(Files.exists(dir.resolve("t.parquet")));

    Dataset<Row> in = spark.read().parquet(path).where("a > 2.5");
    Dataset<Row> out = ArraxSpark.map(in, SUM2, new String[] {"x"}, new String[] {"y"},
        ArraxOptions.defaults().withArrayLength("x", 4).withBatchRows(64)).select("id", "y");
    List<Row> got = out.collectAsList();
    assertEquals(expected.size(), got.size());
    for (Row r : got) assertEquals(expected.get(r.getLong(0)), r.getFloat(1), 0f, "y of id " + r.getLong(0));

    String plan = qe(out).executedPlan().toString();
    System.out.println("SparkPlanNodeTest: executed plan of a map over a filtered Parquet scan:\n" + plan);
    int node = plan.indexOf("ArraxMap f(x) -> y [backend cpu], program ");
    assertTrue(node >= 0, plan);
    assertTrue(plan.contains(", 64 rows per batch"), plan);
    int filter = plan.indexOf("Filter (isnotnull(a#");
    int scan = plan.indexOf("FileScan parquet");
    assertTrue(node < filter && filter < scan, "the map sits above the filter, above the scan:\n" + plan);
    assertTrue(plan.contains("PushedFilters: [IsNotNull(a), GreaterThan(a,2.5)]"), plan);
    // id and y are selected: the unused column 'name' is not read, the map's input x and the filter's a are
    assertTrue(plan.contains("ReadSchema: struct<id:bigint,x:array<float>,a:double>"), plan);
    String optimized = qe(out).optimizedPlan().toString();
    assertTrue(optimized.contains("ArraxMap f(x) -> y [backend cpu]"), optimized);
    assertTrue(optimized.contains("Relation [id#"), optimized);
  }

  @Test
  void sqlMetricsCountRowsBatchesAndBackends() {
    int n = 1000;
    Dataset<Row> in = SparkTestSupport.frame(spark, rows(n, 8, 7), ID_X, 3); // partitions of 333, 333, 334 rows
    Dataset<Row> out = ArraxSpark.map(in, Arrax.grad(SUM2), new String[] {"x"}, new String[] {"g"},
        ArraxOptions.defaults().withArrayLength("x", 8).withBatchRows(128).withName("twice"));
    List<Row> got = out.collectAsList();
    assertEquals(n, got.size());
    for (Row r : got) assertEquals(List.of(2f, 2f, 2f, 2f, 2f, 2f, 2f, 2f), r.getList(2), "g of row " + r.getLong(0));
    SparkPlan node = arraxNode(qe(out).executedPlan());
    assertNotNull(node, qe(out).executedPlan().toString());
    assertTrue(node.toString().startsWith("ArraxMap twice [backend cpu], program "), node.toString());
    assertEquals(n, metric(node, "numOutputRows"));
    assertEquals(9, metric(node, "numBatches"), "3 batches (128 + 128 + 77 or 78 rows) in each of 3 partitions");
    assertEquals(n, metric(node, "cpuRows"));
    assertEquals(0, metric(node, "gpuRows"));
    assertTrue(metric(node, "kernelTime") > 0, "kernel time " + metric(node, "kernelTime"));
    assertTrue(metric(node, "compileTime") >= 0);
    assertEquals("number of output rows", node.metrics().apply("numOutputRows").name().get());
    assertEquals("rows on GPU", node.metrics().apply("gpuRows").name().get());
  }

  @Test
  void arrayLengthsThatThePlanTellsNeedNoSparkJob() {
    int d = 5;
    List<Row> local = rows(50, d, 11);
    int before = JOBS.started.size();
    // local data (the driver holds its rows), array(...) of columns, and the array output of an earlier map
    Dataset<Row> a = ArraxSpark.map(spark.createDataFrame(local, ID_X), SUM2, new String[] {"x"}, new String[] {"s"});
    Dataset<Row> b = ArraxSpark.map(spark.range(30).select(col("id"), array(col("id").cast("float"), col("id").cast("float")).as("v")),
        SUM2, new String[] {"v"}, new String[] {"s"});
    Dataset<Row> g = ArraxSpark.map(a, Arrax.grad(SUM2), new String[] {"x"}, new String[] {"g"});
    Dataset<Row> h = ArraxSpark.map(g, a2 -> Np.dot(a2[0], a2[1]), new String[] {"g", "x"}, new String[] {"h"});
    assertEquals(List.of(), JOBS.since(before), "no job may run to learn an array length the plan tells");
    assertEquals("struct<id:bigint,x:array<float>,s:float,g:array<float>,h:float>", h.schema().simpleString());
    assertEquals(5L, h.schema().apply("g").metadata().getLong(ArraxSpark.ARRAY_LENGTH_METADATA));

    List<Row> hs = h.collectAsList();
    for (int i = 0; i < local.size(); i++) {
      float[] x = (float[]) local.get(i).get(1);
      double sum = 0;
      for (float v : x) sum += v;
      assertEquals(2 * sum, hs.get(i).getFloat(4), 1e-4, "h = grad(2 sum x) . x at row " + i);
    }
    List<Row> bs = b.collectAsList();
    for (int i = 0; i < 30; i++) assertEquals(4f * i, bs.get(i).getFloat(2), 0f, "s at row " + i);

    // an RDD's schema does not tell the length: one small job reads it from the first non-null row, as before
    Dataset<Row> rdd = SparkTestSupport.frame(spark, rows(20, d, 12), ID_X, 2);
    int mark = JOBS.started.size();
    Dataset<Row> r = ArraxSpark.map(rdd, SUM2, new String[] {"x"}, new String[] {"s"});
    List<String> jobs = JOBS.since(mark);
    assertEquals(List.of("ArraxSpark.map: length of array column 'x' (first non-null row)"), jobs);
    assertEquals(20, r.count());
  }

  @Test
  void thePlannerStrategyIsRegisteredOncePerSessionAndCachedOutputIsReused() {
    Dataset<Row> in = SparkTestSupport.frame(spark, rows(100, 3, 13), ID_X, 2);
    ArraxOptions o = ArraxOptions.defaults().withArrayLength("x", 3);
    Dataset<Row> out = ArraxSpark.map(in, SUM2, new String[] {"x"}, new String[] {"s"}, o);
    ArraxSpark.map(out, SUM2, new String[] {"x"}, new String[] {"t"}, o);
    long registered = CollectionConverters.asJava(((org.apache.spark.sql.classic.SparkSession) spark).experimental().extraStrategies())
        .stream().filter(s -> s.getClass().getName().endsWith("MapStrategy")).count();
    assertEquals(1, registered);

    // a self-join: the two sides' copies of the map's output column are told apart
    List<Row> joined = out.alias("l").join(out.alias("r"), col("l.id").equalTo(col("r.id").minus(1)))
        .select(col("l.id"), col("l.s"), col("r.s")).orderBy("l.id").collectAsList();
    List<Row> single = out.orderBy("id").collectAsList();
    assertEquals(99, joined.size());
    for (int i = 0; i < 99; i++) {
      assertEquals(single.get(i).getFloat(2), joined.get(i).getFloat(1), 0f, "l.s at id " + i);
      assertEquals(single.get(i + 1).getFloat(2), joined.get(i).getFloat(2), 0f, "r.s at id " + i);
    }

    out.cache();
    try {
      assertEquals(100, out.count());
      String plan = qe(out.select("s")).executedPlan().toString();
      assertTrue(plan.contains("InMemoryTableScan"), "a later query over the cached map reads the cache:\n" + plan);
      assertTrue(!plan.contains("ArraxMap") || plan.indexOf("InMemoryTableScan") < plan.indexOf("ArraxMap"), plan);
    } finally {
      out.unpersist();
    }
  }

  @Test
  void cpuBatchesHoldAtMost8192RowsWhateverBatchRowsSays() {
    int n = 20_000;
    List<Row> data = rows(n, 4, 11);
    Dataset<Row> in = SparkTestSupport.frame(spark, data, ID_X, 1);
    Dataset<Row> out = ArraxSpark.map(in, a -> a[0].mul(2.0).add(1.0), new String[] {"x"}, new String[] {"y"},
        ArraxOptions.defaults().withArrayLength("x", 4).withName("affine"));
    List<Row> got = out.collectAsList();
    assertEquals(n, got.size());
    for (int i = 0; i < n; i++) {
      Row r = got.get(i);
      assertEquals(i, r.getLong(0));
      float[] x = (float[]) data.get(i).get(1);
      List<Object> y = r.getList(2);
      for (int j = 0; j < 4; j++) {
        float want = (float) (2.0 * x[j] + 1.0); // exact in double, then one rounding: what float arithmetic gives
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits((Float) y.get(j)), "row " + i + " element " + j);
      }
    }
    SparkPlan node = arraxNode(qe(out).executedPlan());
    assertTrue(node.toString().contains("65536 rows per batch"), node.toString());
    assertEquals(n, metric(node, "cpuRows"));
    assertEquals(3, metric(node, "numBatches"), "8192 + 8192 + 3616 rows: the CPU path's batches are at most 8192 rows");
  }
}
