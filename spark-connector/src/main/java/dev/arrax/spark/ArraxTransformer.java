package dev.arrax.spark;

import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import java.util.Arrays;
import dev.arrax.ir.Program;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
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
 * ({@code spark.arrax.*}).
 *
 * <h2>Persistence</h2>
 * The transformer is {@code MLWritable}/{@code MLReadable}: what is saved is the traced per-row program's exact
 * text (param {@code program}) and the params, not Java code, so a saved {@code Pipeline} or {@code PipelineModel}
 * loads in another JVM ({@code PipelineModel.load(path)}, {@link #load(String)}) and gives the same output. The
 * program is the one traced by the last {@link #transform} or {@link #transformSchema} with known array lengths
 * ({@code Pipeline.fit} calls {@code transformSchema}, so with {@link #setArrayLengths} set a fitted pipeline can be
 * saved at once); saving before any trace fails, saying so.
 */
public final class ArraxTransformer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** This stage's unique id, returned by {@code uid()} (Spark ML's identifier of a pipeline stage). */
  private final String uid;
  private transient MultiFn fn;
  /** The row lengths of a saved program's array inputs (0 for scalars), or null for a Java function. */
  private transient int[] programLengths;
  /** The {@code inputCols} param: input columns, one argument of the per-row function each. */
  private final StringArrayParam inputCols;
  /** The {@code outputCols} param: output columns, one per output of the function. */
  private final StringArrayParam outputCols;
  /** The {@code arrayLengths} param: length of each array input column (ignored for scalar columns). */
  private final IntArrayParam arrayLengths;
  /** The {@code batchRows} param: rows per compiled batch (spark.arrax.batchRows, default 65536). */
  private final IntParam batchRows;
  /** The {@code nullPolicy} param: error, null_row or fill:&lt;value&gt; (spark.arrax.nullPolicy, default error). */
  private final Param<String> nullPolicy;
  /** The {@code backend} param: cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu). */
  private final Param<String> backend;
  /** The {@code program} param: the traced per-row program's text (set by transform/transformSchema, saved and loaded). */
  private final Param<String> program;
  /** The {@code singleOutput} param: true: one output (k columns from a per-row [k] output); false: one column per output. */
  private final BooleanParam singleOutput;

  /** A transformer for a function with one output (one column, or k columns from a per-row [k] output). */
  public ArraxTransformer(Fn perRowFn) {
    this(Identifiable$.MODULE$.randomUID("arrax"), args -> new NDArray[] {perRowFn.apply(args)}, true);
  }

  /** A transformer for a function with several outputs, one column each. */
  public static ArraxTransformer ofMulti(MultiFn perRowFn) {
    return new ArraxTransformer(Identifiable$.MODULE$.randomUID("arrax"), perRowFn, false);
  }

  /**
   * A transformer whose function is set by its {@code program} param: what {@code MLReader} builds when loading a
   * saved transformer (use {@link #load(String)}); {@code uid} is the saved one.
   */
  public ArraxTransformer(String uid) {
    this(uid, null, true);
  }

  /**
   * A transformer running a per-row program given as text ({@link Program#toText()}), for a function traced
   * elsewhere; {@code single} as for {@link #ArraxTransformer(Fn)} (one output, or k columns from a per-row [k] output)
   * versus {@link #ofMulti} (one column per output).
   */
  public static ArraxTransformer ofProgram(String programText, boolean single) {
    ArraxTransformer t = new ArraxTransformer(Identifiable$.MODULE$.randomUID("arrax"), null, single);
    t.set(t.program, programText);
    t.programFn();
    return t;
  }

  private ArraxTransformer(String uid, MultiFn fn, boolean single) {
    this.uid = uid;
    this.fn = fn;
    this.inputCols = new StringArrayParam(this, "inputCols", "input columns, one argument of the per-row function each");
    this.outputCols = new StringArrayParam(this, "outputCols", "output columns, one per output of the function");
    this.arrayLengths = new IntArrayParam(this, "arrayLengths", "length of each array input column (ignored for scalar columns)");
    this.batchRows = new IntParam(this, "batchRows", "rows per compiled batch (spark.arrax.batchRows, default 65536)");
    this.nullPolicy = new Param<>(this, "nullPolicy", "error, null_row or fill:<value> (spark.arrax.nullPolicy, default error)");
    this.backend = new Param<>(this, "backend", "cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu)");
    this.program = new Param<>(this, "program", "the traced per-row program's text (set by transform/transformSchema, saved and loaded)");
    this.singleOutput = new BooleanParam(this, "singleOutput", "true: one output (k columns from a per-row [k] output); false: one column per output");
    set(singleOutput, single);
  }

  /** MLlib's reader of saved transformers ({@code DefaultParamsReader}): {@code ArraxTransformer.read().load(path)}. */
  public static MLReader<ArraxTransformer> read() {
    return new DefaultParamsReader<>();
  }

  /** The transformer saved at {@code path} (with {@code save(path)} or inside a saved pipeline's stages). */
  public static ArraxTransformer load(String path) {
    return read().load(path);
  }

  /**
   * MLlib's writer of the params, the program text among them; fails when no program was traced yet (see the class
   * comment).
   */
  @Override public MLWriter write() {
    if (!isDefined(program)) {
      throw new ArraxSparkException("ArraxTransformer " + uid + ": nothing to save yet: the function is traced when the transformer first "
          + "sees a schema; call transform(df), or transformSchema(schema) with setArrayLengths given for array columns, before saving");
    }
    return DefaultParamsWritable.super.write();
  }

  /** This stage's unique id (saved with it). */
  @Override public String uid() { return uid; }

  /** Param: the input columns, one argument of the per-row function each. */
  public StringArrayParam inputCols() { return inputCols; }

  /** Param: the output columns. */
  public StringArrayParam outputCols() { return outputCols; }

  /** Param: the length of each array input column (any value for scalar columns). */
  public IntArrayParam arrayLengths() { return arrayLengths; }

  /** Param: rows per compiled batch. */
  public IntParam batchRows() { return batchRows; }

  /** Param: the null policy ({@code error}, {@code null_row}, {@code fill:<v>}). */
  public Param<String> nullPolicy() { return nullPolicy; }

  /** Param: the backend name. */
  public Param<String> backend() { return backend; }

  /** Param: the traced per-row program's text (what is saved). */
  public Param<String> program() { return program; }

  /** Param: whether the function has one output (k columns from a per-row [k] output) or one column per output. */
  public BooleanParam singleOutput() { return singleOutput; }

  /** The traced per-row program's text, or null before the first trace. */
  public String getProgram() { return isDefined(program) ? getOrDefault(program) : null; }

  /** Sets the input columns. */
  public ArraxTransformer setInputCols(String... cols) { set(inputCols, cols); return this; }

  /** Sets the output columns. */
  public ArraxTransformer setOutputCols(String... cols) { set(outputCols, cols); return this; }

  /** Sets the length of each array input column, one per input column. */
  public ArraxTransformer setArrayLengths(int... lengths) { set(arrayLengths, lengths); return this; }

  /** Sets the rows per compiled batch. */
  public ArraxTransformer setBatchRows(int rows) { set(batchRows, rows); return this; }

  /** Sets the null policy ({@code error}, {@code null_row}, {@code fill:<v>}). */
  public ArraxTransformer setNullPolicy(String policy) {
    ArraxOptions.parseNullPolicy(policy);
    set(nullPolicy, policy);
    return this;
  }

  /** Sets the backend ({@code cpu}, {@code gpu}, {@code auto} or an installed backend's name). */
  public ArraxTransformer setBackend(String b) {
    set(backend, ArraxOptions.checkBackendName(b));
    return this;
  }

  /** The input columns (required). */
  public String[] getInputCols() { return required(inputCols); }

  /** The output columns (required). */
  public String[] getOutputCols() { return required(outputCols); }

  private boolean single() { return (Boolean) getOrDefault((Param<?>) singleOutput); }

  /** The function: the Java one this transformer was built with, else the saved program's. */
  private MultiFn programFn() {
    if (fn != null) return fn;
    if (!isDefined(program)) {
      throw new ArraxSparkException("ArraxTransformer " + uid + ": it has neither a function nor a program; build it from a function, or "
          + "load a saved one with ArraxTransformer.load(path)");
    }
    Program p;
    try {
      p = Program.parse(getOrDefault(program));
    } catch (RuntimeException e) {
      throw new ArraxSparkException("ArraxTransformer " + uid + ": its program does not parse: " + e.getMessage(), e);
    }
    dev.arrax.core.ArrayType[] in = p.inTypes();
    programLengths = new int[in.length];
    for (int i = 0; i < in.length; i++) programLengths[i] = in[i].rank() == 1 ? in[i].dim(0) : 0;
    fn = p::call;
    return fn;
  }

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
    programFn();
    if (isDefined(arrayLengths) || programLengths != null) {
      int[] lengths = isDefined(arrayLengths) ? getOrDefault(arrayLengths) : programLengths;
      String[] in = getInputCols();
      if (lengths.length != in.length) {
        throw new ArraxSparkException("ArraxTransformer " + uid + ": arrayLengths " + Arrays.toString(lengths) + " must give one length per "
            + "input column " + Arrays.toString(in) + " (any value for scalar columns)");
      }
      for (int i = 0; i < in.length; i++) o = o.withArrayLength(in[i], lengths[i]);
    }
    return o;
  }

  /** The DataFrame with the output columns added by {@link ArraxSpark#map} / {@link ArraxSpark#mapMulti}; records the traced program. */
  @Override public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Dataset<Row> df = dataset.toDF();
    MultiFn f = programFn();
    return ArraxSpark.mapTraced(single() ? "map" : "mapMulti", df, f, getInputCols(), getOutputCols(), options(), single(),
        text -> set(program, text));
  }

  /** The output schema, computed without reading data (array lengths from {@link #setArrayLengths}, else 1 is tried). */
  @Override public StructType transformSchema(StructType schema) {
    ArraxOptions o = options().resolve(org.apache.spark.sql.SparkSession.active().conf());
    return ArraxSpark.outputSchema("ArraxTransformer " + uid, schema, programFn(), getInputCols(), getOutputCols(), o, single(),
        text -> set(program, text));
  }

  /** A copy with the same uid, function and params, {@code extra} applied. */
  @Override public ArraxTransformer copy(ParamMap extra) {
    ArraxTransformer t = new ArraxTransformer(uid, fn, single());
    return copyValues(t, extra);
  }
}
