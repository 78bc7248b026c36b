package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * W1 (per-row input gradients of a tanh MLP, d = 32, h = 64, float32) over a cached DataFrame of N rows
 * ({@code id}, {@code x: array<float>} of 32) in Spark local[2], written to the {@code noop} sink. Four
 * figures, best of R runs after W warm-up runs each:
 * <ul>
 *   <li>{@code arrax}: {@code ArraxSpark.map(df, grad(mlp), ["x"], ["g"])};
 *   <li>{@code io_floor}: the same path with an identity kernel (what the connector costs without compute);
 *   <li>{@code engine}: {@code jit(vmap(grad(mlp)))} on an in-memory {@code f32[N, 32]} (no Spark), all cores;
 *   <li>{@code row_udf}: a plain Spark Java UDF computing the same gradient per row with scalar loops.
 * </ul>
 * Then the same rows written to a Parquet file and read back (Spark's vectorized reader: column batches, which the
 * map reads as columns), the map over it with columnar input and with row input ({@code spark.arrax.columnarInput=false}),
 * and the plain scan. Ends with {@code RESULT SPARK_W1 arrax_rows_per_s=<n> io_floor_rows_per_s=<n>
 * engine_rows_per_s=<n> row_udf_rows_per_s=<n> scan_rows_per_s=<n>} and {@code RESULT SPARK_W1_PARQUET
 * arrax_rows_per_s=<n> engine_rows_per_s=<n> scan_rows_per_s=<n> row_input_rows_per_s=<n>}. Between the two, each job's
 * time split into a fixed part and a part per row ({@link #costs}, {@code RESULT SPARK_W1_COSTS}).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED
 * --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp <examples runtime classpath> dev.arrax.examples.SparkBench
 * [--rows N] [--reps R] [--warmup W]} (defaults 1,000,000, 3 and 8: at least W warm-up runs). Each figure is the best of R
 * runs after at least W warm-up runs of the same case (more until the last three agree within 15%); the first run's time
 * and the warm-up count are printed beside it.
 */
public final class SparkBench {
  static final int D = 32;
  static final int H = 64;

  private SparkBench() {}

  public static void main(String[] args) {
    int rows = 1_000_000;
    int reps = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--warmup" -> warmups = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --rows N --reps R --warmup W");
      }
    }
    Random rng = new Random(0);
    float[] w1 = gaussian(rng, D * H, 1 / Math.sqrt(D));
    float[] b1 = gaussian(rng, H, 1);
    float[] w2 = gaussian(rng, H, 1 / Math.sqrt(H));
    NDArray W1 = NDArray.fromFlat(w1, D, H);
    NDArray B1 = NDArray.fromFlat(b1, H);
    NDArray W2 = NDArray.fromFlat(w2, H);
    Fn mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[0], W1), B1)), W2);
    Fn saliency = Arrax.grad(mlp);

    SparkSession spark = SparkSession.builder().appName("SparkBench W1").master("local[2]")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    try {
      Column[] xs = new Column[D];
      for (int j = 0; j < D; j++) xs[j] = functions.randn(1000 + j).cast("float");
      Dataset<Row> df = spark.range(0, rows, 1, 2).select(functions.col("id"), functions.array(xs).as("x")).cache();
      long t0 = System.nanoTime();
      long n = df.count();
      System.out.printf("SparkBench: %,d rows (x: array<float> of %d) cached in %.1f s; local[2], %d cores, %s%n", n, D,
          (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

      dev.arrax.examples.bench.HeapTouch.once();
      Runnable[] jobs = jobs(df, saliency);
      Runnable scanRun = jobs[0], floorRun = jobs[1], arraxRun = jobs[2];
      double scan = best("scan only (noop sink)", reps, n, scanRun);
      double floor = best("io_floor (identity kernel)", reps, n, floorRun);
      double arrax = best("arrax W1 (grad of mlp)", reps, n, arraxRun);

      UserDefinedFunction udf = functions.udf((UDF1<scala.collection.Seq<Float>, float[]>) x -> rowGradient(x, w1, b1, w2),
          DataTypes.createArrayType(DataTypes.FloatType));
      double rowUdf = best("row_udf (Java UDF, scalar loops)", reps, n,
          () -> df.withColumn("g", udf.apply(functions.col("x"))).write().format("noop").mode("overwrite").save());

      // Same numbers from the three paths, on the first rows.
      List<Row> a = ArraxSpark.map(df.limit(1000), saliency, new String[] {"x"}, new String[] {"g"}).select("g").collectAsList();
      List<Row> u = df.limit(1000).withColumn("g", udf.apply(functions.col("x"))).select("g").collectAsList();
      double maxDiff = 0;
      for (int i = 0; i < a.size(); i++) {
        List<Object> ga = a.get(i).getList(0);
        List<Object> gu = u.get(i).getList(0);
        for (int j = 0; j < D; j++) maxDiff = Math.max(maxDiff, Math.abs(((Float) ga.get(j)) - ((Float) gu.get(j))));
      }
      System.out.printf("check: max |arrax - row udf| over 1000 rows x %d = %.2e%n", D, maxDiff);

      float[] x = new float[(int) n * D];
      Random r2 = new Random(1);
      for (int i = 0; i < x.length; i++) x[i] = (float) r2.nextGaussian();
      NDArray X = NDArray.fromFlat(x, (int) n, D);
      Fn batched = Arrax.jit(Arrax.vmap(saliency));
      for (int i = 0; i < warmups; i++) batched.apply(X).blockUntilReady();
      // On a shared machine the best-of figures above can come from different moments: the same cases again, one
      // run of each in turn, and the median of each round's ratio (the same load on both sides).
      Runnable engineRun = () -> batched.apply(X).blockUntilReady();
      int rounds = Math.max(5, reps);
      double[] floorOverScan = new double[rounds], arraxOverBound = new double[rounds], arraxOverEngine = new double[rounds];
      double[][] big = new double[4][rounds];
      for (int i = 0; i < rounds; i++) {
        double ts = seconds(scanRun), tf = seconds(floorRun), ta = seconds(arraxRun), te = seconds(engineRun);
        floorOverScan[i] = ts / tf;
        arraxOverBound[i] = (ts + te) / ta;
        arraxOverEngine[i] = te / ta;
        big[0][i] = ts;
        big[1][i] = tf;
        big[2][i] = ta;
        big[3][i] = te;
      }
      System.out.printf("paired, median of %d rounds (scan, io_floor, arrax W1, engine in turn): io_floor / scan = %.2f (%.2f .. %.2f),"
          + " arrax / bound = %.2f (%.2f .. %.2f), arrax / engine = %.2f%n", rounds, median(floorOverScan), min(floorOverScan),
          max(floorOverScan), median(arraxOverBound), min(arraxOverBound), max(arraxOverBound), median(arraxOverEngine));
      costs(spark, xs, saliency, n, rounds, big);
      df.unpersist();

      // The same data as a Parquet file: Spark's vectorized reader hands out column batches, which the map reads as
      // columns (no rows between the scan and the map); the row path (spark.arrax.columnarInput=false) beside it.
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("arrax-sparkbench");
      String parquet = dir.resolve("w1.parquet").toString();
      Dataset<Row> gen = spark.range(0, rows, 1, 2).select(functions.col("id"), functions.array(xs).as("x"));
      gen.write().mode("overwrite").parquet(parquet);
      Dataset<Row> pq = spark.read().parquet(parquet);
      double pqScan = best("parquet: scan only (noop sink)", reps, n, () -> pq.write().format("noop").mode("overwrite").save());
      double pqArrax = best("parquet: arrax W1, columnar input", reps, n, () -> ArraxSpark.map(pq, saliency, new String[] {"x"},
          new String[] {"g"}, ArraxOptions.defaults().withName("W1 saliency").withArrayLength("x", D)).write().format("noop")
          .mode("overwrite").save());
      spark.conf().set(ArraxOptions.COLUMNAR_INPUT_KEY, "false");
      double pqRows = best("parquet: arrax W1, row input", reps, n, () -> ArraxSpark.map(pq, saliency, new String[] {"x"},
          new String[] {"g"}, ArraxOptions.defaults().withName("W1 saliency").withArrayLength("x", D)).write().format("noop")
          .mode("overwrite").save());
      spark.conf().unset(ArraxOptions.COLUMNAR_INPUT_KEY);
      deleteTree(dir);

      double engine = best("engine jit(vmap(grad)) f32[N,32], all cores", reps, n, engineRun);

      System.out.printf("ratios: arrax / row_udf = %.1fx, arrax / engine = %.2f, io_floor / scan = %.2f; parquet: arrax / engine = %.2f,"
          + " columnar / row input = %.2f%n", arrax / rowUdf, arrax / engine, floor / scan, pqArrax / engine, pqArrax / pqRows);
      // What a map over this input could reach if the connector cost nothing: Spark's scan of the rows, then the
      // engine's compute on them, one after the other (rows/s of two stages in series).
      double bound = 1 / (1 / scan + 1 / engine), pqBound = 1 / (1 / pqScan + 1 / engine);
      System.out.printf("bound (scan then engine, nothing between): cached %,.0f rows/s, arrax at %.2f of it; parquet %,.0f rows/s,"
          + " arrax at %.2f of it%n", bound, arrax / bound, pqBound, pqArrax / pqBound);
      System.out.printf("RESULT SPARK_W1 arrax_rows_per_s=%d io_floor_rows_per_s=%d engine_rows_per_s=%d row_udf_rows_per_s=%d"
          + " scan_rows_per_s=%d%n", Math.round(arrax), Math.round(floor), Math.round(engine), Math.round(rowUdf), Math.round(scan));
      System.out.printf("RESULT SPARK_W1_PARQUET arrax_rows_per_s=%d engine_rows_per_s=%d scan_rows_per_s=%d row_input_rows_per_s=%d%n",
          Math.round(pqArrax), Math.round(engine), Math.round(pqScan), Math.round(pqRows));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      spark.stop();
    }
  }

  /** The timed Spark jobs over {@code df}, each written to the noop sink: the scan, the identity map (the I/O floor), W1's map. */
  static Runnable[] jobs(Dataset<Row> df, Fn saliency) {
    return new Runnable[] {
      () -> df.write().format("noop").mode("overwrite").save(),
      () -> ArraxSpark.map(df, a -> a[0], new String[] {"x"}, new String[] {"y"}, ArraxOptions.defaults().withName("identity"))
          .write().format("noop").mode("overwrite").save(),
      () -> ArraxSpark.map(df, saliency, new String[] {"x"}, new String[] {"g"}, ArraxOptions.defaults().withName("W1 saliency"))
          .write().format("noop").mode("overwrite").save()
    };
  }

  /** Rows of the small frame that {@link #costs} times each job on: its time is the job's fixed cost. */
  static final int SMALL_ROWS = 2_000;

  /**
   * Splits each job's time into a fixed part (the same job on a cached frame of {@link #SMALL_ROWS} rows: Spark's
   * scheduling, the write's commit, planning, task set-up) and a part per row (the rest of its median time on the big
   * frame, over its rows), with the jobs again run in turn. At 1M rows Spark's own fixed cost is most of the scan's
   * time, so the ratios of whole jobs above mix the two; the per-row ratios are what a map costs on large inputs.
   * Prints {@code RESULT SPARK_W1_COSTS scan_job_ms=.. io_floor_job_ms=.. arrax_job_ms=.. scan_ns_per_row=..
   * io_floor_ns_per_row=.. arrax_ns_per_row=.. engine_ns_per_row=..} (nanoseconds of wall time per row, both cores).
   */
  static void costs(SparkSession spark, Column[] xs, Fn saliency, long n, int rounds, double[][] big) {
    Dataset<Row> small = spark.range(0, SMALL_ROWS, 1, 2).select(functions.col("id"), functions.array(xs).as("x")).cache();
    small.count();
    Runnable[] jobs = jobs(small, saliency);
    Runnable scan = jobs[0], floor = jobs[1], arrax = jobs[2];
    for (int i = 0; i < Math.max(1, warmups); i++) {
      scan.run();
      floor.run();
      arrax.run();
    }
    int r = Math.max(2 * rounds, 9);
    double[][] fixed = new double[3][r];
    for (int i = 0; i < r; i++) {
      fixed[0][i] = seconds(scan);
      fixed[1][i] = seconds(floor);
      fixed[2][i] = seconds(arrax);
    }
    small.unpersist();
    double fs = median(fixed[0]), ff = median(fixed[1]), fa = median(fixed[2]);
    double ps = (median(big[0]) - fs) / (n - SMALL_ROWS) * 1e9, pf = (median(big[1]) - ff) / (n - SMALL_ROWS) * 1e9;
    double pa = (median(big[2]) - fa) / (n - SMALL_ROWS) * 1e9, pe = median(big[3]) / n * 1e9;
    System.out.printf("fixed cost of a job (median of %d on %,d cached rows): scan %.1f ms, io_floor %.1f ms, arrax W1 %.1f ms;"
        + " per row beyond it (the paired medians above): scan %.1f ns, io_floor %.1f ns, arrax W1 %.1f ns, engine %.1f ns; per row,"
        + " io_floor / scan = %.2f, arrax / (scan + engine) = %.2f%n", r, SMALL_ROWS, fs * 1e3, ff * 1e3, fa * 1e3, ps, pf, pa, pe, ps / pf,
        (ps + pe) / pa);
    System.out.printf("RESULT SPARK_W1_COSTS scan_job_ms=%.1f io_floor_job_ms=%.1f arrax_job_ms=%.1f scan_ns_per_row=%.1f"
        + " io_floor_ns_per_row=%.1f arrax_ns_per_row=%.1f engine_ns_per_row=%.1f%n", fs * 1e3, ff * 1e3, fa * 1e3, ps, pf, pa, pe);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static double min(double[] v) { return java.util.Arrays.stream(v).min().orElse(Double.NaN); }

  static double max(double[] v) { return java.util.Arrays.stream(v).max().orElse(Double.NaN); }

  static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(p);
    }
  }

  /**
   * Warm-up runs per case before the timed ones. Each case's code (the connector's row loops, Spark's generated scan
   * and writer, the kernel) reaches HotSpot's compiled steady state only after several full runs (bench machine, 2
   * cores, 1M rows): the identity map took 0.20-0.25 s in its first ~10 runs and 0.13-0.16 s later, and W1's map
   * 0.45-0.85 s in its first 8 runs and 0.18-0.25 s from the 9th on, its Vector API code running the API's Java
   * fallbacks until C2 has compiled the kernels. A first run's time is printed beside each figure. Eight runs were
   * not always enough: W1's map took 0.66, 0.67, 0.52, 0.28, 0.23 s in runs 9-13 of one JVM and 0.18 s from the
   * 14th, so after {@link #warmups} runs the warm-up goes on until its last three runs are within 15% of each other
   * (at most 4x as many runs and 20 s more); the count is printed.
   */
  static int warmups = 8;

  /** Warms up ({@link #warmups} runs, then until the last three agree), then runs {@code reps} times; prints and returns the best rows/s. */
  static double best(String name, int reps, long rows, Runnable body) {
    List<Double> warm = new ArrayList<>();
    for (int i = 0; i < Math.max(1, warmups); i++) warm.add(seconds(body));
    long extendedFrom = System.nanoTime();
    while (!settled(warm) && warm.size() < 4 * warmups && System.nanoTime() - extendedFrom < 20_000_000_000L) warm.add(seconds(body));
    List<Double> secs = new ArrayList<>();
    for (int i = 0; i < reps; i++) secs.add(seconds(body));
    double best = secs.stream().mapToDouble(Double::doubleValue).min().orElse(warm.get(0));
    System.out.printf("%-45s %,14.0f rows/s  (best %.3f s of %s; first run %.3f s, %d warm-up runs)%n", name, rows / best, best,
        secs.stream().map(s -> String.format("%.3f", s)).toList(), warm.get(0), warm.size());
    return rows / best;
  }

  /** Whether the last three runs (or all, if fewer) are within 15% of each other. */
  private static boolean settled(List<Double> runs) {
    List<Double> last = runs.subList(Math.max(0, runs.size() - 3), runs.size());
    double lo = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double hi = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return hi <= 1.15 * lo;
  }

  private static double seconds(Runnable body) {
    long t0 = System.nanoTime();
    body.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** W1 for one row with scalar loops: W1 ((1 - tanh(x W1 + b1)^2) * w2). */
  static float[] rowGradient(scala.collection.Seq<Float> xs, float[] w1, float[] b1, float[] w2) {
    float[] x = new float[D];
    for (int i = 0; i < D; i++) x[i] = xs.apply(i);
    float[] s = new float[H];
    for (int j = 0; j < H; j++) {
      float z = b1[j];
      for (int i = 0; i < D; i++) z += x[i] * w1[i * H + j];
      float t = (float) Math.tanh(z);
      s[j] = (1 - t * t) * w2[j];
    }
    float[] g = new float[D];
    for (int i = 0; i < D; i++) {
      float acc = 0;
      for (int j = 0; j < H; j++) acc += w1[i * H + j] * s[j];
      g[i] = acc;
    }
    return g;
  }

  static float[] gaussian(Random rng, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rng.nextGaussian() * scale);
    return v;
  }
}
