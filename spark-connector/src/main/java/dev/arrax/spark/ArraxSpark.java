package dev.arrax.spark;

import dev.arrax.Arrax;
import dev.arrax.ArraxException;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.backend.Backends;
import dev.arrax.backend.HostArrays;
import dev.arrax.backend.Placement;
import dev.arrax.core.ArrayType;
import dev.arrax.ir.Program;
import dev.arrax.spark.Columns.InputColumn;
import dev.arrax.spark.Columns.OutputColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Arrax functions over Spark DataFrames: a function written for ONE row is traced on the driver, shipped
 * to the executors as program text, batched there with vmap, compiled once per executor JVM, and applied batch
 * by batch ({@code jit(vmap(f))}) to every partition. No user lambda is serialized.
 *
 * <h2>Inputs</h2>
 * Each input column gives the function one argument per row: a numeric scalar column ({@code float},
 * {@code double}, {@code int}, {@code bigint}, {@code smallint}, {@code tinyint}, {@code boolean}) a 0-d array of
 * the matching dtype (f32, f64, i32, i64, i32, i32, bool); an {@code array<float|double|int|bigint>} column a 1-d
 * array {@code [d]}, where every row must have the same length {@code d} (read from the first non-null row, or
 * given with {@link ArraxOptions#withArrayLength}). A missing or mistyped column fails on the driver before any
 * task runs, naming the column, its type and the types accepted.
 *
 * <h2>Outputs</h2>
 * A per-row output that is a scalar becomes a scalar column, a 1-d array {@code [k]} an
 * {@code array<...>} column; f32, f64, i32, i64 and bool give float, double, int, bigint and boolean.
 *
 * <pre>{@code
 * // per-row input gradients of a tanh MLP (W1, b1, w2 captured as constants of the traced program)
 * Fn f = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[0], W1), b1)), w2);
 * Dataset<Row> out = ArraxSpark.map(df, Arrax.grad(f), new String[] {"x"}, new String[] {"saliency"});
 *
 * // value and gradient in one pass
 * Dataset<Row> both = ArraxSpark.mapMulti(df, Arrax.valueAndGrad(f), new String[] {"x"}, new String[] {"score", "saliency"});
 * }</pre>
 *
 * <h2>In the query plan</h2>
 * The result's plan is the input's plan with one node on top, {@code ArraxMap} (no RDD round trip): {@code explain()}
 * shows it as {@code ArraxMap f(x) -> y [backend cpu], program 3f2a9c1d0b4e, 65536 rows per batch} above the
 * untouched upstream plan (a Parquet scan keeps its pushed filters, and columns the query does not use are pruned
 * below the map). Its SQL metrics (in the Spark UI's SQL tab and the executed plan): number of output rows, number
 * of batches, kernel time, compile time, rows on CPU, rows on GPU. The planner strategy is registered in the
 * session on first use; nothing needs to be configured. Array lengths: see {@link ArraxOptions#withArrayLength}; a
 * column whose length the plan or its metadata ({@link #ARRAY_LENGTH_METADATA}) tells needs no Spark job.
 *
 * <p>Each task runs the kernels on its own thread ({@link dev.arrax.backend.Executable#runOnCallerThread}):
 * Spark already runs one task per core. Per-partition lines (rows, batches, time in the kernel) are logged at
 * DEBUG by {@code dev.arrax.spark.MapTask}.
 *
 * <h2>Backends</h2>
 * The batched program runs on the backend of {@link ArraxOptions#withBackend(String)} ({@code spark.arrax.backend}:
 * {@code cpu}, the default; {@code gpu}; {@code auto}; or another installed backend's name). The driver checks it
 * before any Spark job runs: a backend that is not installed or not usable fails the call there, saying why. Each
 * call logs one INFO line with the backend that runs the program and its segments (and why not the one requested
 * when it falls back to the CPU); {@link #explain(Dataset, Fn, String[], String[], ArraxOptions)} returns that plan,
 * and {@link ArraxOptions#withExplain} ({@code spark.arrax.explain}, {@code -Darrax.explain=true}) logs it. On a
 * backend other than the CPU each task builds its batches as Arrow batches and hands them over off-heap.
 */
public final class ArraxSpark {
  private static final Logger LOG = LoggerFactory.getLogger(ArraxSpark.class);
  private static final String JOB_DESCRIPTION = "spark.job.description";
  private static final String CALL_SITE_SHORT = "callSite.short";
  private static final String CALL_SITE_LONG = "callSite.long";

  private ArraxSpark() {}

  /** The result of {@link #sumValueAndGradient}: the summed loss, the summed gradient (same keys as the params) and the rows used. */
  public record GradientSum(double value, Map<String, NDArray> gradient, long rows) {}

  /**
   * The Arrow memory of the connector's batches in this JVM (the batch path of backends other than the CPU):
   * bytes held now, the most ever held, and the task allocators open now. Both "now" figures are 0 when no such
   * task runs: every task closes its allocator.
   */
  public record ArrowMemory(long allocatedBytes, long peakBytes, int openTaskAllocators) {}

  /** The Arrow memory of the connector's batches in this JVM (for tests and diagnostics). */
  public static ArrowMemory arrowMemory() {
    return TaskArrow.usage();
  }

  // ---------------------------------------------------------------- map

  /**
   * The DataFrame with all its columns, in order, followed by the output of {@code perRowFn} applied to every
   * row, in the same row order. {@code perRowFn} takes one argument per input column (for ONE row) and returns
   * one array: with one output name it becomes one column (a scalar or an array column); with {@code k > 1}
   * names the function must return a 1-d array of {@code k} elements per row, split into {@code k} scalar
   * columns. Options come from the Spark conf ({@code spark.arrax.*}) and the defaults.
   */
  public static Dataset<Row> map(Dataset<Row> df, Fn perRowFn, String[] inputCols, String[] outputCols) {
    return map(df, perRowFn, inputCols, outputCols, ArraxOptions.defaults());
  }

  /** {@link #map(Dataset, Fn, String[], String[])} with options; unset options come from the Spark conf. */
  public static Dataset<Row> map(Dataset<Row> df, Fn perRowFn, String[] inputCols, String[] outputCols, ArraxOptions options) {
    requireNonNull("map", df, perRowFn, options);
    MultiFn m = args -> new NDArray[] {perRowFn.apply(args)};
    return mapImpl("map", df, m, inputCols, outputCols, options, true, null);
  }

  /**
   * As {@link #map(Dataset, Fn, String[], String[])} for a function with several outputs (e.g.
   * {@link Arrax#valueAndGrad}): one output column per output, in order, computed in one pass.
   */
  public static Dataset<Row> mapMulti(Dataset<Row> df, MultiFn perRowFn, String[] inputCols, String[] outputCols) {
    return mapMulti(df, perRowFn, inputCols, outputCols, ArraxOptions.defaults());
  }

  /** {@link #mapMulti(Dataset, MultiFn, String[], String[])} with options. */
  public static Dataset<Row> mapMulti(Dataset<Row> df, MultiFn perRowFn, String[] inputCols, String[] outputCols, ArraxOptions options) {
    requireNonNull("mapMulti", df, perRowFn, options);
    return mapImpl("mapMulti", df, perRowFn, inputCols, outputCols, options, false, null);
  }

  /** What the driver decides for a map before any task runs. */
  private record MapJob(String op, String label, InputColumn[] cols, OutputColumn[] outs, Program perRow, String text, String digest,
      ArraxOptions options, Placement placement, boolean lengthsGuessed) {}

  private static MapJob prepareMap(String op, Dataset<Row> df, MultiFn fn, String[] inputCols, String[] outputCols, ArraxOptions options,
      boolean single) {
    op = "ArraxSpark." + op;
    SparkSession spark = df.sparkSession();
    ArraxOptions o = options.resolve(spark.conf());
    StructType schema = df.schema();
    InputColumn[] cols = Columns.resolveInputs(op, schema, inputCols);
    Columns.checkOutputNames(op, schema, outputCols);
    BatchReader.checkFill(op, cols, o.nullPolicy());
    checkBackend(op, o, options.backendSource(spark.conf()));
    String label = label(o, inputCols, outputCols);
    boolean[] guessed = new boolean[cols.length];
    cols = resolveArrayLengths(op, df, cols, o, guessed);
    boolean unknown = checkUnknownLengths(op, df, cols, guessed, o.nullPolicy());

    Program perRow;
    if (unknown) {
      Traced t = traceAtSomeLength(op, fn, cols, guessed, null);
      perRow = t.perRow();
      cols = t.cols();
    } else {
      perRow = tracePerRow(op, fn, cols, guessed, null);
    }
    OutputColumn[] outs = outputColumns(op, perRow, outputCols, single);
    String text = perRow.toText();
    String digest = Programs.digest(text);
    checkBatches(op, Programs.Batching.MAP, perRow, digest, 0);
    o = sizeBatches(op, Programs.Batching.MAP, perRow, digest, 0, o);
    Placement placement = Programs.placement(digest, text, Programs.Batching.MAP, 0, o.batchRows(), o.backend());
    return new MapJob(op, label, cols, outs, perRow, text, digest, o, placement, unknown);
  }

  /** {@link #map} (single) or {@link #mapMulti}, handing the traced per-row program's text to {@code traced}. */
  static Dataset<Row> mapTraced(String op, Dataset<Row> df, MultiFn fn, String[] inputCols, String[] outputCols, ArraxOptions options,
      boolean single, java.util.function.Consumer<String> traced) {
    requireNonNull(op, df, fn, options);
    MultiFn m = single ? args -> new NDArray[] {fn.apply(args)[0]} : fn;
    return mapImpl(op, df, m, inputCols, outputCols, options, single, traced);
  }

  private static Dataset<Row> mapImpl(String op, Dataset<Row> df, MultiFn fn, String[] inputCols, String[] outputCols,
      ArraxOptions options, boolean single, java.util.function.Consumer<String> traced) {
    MapJob job = prepareMap(op, df, fn, inputCols, outputCols, options, single);
    if (traced != null) traced.accept(job.text());
    op = job.op();
    ArraxOptions o = job.options();
    String label = job.label();
    InputColumn[] cols = job.cols();
    OutputColumn[] outs = job.outs();
    String digest = job.digest();
    SparkSession spark = df.sparkSession();
    StructType schema = df.schema();
    SparkContext sc = spark.sparkContext();
    logPlan(op, label, digest, job.placement(), o, sc, () -> explainMap(job));

    MapTask.Spec spec = new MapTask.Spec(op, label, job.text(), digest, cols, outs, o.nullPolicy(), o.batchRows(), o.backend(),
        job.placement().backend());
    LOG.info("{}: program {} ({} equations) over {} -> {}, {}", op, digest.substring(0, 12), job.perRow().eqns().size(),
        Arrays.stream(cols).map(InputColumn::describe).collect(Collectors.joining(", ")),
        Arrays.stream(outs).map(c -> c.name() + " " + c.sparkType().simpleString()).collect(Collectors.joining(", ")), o);
    // A length guessed to trace the function (no row told it) is not claimed in the outputs' metadata.
    return SparkShim.mapNode(df, spec, outputFields(outs, o.nullPolicy(), !job.lengthsGuessed()));
  }

  /**
   * The schema {@link #map} / {@link #mapMulti} would produce, computed without reading any data (for
   * {@link ArraxTransformer#transformSchema}): array lengths come from the options, else 1 is tried.
   */
  static StructType outputSchema(String op, StructType schema, MultiFn fn, String[] inputCols, String[] outputCols, ArraxOptions o,
      boolean single, java.util.function.Consumer<String> traced) {
    InputColumn[] cols = Columns.resolveInputs(op, schema, inputCols);
    Columns.checkOutputNames(op, schema, outputCols);
    boolean[] guessed = new boolean[cols.length];
    for (int i = 0; i < cols.length; i++) {
      if (cols[i].scalar()) continue;
      Integer given = o.arrayLengths().get(cols[i].name());
      guessed[i] = given == null;
      cols[i] = cols[i].withWidth(given == null ? 1 : given);
    }
    Program perRow = tracePerRow(op, fn, cols, guessed, null, "is an array column whose length is not set (1 was tried); set it with "
        + "ArraxTransformer.setArrayLengths or ArraxOptions.withArrayLength(\"%s\", d)");
    OutputColumn[] outs = outputColumns(op, perRow, outputCols, single);
    boolean exact = true;
    for (boolean g : guessed) exact &= !g;
    if (exact && traced != null) traced.accept(perRow.toText());
    return withOutputs(schema, outs, o.nullPolicy());
  }

  private static StructType withOutputs(StructType schema, OutputColumn[] outs, NullPolicy policy) {
    List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
    fields.addAll(Arrays.asList(outputFields(outs, policy, false).fields()));
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * The column metadata key that gives an array column's length ({@code long}): set on the array outputs of a map
   * (so a map of a map's output needs no job to learn it), and read from any input column that carries it.
   */
  public static final String ARRAY_LENGTH_METADATA = "arrax.arrayLength";

  /** The output columns as fields; with {@code lengths}, array columns carry their length as {@link #ARRAY_LENGTH_METADATA}. */
  private static StructType outputFields(OutputColumn[] outs, NullPolicy policy, boolean lengths) {
    boolean nullable = policy.kind() == NullPolicy.Kind.NULL_ROW;
    StructField[] fields = new StructField[outs.length];
    for (int j = 0; j < outs.length; j++) {
      OutputColumn oc = outs[j];
      org.apache.spark.sql.types.Metadata md = lengths && !oc.scalar()
          ? new org.apache.spark.sql.types.MetadataBuilder().putLong(ARRAY_LENGTH_METADATA, oc.width()).build()
          : org.apache.spark.sql.types.Metadata.empty();
      fields[j] = new StructField(oc.name(), oc.sparkType(), nullable, md);
    }
    return new StructType(fields);
  }

  /** The output columns of a traced per-row program, checked against the names. */
  private static OutputColumn[] outputColumns(String op, Program perRow, String[] names, boolean single) {
    ArrayType[] t = perRow.outTypes();
    for (int i = 0; i < t.length; i++) {
      if (t[i].rank() > 1) {
        throw new ArraxSparkException(op + ": output " + i + " of the function is " + t[i] + " per row; outputs must be scalars or 1-d "
            + "arrays per row (reshape it to [" + t[i].size() + "] for an array column)");
      }
    }
    if (single && names.length > 1) {
      ArrayType r = t[0];
      if (r.rank() != 1 || r.dim(0) != names.length) {
        throw new ArraxSparkException(op + ": " + names.length + " output columns " + Arrays.toString(names) + " need the function to return a "
            + "1-d array of " + names.length + " elements per row (one per column), but it returns " + r
            + "; give one output name for a single column");
      }
      OutputColumn[] outs = new OutputColumn[names.length];
      for (int j = 0; j < names.length; j++) outs[j] = new OutputColumn(names[j], 0, j, names.length, r.dtype(), Columns.SCALAR);
      return outs;
    }
    if (names.length != t.length) {
      throw new ArraxSparkException(op + ": the function returns " + t.length + " outputs " + Arrays.toString(t) + " per row but "
          + names.length + " output column names were given " + Arrays.toString(names) + "; give one name per output");
    }
    OutputColumn[] outs = new OutputColumn[t.length];
    for (int j = 0; j < t.length; j++) {
      boolean scalar = t[j].rank() == 0;
      outs[j] = new OutputColumn(names[j], j, 0, scalar ? 1 : t[j].dim(0), t[j].dtype(), scalar ? Columns.SCALAR : t[j].dim(0));
    }
    return outs;
  }

  // ---------------------------------------------------------------- sumGradient

  /**
   * The sum over all rows of the gradient of {@code lossPerRow} with respect to {@code params}, the parameters
   * reaching the loss BY NAME: the building block of full-batch training (and what {@link ArraxEstimator} runs).
   * Equivalent to {@code gradTree(sum over rows of lossPerRow)} on one machine.
   *
   * <p>{@code lossPerRow.apply(p, row...)} gets the parameters as a map with the keys of {@code params} (in
   * {@code params}' iteration order) and one argument per feature column for ONE row (0-d for a scalar column,
   * {@code [d]} for an array column), and returns a scalar loss:
   * <pre>{@code
   * Arrax.TreeLoss<Map<String, NDArray>> loss = (p, row) -> {     // row[0] = x (one row), row[1] = y
   *   NDArray z = Np.add(Np.dot(row[0], p.get("w")), p.get("b"));
   *   return Np.subtract(Nn.softplus(z), Np.multiply(row[1], z));
   * };
   * Map<String, NDArray> g = ArraxSpark.sumGradientTree(df, loss, Map.of("w", w, "b", b), new String[] {"x", "y"}, ArraxOptions.defaults());
   * }</pre>
   * The gradient has the keys, shapes and dtypes of {@code params}. Per batch the connector runs the gradient of
   * the batch's summed loss, {@code valueAndGrad(p -> sum over valid rows of vmap(lossPerRow)(p, rows))} compiled
   * (the loss summed in f64): memory is one batch's activations plus one gradient, never {@code [rows, params]}.
   * Batches have at most {@link ArraxOptions#withBatchRows batchRows} rows and about
   * {@link ArraxOptions#withMaxBytesPerBatch maxBytesPerBatch} bytes. A task adds its batches into a double-double
   * sum (16 bytes per parameter shipped) and the driver adds the tasks' sums exactly as they arrive (rounded once
   * at the end), so the result is bit-for-bit the same on every run over the same partitioning, whatever order
   * Spark's tasks finish in; another partitioning or batch size changes only the rounding inside batches.
   * Parameters are program inputs, not constants: a training loop that calls this with new values reuses the
   * executors' compiled programs. Under {@link NullPolicy#NULL_ROW} rows with a null feature are skipped.
   */
  public static Map<String, NDArray> sumGradientTree(Dataset<Row> df, Arrax.TreeLoss<Map<String, NDArray>> lossPerRow,
      Map<String, NDArray> params, String[] featureCols, ArraxOptions options) {
    return sumValueAndGradientTree(df, lossPerRow, params, featureCols, options).gradient();
  }

  /** The summed loss and its gradient in one pass, parameters by name; see {@link #sumGradientTree}. */
  public static GradientSum sumValueAndGradientTree(Dataset<Row> df, Arrax.TreeLoss<Map<String, NDArray>> lossPerRow,
      Map<String, NDArray> params, String[] featureCols, ArraxOptions options) {
    String op = "ArraxSpark.sumGradientTree";
    requireNonNull(op, df, lossPerRow, options);
    ParamOrder order = paramOrder(op, params, true);
    List<String> keys = order.keys();
    int k = keys.size();
    Fn positional = a -> {
      Map<String, NDArray> named = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) named.put(keys.get(i), a[i]);
      return lossPerRow.apply(Collections.unmodifiableMap(named), Arrays.copyOfRange(a, k, a.length));
    };
    return gradientImpl(op, df, positional, order, featureCols, options);
  }

  /**
   * The sum over all rows of the gradient of a POSITIONAL {@code lossPerRow}; prefer
   * {@link #sumGradientTree}, where the loss reads its parameters by name.
   *
   * <p><b>Arguments of {@code lossPerRow}</b>: the parameter arrays in the iteration order of {@code params}, then
   * one argument per feature column for ONE row. The order is the one the map defines: insertion order for a
   * {@code LinkedHashMap}, key order for a {@code SortedMap}. A map without a defined order ({@code Map.of},
   * {@code HashMap}) with several entries has its keys passed in sorted order (the only order such a map can
   * promise), and a warning says so once per key set: use {@link #sumGradientTree} or a {@code LinkedHashMap}.
   * For {@code params = new LinkedHashMap<>(){{put("w", ..); put("b", ..);}}} and {@code featureCols = {"x", "y"}}
   * it is called as {@code lossPerRow(w, b, x, y)}. Otherwise as {@link #sumGradientTree}.
   */
  public static Map<String, NDArray> sumGradient(Dataset<Row> df, Fn lossPerRow, Map<String, NDArray> params, String[] featureCols) {
    return sumGradient(df, lossPerRow, params, featureCols, ArraxOptions.defaults());
  }

  /** {@link #sumGradient(Dataset, Fn, Map, String[])} with options. */
  public static Map<String, NDArray> sumGradient(Dataset<Row> df, Fn lossPerRow, Map<String, NDArray> params, String[] featureCols,
      ArraxOptions options) {
    String op = "ArraxSpark.sumGradient";
    requireNonNull(op, df, lossPerRow, options);
    return gradientImpl(op, df, lossPerRow, paramOrder(op, params, false), featureCols, options).gradient();
  }

  /** The summed loss and its gradient in one pass (e.g. for a line search); see {@link #sumGradient(Dataset, Fn, Map, String[])}. */
  public static GradientSum sumValueAndGradient(Dataset<Row> df, Fn lossPerRow, Map<String, NDArray> params, String[] featureCols,
      ArraxOptions options) {
    String op = "ArraxSpark.sumValueAndGradient";
    requireNonNull(op, df, lossPerRow, options);
    return gradientImpl(op, df, lossPerRow, paramOrder(op, params, false), featureCols, options);
  }

  /** The parameters in the order the loss receives them. */
  private record ParamOrder(List<String> keys, NDArray[] leaves) {}

  /**
   * The checked parameters in the map's own order where it has one (a {@code SortedMap}, a {@code LinkedHashMap},
   * one entry, or any map when the loss takes them by name), else in sorted key order with a warning.
   */
  private static ParamOrder paramOrder(String op, Map<String, NDArray> params, boolean byName) {
    if (params == null || params.isEmpty()) throw new ArraxSparkException(op + ": give at least one parameter array in params");
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      if (e.getKey() == null) throw new ArraxSparkException(op + ": a parameter key is null");
      NDArray v = e.getValue();
      if (!isConcrete(v)) {
        throw new ArraxSparkException(op + ": parameter '" + e.getKey() + "' must be a concrete array, got " + v);
      }
      if (!v.dtype().isFloating()) {
        throw new ArraxSparkException(op + ": parameter '" + e.getKey() + "' is " + v.type() + "; gradients need f32 or f64 parameters");
      }
    }
    boolean ordered = byName || params.size() == 1 || params instanceof java.util.SortedMap || params instanceof LinkedHashMap;
    Map<String, NDArray> inOrder = ordered ? params : new TreeMap<>(params);
    if (!ordered && LOGGED_ONCE.add("unordered|" + inOrder.keySet())) {
      LOG.warn("{}: params {} ({}) has no defined order, so the loss gets them in sorted key order {}; read them by name with "
          + "ArraxSpark.sumGradientTree, or pass a LinkedHashMap for insertion order", op, inOrder.keySet(), params.getClass().getSimpleName(),
          inOrder.keySet());
    }
    return new ParamOrder(new ArrayList<>(inOrder.keySet()), inOrder.values().toArray(new NDArray[0]));
  }

  /** What the driver decides for a gradient sum before any task runs. */
  private record GradientJob(String op, String label, InputColumn[] cols, InputColumn[] shipped, List<String> keys, NDArray[] leaves,
      Program perRow, String text, String digest, ArraxOptions options, Placement placement) {}

  private static GradientJob prepareGradient(String op, Dataset<Row> df, Fn lossPerRow, ParamOrder order, String[] featureCols,
      ArraxOptions options) {
    SparkSession spark = df.sparkSession();
    ArraxOptions o = options.resolve(spark.conf());
    InputColumn[] cols = Columns.resolveInputs(op, df.schema(), featureCols);
    BatchReader.checkFill(op, cols, o.nullPolicy());
    checkBackend(op, o, options.backendSource(spark.conf()));
    boolean[] guessed = new boolean[cols.length];
    cols = resolveArrayLengths(op, df, cols, o, guessed);
    boolean unknown = checkUnknownLengths(op, df, cols, guessed, o.nullPolicy());

    List<String> keys = order.keys();
    NDArray[] leaves = order.leaves();
    int[] argnums = new int[leaves.length];
    for (int i = 0; i < argnums.length; i++) argnums[i] = i;
    // The loss alone travels: each executor builds the gradient of a batch's summed loss from it
    // (Programs.batchedGradientSum), so no per-row gradient is ever materialized as [rows, params].
    MultiFn vg = a -> new NDArray[] {lossPerRow.apply(a)};
    Program perRow;
    if (unknown) {
      Traced t;
      try {
        t = traceAtSomeLength(op, vg, cols, guessed, leaves);
      } catch (ArraxSparkException e) {
        // No row tells the length and no length traces; if no row can reach the loss anyway (every row is null in
        // that column and skipped, or there is no row), the sum over no rows is zero: say so rather than fail.
        if (o.nullPolicy().kind() != NullPolicy.Kind.NULL_ROW && !isEmpty(op, df, "no length traces")) throw e;
        LOG.warn("{}: {}; no row reaches the loss ({}), so the sum is 0 over 0 rows", op, unknownLengthNote(cols, guessed),
            o.nullPolicy().kind() == NullPolicy.Kind.NULL_ROW ? "every row has a null there and the null policy skips it" : "the frame is empty");
        return new GradientJob(op, null, cols, null, keys, leaves, null, null, null, o, null);
      }
      perRow = t.perRow();
      cols = t.cols();
    } else {
      perRow = tracePerRow(op, vg, cols, guessed, leaves);
    }
    ArrayType[] lossType = perRow.outTypes();
    if (lossType.length != 1 || lossType[0].rank() != 0 || !lossType[0].dtype().isFloating()) {
      tracePerRow(op, Arrax.valueAndGrad(lossPerRow, argnums), cols, guessed, leaves); // fails with grad's message naming the type
      throw new ArraxSparkException(op + ": the per-row loss must return a floating scalar, but it returns " + Arrays.toString(lossType));
    }
    String text = perRow.toText();
    String digest = Programs.digest(text);
    checkBatches(op, Programs.Batching.GRADIENT_SUM, perRow, digest, leaves.length);
    o = sizeBatches(op, Programs.Batching.GRADIENT_SUM, perRow, digest, leaves.length, o);
    Placement placement = Programs.placement(digest, text, Programs.Batching.GRADIENT_SUM, leaves.length, o.batchRows(), o.backend());

    // Only the feature columns travel: select them, so they sit at ordinals 0..F-1.
    InputColumn[] shipped = new InputColumn[cols.length];
    for (int i = 0; i < cols.length; i++) shipped[i] = new InputColumn(cols[i].name(), i, cols[i].elem(), cols[i].width());
    String label = o.name() != null ? o.name() : "d loss/d " + keys + " over " + Arrays.toString(featureCols);
    return new GradientJob(op, label, cols, shipped, keys, leaves, perRow, text, digest, o, placement);
  }

  private static GradientSum gradientImpl(String op, Dataset<Row> df, Fn lossPerRow, ParamOrder order, String[] featureCols,
      ArraxOptions options) {
    GradientJob job = prepareGradient(op, df, lossPerRow, order, featureCols, options);
    if (job.perRow() == null) return zeroSum(job.keys(), job.leaves());
    ArraxOptions o = job.options();
    InputColumn[] cols = job.cols();
    NDArray[] leaves = job.leaves();
    List<String> keys = job.keys();
    SparkSession spark = df.sparkSession();
    SparkContext sc = spark.sparkContext();
    logPlan(op, job.label(), job.digest(), job.placement(), o, sc, () -> explainGradient(job));

    Column[] selected = new Column[cols.length];
    for (int i = 0; i < cols.length; i++) selected[i] = df.col(quote(cols[i].name()));
    Dataset<Row> features = df.select(selected);
    String who = op + " " + job.label();
    List<GradientTask.Param> ps = new ArrayList<>();
    for (int i = 0; i < leaves.length; i++) ps.add(GradientTask.Param.of(keys.get(i), leaves[i]));
    GradientTask task = new GradientTask(op, job.label(), job.text(), job.digest(), ps, job.shipped(), features.schema(), o.nullPolicy(),
        o.batchRows(), o.backend());
    RDD<InternalRow> input = SparkShim.toRdd(features);
    long t0 = System.nanoTime();
    // One partial per task (16 bytes per parameter), each added exactly into one driver-side accumulator as it
    // arrives: no zero value shipped to the tasks, no tree of merges, and the same bits whatever order tasks finish in.
    GradientPartial.Total total = new GradientPartial.Total(task.gradientElements);
    withJobDescription(sc, who, () -> withCallSite(sc, who, () -> {
      JavaRDD<GradientPartial> partials = input.toJavaRDD().mapPartitions(task);
      partials.setName(who);
      List<Object> all = new ArrayList<>();
      for (int p = 0; p < partials.getNumPartitions(); p++) all.add(p);
      sc.runJob(partials.rdd(), new OnlyPartial(), scala.jdk.javaapi.CollectionConverters.asScala(all).toSeq(), new AddPartial(total),
          scala.reflect.ClassTag$.MODULE$.apply(GradientPartial.class));
      return null;
    }));
    LOG.info("{}: {} rows in {} batches, kernel {} ms (all tasks), {} ms on the driver", who, total.rows, total.batches,
        total.kernelNanos / 1_000_000, (System.nanoTime() - t0) / 1_000_000);

    Map<String, NDArray> grad = new LinkedHashMap<>();
    int e = 0;
    for (int i = 0; i < leaves.length; i++) {
      int size = leaves[i].size();
      double[] g = new double[size];
      for (int j = 0; j < size; j++) g[j] = total.gradient(e++);
      grad.put(keys.get(i), NDArray.fromFlat(g, leaves[i].dtype(), leaves[i].shape()));
    }
    return new GradientSum(total.value(), Collections.unmodifiableMap(grad), total.rows);
  }

  /** A gradient task's one result (runJob's function, run in the executor). */
  private static final class OnlyPartial extends scala.runtime.AbstractFunction2<org.apache.spark.TaskContext,
      scala.collection.Iterator<GradientPartial>, GradientPartial> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override public GradientPartial apply(org.apache.spark.TaskContext tc, scala.collection.Iterator<GradientPartial> it) {
      return it.next();
    }
  }

  /** runJob's result handler, on the driver: adds each task's partial exactly into the total as it arrives. */
  private static final class AddPartial extends scala.runtime.AbstractFunction2<Object, GradientPartial, scala.runtime.BoxedUnit> {
    private final GradientPartial.Total total;

    AddPartial(GradientPartial.Total total) {
      this.total = total;
    }

    @Override public scala.runtime.BoxedUnit apply(Object partition, GradientPartial p) {
      synchronized (total) {
        total.add(p);
      }
      return scala.runtime.BoxedUnit.UNIT;
    }
  }

  // ---------------------------------------------------------------- explain

  /**
   * Where {@link #map(Dataset, Fn, String[], String[], ArraxOptions)} would run, without running it: the per-row
   * program, the batching, and per segment of the batched program the backend that runs it and, where another
   * declined it, why. Runs no Spark job, except the small one that reads the length of an array column from its
   * first non-null row when {@link ArraxOptions#withArrayLength} does not give it. Fails as the call would
   * (a missing column, a backend that is not usable here).
   *
   * <pre>{@code
   * String plan = ArraxSpark.explain(df, f, new String[] {"x"}, new String[] {"y"}, ArraxOptions.defaults().withBackend("auto"));
   * }</pre>
   */
  public static String explain(Dataset<Row> df, Fn perRowFn, String[] inputCols, String[] outputCols, ArraxOptions options) {
    requireNonNull("explain", df, perRowFn, options);
    MultiFn m = args -> new NDArray[] {perRowFn.apply(args)};
    return explainMap(prepareMap("map", df, m, inputCols, outputCols, options, true));
  }

  /** {@link #explain(Dataset, Fn, String[], String[], ArraxOptions)} with the options of the Spark conf. */
  public static String explain(Dataset<Row> df, Fn perRowFn, String[] inputCols, String[] outputCols) {
    return explain(df, perRowFn, inputCols, outputCols, ArraxOptions.defaults());
  }

  /** The plan of {@link #mapMulti(Dataset, MultiFn, String[], String[], ArraxOptions)}; see {@link #explain(Dataset, Fn, String[], String[], ArraxOptions)}. */
  public static String explainMulti(Dataset<Row> df, MultiFn perRowFn, String[] inputCols, String[] outputCols, ArraxOptions options) {
    requireNonNull("explainMulti", df, perRowFn, options);
    return explainMap(prepareMap("mapMulti", df, perRowFn, inputCols, outputCols, options, false));
  }

  /** The plan of {@link #sumGradient(Dataset, Fn, Map, String[], ArraxOptions)}; see {@link #explain(Dataset, Fn, String[], String[], ArraxOptions)}. */
  public static String explainSumGradient(Dataset<Row> df, Fn lossPerRow, Map<String, NDArray> params, String[] featureCols,
      ArraxOptions options) {
    String op = "ArraxSpark.sumGradient";
    requireNonNull(op, df, lossPerRow, options);
    return explainGradient(prepareGradient(op, df, lossPerRow, paramOrder(op, params, false), featureCols, options));
  }

  private static String explainMap(MapJob job) {
    StringBuilder sb = new StringBuilder();
    sb.append("== ").append(job.op()).append(" '").append(job.label()).append("' ==\n");
    sb.append("per-row program ").append(job.digest(), 0, 12).append(": ").append(job.perRow().eqns().size()).append(" equations, inputs ");
    ArrayType[] in = job.perRow().inTypes();
    for (int i = 0; i < job.cols().length; i++) {
      sb.append(i == 0 ? "" : ", ").append(job.cols()[i].describe()).append(" as ").append(in[i]);
    }
    sb.append("; outputs ").append(Arrays.stream(job.outs()).map(c -> c.name() + " " + c.sparkType().simpleString())
        .collect(Collectors.joining(", "))).append('\n');
    sb.append("batched: jit(vmap(f)) over ").append(job.options().batchRows()).append(" rows per batch");
    appendBatches(sb, job.placement(), job.options(), MapTask.CPU_BATCH_ROWS);
    return sb.append(job.placement().explain()).toString();
  }

  private static String explainGradient(GradientJob job) {
    if (job.perRow() == null) {
      return "== " + job.op() + " ==\nno row reaches the loss and no array length is known (" + unknownLengthNote(job.cols(), null)
          + "): the sum is 0 over 0 rows, and no Spark job runs\n";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("== ").append(job.op()).append(" '").append(job.label()).append("' ==\n");
    sb.append("per-row program ").append(job.digest(), 0, 12).append(": the loss, ").append(job.perRow().eqns().size())
        .append(" equations, parameters ");
    for (int i = 0; i < job.keys().size(); i++) sb.append(i == 0 ? "" : ", ").append(job.keys().get(i)).append(' ').append(job.leaves()[i].type());
    sb.append("; features ");
    ArrayType[] in = job.perRow().inTypes();
    for (int i = 0; i < job.cols().length; i++) {
      sb.append(i == 0 ? "" : ", ").append(job.cols()[i].describe()).append(" as ").append(in[job.leaves().length + i]);
    }
    sb.append('\n').append("batched: valueAndGrad of the loss summed over the valid rows (bool mask) of vmap(loss), in f64, over ")
        .append(job.options().batchRows()).append(" rows per batch");
    appendBatches(sb, job.placement(), job.options());
    return sb.append(job.placement().explain()).toString();
  }

  private static void appendBatches(StringBuilder sb, Placement p, ArraxOptions o) {
    appendBatches(sb, p, o, Integer.MAX_VALUE);
  }

  /** {@code cpuBatchCap}: the most rows a CPU batch takes whatever the options say (the map's row path), shown when it binds. */
  private static void appendBatches(StringBuilder sb, Placement p, ArraxOptions o, int cpuBatchCap) {
    sb.append(" (a partition's last batch padded to a power of two >= ").append(Math.min(Programs.MIN_BUCKET, o.batchRows()))
        .append("); null policy ").append(o.nullPolicy()).append('\n');
    sb.append("executors: ").append(p.backend().equals(Backends.CPU)
        ? "batches as Java arrays, run on the task's thread (cpu)" + (o.batchRows() > cpuBatchCap ? ", at most " + cpuBatchCap + " rows each" : "")
        : "batches as Arrow batches (one child allocator per task) handed to backend " + p.backend() + " off-heap (runDirect)").append('\n');
  }

  // ---------------------------------------------------------------- backends

  /** Logged once per driver JVM: fallback reasons, GPU sharing warnings, explained plans. */
  private static final java.util.Set<String> LOGGED_ONCE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The driver's check before any Spark job runs: the backend is installed and usable here ({@code cpu} and
   * {@code auto} always are), else an error with the engine's reason and where the setting came from.
   */
  private static void checkBackend(String op, ArraxOptions o, String source) {
    try {
      Backends.requireUsable(o.backend());
    } catch (ArraxException e) {
      throw new ArraxSparkException(op + ": " + e.getMessage() + " [backend set by " + source + "]", e);
    }
  }

  /**
   * One INFO line per program with the backend that runs it and its segments, and why not the requested one
   * where it falls back to the CPU (WARN when a backend was named rather than {@code auto}); DEBUG when the same
   * program runs again (a training loop); the GPU
   * sharing warning; the whole plan when {@link ArraxOptions#explain()} is on (once per program and backend).
   */
  private static void logPlan(String op, String label, String digest, Placement p, ArraxOptions o, SparkContext sc,
      Supplier<String> explain) {
    String requested = o.backend();
    String line = op + " '" + label + "': program " + digest.substring(0, 12) + " runs on " + p.backend()
        + (requested.equals(p.backend()) ? "" : " (requested " + requested + ")") + ", " + Programs.segments(p)
        + (p.note().isEmpty() ? "" : "; " + p.note())
        + (p.backend().equals(Backends.CPU) ? "; kernels " + (SIMD ? "SIMD (Vector API)" : "scalar (no jdk.incubator.vector in the driver JVM: "
            + "add --add-modules jdk.incubator.vector)") : "");
    // Once per program, backend and request at INFO (WARN for a named backend's fallback); a training loop's
    // later calls of the same program repeat it at DEBUG only.
    if (!LOGGED_ONCE.add("plan|" + op + "|" + digest + "|" + requested + "|" + p.backend())) LOG.debug(line);
    else if (!p.note().isEmpty() && !requested.equals(Backends.AUTO)) LOG.warn(line);
    else LOG.info(line);
    if (!p.backend().equals(Backends.CPU)) {
      SparkConfView conf = new SparkConfView(sc);
      String warning = gpuSharingWarning(op, p.backend(), sc.master(), conf.get(TASK_GPU_AMOUNT), conf.get(EXECUTOR_GPU_AMOUNT));
      if (warning != null && LOGGED_ONCE.add("share|" + sc.master() + "|" + p.backend())) LOG.warn(warning);
      String amount = conf.get(TASK_GPU_AMOUNT);
      if (warning == null && amount != null && LOGGED_ONCE.add("amount|" + amount)) {
        LOG.info("{}: each task is given {} GPU ({}); Spark runs at most {} tasks per GPU at once", op, amount, TASK_GPU_AMOUNT,
            tasksPerGpu(amount));
      }
    }
    if (o.explain() && LOGGED_ONCE.add("explain|" + requested + "|" + o.batchRows() + "|" + digest)) LOG.info("{}", explain.get());
  }

  /** Whether this JVM has the Vector API, which the CPU backend's f32 kernels use (SIMD) when present. */
  private static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  static final String TASK_GPU_AMOUNT = "spark.task.resource.gpu.amount";
  static final String EXECUTOR_GPU_AMOUNT = "spark.executor.resource.gpu.amount";

  /** The Spark conf of the context, read without Scala options at the call sites. */
  private record SparkConfView(SparkContext sc) {
    String get(String key) {
      return sc.getConf().contains(key) ? sc.getConf().get(key) : null;
    }
  }

  private static String tasksPerGpu(String amount) {
    try {
      double a = Double.parseDouble(amount.trim());
      return a > 0 && a <= 1 ? String.valueOf((long) Math.floor(1 / a + 1e-9)) : "1";
    } catch (NumberFormatException e) {
      return "?";
    }
  }

  /**
   * The warning for a device backend on a cluster master without GPU scheduling, or null. Spark gives tasks
   * GPUs only when {@code spark.task.resource.gpu.amount} is set; without it every concurrent task of an
   * executor uses the same device at once (its memory is then shared by up to "cores" batches). Local masters
   * ({@code local}, {@code local[n]}) run in one JVM and schedule no GPUs at all, so they are not warned about;
   * {@code local-cluster} is a cluster.
   */
  static String gpuSharingWarning(String op, String backend, String master, String taskAmount, String executorAmount) {
    boolean cluster = master != null && (!master.startsWith("local") || master.startsWith("local-cluster"));
    if (!cluster || backend.equals(Backends.CPU) || taskAmount != null) return null;
    return op + ": backend " + backend + " runs on master " + master + " without " + TASK_GPU_AMOUNT + ": Spark then does not "
        + "schedule GPUs, so every concurrent task of an executor uses the same GPU at once and they share its memory. Set "
        + (executorAmount == null ? EXECUTOR_GPU_AMOUNT + "=1 (with spark.executor.resource.gpu.discoveryScript) and " : "")
        + TASK_GPU_AMOUNT + "=1/<cores per executor> (e.g. 0.25 for 4 cores) to bound how many tasks share one GPU";
  }

  /** Whether an array holds host data (not a traced or symbolic value): {@link HostArrays#data} has it. */
  private static boolean isConcrete(NDArray v) {
    if (v == null) return false;
    try {
      HostArrays.data(v);
      return true;
    } catch (ArraxException notConcrete) {
      return false;
    }
  }

  // ---------------------------------------------------------------- SQL

  /**
   * Registers {@code perRowFn} as a Spark SQL function {@code name}, for queries such as
   * {@code SELECT id, saliency(x) FROM t}. The function is traced on the driver at the shapes and dtypes of
   * {@code exampleRow} (one array per argument: 0-d for a scalar argument, {@code [d]} for an array argument;
   * only the types are used) and runs, compiled, ONE ROW AT A TIME in the executors: use {@link #map} for
   * throughput. Arguments of another numeric type are converted to the example's dtype (a double column into
   * an f32 argument is rounded); an array argument of another length fails naming the function and the
   * argument; a null argument gives a null result. The result is a scalar or an array column by the per-row
   * output's rank (0 or 1). Up to 10 arguments.
   *
   * <pre>{@code
   * ArraxSpark.registerUdf(spark, "saliency", Arrax.grad(mlp), Np.zeros(new int[] {32}, DType.FLOAT32));
   * spark.sql("SELECT id, saliency(x) AS g FROM features");
   * }</pre>
   */
  public static void registerUdf(SparkSession spark, String name, Fn perRowFn, NDArray... exampleRow) {
    String op = "ArraxSpark.registerUdf(" + name + ")";
    if (spark == null || name == null || perRowFn == null) throw new ArraxSparkException(op + ": spark, name and the function must not be null");
    SparkVersions.require(op, spark.version());
    if (exampleRow == null || exampleRow.length == 0 || exampleRow.length > RowUdf.MAX_ARGS) {
      throw new ArraxSparkException(op + ": give between 1 and " + RowUdf.MAX_ARGS + " example arguments (one per SQL argument), got "
          + (exampleRow == null ? 0 : exampleRow.length));
    }
    for (int i = 0; i < exampleRow.length; i++) {
      if (exampleRow[i] == null || exampleRow[i].ndim() > 1) {
        throw new ArraxSparkException(op + ": example argument " + i + " must be a 0-d or 1-d array, got "
            + (exampleRow[i] == null ? "null" : exampleRow[i].type()));
      }
    }
    Program perRow;
    try {
      perRow = Arrax.makeJaxpr(perRowFn, exampleRow);
    } catch (RuntimeException e) {
      throw new ArraxSparkException(op + ": tracing the function at " + Arrays.toString(Arrays.stream(exampleRow).map(NDArray::type).toArray())
          + " failed: " + e.getMessage(), e);
    }
    ArrayType out = perRow.outTypes()[0];
    if (out.rank() > 1) {
      throw new ArraxSparkException(op + ": the function returns " + out + " per row; a SQL function returns a scalar or a 1-d array");
    }
    String text = perRow.toText();
    RowUdf udf = new RowUdf(name, text, Programs.digest(text));
    org.apache.spark.sql.types.DataType type = out.rank() == 0 ? Columns.sparkType(out.dtype())
        : org.apache.spark.sql.types.DataTypes.createArrayType(Columns.sparkType(out.dtype()), false);
    udf.register(spark, exampleRow.length, type);
    LOG.info("{}: registered, {} -> {} ({} equations)", op, Arrays.toString(perRow.inTypes()), type.simpleString(), perRow.eqns().size());
  }

  // ---------------------------------------------------------------- shared driver-side steps

  /** The sum over no rows: a zero loss and zero gradients of the parameters' shapes and dtypes, 0 rows. */
  private static GradientSum zeroSum(List<String> keys, NDArray[] leaves) {
    Map<String, NDArray> grad = new LinkedHashMap<>();
    for (int i = 0; i < leaves.length; i++) grad.put(keys.get(i), NDArray.fromFlat(new double[leaves[i].size()], leaves[i].dtype(), leaves[i].shape()));
    return new GradientSum(0.0, Collections.unmodifiableMap(grad), 0);
  }

  /** A per-row program and the input columns at the lengths it was traced for. */
  private record Traced(Program perRow, InputColumn[] cols) {}

  /** The longest array length tried for columns whose length no row tells ({@link #traceAtSomeLength}). */
  static final int MAX_GUESSED_LENGTH = 64;

  /**
   * Whether some array column's length is unknown (no non-null row: {@code guessed}), after checking that this is
   * harmless: no row's values of such a column are ever computed when the frame is empty, or every row is null there
   * (the ERROR policy then fails at the first row, NULL_ROW gives null outputs). A fill policy would build arrays of
   * a made-up length, so with rows present it fails here, before any task, asking for the length.
   */
  private static boolean checkUnknownLengths(String op, Dataset<Row> df, InputColumn[] cols, boolean[] guessed, NullPolicy policy) {
    boolean unknown = false;
    for (boolean g : guessed) unknown |= g;
    if (!unknown || policy.kind() != NullPolicy.Kind.FILL) return unknown;
    if (isEmpty(op, df, "a fill needs the array length")) return true;
    for (int i = 0; i < cols.length; i++) {
      if (guessed[i]) {
        throw new ArraxSparkException(op + ": array column '" + cols[i].name() + "' is null in every row, so its length is unknown and "
            + policy + " cannot build its arrays; give the length with ArraxOptions.withArrayLength(\"" + cols[i].name() + "\", d)");
      }
    }
    return true;
  }

  /** Whether {@code df} has no row (one small Spark job, named after {@code why}). */
  private static boolean isEmpty(String op, Dataset<Row> df, String why) {
    SparkContext sc = df.sparkSession().sparkContext();
    return withJobDescription(sc, op + ": is the frame empty? (" + why + ")", () -> df.limit(1).count() == 0);
  }

  private static String unknownLengthNote(InputColumn[] cols, boolean[] guessed) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cols.length; i++) {
      if (guessed != null ? !guessed[i] : cols[i].scalar()) continue;
      sb.append(sb.length() == 0 ? "" : "; ").append("array column '").append(cols[i].name()).append("' has no non-null row to read its ")
          .append("length from; give it with ArraxOptions.withArrayLength(\"").append(cols[i].name()).append("\", d)");
    }
    return sb.toString();
  }

  /**
   * Traces a function whose array columns {@code guessed} have no row that tells their length (an empty frame, or a
   * column null in every row) at the first length from 0 to {@link #MAX_GUESSED_LENGTH} (the same for all such
   * columns) at which it traces, so the output columns' types are known; no row is ever computed at that length
   * ({@link #checkUnknownLengths}). Logs a WARN note naming the columns and the fix; fails as a trace at length 0
   * fails when no length traces.
   */
  private static Traced traceAtSomeLength(String op, MultiFn fn, InputColumn[] cols, boolean[] guessed, NDArray[] leading) {
    ArraxSparkException first = null;
    for (int w = 0; w <= MAX_GUESSED_LENGTH; w++) {
      InputColumn[] at = cols.clone();
      for (int i = 0; i < at.length; i++) if (guessed[i]) at[i] = at[i].withWidth(w);
      try {
        Program p = tracePerRow(op, fn, at, guessed, leading);
        LOG.warn("{}: {}. The function was traced at length {} only to learn the output columns' types; no row is computed at that length "
            + "(the frame is empty or the column is null in every row)", op, unknownLengthNote(cols, guessed), w);
        return new Traced(p, at);
      } catch (ArraxSparkException e) {
        if (first == null) first = e;
      }
    }
    throw first;
  }

  /** Traces {@code fn} for one row (after {@code leading} unbatched arguments), wrapping failures with the column types. */
  private static Program tracePerRow(String op, MultiFn fn, InputColumn[] cols, boolean[] guessed, NDArray[] leading) {
    return tracePerRow(op, fn, cols, guessed, leading, "has no non-null row to read its length from; give it with "
        + "ArraxOptions.withArrayLength(\"%s\", d)");
  }

  private static Program tracePerRow(String op, MultiFn fn, InputColumn[] cols, boolean[] guessed, NDArray[] leading, String hint) {
    int lead = leading == null ? 0 : leading.length;
    NDArray[] examples = new NDArray[lead + cols.length];
    for (int i = 0; i < lead; i++) examples[i] = leading[i];
    for (int i = 0; i < cols.length; i++) examples[lead + i] = Np.zeros(cols[i].rowShape(), cols[i].dtype());
    try {
      return Arrax.makeJaxprMulti(fn, examples);
    } catch (RuntimeException e) {
      StringBuilder sb = new StringBuilder(op).append(": tracing the per-row function failed for ");
      if (lead > 0) sb.append(lead).append(" parameter arrays and ");
      sb.append("inputs ");
      for (int i = 0; i < cols.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(cols[i].describe()).append(" as ").append(examples[lead + i].type());
      }
      sb.append(": ").append(e.getMessage());
      for (int i = 0; i < cols.length; i++) {
        if (guessed[i]) {
          sb.append(". Column '").append(cols[i].name()).append("' ").append(String.format(hint, cols[i].name()));
        }
      }
      throw new ArraxSparkException(sb.toString(), e);
    }
  }

  /**
   * The options with the rows per batch lowered, if needed, so a batch's estimated bytes ({@link Programs#bytesPerRow}:
   * inputs, outputs and the intermediates that carry the row axis) stay within {@link ArraxOptions#maxBytesPerBatch};
   * at least one row. Logged at INFO once per program when it lowers them.
   */
  private static ArraxOptions sizeBatches(String op, Programs.Batching kind, Program perRow, String digest, int params, ArraxOptions o) {
    long perRowBytes = Programs.bytesPerRow(digest, perRow, kind, params);
    int rows = Programs.rowsPerBatch(perRowBytes, o.batchRows(), o.maxBytesPerBatch());
    if (rows == o.batchRows()) return o;
    if (LOGGED_ONCE.add("sized|" + kind + "|" + digest + "|" + o.batchRows() + "|" + o.maxBytesPerBatch())) {
      LOG.info("{}: {} rows per batch instead of {}: a row takes about {} bytes (inputs, outputs and intermediates), and a batch at most {} "
          + "bytes ({}; or lower {})", op, rows, o.batchRows(), perRowBytes, o.maxBytesPerBatch(), ArraxOptions.MAX_BYTES_PER_BATCH_KEY,
          ArraxOptions.BATCH_ROWS_KEY);
    }
    return o.withBatchRows(rows);
  }

  /** Batches the per-row program once on the driver, so a missing batching rule fails here and not in a task. */
  private static void checkBatches(String op, Programs.Batching kind, Program perRow, String digest, int params) {
    if (!Programs.firstCheck(kind + "|" + digest)) return;
    try {
      if (kind == Programs.Batching.MAP) Programs.batchedMap(perRow, 2);
      else Programs.batchedGradientSum(perRow, params, 2);
    } catch (RuntimeException e) {
      throw new ArraxSparkException(op + ": the per-row function traced, but batching it with vmap failed: " + e.getMessage(), e);
    }
  }

  /**
   * Lengths read from the data, per DataFrame object (weakly held), so a training loop that passes the same
   * DataFrame to {@link #sumGradient} again does not run the probe job again.
   */
  private static final Map<Dataset<?>, Map<String, Integer>> PROBED_LENGTHS = new java.util.WeakHashMap<>();

  /**
   * Array columns get their length, in this order, from the options, from a length already read for this DataFrame,
   * from the column's metadata ({@link #ARRAY_LENGTH_METADATA}: the array outputs of a map carry it), from the plan
   * ({@code array(c1, ..., ck)} in a projection, local data: {@link SparkShim#knownArrayLength}), all without a job;
   * else from the first non-null row (one small job each, once per DataFrame: the schema of a file or an RDD does
   * not hold array lengths, and the output schema must be known when map returns).
   */
  private static InputColumn[] resolveArrayLengths(String op, Dataset<Row> df, InputColumn[] cols, ArraxOptions o, boolean[] guessed) {
    InputColumn[] out = cols.clone();
    for (int i = 0; i < cols.length; i++) {
      InputColumn c = cols[i];
      if (c.scalar()) continue;
      Integer given = o.arrayLengths().get(c.name());
      if (given != null) {
        out[i] = c.withWidth(given);
        continue;
      }
      Integer known;
      synchronized (PROBED_LENGTHS) {
        known = PROBED_LENGTHS.computeIfAbsent(df, k -> new java.util.HashMap<>()).get(c.name());
      }
      if (known == null) known = schemaLength(df.schema(), c.name());
      if (known == null) known = SparkShim.knownArrayLength(df, c.name());
      if (known != null) {
        out[i] = c.withWidth(known);
        continue;
      }
      Column col = df.col(quote(c.name()));
      Dataset<Row> q = df.where(col.isNotNull()).select(functions.size(col)).limit(1);
      SparkContext sc = df.sparkSession().sparkContext();
      List<Row> first = withJobDescription(sc, op + ": length of array column '" + c.name() + "' (first non-null row)", q::collectAsList);
      if (first.isEmpty()) {
        guessed[i] = true;
        out[i] = c.withWidth(0);
      } else {
        int d = first.get(0).getInt(0);
        out[i] = c.withWidth(d);
        synchronized (PROBED_LENGTHS) {
          PROBED_LENGTHS.computeIfAbsent(df, k -> new java.util.HashMap<>()).put(c.name(), d);
        }
      }
    }
    return out;
  }

  /** The length an array column's metadata gives ({@link #ARRAY_LENGTH_METADATA}), or null. */
  private static Integer schemaLength(StructType schema, String name) {
    org.apache.spark.sql.types.Metadata md = schema.apply(name).metadata();
    if (!md.contains(ARRAY_LENGTH_METADATA)) return null;
    try {
      long n = md.getLong(ARRAY_LENGTH_METADATA);
      return n >= 0 && n <= Integer.MAX_VALUE ? (int) n : null;
    } catch (RuntimeException notALong) {
      return null;
    }
  }

  /** The input columns of {@code df} with their array lengths (from the options, else read as {@link #map} does). */
  static InputColumn[] resolvedInputs(String op, Dataset<Row> df, String[] inputCols, ArraxOptions options) {
    ArraxOptions o = options.resolve(df.sparkSession().conf());
    InputColumn[] cols = Columns.resolveInputs(op, df.schema(), inputCols);
    return resolveArrayLengths(op, df, cols, o, new boolean[cols.length]);
  }

  private static String label(ArraxOptions o, String[] in, String[] out) {
    if (o.name() != null) return o.name();
    return "f(" + String.join(", ", in) + ") -> " + String.join(", ", out);
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static void requireNonNull(String op, Dataset<Row> df, Object fn, ArraxOptions options) {
    if (df == null) throw new ArraxSparkException(op + ": the DataFrame is null");
    if (fn == null) throw new ArraxSparkException(op + ": the function is null");
    if (options == null) throw new ArraxSparkException(op + ": options are null; use ArraxOptions.defaults()");
    SparkVersions.require(op, df.sparkSession().version());
  }

  static <T> T withJobDescription(SparkContext sc, String description, Supplier<T> body) {
    String prev = sc.getLocalProperty(JOB_DESCRIPTION);
    sc.setLocalProperty(JOB_DESCRIPTION, description);
    try {
      return body.get();
    } finally {
      sc.setLocalProperty(JOB_DESCRIPTION, prev);
    }
  }

  /** RDDs created inside carry {@code name} as their creation site, which Spark shows as the stage name. */
  static <T> T withCallSite(SparkContext sc, String name, Supplier<T> body) {
    String prevShort = sc.getLocalProperty(CALL_SITE_SHORT);
    String prevLong = sc.getLocalProperty(CALL_SITE_LONG);
    sc.setLocalProperty(CALL_SITE_SHORT, name);
    sc.setLocalProperty(CALL_SITE_LONG, name);
    try {
      return body.get();
    } finally {
      sc.setLocalProperty(CALL_SITE_SHORT, prevShort);
      sc.setLocalProperty(CALL_SITE_LONG, prevLong);
    }
  }
}
