package dev.arrax.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.ir.Program;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The model {@link ArraxEstimator#fit} returns: the fitted parameters (by name) and the per-row prediction program
 * traced with them as constants, applied to a DataFrame with {@link ArraxSpark#map} (one output column). It is
 * {@code MLWritable}/{@code MLReadable}: the program text and the parameters are saved as params, so
 * {@link #load(String)} (or a saved {@code PipelineModel}) gives the same predictions in another JVM. The
 * {@link #summary() training summary} lives only in the JVM that fitted the model.
 */
public final class ArraxModel extends Model<ArraxModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** This stage's unique id, returned by {@code uid()} (Spark ML's identifier of a pipeline stage). */
  private final String uid;
  private transient TrainingSummary summary;
  /** The {@code inputCols} param: input columns of the prediction function, one argument each. */
  private final StringArrayParam inputCols;
  /** The {@code outputCol} param: the prediction column. */
  private final Param<String> outputCol;
  /** The {@code program} param: the per-row prediction program's text, fitted parameters as constants. */
  private final Param<String> program;
  /** The {@code parameters} param: the fitted parameters as JSON {name: {dtype, shape, values}}. */
  private final Param<String> parameters;
  /** The {@code batchRows} param: rows per compiled batch (spark.arrax.batchRows, default 65536). */
  private final IntParam batchRows;
  /** The {@code nullPolicy} param: error, null_row or fill:&lt;value&gt; (spark.arrax.nullPolicy, default error). */
  private final Param<String> nullPolicy;
  /** The {@code backend} param: cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu). */
  private final Param<String> backend;

  /** A model whose content comes from its params: what {@code MLReader} builds when loading (use {@link #load(String)}). */
  public ArraxModel(String uid) {
    this.uid = uid;
    this.inputCols = new StringArrayParam(this, "inputCols", "input columns of the prediction function, one argument each");
    this.outputCol = new Param<>(this, "outputCol", "the prediction column");
    this.program = new Param<>(this, "program", "the per-row prediction program's text, fitted parameters as constants");
    this.parameters = new Param<>(this, "parameters", "the fitted parameters as JSON {name: {dtype, shape, values}}");
    this.batchRows = new IntParam(this, "batchRows", "rows per compiled batch (spark.arrax.batchRows, default 65536)");
    this.nullPolicy = new Param<>(this, "nullPolicy", "error, null_row or fill:<value> (spark.arrax.nullPolicy, default error)");
    this.backend = new Param<>(this, "backend", "cpu, gpu, auto or an installed backend's name (spark.arrax.backend, default cpu)");
  }

  ArraxModel(String uid, String programText, Map<String, NDArray> fitted, String[] in, String out, TrainingSummary summary) {
    this(uid);
    set(program, programText);
    set(parameters, toJson(fitted));
    set(inputCols, in);
    set(outputCol, out);
    this.summary = summary;
  }

  /** MLlib's reader of saved models: {@code ArraxModel.read().load(path)}. */
  public static MLReader<ArraxModel> read() {
    return new DefaultParamsReader<>();
  }

  /** The model saved at {@code path}. */
  public static ArraxModel load(String path) {
    return read().load(path);
  }

  /** This model's unique id (the estimator's). */
  @Override public String uid() { return uid; }

  /** Param: the prediction function's input columns. */
  public StringArrayParam inputCols() { return inputCols; }

  /** Param: the prediction column. */
  public Param<String> outputCol() { return outputCol; }

  /** Param: the per-row prediction program's text. */
  public Param<String> program() { return program; }

  /** Param: the fitted parameters as JSON. */
  public Param<String> parameters() { return parameters; }

  /** Param: rows per compiled batch. */
  public IntParam batchRows() { return batchRows; }

  /** Param: the null policy. */
  public Param<String> nullPolicy() { return nullPolicy; }

  /** Param: the backend name. */
  public Param<String> backend() { return backend; }

  /** Sets the prediction column. */
  public ArraxModel setOutputCol(String col) { set(outputCol, col); return this; }

  /** Sets the prediction function's input columns (one per argument of the prediction function). */
  public ArraxModel setInputCols(String... cols) { set(inputCols, cols); return this; }

  /** The fitted parameters by name, in the order of the estimator's initial parameters. */
  public Map<String, NDArray> getParameters() {
    return fromJson(getOrDefault(parameters));
  }

  /** Whether a training summary is available (only in the JVM that fitted the model). */
  public boolean hasSummary() { return summary != null; }

  /** The training summary: per iteration the objective, gradient norm and time. */
  public TrainingSummary summary() {
    if (summary == null) {
      throw new ArraxSparkException("ArraxModel " + uid + ": no training summary; it is kept only by the model fit in this JVM, not saved");
    }
    return summary;
  }

  /** The DataFrame with the prediction column added. */
  @Override public Dataset<Row> transform(Dataset<?> dataset) {
    return transformer().transform(dataset);
  }

  /** The schema with the prediction column added, computed without reading data. */
  @Override public StructType transformSchema(StructType schema) {
    return transformer().transformSchema(schema);
  }

  /** A copy with the same uid, content and params, {@code extra} applied (the summary is shared). */
  @Override public ArraxModel copy(ParamMap extra) {
    ArraxModel m = copyValues(new ArraxModel(uid), extra);
    m.summary = summary;
    return m.setParent(parent());
  }

  private ArraxTransformer transformer() {
    String text = getOrDefault(program);
    ArrayType[] in = Program.parse(text).inTypes();
    int[] lengths = new int[in.length];
    for (int i = 0; i < in.length; i++) lengths[i] = in[i].rank() == 1 ? in[i].dim(0) : 1;
    ArraxTransformer t = ArraxTransformer.ofProgram(text, true).setInputCols(getOrDefault(inputCols)).setOutputCols(getOrDefault(outputCol))
        .setArrayLengths(lengths);
    if (isDefined(batchRows)) t.setBatchRows((Integer) getOrDefault((Param<?>) batchRows));
    if (isDefined(nullPolicy)) t.setNullPolicy(getOrDefault(nullPolicy));
    if (isDefined(backend)) t.setBackend(getOrDefault(backend));
    return t;
  }

  void copyOptions(Integer rows, String policy, String backendName) {
    if (rows != null) set(batchRows, rows);
    if (policy != null) set(nullPolicy, policy);
    if (backendName != null) set(backend, backendName);
  }

  /** {@code {"w": {"dtype": "f64", "shape": [3], "values": [...]}, ...}}, doubles written exactly. */
  static String toJson(Map<String, NDArray> params) {
    ObjectNode root = JSON.createObjectNode();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      ObjectNode p = root.putObject(e.getKey());
      p.put("dtype", e.getValue().dtype().shortName());
      ArrayNode shape = p.putArray("shape");
      for (int d : e.getValue().shape()) shape.add(d);
      ArrayNode values = p.putArray("values");
      for (double v : e.getValue().toDoubleArray()) values.add(v);
    }
    return root.toString();
  }

  static Map<String, NDArray> fromJson(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode p = e.getValue();
        int[] shape = new int[p.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = p.get("shape").get(i).asInt();
        double[] values = new double[p.get("values").size()];
        for (int i = 0; i < values.length; i++) values[i] = p.get("values").get(i).asDouble();
        out.put(e.getKey(), NDArray.fromFlat(values, DType.fromShortName(p.get("dtype").asText()), shape));
      }
      return Collections.unmodifiableMap(out);
    } catch (java.io.IOException | RuntimeException e) {
      throw new ArraxSparkException("ArraxModel: the saved parameters do not parse: " + e.getMessage(), e);
    }
  }
}
