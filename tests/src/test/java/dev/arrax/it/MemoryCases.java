package dev.arrax.it;

import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The wide-row cases of issue #14, run in a child JVM with a small heap ({@link SparkMemoryTest} starts it with
 * {@code -Xmx1g}; also runnable by hand): maps over {@code array<double>} rows of 1,000,000, 100,000 and 1,000
 * elements, the gradient of a logistic loss over 1,000,000 parameters, and {@code sumGradient} of one-hidden-layer
 * models with 8,449 and 67,585 parameters. Each case checks its numbers against float64 loops and prints one line
 * {@code CASE <name> ok <seconds> s, peak heap <MB> MB, <detail>} (or {@code CASE <name> FAILED <exception>}).
 * An executor that runs out of memory in local mode kills this JVM (exit 52): the parent test then sees the
 * missing lines and the exit status.
 *
 * <p>Two more cases force a batch too big for the heap ({@code maxBytesPerBatch} of 1 TiB and 128 rows of 1,000,000
 * doubles): the task must fail with a message naming the batch size and the settings, and this JVM must live on.
 *
 * <p>Args: the case names to run (default all): {@code map1m map100k map1k grad1m mlp8k mlp67k oommap oomgrad}.
 */
public final class MemoryCases {
  private MemoryCases() {}

  /** Element j of row i: cheap, exact in float64, and recomputable by the checks. */
  static double x(long i, int j) {
    return ((i * 31 + j * 17L) % 1000) / 1000.0 - 0.5;
  }

  /** Rows {@code (id, x: array<double>[d], y: double)} generated lazily in the tasks (no driver-side copy). */
  static final class Rows implements FlatMapFunction<Iterator<Long>, Row> {
    private final int d;

    Rows(int d) {
      this.d = d;
    }

    @Override public Iterator<Row> call(Iterator<Long> ids) {
      return new Iterator<Row>() {
        @Override public boolean hasNext() { return ids.hasNext(); }

        @Override public Row next() {
          long i = ids.next();
          double[] x = new double[d];
          for (int j = 0; j < d; j++) x[j] = x(i, j);
          return RowFactory.create(i, x, (double) (i % 2));
        }
      };
    }
  }

  static Dataset<Row> data(SparkSession spark, int rows, int d, int partitions) {
    List<Long> ids = new ArrayList<>();
    for (long i = 0; i < rows; i++) ids.add(i);
    JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ids, partitions).mapPartitions(new Rows(d));
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false).add("y", DataTypes.DoubleType, false);
    return spark.createDataFrame(rdd, schema);
  }

  /** Task result sizes of the jobs run since the last {@link #clear}. */
  static final class Results extends SparkListener {
    final List<Long> sizes = new CopyOnWriteArrayList<>();

    @Override public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.taskMetrics() != null) sizes.add(e.taskMetrics().resultSize());
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> cases = args.length == 0 ? List.of("map1m", "map100k", "map1k", "grad1m", "mlp8k", "mlp67k", "oommap", "oomgrad") : List.of(args);
    SparkSession spark = SparkSession.builder().appName("MemoryCases").master("local[2]")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    Results results = new Results();
    spark.sparkContext().addSparkListener(results);
    System.out.println("heap max " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
    for (String c : cases) {
      resetPeaks();
      long t0 = System.nanoTime();
      String detail;
      try {
        detail = switch (c) {
          case "map1m" -> map(spark, 1_000_000, 2, 2);
          case "map100k" -> map(spark, 100_000, 20, 2);
          case "map1k" -> map(spark, 1_000, 20_000, 2);
          case "grad1m" -> logistic(spark, 1_000_000, 8, 2, results);
          case "mlp8k" -> mlp(spark, 64, 128, 20_000, 2, results);
          case "mlp67k" -> mlp(spark, 64, 1024, 4_000, 2, results);
          case "oommap" -> outOfMemory(spark, true);
          case "oomgrad" -> outOfMemory(spark, false);
          default -> throw new IllegalArgumentException("unknown case " + c);
        };
      } catch (Throwable e) {
        System.out.println("CASE " + c + " FAILED " + e.toString().replace('\n', ' '));
        e.printStackTrace(System.out);
        continue;
      }
      System.out.printf("CASE %s ok %.1f s, peak heap %d MB, %s%n", c, (System.nanoTime() - t0) / 1e9, peakHeapMb(), detail);
    }
    spark.stop();
  }

  /** y = 2x + 1 over d-element rows; checks three elements of every row. */
  static String map(SparkSession spark, int d, int rows, int partitions) {
    Dataset<Row> df = data(spark, rows, d, partitions);
    Dataset<Row> out = ArraxSpark.map(df, a -> Np.add(Np.multiply(a[0], 2.0), 1.0), new String[] {"x"}, new String[] {"z"},
        ArraxOptions.defaults().withArrayLength("x", d));
    int mid = d / 2;
    List<Row> got = out.selectExpr("id", "z[0]", "z[" + mid + "]", "z[" + (d - 1) + "]").collectAsList();
    if (got.size() != rows) throw new AssertionError("expected " + rows + " rows, got " + got.size());
    for (Row r : got) {
      long i = r.getLong(0);
      int[] js = {0, mid, d - 1};
      for (int k = 0; k < 3; k++) {
        double want = 2 * x(i, js[k]) + 1;
        if (r.getDouble(1 + k) != want) throw new AssertionError("row " + i + " element " + js[k] + ": " + r.getDouble(1 + k) + " != " + want);
      }
    }
    return d + " x " + rows + " rows";
  }

  /** Logistic loss softplus(z) - y z, z = x.w, over d parameters; gradient sum(sigmoid(z) - y) x. */
  static String logistic(SparkSession spark, int d, int rows, int partitions, Results results) {
    Dataset<Row> df = data(spark, rows, d, partitions);
    double[] w = new double[d];
    for (int j = 0; j < d; j++) w[j] = ((j * 7) % 13 - 6) * 1e-4;
    Map<String, NDArray> params = Map.of("w", NDArray.fromFlat(w, d));
    results.sizes.clear();
    Map<String, NDArray> g = ArraxSpark.sumGradient(df, a -> {
      NDArray z = Np.dot(a[1], a[0]);
      return Np.subtract(Nn.softplus(z), Np.multiply(a[2], z));
    }, params, new String[] {"x", "y"}, ArraxOptions.defaults().withArrayLength("x", d));
    double[] got = g.get("w").toDoubleArray();
    double[] want = new double[d];
    double[] scale = new double[d];
    for (int i = 0; i < rows; i++) {
      double z = 0;
      for (int j = 0; j < d; j++) z += x(i, j) * w[j];
      double s = 1 / (1 + Math.exp(-z)) - (i % 2);
      for (int j = 0; j < d; j++) {
        want[j] += s * x(i, j);
        scale[j] += Math.abs(s * x(i, j));
      }
    }
    double worst = worst(got, want, scale);
    if (worst > 1e-12) throw new AssertionError("gradient off by " + worst + " (relative to the sum of |terms|)");
    return d + " params x " + rows + " rows, worst error/sum|terms| " + worst + ", " + resultBytes(results, d);
  }

  /** 0.5 (tanh(x W1 + b1) . w2 + b2 - y)^2 with x in R^in, hidden units h. */
  static String mlp(SparkSession spark, int in, int h, int rows, int partitions, Results results) {
    Dataset<Row> df = data(spark, rows, in, partitions);
    double[] w1 = new double[in * h];
    double[] b1 = new double[h];
    double[] w2 = new double[h];
    java.util.Random rng = new java.util.Random(7);
    for (int k = 0; k < w1.length; k++) w1[k] = rng.nextGaussian() * 0.2;
    for (int k = 0; k < h; k++) {
      b1[k] = rng.nextGaussian() * 0.1;
      w2[k] = rng.nextGaussian() * 0.2;
    }
    double b2 = 0.1;
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put("w1", NDArray.fromFlat(w1, in, h));
    params.put("b1", NDArray.fromFlat(b1, h));
    params.put("w2", NDArray.fromFlat(w2, h));
    params.put("b2", NDArray.scalar(b2));
    int nParams = in * h + 2 * h + 1;
    results.sizes.clear();
    Map<String, NDArray> g = ArraxSpark.sumGradientTree(df, (p, row) -> {
      NDArray hid = Np.tanh(Np.add(Np.dot(row[0], p.get("w1")), p.get("b1")));
      NDArray r = Np.subtract(Np.add(Np.dot(hid, p.get("w2")), p.get("b2")), row[1]);
      return Np.multiply(Np.square(r), 0.5);
    }, params, new String[] {"x", "y"}, ArraxOptions.defaults().withArrayLength("x", in));
    double[] gw1 = new double[in * h];
    double[] gb1 = new double[h];
    double[] gw2 = new double[h];
    double[] gb2 = new double[1];
    double[] sw1 = new double[in * h];
    double[] sb1 = new double[h];
    double[] sw2 = new double[h];
    double[] sb2 = new double[1];
    double[] xi = new double[in];
    double[] a = new double[h];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < in; j++) xi[j] = x(i, j);
      double out = b2;
      for (int k = 0; k < h; k++) {
        double z = b1[k];
        for (int j = 0; j < in; j++) z += xi[j] * w1[j * h + k];
        a[k] = Math.tanh(z);
        out += a[k] * w2[k];
      }
      double r = out - (i % 2);
      gb2[0] += r;
      sb2[0] += Math.abs(r);
      for (int k = 0; k < h; k++) {
        gw2[k] += r * a[k];
        sw2[k] += Math.abs(r * a[k]);
        double dz = r * w2[k] * (1 - a[k] * a[k]);
        gb1[k] += dz;
        sb1[k] += Math.abs(dz);
        for (int j = 0; j < in; j++) {
          gw1[j * h + k] += dz * xi[j];
          sw1[j * h + k] += Math.abs(dz * xi[j]);
        }
      }
    }
    double worst = Math.max(Math.max(worst(g.get("w1").toDoubleArray(), gw1, sw1), worst(g.get("b1").toDoubleArray(), gb1, sb1)),
        Math.max(worst(g.get("w2").toDoubleArray(), gw2, sw2), worst(new double[] {g.get("b2").item()}, gb2, sb2)));
    if (worst > 1e-12) throw new AssertionError("gradient off by " + worst + " (relative to the sum of |terms|)");
    return nParams + " params x " + rows + " rows, worst error/sum|terms| " + worst + ", " + resultBytes(results, nParams);
  }

  /** A batch forced past the heap: the job fails with the connector's message, and the JVM lives on. */
  static String outOfMemory(SparkSession spark, boolean map) {
    int d = 1_000_000;
    Dataset<Row> df = data(spark, 4, d, 1);
    ArraxOptions o = ArraxOptions.defaults().withArrayLength("x", d).withBatchRows(128).withMaxBytesPerBatch(1L << 40);
    try {
      if (map) {
        ArraxSpark.map(df, a -> Np.multiply(a[0], 2.0), new String[] {"x"}, new String[] {"z"}, o).selectExpr("z[0]").collectAsList();
      } else {
        ArraxSpark.sumGradient(df, a -> Np.dot(a[1], a[0]), Map.of("w", NDArray.fromFlat(new double[d], d)), new String[] {"x"}, o);
      }
    } catch (Exception e) { // SparkException, undeclared from Scala
      String m = String.valueOf(e.getMessage());
      String want = "out of memory (Java heap space) in partition 0 with batches of 128 rows";
      if (!m.contains(want) || !m.contains("lower spark.arrax.maxBytesPerBatch (ArraxOptions.withMaxBytesPerBatch) or spark.arrax.batchRows")) {
        throw new AssertionError("the job failed, but not with the connector's out-of-memory message: " + m, e);
      }
      return "failed as expected: " + m.substring(m.indexOf("ArraxSpark."), m.indexOf('\n', m.indexOf("ArraxSpark.")) < 0 ? m.length()
          : m.indexOf('\n', m.indexOf("ArraxSpark.")));
    }
    throw new AssertionError("a batch of 128 rows of 1,000,000 doubles ran in a 1 GB heap");
  }

  static double worst(double[] got, double[] want, double[] scale) {
    double worst = 0;
    for (int k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]) / Math.max(scale[k], Double.MIN_NORMAL));
    return worst;
  }

  static String resultBytes(Results r, int params) {
    try {
      Thread.sleep(300); // the listener bus is asynchronous
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long max = 0;
    for (long s : r.sizes) max = Math.max(max, s);
    return String.format("largest task result %d bytes = %.1f bytes/param", max, (double) max / params);
  }

  static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
  }

  static long peakHeapMb() {
    long s = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) s += p.getPeakUsage().getUsed();
    return s >> 20;
  }
}
