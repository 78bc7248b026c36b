package dev.arrax.spark;

import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that applies an Arrax per-row function with {@link ArraxSpark#map} (or
 * {@link ArraxSpark#mapMulti}), so it can be a stage of a {@code Pipeline}:
 *
 * <pre>{@code
 * ArraxTransformer saliency = new ArraxTransformer(Arrax.grad(mlp))
 *     .setInputCols("x").setOutputCols("saliency").setArrayLengths(32);
 * PipelineModel model = new Pipeline().setStages(new PipelineStage[] {saliency, nextStage}).fit(df);
 * }</pre>
 *
 * <p>Params: {@code inputCols}, {@code outputCols} (required), {@code arrayLengths} (one per input column,
 * ignored for scalar columns; needed by {@link #transformSchema} when the output type depends on the length,
 * which Pipeline checks before reading any data), {@code batchRows}, {@code nullPolicy} ({@code error},
 * {@code null_row}, {@code fill:<v>}) and {@code backend}; unset ones come from the Spark conf
 * ({@code spark.arrax.*}). The function is Java code, so the transformer is not persistable with
 * {@code MLWritable}; rebuild it from code when loading a pipeline.
 */
public final class ArraxTransformer extends Transformer {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final transient MultiFn fn;
  private final boolean single;
  private final StringArrayParam inputCols;
  private final StringArrayParam outputCols;
  private final IntArrayParam arrayLengths;
  private final IntParam batchRows;
  private final Param<String> nullPolicy;
  private final Param<String> backend;

  /** A transformer for a function with one output (one column, or k columns from a per-row [k] output). */
  public ArraxTransformer(Fn perRowFn) {
    this(Identifiable$.MODULE$.randomUID("arrax"), args -> new NDArray[] {perRowFn.apply(args)}, true);
  }

  /** A transformer for a function with several outputs, one column each. */
  public static ArraxTransformer ofMulti(MultiFn perRowFn) {
    return new ArraxTransformer(Identifiable$.MODULE$.randomUID("arrax"), perRowFn, false);
  }

  private ArraxTransformer(String uid, MultiFn fn, boolean single) {
    if (fn == null) throw new ArraxSparkException("ArraxTransformer: the function is null");
    this.uid = uid;
    this.fn = fn;
    this.single = single;
    this.inputCols = new StringArrayParam(this, "inputCols", "input columns, one argument of the per-row function each");
    this.outputCols = new StringArrayParam(this, "outputCols", "output columns, one per output of the function");
    this.arrayLengths = new IntArrayParam(this, "arrayLengths", "length of each array input column (ignored for scalar columns)");
    this.batchRows = new IntParam(this, "batchRows", "rows per compiled batch (spark.arrax.batchRows, default 65536)");
    this.nullPolicy = new Param<>(this, "nullPolicy", "error, null_row or fill:<value> (spark.arrax.nullPolicy, default error)");
    this.backend = new Param<>(this, "backend", "cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu)");
  }

  @Override public String uid() { return uid; }

  public StringArrayParam inputCols() { return inputCols; }

  public StringArrayParam outputCols() { return outputCols; }

  public IntArrayParam arrayLengths() { return arrayLengths; }

  public IntParam batchRows() { return batchRows; }

  public Param<String> nullPolicy() { return nullPolicy; }

  public Param<String> backend() { return backend; }

  public ArraxTransformer setInputCols(String... cols) { set(inputCols, cols); return this; }

  public ArraxTransformer setOutputCols(String... cols) { set(outputCols, cols); return this; }

  public ArraxTransformer setArrayLengths(int... lengths) { set(arrayLengths, lengths); return this; }

  public ArraxTransformer setBatchRows(int rows) { set(batchRows, rows); return this; }

  public ArraxTransformer setNullPolicy(String policy) {
    ArraxOptions.parseNullPolicy(policy);
    set(nullPolicy, policy);
    return this;
  }

  public ArraxTransformer setBackend(String b) {
    set(backend, ArraxOptions.checkBackendName(b));
    return this;
  }

  public String[] getInputCols() { return required(inputCols); }

  public String[] getOutputCols() { return required(outputCols); }

  private <T> T required(Param<T> p) {
    if (!isDefined(p)) throw new ArraxSparkException("ArraxTransformer " + uid + ": param " + p.name() + " is not set");
    return getOrDefault(p);
  }

  /** The options the params describe (unset params left to the Spark conf). */
  ArraxOptions options() {
    ArraxOptions o = ArraxOptions.defaults().withName("ArraxTransformer " + uid);
    if (isDefined(batchRows)) o = o.withBatchRows((Integer) getOrDefault((Param<?>) batchRows));
    if (isDefined(nullPolicy)) o = o.withNullPolicy(ArraxOptions.parseNullPolicy(getOrDefault(nullPolicy)));
    if (isDefined(backend)) o = o.withBackend(getOrDefault(backend));
    if (isDefined(arrayLengths)) {
      int[] lengths = getOrDefault(arrayLengths);
      String[] in = getInputCols();
      if (lengths.length != in.length) {
        throw new ArraxSparkException("ArraxTransformer " + uid + ": arrayLengths " + Arrays.toString(lengths) + " must give one length per "
            + "input column " + Arrays.toString(in) + " (any value for scalar columns)");
      }
      for (int i = 0; i < in.length; i++) o = o.withArrayLength(in[i], lengths[i]);
    }
    return o;
  }

  @Override public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Dataset<Row> df = dataset.toDF();
    if (single) {
      return ArraxSpark.map(df, args -> fn.apply(args)[0], getInputCols(), getOutputCols(), options());
    }
    return ArraxSpark.mapMulti(df, fn, getInputCols(), getOutputCols(), options());
  }

  @Override public StructType transformSchema(StructType schema) {
    if (fn == null) throw new ArraxSparkException("ArraxTransformer " + uid + ": the function did not survive serialization; build the transformer in this JVM");
    ArraxOptions o = options().resolve(org.apache.spark.sql.SparkSession.active().conf());
    return ArraxSpark.outputSchema("ArraxTransformer " + uid, schema, fn, getInputCols(), getOutputCols(), o, single);
  }

  @Override public ArraxTransformer copy(ParamMap extra) {
    ArraxTransformer t = new ArraxTransformer(uid, fn, single);
    return copyValues(t, extra);
  }
}
