package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inputs a careless or hostile caller hands the connector: empty frames whose array lengths nobody can read, every
 * output dtype split into columns or not, non-finite fill values from the Spark conf, rows of unequal lengths,
 * columns of unsupported types, nulls inside arrays, one-row batches and empty partitions. Each gives the documented
 * result (checked against a Java loop) or a clear error naming the column, the row and the fix.
 */
class SparkHostileInputTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkHostileInputTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static final StructType XT = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
      .add("t", DataTypes.DoubleType, true);

  /** W: f64[3,2]; a per-row function of x that only traces for arrays of exactly 3 elements. */
  static final NDArray W = NDArray.fromFlat(new double[] {1, -2, 0.5, 3, -1, 0.25}, 3, 2);

  private static String messageChain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append(" | ");
    return sb.toString();
  }

  // ---------------------------------------------------------------- 1. empty frames, unknown lengths

  @Test
  void anEmptyFrameWithoutArrayLengthsGivesNoRowsAndAZeroGradient() {
    Dataset<Row> empty = frame(spark, new ArrayList<>(), XT, 2);
    try (LogCapture log = new LogCapture("dev.arrax.spark.ArraxSpark")) {
      // needs exactly 3 elements per row: no row tells the length, the frame is empty
      Dataset<Row> out = ArraxSpark.map(empty, a -> Np.dot(a[0], W), new String[] {"x"}, new String[] {"g"});
      assertEquals("struct<id:bigint,x:array<double>,t:double,g:array<double>>", out.schema().simpleString());
      assertFalse(out.schema().apply("g").metadata().contains(ArraxSpark.ARRAY_LENGTH_METADATA),
          "a length that was not read from the data must not be claimed in the output's metadata");
      assertEquals(0, out.collectAsList().size());
      // fails at f64[0] (the max of no elements): the zero-length trace that used to be the only try
      Dataset<Row> peak = ArraxSpark.mapMulti(empty, a -> new NDArray[] {Np.max(a[0]), Np.greater(a[0], a[1])},
          new String[] {"x", "t"}, new String[] {"peak", "above"});
      assertEquals("struct<id:bigint,x:array<double>,t:double,peak:double,above:array<boolean>>", peak.schema().simpleString());
      assertEquals(0, peak.count());
      List<String> notes = log.matching("array column 'x'");
      assertFalse(notes.isEmpty(), "a note must say the length of x is unknown: " + log.lines());
      assertTrue(notes.get(0).startsWith("WARN ") && notes.get(0).contains("ArraxOptions.withArrayLength(\"x\", d)"), notes.get(0));
    }

    Fn loss = a -> {
      NDArray r = Np.subtract(Np.dot(a[1], a[0]), a[2]);
      return Np.multiply(r, r);
    };
    ArraxSpark.GradientSum s = ArraxSpark.sumValueAndGradient(empty, loss, Map.of("w", NDArray.of(1.0, 2.0, 3.0)),
        new String[] {"x", "t"}, ArraxOptions.defaults());
    assertEquals(0L, s.rows());
    assertEquals(0.0, s.value());
    assertArrayEquals(new double[3], s.gradient().get("w").toDoubleArray());
    assertArrayEquals(new int[] {3}, s.gradient().get("w").shape());
    Map<String, NDArray> g = ArraxSpark.sumGradientTree(empty, (p, row) -> Np.sum(Np.dot(row[0], p.get("m"))),
        Map.of("m", Np.zeros(new int[] {3, 2}, DType.FLOAT32)), new String[] {"x"}, ArraxOptions.defaults());
    assertEquals(DType.FLOAT32, g.get("m").dtype());
    assertArrayEquals(new double[6], g.get("m").toDoubleArray());
  }

  @Test
  void aColumnThatIsNullInEveryRowFollowsThePolicy() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) rows.add(RowFactory.create((long) i, null, 0.5 * i));
    Dataset<Row> allNull = frame(spark, rows, XT, 3);
    Fn f = a -> Np.dot(a[0], W);
    ArraxOptions nullRow = ArraxOptions.defaults().withNullPolicy(NullPolicy.NULL_ROW);
    List<Row> got = ArraxSpark.map(allNull, f, new String[] {"x"}, new String[] {"g"}, nullRow).collectAsList();
    assertEquals(30, got.size());
    for (int i = 0; i < 30; i++) {
      assertEquals(i, got.get(i).getLong(0));
      assertTrue(got.get(i).isNullAt(3), "row " + i);
    }
    Fn loss = a -> Np.sum(Np.dot(a[1], a[0]));
    ArraxSpark.GradientSum s = ArraxSpark.sumValueAndGradient(allNull, loss, Map.of("w", NDArray.of(1.0, 2.0, 3.0)), new String[] {"x"},
        nullRow);
    assertEquals(0L, s.rows());
    assertArrayEquals(new double[3], s.gradient().get("w").toDoubleArray());

    // the default policy: the first row fails, naming the column and the row
    SparkException e = assertThrows(SparkException.class,
        () -> ArraxSpark.map(allNull, f, new String[] {"x"}, new String[] {"g"}).collectAsList());
    assertTrue(messageChain(e).contains("column 'x' is null at row 0 of partition"), messageChain(e));
    // fill: a fill needs the length, which nothing tells: fail on the driver rather than fill made-up arrays
    ArraxSparkException fill = assertThrows(ArraxSparkException.class, () -> ArraxSpark.map(allNull, a -> Np.sum(a[0]),
        new String[] {"x"}, new String[] {"s"}, ArraxOptions.defaults().withNullPolicy(NullPolicy.fill(1.0))));
    assertTrue(fill.getMessage().contains("array column 'x' is null in every row, so its length is unknown")
        && fill.getMessage().contains("ArraxOptions.withArrayLength(\"x\", d)"), fill.getMessage());
    // with the length given, the fill works
    List<Row> filled = ArraxSpark.map(allNull, a -> Np.sum(a[0]), new String[] {"x"}, new String[] {"s"},
        ArraxOptions.defaults().withNullPolicy(NullPolicy.fill(1.0)).withArrayLength("x", 3)).collectAsList();
    for (Row r : filled) assertEquals(3.0, r.getDouble(3), 0.0);
  }

  // ---------------------------------------------------------------- 2. every output dtype, split or not

  static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT32, DType.BOOL};

  /** Per row: x (4 integral doubles in [-1000, 1000]) and u (4 integral doubles in [0, 2^32)). */
  static final StructType XU = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("u", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

  /** The [4] output of dtype d for one row: x*2 (f32, f64), x+1 (i32), 3x (i64), u (u32), x > 0 (bool). */
  static NDArray perDtype(DType d, NDArray x, NDArray u) {
    return switch (d) {
      case FLOAT32 -> x.astype(DType.FLOAT32).mul(2.0);
      case FLOAT64 -> x.mul(2.0);
      case INT32 -> Np.add(x.astype(DType.INT32), NDArray.ofInts(1));
      case INT64 -> Np.multiply(x.astype(DType.INT64), NDArray.ofLongs(3));
      case UINT32 -> u.astype(DType.UINT32);
      case BOOL -> Np.greater(x, 0.0);
    };
  }

  /** The same in Java, boxed as Spark hands the cell back (u32 is a bigint column). */
  static Object expected(DType d, double x, double u) {
    return switch (d) {
      case FLOAT32 -> (float) x * 2f;
      case FLOAT64 -> x * 2;
      case INT32 -> (int) x + 1;
      case INT64 -> 3L * (long) x;
      case UINT32 -> (long) u;
      case BOOL -> x > 0;
    };
  }

  @Test
  void everyOutputDtypeSplitIntoColumnsOrNotEqualsAJavaLoop() throws Exception {
    int n = 150;
    Random rng = new Random(5);
    List<Row> rows = new ArrayList<>();
    double[][] xs = new double[n][4];
    double[][] us = new double[n][4];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 4; j++) {
        xs[i][j] = rng.nextInt(2001) - 1000;
        us[i][j] = (double) (rng.nextLong() >>> 32); // the whole u32 range, beyond int's
      }
      us[i][0] = i == 0 ? 4294967295.0 : us[i][0];
      rows.add(RowFactory.create((long) i, xs[i], us[i]));
    }
    Dataset<Row> df = frame(spark, rows, XU, 3);
    String[] in = {"x", "u"};
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(64);
    for (String backend : new String[] {"cpu", ArrowTestBackend.NAME}) {
      try (AutoCloseable on = ArrowTestBackend.use(ArrowTestBackend.Mode.ALL)) {
        ArraxOptions ob = o.withBackend(backend);
        // the Arrow path (a device backend's) for the types whose cells are not the kernel's bytes: u32 widened, bool bytes
        for (DType d : backend.equals("cpu") ? DTYPES : new DType[] {DType.INT32, DType.UINT32, DType.BOOL}) {
          Fn f = a -> perDtype(d, a[0], a[1]);
          // split: one scalar column per element
          Dataset<Row> splitDf = ArraxSpark.map(df, f, in, new String[] {"c0", "c1", "c2", "c3"}, ob);
          String sql = switch (d) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case INT32 -> "int";
            case INT64, UINT32 -> "bigint";
            case BOOL -> "boolean";
          };
          for (String c : new String[] {"c0", "c1", "c2", "c3"}) assertEquals(sql, splitDf.schema().apply(c).dataType().simpleString(), d + " " + c);
          List<Row> split = splitDf.collectAsList();
          // not split: one array column (the same program)
          List<Row> whole = ArraxSpark.map(df, f, in, new String[] {"v"}, ob).collectAsList();
          assertEquals(n, split.size(), d + " split");
          assertEquals(n, whole.size(), d + " whole");
          for (int i = 0; i < n; i++) {
            List<Object> arr = whole.get(i).getList(3);
            for (int j = 0; j < 4; j++) {
              Object e = expected(d, xs[i][j], us[i][j]);
              assertEquals(e, split.get(i).get(3 + j), backend + " " + d + " split, row " + i + " column c" + j);
              assertEquals(e, arr.get(j), backend + " " + d + " array, row " + i + " element " + j);
            }
          }
        }
      }
    }
    // all six as arrays and as scalars (element 2) at once, in one pass
    MultiFn all = a -> {
      NDArray[] outs = new NDArray[2 * DTYPES.length];
      for (int k = 0; k < DTYPES.length; k++) {
        outs[k] = perDtype(DTYPES[k], a[0], a[1]);
        outs[DTYPES.length + k] = Np.take(outs[k], NDArray.ofInts(2)).reshape();
      }
      return outs;
    };
    String[] names = {"f32", "f64", "i32", "i64", "u32", "b", "sf32", "sf64", "si32", "si64", "su32", "sb"};
    Dataset<Row> multiDf = ArraxSpark.mapMulti(df, all, in, names, o);
    assertEquals("array<float>,array<double>,array<int>,array<bigint>,array<bigint>,array<boolean>,float,double,int,bigint,bigint,boolean",
        String.join(",", java.util.Arrays.stream(multiDf.schema().fields()).skip(3).map(fld -> fld.dataType().simpleString()).toList()));
    List<Row> multi = multiDf.collectAsList();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < DTYPES.length; k++) {
        List<Object> arr = multi.get(i).getList(3 + k);
        for (int j = 0; j < 4; j++) assertEquals(expected(DTYPES[k], xs[i][j], us[i][j]), arr.get(j), DTYPES[k] + " multi, row " + i);
        assertEquals(expected(DTYPES[k], xs[i][2], us[i][2]), multi.get(i).get(3 + DTYPES.length + k), DTYPES[k] + " scalar, row " + i);
      }
    }
  }

  // ---------------------------------------------------------------- 3. non-finite fills from the conf

  @Test
  void nonFiniteFillValuesFromTheSparkConfFillNulls() {
    assertTrue(Double.isNaN(ArraxOptions.parseNullPolicy("fill:NaN").fillValue()));
    assertTrue(Double.isNaN(ArraxOptions.parseNullPolicy("FILL(nan)").fillValue()));
    assertEquals(Double.POSITIVE_INFINITY, ArraxOptions.parseNullPolicy("fill:Infinity").fillValue());
    assertEquals(Double.POSITIVE_INFINITY, ArraxOptions.parseNullPolicy("fill:+inf").fillValue());
    assertEquals(Double.NEGATIVE_INFINITY, ArraxOptions.parseNullPolicy("fill:-Infinity").fillValue());
    assertEquals(Double.NEGATIVE_INFINITY, ArraxOptions.parseNullPolicy("fill(-INF)").fillValue());
    assertEquals(-2.5e-3, ArraxOptions.parseNullPolicy("fill:-2.5E-3").fillValue());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.parseNullPolicy("fill:nope"));
    assertEquals("spark.arrax.nullPolicy=fill:nope: expected error, null_row or fill:<number> (a number, NaN, Infinity or -Infinity)",
        bad.getMessage());

    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Double[] x = {1.0 * i, 2.0, 3.0};
      if (i % 3 == 1) x[1] = null;
      rows.add(RowFactory.create((long) i, i % 4 == 2 ? null : x, i % 5 == 3 ? null : 0.5 * i));
    }
    Dataset<Row> df = frame(spark, rows, XT, 2);
    ArraxOptions len = ArraxOptions.defaults().withArrayLength("x", 3);
    for (String conf : new String[] {"fill:NaN", "fill:Infinity", "fill:-Infinity"}) {
      double v = ArraxOptions.parseNullPolicy(conf).fillValue();
      spark.conf().set(ArraxOptions.NULL_POLICY_KEY, conf);
      try {
        List<Row> got = ArraxSpark.mapMulti(df, a -> new NDArray[] {Np.sum(a[0]), a[1]}, new String[] {"x", "t"},
            new String[] {"s", "tt"}, len).collectAsList();
        for (int i = 0; i < 12; i++) {
          double s = i % 4 == 2 ? 3 * v : i % 3 == 1 ? i + v + 3.0 : i + 5.0;
          double t = i % 5 == 3 ? v : 0.5 * i;
          assertEquals(s, got.get(i).getDouble(3), 0.0, conf + " s at row " + i);
          assertEquals(t, got.get(i).getDouble(4), 0.0, conf + " t at row " + i);
        }
      } finally {
        spark.conf().unset(ArraxOptions.NULL_POLICY_KEY);
      }
    }
    // NaN cannot fill an integer column: the driver says so before any task
    StructType ints = new StructType().add("k", DataTypes.IntegerType, true);
    Dataset<Row> kdf = frame(spark, List.of(RowFactory.create(1), RowFactory.create((Object) null)), ints, 1);
    spark.conf().set(ArraxOptions.NULL_POLICY_KEY, "fill:NaN");
    try {
      ArraxSparkException e = assertThrows(ArraxSparkException.class,
          () -> ArraxSpark.map(kdf, a -> a[0].mul(2.0), new String[] {"k"}, new String[] {"y"}));
      assertTrue(e.getMessage().contains("'k'") && e.getMessage().contains("NaN"), e.getMessage());
    } finally {
      spark.conf().unset(ArraxOptions.NULL_POLICY_KEY);
    }
  }

  // ---------------------------------------------------------------- 4. ragged rows, bad types, one-row batches, empty partitions

  @Test
  void raggedRowsFailNamingTheColumnTheRowAndTheFixInMapAndSumGradient() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) rows.add(RowFactory.create((long) i, i == 13 ? new double[] {1, 2} : new double[] {1, 2, 3}, 1.0));
    Dataset<Row> df = frame(spark, rows, XT, 1);
    SparkException e = assertThrows(SparkException.class,
        () -> ArraxSpark.map(df, a -> Np.dot(a[0], W), new String[] {"x"}, new String[] {"g"}).collectAsList());
    String m = messageChain(e);
    assertTrue(m.contains("ArraxSpark.map: column 'x' has 2 elements at row 13 of partition 0, but the function was traced for arrays of 3 "
        + "elements; every row of an array column must have the same length"), m);
    assertTrue(m.contains("filter or pad") && m.contains("size(x) = 3"), "the message must say how to fix it: " + m);
    e = assertThrows(SparkException.class,
        () -> ArraxSpark.sumGradient(df, a -> Np.sum(Np.dot(a[1], a[0])), Map.of("w", NDArray.of(1.0, 2.0, 3.0)), new String[] {"x"}));
    m = messageChain(e);
    assertTrue(m.contains("ArraxSpark.sumGradient: column 'x' has 2 elements at row 13 of partition 0"), m);
  }

  @Test
  void columnsOfUnsupportedTypesFailOnTheDriverNamingTypeAndFix() {
    StructType odd = new StructType()
        .add("nested", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
        .add("shorts", DataTypes.createArrayType(DataTypes.ShortType))
        .add("dec", DataTypes.createDecimalType(10, 2))
        .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType));
    Dataset<Row> df = spark.createDataFrame(new ArrayList<>(), odd);
    for (String c : new String[] {"nested", "shorts", "dec", "m"}) {
      String type = odd.apply(c).dataType().simpleString();
      ArraxSparkException e = assertThrows(ArraxSparkException.class,
          () -> ArraxSpark.mapMulti(df, a -> new NDArray[] {a[0]}, new String[] {c}, new String[] {"y"}));
      assertTrue(e.getMessage().startsWith("ArraxSpark.mapMulti: input column '" + c + "' has type " + type + ", but Arrax reads"),
          e.getMessage());
      assertTrue(e.getMessage().contains("cast it first"), e.getMessage());
      e = assertThrows(ArraxSparkException.class,
          () -> ArraxSpark.sumGradient(df, a -> Np.sum(a[0]), Map.of("w", NDArray.of(1.0)), new String[] {c}));
      assertTrue(e.getMessage().startsWith("ArraxSpark.sumGradient: input column '" + c + "' has type " + type), e.getMessage());
    }
  }

  @Test
  void oneRowBatchesAndEmptyPartitionsGiveTheJavaLoopsResults() {
    int n = 23;
    Random rng = new Random(8);
    List<Row> rows = new ArrayList<>();
    double[][] xs = new double[n][];
    double[] ts = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = SparkTestSupport.gaussianDoubles(rng, 3);
      ts[i] = rng.nextGaussian();
      rows.add(RowFactory.create((long) i, xs[i], i % 6 == 4 ? null : ts[i]));
    }
    double[] w = {0.5, -1.5, 2.0};
    NDArray wa = NDArray.of(w);
    Fn score = a -> Np.dot(a[0], wa);
    // loss (x.w - t)^2: d/dw = 2 (x.w - t) x
    Fn loss = a -> {
      NDArray r = Np.subtract(Np.dot(a[1], a[0]), a[2]);
      return Np.multiply(r, r);
    };
    double[] refGrad = new double[3];
    double refLoss = 0;
    long used = 0;
    for (int i = 0; i < n; i++) {
      if (i % 6 == 4) continue;
      double r = xs[i][0] * w[0] + xs[i][1] * w[1] + xs[i][2] * w[2] - ts[i];
      refLoss += r * r;
      for (int j = 0; j < 3; j++) refGrad[j] += 2 * r * xs[i][j];
      used++;
    }
    // 23 rows over 12 partitions (most of them empty), and the same rows where a filter empties whole partitions
    Dataset<Row> sparse = frame(spark, rows, XT, 12);
    Dataset<Row> filtered = frame(spark, rows, XT, 5).where("id < 5 OR id >= 14");
    for (int batchRows : new int[] {1, 65_536}) {
      ArraxOptions o = ArraxOptions.defaults().withBatchRows(batchRows).withNullPolicy(NullPolicy.NULL_ROW);
      for (Dataset<Row> df : List.of(sparse, filtered)) {
        List<Row> got = ArraxSpark.map(df, score, new String[] {"x"}, new String[] {"s"}, o).collectAsList();
        for (Row r : got) {
          int i = (int) r.getLong(0);
          double e = xs[i][0] * w[0] + xs[i][1] * w[1] + xs[i][2] * w[2];
          assertEquals(e, r.getDouble(3), 1e-12, "batchRows " + batchRows + ", row " + i);
        }
        assertEquals(df == sparse ? n : 14, got.size(), "batchRows " + batchRows);
      }
      Map<String, NDArray> p = new LinkedHashMap<>();
      p.put("w", wa);
      ArraxSpark.GradientSum s = ArraxSpark.sumValueAndGradient(sparse, loss, p, new String[] {"x", "t"}, o);
      assertEquals(used, s.rows(), "batchRows " + batchRows);
      assertEquals(refLoss, s.value(), 1e-12 * (1 + refLoss), "batchRows " + batchRows);
      String c = SparkTestSupport.compare(s.gradient().get("w").toDoubleArray(), refGrad, 1e-12);
      if (c != null) fail("batchRows " + batchRows + ": " + c);
    }
  }
}
