package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.compare;
import static dev.arrax.it.SparkTestSupport.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector across process boundaries: Spark's {@code local-cluster[2,1,1024]} runs a master, two workers
 * and two executor JVMs, so the traced programs travel as text to other processes, are compiled there, and
 * the results come back. Nothing of the user's lambdas is serialized (they are not Serializable).
 *
 * <p>Executors are launched from the test classpath ({@code spark.executor.extraClassPath}, absolute paths)
 * with SPARK_HOME pointing at a folder with an empty {@code jars/} and SPARK_SCALA_VERSION set (the module's
 * surefire configuration sets both).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    String home = System.getenv("SPARK_HOME");
    if (home == null || System.getenv("SPARK_SCALA_VERSION") == null) {
      fail("SPARK_HOME and SPARK_SCALA_VERSION must be set for local-cluster (the tests module's surefire configuration sets them)");
    }
    Files.createDirectories(Path.of(home, "jars"));
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String absolute = Stream.of(cp.split(File.pathSeparator)).filter(s -> !s.isEmpty())
        .map(s -> new File(s).getAbsolutePath()).collect(Collectors.joining(File.pathSeparator));
    spark = SparkSession.builder()
        .appName("SparkClusterTest")
        .master("local-cluster[2,1,1024]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.executor.extraClassPath", absolute)
        .config("spark.executor.extraJavaOptions", "-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector "
            + "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
        // a task lost with its executor (anExecutorKilledMidJob...) is tried again; no other test here fails a task
        .config("spark.task.maxFailures", "4")
        .getOrCreate();
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // the driver is listed too
      if (System.nanoTime() > deadline) fail("the two executors of local-cluster did not register within 90 s");
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  /** Runs in the executor, in the same task as the Arrax kernel that produced the rows: reports that JVM's process id. */
  static final class ProcessOfPartition implements FlatMapFunction<Iterator<Row>, Long> {
    @Override public Iterator<Long> call(Iterator<Row> rows) {
      long n = 0;
      while (rows.hasNext()) {
        rows.next();
        n++;
      }
      return n == 0 ? List.<Long>of().iterator() : List.of(ProcessHandle.current().pid()).iterator();
    }
  }

  @Test
  @Order(1)
  void programsShippedToSeparateExecutorJvmsGiveTheEngineResults() {
    int d = 6;
    int n = 2000;
    Random rng = new Random(99);
    NDArray w = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, d * 4), d, 4);
    NDArray v = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, 4), 4);
    // not Serializable: only the traced program (with w and v as constants) travels
    Fn f = a -> Np.dot(Np.tanh(Np.dot(a[0], w)), v);
    Fn saliency = Arrax.grad(f);
    List<Row> rows = new ArrayList<>();
    List<float[]> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add(SparkTestSupport.gaussianFloats(rng, d));
      rows.add(RowFactory.create((long) i, xs.get(i)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType).add("x", DataTypes.createArrayType(DataTypes.FloatType));
    Dataset<Row> df = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 8), schema);
    Dataset<Row> out = ArraxSpark.map(df, saliency, new String[] {"x"}, new String[] {"g"}, ArraxOptions.defaults().withBatchRows(100));

    List<Row> got = out.collectAsList();
    assertEquals(n, got.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i, got.get(i).getLong(0), "row order");
      String e = compare(floats(got.get(i), 2), saliency.apply(NDArray.fromFlat(xs.get(i), d)).toFloatArray(), 2e-5);
      if (e != null) fail("row " + i + ": " + e);
    }

    long driver = ProcessHandle.current().pid();
    Set<Long> pids = new TreeSet<>(out.toJavaRDD().mapPartitions(new ProcessOfPartition()).collect());
    assertFalse(pids.contains(driver), "kernels must run in the executor JVMs, not the driver (" + driver + "): " + pids);
    assertEquals(2, pids.size(), "both executor JVMs should have run partitions: " + pids);

    // sumGradient across the processes: the exact cross-partition sums match a float64 loop
    Fn loss = a -> Np.sum(Np.multiply(Np.dot(a[1], a[0]), Np.dot(a[1], a[0])));
    double[] m = {0.5, -1, 2, 0.25, 1, -0.5};
    Map<String, NDArray> g = ArraxSpark.sumGradient(df, loss, Map.of("m", NDArray.of(m)), new String[] {"x"});
    double[] ref = new double[d];
    for (float[] x : xs) {
      double s = 0;
      for (int j = 0; j < d; j++) s += x[j] * m[j];
      for (int j = 0; j < d; j++) ref[j] += 2 * s * x[j];
    }
    assertArrayEquals(ref, g.get("m").toDoubleArray(), 1e-6 * n);
    assertTrue(g.get("m").dtype().isFloating());
  }

  /**
   * Kills the executor JVM that runs it (no shutdown hooks, as a crash or an OOM killer would) when it meets row
   * {@code killId} on a task's first attempt, once per marker file: the file is created atomically, so exactly one
   * executor halts, and the retried task (on the other executor or the relaunched one) passes.
   */
  static final class HaltOnce implements org.apache.spark.api.java.function.Function<Row, Row> {
    final String marker;
    final long killId;

    HaltOnce(String marker, long killId) {
      this.marker = marker;
      this.killId = killId;
    }

    @Override public Row call(Row r) throws Exception {
      if (r.getLong(0) == killId && org.apache.spark.TaskContext.get().attemptNumber() == 0) {
        try {
          Files.createFile(Path.of(marker));
        } catch (java.nio.file.FileAlreadyExistsException done) {
          return r;
        }
        Runtime.getRuntime().halt(77);
      }
      return r;
    }
  }

  /**
   * Issue 14's case: 60,000 rows of {@code array<double>[1000]} (480 MB) through 2 executors of 1 GB each, with the
   * default options. Batches sized by bytes keep each executor's memory bounded: no executor is lost, every row is
   * mapped (count and the sum of the per-row sums against the closed form).
   */
  @Test
  @Order(2)
  void wideRowsRunOnOneGigabyteExecutorsWithTheDefaultBatchSize() {
    Set<String> before = executors();
    Dataset<Row> wide = spark.range(0, 60_000, 1, 4)
        .selectExpr("id", "transform(sequence(1, 1000), i -> cast(i + id as double)) AS x");
    Dataset<Row> out = ArraxSpark.map(wide, a -> Np.sum(a[0]), new String[] {"x"}, new String[] {"s"},
        ArraxOptions.defaults().withArrayLength("x", 1000));
    Row agg = out.selectExpr("count(*)", "sum(s)", "sum(cast(s = 500500 + 1000 * id AS int))").first();
    assertEquals(60_000L, agg.getLong(0));
    // sum over rows of (500,500 + 1,000 id) = 60,000 * 500,500 + 1,000 * (59,999 * 60,000 / 2)
    assertEquals(60_000.0 * 500_500 + 1000.0 * 59_999 * 30_000, agg.getDouble(1), 0.0);
    assertEquals(60_000L, agg.getLong(2), "every row's sum is exact");
    assertEquals(before, executors(), "no executor was lost (the same executor processes before and after)");
  }

  private static Set<String> executors() {
    Set<String> s = new TreeSet<>();
    for (org.apache.spark.SparkExecutorInfo e : spark.sparkContext().statusTracker().getExecutorInfos()) s.add(e.host() + ":" + e.port());
    return s;
  }

  @Test
  @Order(3)
  void anExecutorKilledMidJobLosesAndDuplicatesNoRow(@TempDir Path dir) throws Exception {
    int n = 4000;
    int d = 4;
    double[] w = {0.5, -1, 0.25, 2};
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < n; i++) rows.add(RowFactory.create(i, new double[] {Math.sin(i), Math.cos(0.3 * i), (i % 7) - 3.0, 0.001 * i}));
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    NDArray wa = NDArray.of(w);
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(100).withArrayLength("x", d);

    // map: row 2345 of 8 partitions of 500 sits in partition 4, after four batches of it went through
    Path marker = dir.resolve("map-killed");
    Dataset<Row> df = spark.createDataFrame(jsc.parallelize(rows, 8).map(new HaltOnce(marker.toString(), 2345)), schema);
    List<Row> got = ArraxSpark.map(df, a -> Np.tanh(Np.dot(a[0], wa)), new String[] {"x"}, new String[] {"y"}, o).collectAsList();
    assertTrue(Files.exists(marker), "an executor must have been killed");
    assertEquals(n, got.size(), "rows after the executor was killed");
    long idSum = 0;
    boolean[] seen = new boolean[n];
    for (Row r : got) {
      int id = (int) r.getLong(0);
      idSum += id;
      assertFalse(seen[id], "row " + id + " twice");
      seen[id] = true;
      double[] x = rows.get(id).<double[]>getAs(1);
      double z = 0;
      for (int j = 0; j < d; j++) z += x[j] * w[j];
      assertEquals(Math.tanh(z), r.getDouble(2), 1e-12, "row " + id);
    }
    assertEquals((long) n * (n - 1) / 2, idSum);

    // sumGradient (a tree aggregation with a shuffle): every row counted exactly once
    Path marker2 = dir.resolve("sum-killed");
    Dataset<Row> df2 = spark.createDataFrame(jsc.parallelize(rows, 8).map(new HaltOnce(marker2.toString(), 1234)), schema);
    Fn loss = a -> Np.dot(a[1], a[0]);
    ArraxSpark.GradientSum s = ArraxSpark.sumValueAndGradient(df2, loss, Map.of("m", NDArray.of(w)), new String[] {"x"}, o);
    assertTrue(Files.exists(marker2), "an executor must have been killed");
    assertEquals(n, s.rows());
    double[] g = new double[d];
    for (Row r : rows) for (int j = 0; j < d; j++) g[j] += r.<double[]>getAs(1)[j];
    assertArrayEquals(g, s.gradient().get("m").toDoubleArray(), 1e-9);
    // runs last (@Order): the cluster, whose master is relaunching the killed executors, is stopped next
  }
}
