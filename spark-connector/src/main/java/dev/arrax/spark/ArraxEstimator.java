package dev.arrax.spark;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.ir.Program;
import dev.arrax.spark.Columns.InputColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MLlib {@link Estimator} that fits the parameters of any differentiable per-row loss over a DataFrame, full
 * batch: each step is one {@link ArraxSpark#sumValueAndGradientTree} pass (exact sums, deterministic), and a
 * shipped optimizer ({@code lbfgs}, the default, or {@code adam}) minimizes
 * <pre>
 *   objective(p) = (1/n) sum over rows of loss(p, row) + (regParam / 2) sum over regularized parameters of ||p||^2
 * </pre>
 * (MLlib's convention for L2), stopping when the gradient's Euclidean norm is at most {@code tol} or after
 * {@code maxIter} iterations. The loss and the prediction function read the parameters BY NAME from a map:
 *
 * <pre>{@code
 * Arrax.TreeLoss<Map<String, NDArray>> loss = (p, row) -> {          // row[0] = x [d], row[1] = y
 *   NDArray z = Np.add(Np.dot(row[0], p.get("w")), p.get("b"));
 *   return Np.subtract(Nn.softplus(z), Np.multiply(row[1], z));
 * };
 * Arrax.TreeLoss<Map<String, NDArray>> predict = (p, row) -> Nn.sigmoid(Np.add(Np.dot(row[0], p.get("w")), p.get("b")));
 * ArraxModel model = new ArraxEstimator(loss, predict, Map.of("w", Np.zeros(new int[] {d}, DType.FLOAT64), "b", NDArray.scalar(0.0)))
 *     .setLossCols("x", "y").setInputCols("x").setOutputCol("probability")
 *     .setRegParam(0.01).setRegularizedParams("w").fit(df);
 * model.summary().iterations();   // objective, gradient norm and time per iteration
 * }</pre>
 *
 * Each iteration logs one INFO line (objective, gradient norm, time); the model keeps them as its
 * {@link TrainingSummary}. The model ({@link ArraxModel}) is persistable; the estimator holds Java functions and is
 * not. An uncached input is cached for the fit (memory and disk) and released after.
 */
public final class ArraxEstimator extends Estimator<ArraxModel> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ArraxEstimator.class);

  /** This stage's unique id, returned by {@code uid()} (Spark ML's identifier of a pipeline stage). */
  private final String uid;
  private final transient Arrax.TreeLoss<Map<String, NDArray>> loss;
  private final transient Arrax.TreeLoss<Map<String, NDArray>> predict;
  private final transient Map<String, NDArray> initial;
  /** The {@code lossCols} param: columns the loss reads per row, in argument order. */
  private final StringArrayParam lossCols;
  /** The {@code inputCols} param: columns the prediction function reads per row, in argument order. */
  private final StringArrayParam inputCols;
  /** The {@code arrayLengths} param: length of each array input column, for transformSchema before any data. */
  private final IntArrayParam arrayLengths;
  /** The {@code outputCol} param: the prediction column. */
  private final Param<String> outputCol;
  /** The {@code optimizer} param: lbfgs or adam. */
  private final Param<String> optimizer;
  /** The {@code maxIter} param: most iterations. */
  private final IntParam maxIter;
  /** The {@code tol} param: stop when the objective's gradient norm is at most this. */
  private final DoubleParam tol;
  /** The {@code regParam} param: L2 strength: adds regParam/2 ||p||^2 per regularized parameter. */
  private final DoubleParam regParam;
  /** The {@code regularizedParams} param: names of the parameters the L2 term applies to (default all). */
  private final StringArrayParam regularizedParams;
  /** The {@code learningRate} param: Adam's step size. */
  private final DoubleParam learningRate;
  /** The {@code batchRows} param: rows per compiled batch (spark.arrax.batchRows, default 65536). */
  private final IntParam batchRows;
  /** The {@code nullPolicy} param: error, null_row or fill:&lt;value&gt; (spark.arrax.nullPolicy, default error). */
  private final Param<String> nullPolicy;
  /** The {@code backend} param: cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu). */
  private final Param<String> backend;

  /**
   * An estimator of the parameters of {@code lossPerRow} (a scalar per row, from the parameters by name and the
   * {@link #setLossCols loss columns} of ONE row), starting at {@code initialParams} (f32 or f64 arrays; their
   * iteration order is the order of the model's parameters), whose model applies {@code predictPerRow} (the
   * fitted parameters by name and the {@link #setInputCols input columns} of one row) to each row.
   */
  public ArraxEstimator(Arrax.TreeLoss<Map<String, NDArray>> lossPerRow, Arrax.TreeLoss<Map<String, NDArray>> predictPerRow,
      Map<String, NDArray> initialParams) {
    this(Identifiable$.MODULE$.randomUID("arraxEstimator"), lossPerRow, predictPerRow, initialParams);
  }

  private ArraxEstimator(String uid, Arrax.TreeLoss<Map<String, NDArray>> loss, Arrax.TreeLoss<Map<String, NDArray>> predict,
      Map<String, NDArray> initial) {
    if (loss == null || predict == null) throw new ArraxSparkException("ArraxEstimator: the loss and the prediction function must not be null");
    if (initial == null || initial.isEmpty()) throw new ArraxSparkException("ArraxEstimator: give at least one initial parameter array");
    this.uid = uid;
    this.loss = loss;
    this.predict = predict;
    this.initial = Collections.unmodifiableMap(new LinkedHashMap<>(initial));
    this.lossCols = new StringArrayParam(this, "lossCols", "columns the loss reads per row, in argument order");
    this.inputCols = new StringArrayParam(this, "inputCols", "columns the prediction function reads per row, in argument order");
    this.arrayLengths = new IntArrayParam(this, "arrayLengths", "length of each array input column, for transformSchema before any data");
    this.outputCol = new Param<>(this, "outputCol", "the prediction column");
    this.optimizer = new Param<>(this, "optimizer", "lbfgs or adam");
    this.maxIter = new IntParam(this, "maxIter", "most iterations");
    this.tol = new DoubleParam(this, "tol", "stop when the objective's gradient norm is at most this");
    this.regParam = new DoubleParam(this, "regParam", "L2 strength: adds regParam/2 ||p||^2 per regularized parameter");
    this.regularizedParams = new StringArrayParam(this, "regularizedParams", "names of the parameters the L2 term applies to (default all)");
    this.learningRate = new DoubleParam(this, "learningRate", "Adam's step size");
    this.batchRows = new IntParam(this, "batchRows", "rows per compiled batch (spark.arrax.batchRows, default 65536)");
    this.nullPolicy = new Param<>(this, "nullPolicy", "error, null_row or fill:<value> (spark.arrax.nullPolicy, default error)");
    this.backend = new Param<>(this, "backend", "cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu)");
    setDefault(outputCol, "prediction");
    setDefault(optimizer, Optimizers.LBFGS);
    setDefault(maxIter, (Object) 100);
    setDefault(tol, (Object) 1e-6);
    setDefault(regParam, (Object) 0.0);
    setDefault(learningRate, (Object) 0.01);
  }

  /** This estimator's unique id (its models share it). */
  @Override public String uid() { return uid; }

  /** The initial parameters, by name. */
  public Map<String, NDArray> initialParams() { return initial; }

  /** Param: the loss's columns. */
  public StringArrayParam lossCols() { return lossCols; }

  /** Param: the prediction function's columns. */
  public StringArrayParam inputCols() { return inputCols; }

  /** Param: the length of each array input column of the prediction function (for {@link #transformSchema}). */
  public IntArrayParam arrayLengths() { return arrayLengths; }

  /** Param: the prediction column (default {@code prediction}). */
  public Param<String> outputCol() { return outputCol; }

  /** Param: {@code lbfgs} (default) or {@code adam}. */
  public Param<String> optimizer() { return optimizer; }

  /** Param: the most iterations (default 100). */
  public IntParam maxIter() { return maxIter; }

  /** Param: the gradient-norm tolerance (default 1e-6). */
  public DoubleParam tol() { return tol; }

  /** Param: the L2 strength (default 0). */
  public DoubleParam regParam() { return regParam; }

  /** Param: the parameters the L2 term applies to (default all). */
  public StringArrayParam regularizedParams() { return regularizedParams; }

  /** Param: Adam's step size (default 0.01). */
  public DoubleParam learningRate() { return learningRate; }

  /** Param: rows per compiled batch. */
  public IntParam batchRows() { return batchRows; }

  /** Param: the null policy. */
  public Param<String> nullPolicy() { return nullPolicy; }

  /** Param: the backend name. */
  public Param<String> backend() { return backend; }

  /** Sets the columns the loss reads per row (its arguments after the parameters, in order). */
  public ArraxEstimator setLossCols(String... cols) { set(lossCols, cols); return this; }

  /** Sets the columns the prediction function reads per row. */
  public ArraxEstimator setInputCols(String... cols) { set(inputCols, cols); return this; }

  /** Sets the length of each array input column of the prediction function. */
  public ArraxEstimator setArrayLengths(int... lengths) { set(arrayLengths, lengths); return this; }

  /** Sets the prediction column. */
  public ArraxEstimator setOutputCol(String col) { set(outputCol, col); return this; }

  /** Sets the optimizer: {@code lbfgs} or {@code adam}. */
  public ArraxEstimator setOptimizer(String name) {
    String n = name == null ? "" : name.toLowerCase(java.util.Locale.ROOT);
    if (!n.equals(Optimizers.LBFGS) && !n.equals(Optimizers.ADAM)) {
      throw new ArraxSparkException("ArraxEstimator: optimizer '" + name + "' is not one of [lbfgs, adam]");
    }
    set(optimizer, n);
    return this;
  }

  /** Sets the most iterations. */
  public ArraxEstimator setMaxIter(int n) { set(maxIter, (Object) n); return this; }

  /** Sets the gradient-norm tolerance. */
  public ArraxEstimator setTol(double t) { set(tol, (Object) t); return this; }

  /** Sets the L2 strength. */
  public ArraxEstimator setRegParam(double r) { set(regParam, (Object) r); return this; }

  /** Sets the parameters the L2 term applies to. */
  public ArraxEstimator setRegularizedParams(String... names) { set(regularizedParams, names); return this; }

  /** Sets Adam's step size. */
  public ArraxEstimator setLearningRate(double lr) { set(learningRate, (Object) lr); return this; }

  /** Sets the rows per compiled batch. */
  public ArraxEstimator setBatchRows(int rows) { set(batchRows, (Object) rows); return this; }

  /** Sets the null policy ({@code error}, {@code null_row}, {@code fill:<v>}). */
  public ArraxEstimator setNullPolicy(String policy) {
    ArraxOptions.parseNullPolicy(policy);
    set(nullPolicy, policy);
    return this;
  }

  /** Sets the backend. */
  public ArraxEstimator setBackend(String b) { set(backend, ArraxOptions.checkBackendName(b)); return this; }

  private <T> T required(Param<T> p) {
    if (!isDefined(p)) throw new ArraxSparkException("ArraxEstimator " + uid + ": param " + p.name() + " is not set");
    return getOrDefault(p);
  }

  private int intParam(IntParam p) { return (Integer) getOrDefault((Param<?>) p); }

  private double doubleParam(DoubleParam p) { return (Double) getOrDefault((Param<?>) p); }

  private ArraxOptions options() {
    ArraxOptions o = ArraxOptions.defaults();
    if (isDefined(batchRows)) o = o.withBatchRows(intParam(batchRows));
    if (isDefined(nullPolicy)) o = o.withNullPolicy(ArraxOptions.parseNullPolicy(getOrDefault(nullPolicy)));
    if (isDefined(backend)) o = o.withBackend(getOrDefault(backend));
    return o;
  }

  /**
   * Fits the parameters: the optimizer runs on the driver, each objective evaluation one Spark job over
   * {@code dataset}; then the prediction function is traced with the fitted parameters as constants.
   */
  @Override public ArraxModel fit(Dataset<?> dataset) {
    String op = "ArraxEstimator " + uid;
    Dataset<Row> df = dataset.toDF();
    String[] lc = required(lossCols);
    String[] ic = required(inputCols);
    String opt = getOrDefault(optimizer);
    int iters = intParam(maxIter);
    double tolerance = doubleParam(tol);
    double reg = doubleParam(regParam);
    if (reg < 0 || !(tolerance >= 0) || iters < 0) {
      throw new ArraxSparkException(op + ": regParam " + reg + ", tol " + tolerance + " and maxIter " + iters + " must not be negative");
    }
    List<String> keys = new ArrayList<>(initial.keySet());
    List<String> regularized = isDefined(regularizedParams) ? Arrays.asList(getOrDefault(regularizedParams)) : keys;
    for (String r : regularized) {
      if (!initial.containsKey(r)) throw new ArraxSparkException(op + ": regularized parameter '" + r + "' is not one of " + keys);
    }
    int[] offsets = new int[keys.size() + 1];
    for (int i = 0; i < keys.size(); i++) offsets[i + 1] = offsets[i] + initial.get(keys.get(i)).size();
    double[] x0 = new double[offsets[keys.size()]];
    boolean[] penalized = new boolean[x0.length];
    for (int i = 0; i < keys.size(); i++) {
      System.arraycopy(initial.get(keys.get(i)).toDoubleArray(), 0, x0, offsets[i], offsets[i + 1] - offsets[i]);
      if (regularized.contains(keys.get(i))) Arrays.fill(penalized, offsets[i], offsets[i + 1], true);
    }
    ArraxOptions o = options().withName(op + " loss");
    boolean cache = df.storageLevel().equals(StorageLevel.NONE());
    Dataset<Row> data = cache ? df.persist(StorageLevel.MEMORY_AND_DISK()) : df;
    long[] rows = {0};
    try {
      Optimizers.Objective objective = x -> {
        ArraxSpark.GradientSum g = ArraxSpark.sumValueAndGradientTree(data, loss, unflatten(keys, offsets, x), lc, o);
        if (g.rows() == 0) throw new ArraxSparkException(op + ": no rows to fit (the DataFrame is empty, or every row has a null)");
        rows[0] = g.rows();
        double n = g.rows();
        double value = g.value() / n;
        double[] grad = new double[x.length];
        for (int i = 0; i < keys.size(); i++) {
          double[] gi = g.gradient().get(keys.get(i)).toDoubleArray();
          for (int j = 0; j < gi.length; j++) grad[offsets[i] + j] = gi[j] / n;
        }
        for (int j = 0; j < x.length; j++) {
          if (penalized[j] && reg != 0) {
            value += 0.5 * reg * x[j] * x[j];
            grad[j] += reg * x[j];
          }
        }
        return new Optimizers.Eval(value, grad);
      };
      long t0 = System.nanoTime();
      Optimizers.Result r = Optimizers.minimize(opt, objective, x0, iters, tolerance, doubleParam(learningRate),
          it -> LOG.info("{}: {} iteration {}: objective {}, |gradient| {}, {} ms", op, opt, it.iteration(), it.objective(), it.gradientNorm(),
              it.millis()));
      TrainingSummary summary = new TrainingSummary(opt, List.copyOf(r.history()), r.converged(), rows[0], r.evaluations());
      Map<String, NDArray> fitted = unflatten(keys, offsets, r.x());
      LOG.info("{}: {} {} after {} iterations ({} gradient passes over {} rows) in {} ms: objective {}, |gradient| {}", op, opt,
          r.converged() ? "converged" : "stopped at maxIter", r.history().size() - 1, r.evaluations(), rows[0],
          (System.nanoTime() - t0) / 1_000_000, summary.finalObjective(), summary.finalGradientNorm());

      InputColumn[] cols = ArraxSpark.resolvedInputs(op, data, ic, o);
      NDArray[] examples = new NDArray[cols.length];
      for (int i = 0; i < cols.length; i++) examples[i] = Np.zeros(cols[i].rowShape(), cols[i].dtype());
      Fn predictFitted = a -> predict.apply(fitted, a);
      Program p;
      try {
        p = Arrax.makeJaxpr(predictFitted, examples);
      } catch (RuntimeException e) {
        throw new ArraxSparkException(op + ": tracing the prediction function failed for inputs "
            + Arrays.stream(cols).map(InputColumn::describe).toList() + ": " + e.getMessage(), e);
      }
      ArraxModel model = new ArraxModel(uid, p.toText(), fitted, ic, getOrDefault(outputCol), summary);
      model.copyOptions(isDefined(batchRows) ? intParam(batchRows) : null, isDefined(nullPolicy) ? getOrDefault(nullPolicy) : null,
          isDefined(backend) ? getOrDefault(backend) : null);
      return model.setParent(this);
    } finally {
      if (cache) data.unpersist();
    }
  }

  private Map<String, NDArray> unflatten(List<String> keys, int[] offsets, double[] x) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      NDArray init = initial.get(keys.get(i));
      m.put(keys.get(i), NDArray.fromFlat(Arrays.copyOfRange(x, offsets[i], offsets[i + 1]), init.dtype(), init.shape()));
    }
    return Collections.unmodifiableMap(m);
  }

  /** The input schema with the prediction column, traced with the initial parameters (array lengths from {@link #setArrayLengths}). */
  @Override public StructType transformSchema(StructType schema) {
    String op = "ArraxEstimator " + uid;
    Columns.resolveInputs(op, schema, required(lossCols));
    ArraxOptions o = options().resolve(org.apache.spark.sql.SparkSession.active().conf());
    String[] ic = required(inputCols);
    if (isDefined(arrayLengths)) {
      int[] lengths = getOrDefault(arrayLengths);
      if (lengths.length != ic.length) {
        throw new ArraxSparkException(op + ": arrayLengths " + Arrays.toString(lengths) + " must give one length per input column "
            + Arrays.toString(ic));
      }
      for (int i = 0; i < ic.length; i++) o = o.withArrayLength(ic[i], lengths[i]);
    }
    return ArraxSpark.outputSchema(op, schema, a -> new NDArray[] {predict.apply(initial, a)}, ic, new String[] {getOrDefault(outputCol)}, o,
        true, null);
  }

  /** A copy with the same uid, functions and initial parameters, {@code extra} applied. */
  @Override public ArraxEstimator copy(ParamMap extra) {
    return copyValues(new ArraxEstimator(uid, loss, predict, initial), extra);
  }
}
