package dev.arrax.it;

import static dev.arrax.it.SparkTestSupport.compare;
import static dev.arrax.it.SparkTestSupport.floats;
import static dev.arrax.it.SparkTestSupport.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.spark.ArraxSpark;
import dev.arrax.spark.ArraxSparkException;
import dev.arrax.spark.ArraxTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ArraxTransformer} as stages of a Spark ML Pipeline, and {@link ArraxSpark#registerUdf} in Spark SQL. */
class SparkPipelineSqlTest {
  private static SparkSession spark;
  static final int D = 8;
  static final long SEED = 4242L;
  static NDArray w;
  static Fn score;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkPipelineSqlTest");
    Random rng = new Random(SEED);
    w = NDArray.fromFlat(SparkTestSupport.gaussianFloats(rng, D * 3), D, 3);
    score = a -> Np.sum(Np.tanh(Np.dot(a[0], w)));
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType)
      .add("x", DataTypes.createArrayType(DataTypes.FloatType))
      .add("a", DataTypes.DoubleType)
      .add("c", DataTypes.IntegerType);

  static List<float[]> xs(int n) {
    Random rng = new Random(SEED + 1);
    List<float[]> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) xs.add(SparkTestSupport.gaussianFloats(rng, D));
    return xs;
  }

  static Dataset<Row> data(List<float[]> xs) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) rows.add(RowFactory.create((long) i, xs.get(i), i % 5 == 0 ? null : 0.5 * i, i - 7));
    return frame(spark, rows, SCHEMA, 3);
  }

  @Test
  void arraxTransformersAreStagesOfAPipeline() {
    List<float[]> xs = xs(300);
    Dataset<Row> df = data(xs);
    ArraxTransformer scorer = new ArraxTransformer(score).setInputCols("x").setOutputCols("score").setArrayLengths(D).setBatchRows(64);
    SQLTransformer flag = new SQLTransformer().setStatement("SELECT *, score > 0 AS positive FROM __THIS__");
    MultiFn vg = Arrax.valueAndGrad(score);
    ArraxTransformer both = ArraxTransformer.ofMulti(vg).setInputCols("x").setOutputCols("v", "g").setArrayLengths(D);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scorer, flag, both});

    StructType planned = pipeline.transformSchema(df.schema());
    assertEquals("struct<id:bigint,x:array<float>,a:double,c:int,score:float,positive:boolean,v:float,g:array<float>>",
        planned.simpleString());
    PipelineModel model = pipeline.fit(df);
    Dataset<Row> out = model.transform(df);
    assertEquals(planned.simpleString(), out.schema().simpleString());
    List<Row> rows = out.collectAsList();
    for (int i = 0; i < xs.size(); i++) {
      Row r = rows.get(i);
      NDArray x = NDArray.fromFlat(xs.get(i), D);
      double s = score.apply(x).item();
      assertEquals(i, r.getLong(0));
      assertEquals(s, r.getFloat(4), 2e-5 * (1 + Math.abs(s)), "score at row " + i);
      assertEquals(r.getFloat(4) > 0, r.getBoolean(5), "positive at row " + i);
      assertEquals(r.getFloat(4), r.getFloat(6), 1e-6, "value of valueAndGrad at row " + i);
      String e = compare(floats(r, 7), vg.apply(x)[1].toFloatArray(), 2e-5);
      if (e != null) fail("gradient at row " + i + ": " + e);
    }
    // params are copied with the stage, as Spark ML expects
    ArraxTransformer copy = scorer.copy(new org.apache.spark.ml.param.ParamMap());
    assertEquals(scorer.uid(), copy.uid());
    assertEquals(List.of("score"), List.of(copy.getOutputCols()));
  }

  @Test
  void transformSchemaNeedsTheArrayLengthWhenTheOutputDependsOnIt() {
    Dataset<Row> df = data(xs(10));
    // sum(x) traces at any length: no length needed
    ArraxTransformer sum = new ArraxTransformer(a -> Np.sum(a[0])).setInputCols("x").setOutputCols("s");
    assertEquals(DataTypes.FloatType, sum.transformSchema(df.schema()).apply("s").dataType());
    // x . w needs d = 8
    ArraxTransformer needs = new ArraxTransformer(score).setInputCols("x").setOutputCols("score");
    ArraxSparkException e = assertThrows(ArraxSparkException.class, () -> needs.transformSchema(df.schema()));
    assertTrue(e.getMessage().endsWith("Column 'x' is an array column whose length is not set (1 was tried); set it with "
        + "ArraxTransformer.setArrayLengths or ArraxOptions.withArrayLength(\"x\", d)"), e.getMessage());
    ArraxTransformer missing = new ArraxTransformer(score).setInputCols("nope").setOutputCols("score");
    e = assertThrows(ArraxSparkException.class, () -> missing.transformSchema(df.schema()));
    assertTrue(e.getMessage().contains("input column 'nope' does not exist"), e.getMessage());
  }

  @Test
  void registeredFunctionsRunInSparkSql() {
    List<float[]> xs = xs(120);
    data(xs).createOrReplaceTempView("features");
    Fn saliency = Arrax.grad(score);
    ArraxSpark.registerUdf(spark, "arrax_saliency", saliency, Np.zeros(new int[] {D}, DType.FLOAT32));
    ArraxSpark.registerUdf(spark, "arrax_mix", a -> a[0].mul(2.0).add(a[1]), NDArray.scalar(0.0), NDArray.ofInts(0).reshape());
    List<Row> rows = spark.sql("SELECT id, arrax_saliency(x) AS g, arrax_mix(a, c) AS m FROM features ORDER BY id").collectAsList();
    assertEquals(120, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String e = compare(floats(r, 1), saliency.apply(NDArray.fromFlat(xs.get(i), D)).toFloatArray(), 2e-5);
      if (e != null) fail("arrax_saliency at row " + i + ": " + e);
      if (i % 5 == 0) assertTrue(r.isNullAt(2), "a null argument gives a null result at row " + i);
      else assertEquals(2 * (0.5 * i) + (i - 7), r.getDouble(2), 1e-12, "arrax_mix at row " + i);
    }
    assertEquals("struct<g:array<float>,m:double>", spark.sql("SELECT arrax_saliency(x) AS g, arrax_mix(a, c) AS m FROM features")
        .schema().simpleString());
    Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT arrax_saliency(array(1.0f, 2.0f)) FROM features").collectAsList());
    StringBuilder chain = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) chain.append(t.getMessage()).append(" | ");
    assertTrue(chain.toString().contains("SQL function arrax_saliency: argument 0 has 2 elements, but the function was registered for f32[8]"),
        chain.toString());
  }
}
