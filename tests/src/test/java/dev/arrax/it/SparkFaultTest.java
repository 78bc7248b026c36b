package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults in {@code local[2,3]} (two cores; a failed task is tried up to 3 times): a task that fails once, mid-partition,
 * is retried and the output is bit-for-bit the fault-free run's (map and sumGradient); a job cancelled midway stops
 * its task within one batch, leaves no Arrow memory or job behind, and the session then runs a job correctly. The
 * executor JVM killed mid-job is in {@link SparkClusterTest} (it needs separate executor processes).
 */
class SparkFaultTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder()
        .appName("SparkFaultTest")
        .master("local[2,3]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  @AfterEach
  void nothingIsLeftBehind() throws InterruptedException {
    // Spark ends a job's bookkeeping (the status tracker, a killed task's thread) asynchronously after the action
    // returns or throws: wait for it with a deadline rather than racing it.
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline && (spark.sparkContext().statusTracker().getActiveJobIds().length > 0
        || ArraxSpark.arrowMemory().allocatedBytes() != 0 || ArraxSpark.arrowMemory().openTaskAllocators() != 0)) {
      Thread.sleep(50);
    }
    ArraxSpark.ArrowMemory m = ArraxSpark.arrowMemory();
    assertEquals(0L, m.allocatedBytes(), "Arrow memory still held: " + m);
    assertEquals(0, m.openTaskAllocators(), "task allocators left open: " + m);
    assertEquals(0, spark.sparkContext().statusTracker().getActiveJobIds().length, "jobs still active");
  }

  static final StructType ID_X = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

  static double[] row(long i) {
    return new double[] {Math.sin(0.1 * i), Math.cos(0.37 * i), (i % 11) - 5.0, 1.0 / (1 + i % 13)};
  }

  /** W: f64[4,3]. Per row: tanh(x W) ([3]) and its sum. */
  static final NDArray W = NDArray.fromFlat(new double[] {0.3, -0.2, 0.5, 1.0, 0.1, -0.4, 0.05, 0.2, -0.1, -0.7, 0.6, 0.9}, 4, 3);
  static final MultiFn FEATURES = a -> {
    NDArray h = Np.tanh(Np.dot(a[0], W));
    return new NDArray[] {h, Np.sum(h)};
  };
  /** 0.5 (tanh(x m) . 1 - 1)^2 for ONE row: a[0] = m f64[4,3], a[1] = x. */
  static final Fn LOSS = a -> {
    NDArray r = Np.sum(Np.tanh(Np.dot(a[1], a[0]))).add(-1.0);
    return Np.multiply(r, r).mul(0.5);
  };

  /** How many faults the sources below injected (local mode: the tasks run in this JVM). */
  static final AtomicInteger INJECTED = new AtomicInteger();

  /** Throws at row {@code failId} on the first attempt of its task only, after the rows before it went through. */
  static final class FailOnFirstAttempt implements Function<Row, Row> {
    final long failId;

    FailOnFirstAttempt(long failId) {
      this.failId = failId;
    }

    @Override public Row call(Row r) {
      if (r.getLong(0) == failId && TaskContext.get().attemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected fault at row " + failId + " (attempt 0)");
      }
      return r;
    }
  }

  static Dataset<Row> frame(int n, int partitions, long failId) {
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < n; i++) rows.add(RowFactory.create(i, row(i)));
    JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
    if (failId >= 0) rdd = rdd.map(new FailOnFirstAttempt(failId));
    return spark.createDataFrame(rdd, ID_X);
  }

  /** A row as exact text: every double by its bits. */
  static String bits(Row r) {
    StringBuilder sb = new StringBuilder().append(r.getLong(0));
    for (int c = 1; c < r.length(); c++) {
      List<?> l = r.schema().fields()[c].dataType() instanceof org.apache.spark.sql.types.ArrayType ? r.getList(c) : List.of(r.get(c));
      for (Object e : l) sb.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(((Number) e).doubleValue())));
    }
    return sb.toString();
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndGivesTheFaultFreeOutputBitForBit() {
    int n = 2000;
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(128);
    String[] in = {"x"};
    String[] out = {"h", "s"};
    List<Row> clean = ArraxSpark.mapMulti(frame(n, 4, -1), FEATURES, in, out, o).collectAsList();
    INJECTED.set(0);
    // row 1234 sits in partition 2 (rows 1000..1499), after two full batches of it went through the map
    List<Row> retried = ArraxSpark.mapMulti(frame(n, 4, 1234), FEATURES, in, out, o).collectAsList();
    assertEquals(1, INJECTED.get(), "the fault must have been injected once");
    assertEquals(n, retried.size());
    for (int i = 0; i < n; i++) assertEquals(bits(clean.get(i)), bits(retried.get(i)), "row " + i);
    // and the values are the Java loop's
    double[] w = W.toDoubleArray();
    for (int i = 0; i < n; i += 97) {
      double[] x = row(i);
      double s = 0;
      for (int k = 0; k < 3; k++) {
        double z = 0;
        for (int j = 0; j < 4; j++) z += x[j] * w[j * 3 + k];
        s += Math.tanh(z);
      }
      assertEquals(s, clean.get(i).getDouble(3), 1e-12, "row " + i);
    }

    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("m", W);
    ArraxSpark.GradientSum a = ArraxSpark.sumValueAndGradient(frame(n, 4, -1), LOSS, params, in, o);
    INJECTED.set(0);
    ArraxSpark.GradientSum b = ArraxSpark.sumValueAndGradient(frame(n, 4, 777), LOSS, params, in, o);
    assertEquals(1, INJECTED.get(), "the fault must have been injected once");
    assertEquals(n, a.rows());
    assertEquals(n, b.rows(), "no row lost or counted twice by the retry");
    assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()));
    double[] ga = a.gradient().get("m").toDoubleArray();
    double[] gb = b.gradient().get("m").toDoubleArray();
    for (int e = 0; e < ga.length; e++) assertEquals(Double.doubleToRawLongBits(ga[e]), Double.doubleToRawLongBits(gb[e]), "element " + e);
  }

  // ---------------------------------------------------------------- cancellation

  static final AtomicLong PRODUCED = new AtomicLong();
  /** The count of rows produced when the source first saw its task marked killed, or -1. */
  static final AtomicLong KILL_SEEN_AT = new AtomicLong(-1);

  /**
   * A source that checks nothing: one input element becomes {@code total} rows, each after about {@code spinNanos}
   * of busy work (a generator, a decoder, a UDF), so only the connector's own check can stop a cancelled task.
   */
  static final class SlowRows implements FlatMapFunction<Integer, Row> {
    final int total;
    final long spinNanos;

    SlowRows(int total, long spinNanos) {
      this.total = total;
      this.spinNanos = spinNanos;
    }

    @Override public Iterator<Row> call(Integer ignored) {
      return new Iterator<>() {
        int i;

        @Override public boolean hasNext() { return i < total; }

        @Override public Row next() {
          long t0 = System.nanoTime();
          while (System.nanoTime() - t0 < spinNanos) Thread.onSpinWait();
          long c = PRODUCED.incrementAndGet();
          TaskContext tc = TaskContext.get();
          if (tc != null && tc.isInterrupted()) KILL_SEEN_AT.compareAndSet(-1, c);
          long k = i++;
          return RowFactory.create(k, row(k));
        }
      };
    }
  }

  /**
   * Runs {@code job} in a job group on another thread, cancels the group once a few batches went through, and
   * checks that the task stopped within one batch of seeing the cancel (rows produced after it), that the job
   * failed as cancelled, and (in {@link #nothingIsLeftBehind}) that no Arrow memory or job is left.
   */
  private static void cancelMidway(String name, int batchRows, java.util.function.Consumer<Dataset<Row>> job) throws Exception {
    SparkContext sc = spark.sparkContext();
    Dataset<Row> slow = spark.createDataFrame(
        JavaSparkContext.fromSparkContext(sc).parallelize(List.of(0), 1).flatMap(new SlowRows(400_000, 10_000)), ID_X);
    PRODUCED.set(0);
    KILL_SEEN_AT.set(-1);
    String group = "cancel-" + name;
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<?> running = ex.submit(() -> {
        sc.setJobGroup(group, name, false); // no thread interrupt: the task is only marked killed
        try {
          job.accept(slow);
        } finally {
          sc.clearJobGroup();
        }
      });
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (PRODUCED.get() < 5L * batchRows) {
        if (System.nanoTime() > deadline) fail(name + ": the job never got going; rows produced " + PRODUCED.get());
        if (running.isDone()) running.get();
        Thread.sleep(5);
      }
      sc.cancelJobGroup(group);
      ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
      assertInstanceOf(SparkException.class, e.getCause(), name);
      assertTrue(String.valueOf(e.getCause().getMessage()).contains("cancelled"), name + ": " + e.getCause().getMessage());
      // the task goes on in the background until it notices: wait until the source stops producing
      long last = -1;
      long stopDeadline = System.nanoTime() + 20_000_000_000L;
      while (PRODUCED.get() != last) {
        last = PRODUCED.get();
        if (System.nanoTime() > stopDeadline) break;
        Thread.sleep(300);
      }
      long seen = KILL_SEEN_AT.get();
      // -1: the kill landed between two batches and the task stopped before it read another row
      long after = seen < 0 ? 0 : PRODUCED.get() - seen;
      assertTrue(after <= batchRows, name + ": the task read " + after + " rows after it was marked killed (batches of " + batchRows
          + " rows; it must stop at the next batch)");
      long activeDeadline = System.nanoTime() + 10_000_000_000L;
      while (ArraxSpark.arrowMemory().openTaskAllocators() > 0 && System.nanoTime() < activeDeadline) Thread.sleep(20);
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void aCancelledJobStopsItsTaskWithinOneBatchAndTheSessionWorksAfterwards() throws Exception {
    int batchRows = 1000; // about 10 ms of source work per batch
    String[] in = {"x"};
    ArraxOptions cpu = ArraxOptions.defaults().withBatchRows(batchRows);
    cancelMidway("map", batchRows, df -> ArraxSpark.mapMulti(df, FEATURES, in, new String[] {"h", "s"}, cpu)
        .agg(functions.sum("s")).collectAsList());
    try (AutoCloseable on = ArrowTestBackend.use(ArrowTestBackend.Mode.ALL)) {
      ArraxOptions arrow = cpu.withBackend(ArrowTestBackend.NAME);
      cancelMidway("map on the Arrow path", batchRows, df -> ArraxSpark.mapMulti(df, FEATURES, in, new String[] {"h", "s"}, arrow)
          .agg(functions.sum("s")).collectAsList());
      cancelMidway("sumGradient on the Arrow path", batchRows,
          df -> ArraxSpark.sumGradient(df, LOSS, Map.of("m", W), in, arrow));
    }
    cancelMidway("sumGradient", batchRows, df -> ArraxSpark.sumGradient(df, LOSS, Map.of("m", W), in, cpu));

    // the session runs a job correctly afterwards
    int n = 300;
    List<Row> got = ArraxSpark.mapMulti(frame(n, 2, -1), FEATURES, in, new String[] {"h", "s"}, cpu).collectAsList();
    assertEquals(n, got.size());
    double[] w = W.toDoubleArray();
    for (int i = 0; i < n; i++) {
      double[] x = row(i);
      double[] h = new double[3];
      for (int k = 0; k < 3; k++) {
        double z = 0;
        for (int j = 0; j < 4; j++) z += x[j] * w[j * 3 + k];
        h[k] = Math.tanh(z);
      }
      assertArrayEquals(h, SparkTestSupport.doubles(got.get(i), 2), 1e-12, "row " + i);
    }
    assertEquals(DType.FLOAT64, ArraxSpark.sumGradient(frame(n, 2, -1), LOSS, Map.of("m", W), in, cpu).get("m").dtype());
  }
}
