package dev.arrax.spark;

import dev.arrax.backend.Backends;
import dev.arrax.spark.Columns.InputColumn;
import dev.arrax.spark.Columns.OutputColumn;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.SparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.CreateArray;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Option;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The one place that names Spark internals that move between versions: the classic (JVM) session and Dataset of
 * {@code org.apache.spark.sql.classic} (Spark 4.0+), their query execution's RDD of rows, Catalyst's logical and
 * physical plans, SQL metrics, and the planner's extension point. Nothing else in the connector names
 * {@code sql.classic} or Catalyst, so an unsupported Spark fails in {@link SparkVersions#require} with a message
 * instead of a {@code NoClassDefFoundError} while loading {@link ArraxSpark}.
 *
 * <h2>The map plan node</h2>
 * {@link ArraxSpark#map} / {@link ArraxSpark#mapMulti} add a logical node, {@link MapNode}, on top of the DataFrame's
 * own (analyzed) plan; the strategy {@link MapStrategy}, registered lazily and once per session in
 * {@code spark.experimental().extraStrategies()} ({@link #registerPlanner}; users set nothing), plans it as
 * {@link MapExec}, which streams its child's rows through {@link MapTask} and reports SQL metrics. The upstream plan
 * stays visible to the optimizer (filters and column pruning still reach a Parquet scan below the map) and to
 * {@code explain()}, where the node shows as {@code ArraxMap f(x) -> y [backend cpu], ...}. The nodes are written in
 * Java against Catalyst's abstract classes ({@code LogicalPlan}, {@code SparkPlan}, {@code SparkStrategy}); they
 * implement what a Scala case class would generate (the {@code Product} members, structural equality, copying with
 * new children).
 */
final class SparkShim {
  private SparkShim() {}

  /** The DataFrame's rows as Spark computes them (its optimized and planned query, pushdowns included). */
  static RDD<InternalRow> toRdd(Dataset<Row> df) {
    return classic(df).queryExecution().toRdd();
  }

  /**
   * The DataFrame {@code df} with the map of {@code spec} on top: a {@link MapNode} over {@code df}'s plan, whose new
   * columns are the fields of {@code outputs} (with their metadata). Registers the planner strategy on first use.
   */
  static Dataset<Row> mapNode(Dataset<Row> df, MapTask.Spec spec, StructType outputs) {
    org.apache.spark.sql.classic.Dataset<Row> d = classic(df);
    org.apache.spark.sql.classic.SparkSession session = d.sparkSession();
    registerPlanner(session);
    LogicalPlan child = d.logicalPlan();
    List<Attribute> childOut = CollectionConverters.asJava(child.output());
    List<Attribute> inputs = new ArrayList<>();
    for (InputColumn c : spec.inputs()) inputs.add(childOut.get(c.ordinal()));
    List<Attribute> outs = new ArrayList<>(CollectionConverters.asJava(DataTypeUtils.toAttributes(outputs)));
    MapNode node = new MapNode(child, seq(inputs), seq(outs), spec);
    // The new columns are re-aliased in a projection on top: the analyzer's DeduplicateRelations then gives them fresh
    // ids in a self-join (it renews a projection's aliases, but knows nothing of a new node's columns). The optimizer
    // drops the projection again where it is redundant (RemoveRedundantAliases, RemoveNoopOperators).
    List<NamedExpression> projection = new ArrayList<>(childOut);
    for (Attribute a : outs) {
      projection.add(new Alias(a, a.name(), NamedExpression.newExprId(), seq(List.of()), Option.empty(), seq(List.of())));
    }
    return org.apache.spark.sql.classic.Dataset.ofRows(session, new Project(seq(projection), node));
  }

  /** Adds {@link MapStrategy} to the session's planner strategies unless it is there (idempotent, thread-safe). */
  static void registerPlanner(org.apache.spark.sql.classic.SparkSession session) {
    ExperimentalMethods ex = session.experimental();
    synchronized (ex) {
      List<SparkStrategy> current = CollectionConverters.asJava(ex.extraStrategies());
      for (SparkStrategy s : current) if (s.getClass().getName().equals(MapStrategy.class.getName())) return;
      List<SparkStrategy> next = new ArrayList<>(current);
      next.add(new MapStrategy());
      ex.extraStrategies_$eq(seq(next));
    }
  }

  /**
   * The length of array column {@code name} of {@code df} where its plan tells it without reading data: a column
   * built by {@code array(c1, ..., ck)} in a projection (k), an array output of an earlier Arrax map, or a column of
   * local data ({@code createDataFrame(List<Row>, schema)}) whose non-null rows all have one length. Null when the
   * plan does not tell it (an RDD, a file, a UDF): the caller then reads it from the data.
   */
  static Integer knownArrayLength(Dataset<Row> df, String name) {
    if (!(df instanceof org.apache.spark.sql.classic.Dataset<?>)) return null;
    LogicalPlan p = classic(df).logicalPlan();
    Attribute a = null;
    for (Attribute x : CollectionConverters.asJava(p.output())) if (x.name().equals(name)) a = x;
    return a == null ? null : lengthOf(p, a.exprId(), 0);
  }

  private static Integer lengthOf(LogicalPlan p, ExprId id, int depth) {
    if (depth > 500) return null;
    if (p instanceof MapNode m) {
      List<Attribute> outs = CollectionConverters.asJava(m.outs);
      for (int j = 0; j < outs.size(); j++) {
        if (outs.get(j).exprId().equals(id)) {
          OutputColumn oc = m.spec.outputs()[j];
          return oc.scalar() ? null : oc.width();
        }
      }
      return lengthOf(m.child, id, depth + 1);
    }
    if (p instanceof LocalRelation r) {
      List<Attribute> out = CollectionConverters.asJava(r.output());
      int ordinal = -1;
      for (int i = 0; i < out.size(); i++) if (out.get(i).exprId().equals(id)) ordinal = i;
      if (ordinal < 0) return null;
      Integer length = null;
      for (InternalRow row : CollectionConverters.asJava(r.data())) {
        if (row.isNullAt(ordinal)) continue;
        int n = row.getArray(ordinal).numElements();
        if (length == null) length = n;
        else if (length != n) return null; // rows of several lengths: let the data (after any filter) say
      }
      return length;
    }
    if (p instanceof Project pr) {
      for (NamedExpression e : CollectionConverters.asJava(pr.projectList())) {
        if (!e.exprId().equals(id)) continue;
        if (e instanceof Attribute) return lengthOf(pr.child(), id, depth + 1);
        if (e instanceof Alias al) {
          Expression c = al.child();
          if (c instanceof CreateArray ca) return ca.children().size();
          if (c instanceof Attribute at) return lengthOf(pr.child(), at.exprId(), depth + 1);
        }
        return null;
      }
      return null;
    }
    if (p instanceof Union) return null; // its output ids are the first child's, its rows come from all
    for (LogicalPlan c : CollectionConverters.asJava(p.children())) {
      for (Attribute x : CollectionConverters.asJava(c.output())) if (x.exprId().equals(id)) return lengthOf(c, id, depth + 1);
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static org.apache.spark.sql.classic.Dataset<Row> classic(Dataset<Row> df) {
    if (df instanceof org.apache.spark.sql.classic.Dataset<?> d) return (org.apache.spark.sql.classic.Dataset<Row>) d;
    throw connect(df.getClass().getName());
  }

  static void requireClassic(SparkSession spark) {
    if (!(spark instanceof org.apache.spark.sql.classic.SparkSession)) throw connect(spark.getClass().getName());
  }

  private static ArraxSparkException connect(String cls) {
    return new ArraxSparkException("the Arrax connector needs a classic (JVM) Spark session; Spark Connect DataFrames (" + cls
        + ") are not supported: the per-row program runs inside the executors, which a Connect client cannot reach");
  }

  private static <T> Seq<T> seq(List<T> l) {
    return CollectionConverters.asScala(new ArrayList<>(l)).toSeq();
  }

  @SuppressWarnings("unchecked")
  private static AttributeSet attributeSet(Seq<Attribute> attrs) {
    return AttributeSet.apply((scala.collection.Iterable<Expression>) (scala.collection.Iterable<?>) attrs);
  }

  private static <T> Seq<T> concat(Seq<T> a, Seq<T> b) {
    List<T> l = new ArrayList<>(CollectionConverters.asJava(a));
    l.addAll(CollectionConverters.asJava(b));
    return seq(l);
  }

  /** What the plan shows for a map: {@code f(x) -> y [backend cpu], program 3f2a9c1d0b4e, 65536 rows per batch}. */
  private static String describe(MapTask.Spec s) {
    String backend = s.placedOn().equals(s.backend()) ? s.placedOn() : s.placedOn() + ", requested " + s.backend();
    return s.label() + " [backend " + backend + "], program " + s.digest().substring(0, 12) + ", " + s.batchRows() + " rows per batch";
  }

  // ---------------------------------------------------------------- the logical node

  /**
   * The logical plan node of a map: {@code child}'s columns followed by the map's outputs {@code outs}, computed from
   * {@code inputs} (attributes of {@code child}) by the program of {@code spec}. Opaque to the optimizer except for
   * its references (the inputs only, so columns the query does not need are pruned below it) and its output (the
   * child's, plus the new columns).
   */
  public static final class MapNode extends LogicalPlan {
    private static final long serialVersionUID = 1L;
    final LogicalPlan child;
    final Seq<Attribute> inputs;
    final Seq<Attribute> outs;
    final MapTask.Spec spec;

    /** A map of {@code child}'s {@code inputs} appending {@code outs}, running {@code spec}. */
    public MapNode(LogicalPlan child, Seq<Attribute> inputs, Seq<Attribute> outs, MapTask.Spec spec) {
      this.child = child;
      this.inputs = inputs;
      this.outs = outs;
      this.spec = spec;
    }

    public LogicalPlan child() { return child; }

    @Override public Seq<Attribute> output() { return concat(child.output(), outs); }

    @Override public Seq<LogicalPlan> children() { return seq(List.of(child)); }

    @Override public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> c) { return new MapNode(c.apply(0), inputs, outs, spec); }

    @Override public AttributeSet producedAttributes() { return attributeSet(outs); }

    @Override public Option<Object> maxRows() { return child.maxRows(); }

    @Override public String nodeName() { return "ArraxMap"; }

    @Override public String argString(int maxFields) { return describe(spec); }

    @Override public int productArity() { return 4; }

    @Override public Object productElement(int n) {
      return switch (n) {
        case 0 -> child;
        case 1 -> inputs;
        case 2 -> outs;
        case 3 -> spec;
        default -> throw new IndexOutOfBoundsException(n);
      };
    }

    @Override public boolean canEqual(Object that) { return that instanceof MapNode; }

    @Override public boolean equals(Object o) {
      return o == this || o instanceof MapNode m && child.equals(m.child) && inputs.equals(m.inputs) && outs.equals(m.outs)
          && spec.key().equals(m.spec.key());
    }

    @Override public int hashCode() { return Objects.hash(child, inputs, outs, spec.key()); }
  }

  // ---------------------------------------------------------------- the physical operator

  /**
   * The physical operator of a map: {@code child.execute()}'s rows, partition by partition, through {@link MapTask}
   * (batches of {@code batchRows} rows, the compiled {@code jit(vmap(f))}, the outputs appended to each row in
   * place). Keeps the child's partitioning and ordering (it passes every row through, in order). Its SQL metrics:
   * output rows, batches, kernel time, compile time, rows run on the CPU and rows run on another backend (a GPU).
   */
  public static final class MapExec extends SparkPlan {
    private static final long serialVersionUID = 1L;
    /** The upstream plan whose rows are mapped. */
    final SparkPlan child;
    /** The child's columns the function reads, in argument order. */
    final Seq<Attribute> inputs;
    /** The columns the map appends. */
    final Seq<Attribute> outs;
    /** What the tasks run: the program text, its batching, columns and options. */
    final MapTask.Spec spec;
    private transient scala.collection.immutable.Map<String, SQLMetric> metrics;

    /** The operator for a planned {@link MapNode}. */
    public MapExec(SparkPlan child, Seq<Attribute> inputs, Seq<Attribute> outs, MapTask.Spec spec) {
      this.child = child;
      this.inputs = inputs;
      this.outs = outs;
      this.spec = spec;
    }

    public SparkPlan child() { return child; }

    @Override public Seq<Attribute> output() { return concat(child.output(), outs); }

    @Override public Seq<SparkPlan> children() { return seq(List.of(child)); }

    @Override public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> c) { return new MapExec(c.apply(0), inputs, outs, spec); }

    @Override public AttributeSet producedAttributes() { return attributeSet(outs); }

    @Override public Partitioning outputPartitioning() { return child.outputPartitioning(); }

    @Override public Seq<SortOrder> outputOrdering() { return child.outputOrdering(); }

    @Override public String nodeName() { return "ArraxMap"; }

    @Override public String argString(int maxFields) { return describe(spec); }

    @Override public synchronized scala.collection.immutable.Map<String, SQLMetric> metrics() {
      if (metrics == null) {
        SparkContext sc = sparkContext();
        java.util.Map<String, SQLMetric> m = new java.util.LinkedHashMap<>();
        m.put("numOutputRows", SQLMetrics.createMetric(sc, "number of output rows"));
        m.put("numBatches", SQLMetrics.createMetric(sc, "number of batches"));
        m.put("kernelTime", SQLMetrics.createNanoTimingMetric(sc, "kernel time", SQLMetrics.createNanoTimingMetric$default$3()));
        m.put("compileTime", SQLMetrics.createNanoTimingMetric(sc, "compile time", SQLMetrics.createNanoTimingMetric$default$3()));
        m.put("cpuRows", SQLMetrics.createMetric(sc, "rows on CPU"));
        m.put("gpuRows", SQLMetrics.createMetric(sc, "rows on GPU"));
        metrics = scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(m));
      }
      return metrics;
    }

    /**
     * Columnar (batches in, batches out) where the child produces columnar batches and
     * {@link ArraxOptions#COLUMNAR_INPUT_KEY} is not {@code false}: the inputs are then read as columns
     * ({@link ColumnarMapTask}) and Spark converts to rows only above the map, where a row-based operator needs them.
     */
    @Override public boolean supportsColumnar() {
      return child.supportsColumnar() && ColumnarMapTask.readable(spec.inputs())
          && !"false".equalsIgnoreCase(conf().getConfString(ArraxOptions.COLUMNAR_INPUT_KEY, "true").trim());
    }

    /** The spec's inputs at their ordinals in the child's output (the same for its rows and its batches' columns). */
    private InputColumn[] inputColumns() {
      List<Attribute> childOut = CollectionConverters.asJava(child.output());
      List<Attribute> in = CollectionConverters.asJava(inputs);
      InputColumn[] cols = new InputColumn[spec.inputs().length];
      for (int i = 0; i < cols.length; i++) {
        int ordinal = -1;
        for (int j = 0; j < childOut.size(); j++) if (childOut.get(j).exprId().equals(in.get(i).exprId())) ordinal = j;
        if (ordinal < 0) throw new IllegalStateException("ArraxMap: input " + in.get(i) + " is not among the child's columns " + childOut);
        InputColumn c = spec.inputs()[i];
        cols[i] = new InputColumn(c.name(), ordinal, c.elem(), c.width());
      }
      return cols;
    }

    private Meter meter() {
      scala.collection.immutable.Map<String, SQLMetric> m = metrics();
      return new Meter(m.apply("numOutputRows"), m.apply("numBatches"), m.apply("kernelTime"), m.apply("compileTime"), m.apply("cpuRows"),
          m.apply("gpuRows"));
    }

    @Override public RDD<InternalRow> doExecute() {
      StructType schema = DataTypeUtils.fromAttributes(child.output());
      MapTask task = new MapTask(spec, inputColumns(), schema, meter());
      RDD<InternalRow> rows = child.execute();
      String who = spec.op() + " " + spec.label();
      ArraxProgress.watch(sparkContext(), metrics().apply("numOutputRows").id(), who);
      return ArraxSpark.withCallSite(sparkContext(), who, () -> rows.toJavaRDD().mapPartitions(task, true).rdd().setName(who));
    }

    @Override public RDD<ColumnarBatch> doExecuteColumnar() {
      ColumnarMapTask task = new ColumnarMapTask(spec, inputColumns(), ColumnarMapTask.outSchema(spec.outputs()), meter());
      RDD<ColumnarBatch> batches = child.executeColumnar();
      String who = spec.op() + " " + spec.label();
      ArraxProgress.watch(sparkContext(), metrics().apply("numOutputRows").id(), who);
      return ArraxSpark.withCallSite(sparkContext(), who, () -> batches.toJavaRDD().mapPartitions(task, true).rdd().setName(who));
    }

    @Override public int productArity() { return 4; }

    @Override public Object productElement(int n) {
      return switch (n) {
        case 0 -> child;
        case 1 -> inputs;
        case 2 -> outs;
        case 3 -> spec;
        default -> throw new IndexOutOfBoundsException(n);
      };
    }

    @Override public boolean canEqual(Object that) { return that instanceof MapExec; }

    @Override public boolean equals(Object o) {
      return o == this || o instanceof MapExec m && child.equals(m.child) && inputs.equals(m.inputs) && outs.equals(m.outs)
          && spec.key().equals(m.spec.key());
    }

    @Override public int hashCode() { return Objects.hash(child, inputs, outs, spec.key()); }
  }

  /** A task's counts into the operator's SQL metrics (accumulators: they travel with the task and merge back). */
  private record Meter(SQLMetric rows, SQLMetric batches, SQLMetric kernel, SQLMetric compile, SQLMetric cpuRows, SQLMetric gpuRows)
      implements MapTask.Meter {
    @Override public void batch(long n, long kernelNanos, String backend) {
      rows.add(n);
      batches.add(1L);
      kernel.add(kernelNanos);
      (Backends.CPU.equals(backend) ? cpuRows : gpuRows).add(n);
    }

    @Override public void compile(long nanos) {
      compile.add(nanos);
    }
  }

  /** Plans {@link MapNode} as {@link MapExec}; registered per session by {@link #registerPlanner}. */
  public static final class MapStrategy extends SparkStrategy {
    @Override public Seq<SparkPlan> apply(LogicalPlan plan) {
      if (plan instanceof MapNode n) return seq(List.of(new MapExec(planLater(n.child), n.inputs, n.outs, n.spec)));
      return seq(List.of());
    }
  }
}
