package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxOptions;
import dev.arrax.spark.ArraxSpark;
import dev.arrax.spark.ArraxSparkException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Choosing a backend for the Spark connector (local[2]): a backend that is missing or not usable fails on the
 * driver before any Spark job runs, with the engine's reason; {@code auto} runs on the CPU when nothing else is
 * usable, with the CPU's results, and says why in its log line and in the plan; {@code explain} prints per
 * segment the backend that runs it and why another declined it. The stand-in for a device backend is the
 * test-only {@link ArrowTestBackend} ({@code arrowtest}), installed in this module and switched off unless a test
 * switches it on; {@code gpu} (the arrax-gpu-rapids module) is not on this module's classpath.
 */
class SparkBackendTest {
  private static SparkSession spark;
  private static JobLog JOBS;
  static final int D = 8;
  static final StructType ID_X = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);
  static final StructType X_T = new StructType()
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("t", DataTypes.DoubleType, false);

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkBackendTest");
    JOBS = JobLog.attach(spark);
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  /** f(x) = scale * tanh(x W) . v for ONE row x (f32[8]); each test uses its own scale, so its own program. */
  static Fn mlp(double scale) {
    Random rng = new Random(42);
    NDArray w = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, D * 4), D, 4);
    NDArray v = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, 4), 4);
    return a -> Np.dot(Np.tanh(Np.dot(a[0], w)), v).mul(scale);
  }

  static Dataset<Row> idX(int n, int partitions) {
    Random rng = new Random(7);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) rows.add(RowFactory.create((long) i, SparkTestSupport.gaussianFloats(rng, D)));
    return frame(spark, rows, ID_X, partitions);
  }

  static Dataset<Row> xt(int n, int partitions) {
    Random rng = new Random(9);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) rows.add(RowFactory.create(SparkTestSupport.gaussianDoubles(rng, 3), rng.nextGaussian()));
    return frame(spark, rows, X_T, partitions);
  }

  /** 0.5 (x . w + b - t)^2 for ONE row: a[0] = b [1], a[1] = w [3], a[2] = x [3], a[3] = t []. */
  static final Fn SQUARED = a -> {
    NDArray r = Np.subtract(Np.add(Np.dot(a[2], a[1]), Np.sum(a[0])), a[3]);
    return Np.multiply(r, r).mul(0.5);
  };

  static Map<String, NDArray> params() {
    return Map.of("w", NDArray.of(0.5, -1.0, 2.0), "b", NDArray.of(0.25));
  }

  private static final String NO_GPU = "no backend named 'gpu'; installed: [cpu, arrowtest] and 'auto' (the GPU backend is the "
      + "arrax-gpu-rapids module; put it and ai.rapids:cudf on the classpath)";

  @Test
  void backendGpuWithoutAUsableGpuFailsOnTheDriverBeforeAnySparkJobRuns() {
    // The array column's length is not given: had the check come after it, the probe job that reads it would run.
    Dataset<Row> df = idX(50, 2);
    String[] x = {"x"};
    int before = JOBS.started.size();
    ArraxSparkException e = assertThrows(ArraxSparkException.class,
        () -> ArraxSpark.map(df, mlp(1), x, new String[] {"y"}, ArraxOptions.defaults().withBackend("gpu")));
    assertEquals("ArraxSpark.map: " + NO_GPU + " [backend set by ArraxOptions.withBackend(\"gpu\")]", e.getMessage());

    spark.conf().set(ArraxOptions.BACKEND_KEY, "GPU");
    try {
      e = assertThrows(ArraxSparkException.class,
          () -> ArraxSpark.mapMulti(df, a -> new NDArray[] {mlp(1).apply(a)}, x, new String[] {"y"}));
      assertEquals("ArraxSpark.mapMulti: " + NO_GPU + " [backend set by spark.arrax.backend=GPU]", e.getMessage());
      e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.sumGradient(xt(20, 2), SQUARED, params(), new String[] {"x", "t"}));
      assertEquals("ArraxSpark.sumGradient: " + NO_GPU + " [backend set by spark.arrax.backend=GPU]", e.getMessage());
      e = assertThrows(ArraxSparkException.class, () -> ArraxSpark.explain(df, mlp(1), x, new String[] {"y"}));
      assertEquals("ArraxSpark.map: " + NO_GPU + " [backend set by spark.arrax.backend=GPU]", e.getMessage());
    } finally {
      spark.conf().unset(ArraxOptions.BACKEND_KEY);
    }

    // Installed but not usable here (as the GPU backend is on a machine without a GPU): the backend's own reason.
    e = assertThrows(ArraxSparkException.class,
        () -> ArraxSpark.map(df, mlp(1), x, new String[] {"y"}, ArraxOptions.defaults().withBackend(ArrowTestBackend.NAME)));
    assertEquals("ArraxSpark.map: backend 'arrowtest' is not usable here: the test backend is switched off (ArrowTestBackend.use turns "
        + "it on). Use backend 'auto' to run on the CPU where it is not usable, or 'cpu'. [backend set by "
        + "ArraxOptions.withBackend(\"arrowtest\")]", e.getMessage());

    assertEquals(List.of(), JOBS.since(before), "no Spark job may run before the backend check fails");
  }

  @Test
  void autoRunsOnTheCpuWhenNothingElseIsUsableWithTheCpuResultsAndSaysWhy() {
    Dataset<Row> df = idX(700, 3);
    Fn f = mlp(2);
    String[] x = {"x"};
    String[] y = {"y"};
    ArraxOptions base = ArraxOptions.defaults().withBatchRows(256).withArrayLength("x", D);
    List<Row> cpu = ArraxSpark.map(df, f, x, y, base.withBackend("cpu")).collectAsList();
    List<Row> auto;
    try (LogCapture log = new LogCapture("dev.arrax.spark.ArraxSpark")) {
      auto = ArraxSpark.map(df, f, x, y, base.withBackend("auto")).collectAsList();
      List<String> lines = log.matching("runs on");
      assertEquals(1, lines.size(), "one line per job with the backend: " + log.lines());
      Matcher m = Pattern.compile("INFO ArraxSpark\\.map 'f\\(x\\) -> y': program [0-9a-f]{12} runs on cpu \\(requested auto\\), (\\d+) segments: "
          + "(.*); auto: the program runs on the cpu because arrowtest not usable: the test backend is switched off "
          + "\\(ArrowTestBackend\\.use turns it on\\); kernels SIMD \\(Vector API\\)").matcher(lines.get(0));
      assertTrue(m.matches(), lines.get(0));
      String[] segments = m.group(2).split("; ");
      assertEquals(Integer.parseInt(m.group(1)), segments.length, m.group(2));
      for (String s : segments) assertTrue(s.matches("(FUSED|CONTRACTION|LAYOUT|OPAQUE)\\[.+\\] .+ on cpu"), s);
    }
    assertEquals(700, auto.size());
    assertEquals(cpu, auto, "auto on the CPU gives the cpu backend's rows exactly");
    for (int i = 0; i < 700; i += 99) {
      float expected = f.apply(NDArray.fromFlat(SparkTestSupport.floats(cpu.get(i), 1), D)).toFloatArray()[0];
      assertEquals(expected, cpu.get(i).getFloat(2), 1e-5f * (1 + Math.abs(expected)), "row " + i);
    }

    String plan = ArraxSpark.explain(df, f, x, y, base.withBackend("auto"));
    assertTrue(plan.contains("\nexecutors: batches as Java arrays, run on the task's thread (cpu)\n"), plan);
    assertTrue(plan.contains("\n== Arrax plan: backend cpu (requested auto), rows 256, "), plan);
    assertTrue(plan.contains("\n  auto: the program runs on the cpu because arrowtest not usable: the test backend is switched off "
        + "(ArrowTestBackend.use turns it on)\n"), plan);
  }

  /** The lines of a plan from its header on, checked: the count in the header, one line per segment, each on {@code backend}. */
  static List<String> segmentLines(String plan, String backend, String requested, int rows) {
    String[] lines = plan.split("\n");
    int h = -1;
    for (int i = 0; i < lines.length; i++) if (lines[i].startsWith("== Arrax plan:")) h = i;
    assertTrue(h > 0, plan);
    Matcher m = Pattern.compile("== Arrax plan: backend " + backend + " \\(requested " + requested + "\\), rows " + rows + ", (\\d+) segments ==")
        .matcher(lines[h]);
    assertTrue(m.matches(), lines[h]);
    List<String> segs = new ArrayList<>();
    for (int i = h + 1; i < lines.length; i++) if (lines[i].startsWith("  #")) segs.add(lines[i]);
    assertEquals(Integer.parseInt(m.group(1)), segs.size(), plan);
    for (int i = 0; i < segs.size(); i++) assertTrue(segs.get(i).startsWith("  #" + i + " "), plan);
    return segs;
  }

  @Test
  void explainListsEverySegmentWithItsBackendAndWhyAnotherDeclinedIt() throws Exception {
    Dataset<Row> df = idX(10, 1);
    String[] x = {"x"};
    String[] y = {"y"};
    ArraxOptions o = ArraxOptions.defaults().withArrayLength("x", D);

    String plan = ArraxSpark.explain(df, mlp(3), x, y, o);
    String[] lines = plan.split("\n");
    assertEquals("== ArraxSpark.map 'f(x) -> y' ==", lines[0]);
    assertTrue(lines[1].matches("per-row program [0-9a-f]{12}: \\d+ equations, inputs 'x' \\(array<float>\\) as f32\\[8\\]; outputs y float"),
        lines[1]);
    assertEquals("batched: jit(vmap(f)) over 65536 rows per batch (a partition's last batch padded to a power of two >= 64); "
        + "null policy NullPolicy.ERROR", lines[2]);
    assertEquals("executors: batches as Java arrays, run on the task's thread (cpu), at most 8192 rows each", lines[3]);
    List<String> segs = segmentLines(plan, "cpu", "cpu", 65536);
    assertTrue(segs.stream().anyMatch(s -> s.contains("CONTRACTION[dot_general]")), plan);
    for (String s : segs) assertTrue(s.endsWith("   cpu"), s);

    // A backend that takes everything but contractions: the program runs on the CPU, each contraction says why.
    try (AutoCloseable on = ArrowTestBackend.use(ArrowTestBackend.Mode.NO_CONTRACTIONS)) {
      plan = ArraxSpark.explain(df, mlp(4), x, y, o.withBackend(ArrowTestBackend.NAME));
      segs = segmentLines(plan, "cpu", "arrowtest", 65536);
      int contractions = 0;
      for (String s : segs) {
        if (s.contains("CONTRACTION[dot_general]")) {
          contractions++;
          assertTrue(s.endsWith("   cpu   (arrowtest: will not run on arrowtest because the test backend takes no contractions (dot_general))"), s);
        } else {
          assertTrue(s.endsWith("   cpu"), s);
        }
      }
      assertTrue(contractions >= 1, plan);
      assertTrue(plan.contains("\n  arrowtest: the program runs on the cpu because arrowtest declined " + contractions + " of " + segs.size()
          + " segments (first: arrowtest: will not run on arrowtest because the test backend takes no contractions (dot_general))\n"), plan);
    }

    // A backend that takes the whole program: every segment on it, batches handed over off-heap.
    try (AutoCloseable on = ArrowTestBackend.use(ArrowTestBackend.Mode.ALL)) {
      plan = ArraxSpark.explain(df, mlp(5), x, y, o.withBackend("auto").withBatchRows(1000));
      segs = segmentLines(plan, "arrowtest", "auto", 1000);
      for (String s : segs) assertTrue(s.endsWith("   arrowtest"), s);
      assertTrue(plan.contains("\nexecutors: batches as Arrow batches (one child allocator per task) handed to backend arrowtest off-heap "
          + "(runDirect)\n"), plan);
    }

    // mapMulti and sumGradient have plans too.
    plan = ArraxSpark.explainMulti(df, a -> new NDArray[] {mlp(6).apply(a), Np.sum(a[0])}, x, new String[] {"y", "s"}, o);
    assertTrue(plan.startsWith("== ArraxSpark.mapMulti 'f(x) -> y, s' ==\n"), plan);
    assertTrue(plan.contains("; outputs y float, s float\n"), plan);
    segmentLines(plan, "cpu", "cpu", 65536);
    plan = ArraxSpark.explainSumGradient(xt(10, 1), SQUARED, params(), new String[] {"x", "t"},
        ArraxOptions.defaults().withArrayLength("x", 3).withBatchRows(512));
    lines = plan.split("\n");
    assertEquals("== ArraxSpark.sumGradient 'd loss/d [b, w] over [x, t]' ==", lines[0]);
    assertTrue(lines[1].matches("per-row program [0-9a-f]{12}: the loss, \\d+ equations, parameters b f64\\[1\\], w f64\\[3\\]; "
        + "features 'x' \\(array<double>\\) as f64\\[3\\], 't' \\(double\\) as f64\\[\\]"), lines[1]);
    assertEquals("batched: valueAndGrad of the loss summed over the valid rows (bool mask) of vmap(loss), in f64, over 512 rows per batch (a partition's "
        + "last batch padded to a power of two >= 64); null policy NullPolicy.ERROR", lines[2]);
    segmentLines(plan, "cpu", "cpu", 512);
  }

  @Test
  void theExplainOptionLogsThePlanOnceAtInfo() {
    Dataset<Row> df = idX(40, 2);
    Fn f = mlp(7);
    ArraxOptions o = ArraxOptions.defaults().withArrayLength("x", D).withBatchRows(32);
    try (LogCapture log = new LogCapture("dev.arrax.spark.ArraxSpark")) {
      ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"y"}, o).collectAsList();
      assertEquals(0, log.matching("== ArraxSpark.map").size(), "explain is off by default: " + log.lines());
      ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"y"}, o.withExplain(true)).collectAsList();
      spark.conf().set(ArraxOptions.EXPLAIN_KEY, "true");
      try {
        ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"y"}, o).collectAsList();
      } finally {
        spark.conf().unset(ArraxOptions.EXPLAIN_KEY);
      }
      List<String> plans = log.matching("== ArraxSpark.map");
      assertEquals(1, plans.size(), "logged once per program and backend: " + log.lines());
      assertEquals(ArraxSpark.explain(df, f, new String[] {"x"}, new String[] {"y"}, o), plans.get(0).substring("INFO ".length()));
    }
  }
}
