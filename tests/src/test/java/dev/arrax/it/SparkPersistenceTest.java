package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.spark.ArraxEstimator;
import dev.arrax.spark.ArraxSparkException;
import dev.arrax.spark.ArraxTransformer;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
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
 * ML persistence: a fitted Pipeline of an {@link ArraxTransformer} (per-row gradients) and an {@link ArraxEstimator}'s
 * model, saved here and loaded in ANOTHER JVM with a fresh SparkSession, gives bit-identical output; a transformer
 * saved alone (several outputs) loads back; saving before the function was traced fails, saying what to do.
 */
class SparkPersistenceTest {
  private static SparkSession spark;
  private static Dataset<Row> df;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkPersistenceTest");
    Random rng = new Random(99);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      double[] x = SparkTestSupport.gaussianDoubles(rng, 3);
      double y = rng.nextDouble() < 1 / (1 + Math.exp(-(x[0] - x[2]))) ? 1.0 : 0.0;
      rows.add(RowFactory.create((long) i, x, y));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false)).add("y", DataTypes.DoubleType);
    df = SparkTestSupport.frame(spark, rows, schema, 2).cache();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static final NDArray SCALE = NDArray.of(0.5, -1.0, 2.0);

  @Test
  void aFittedPipelineSavedHereGivesIdenticalOutputInAnotherJvm() throws Exception {
    ArraxTransformer saliency = new ArraxTransformer(Arrax.grad(a -> Np.sum(Np.tanh(Np.multiply(a[0], SCALE)))))
        .setInputCols("x").setOutputCols("g").setArrayLengths(3);
    Map<String, NDArray> init = new LinkedHashMap<>();
    init.put("w", Np.zeros(new int[] {3}, DType.FLOAT64));
    init.put("b", NDArray.scalar(0.0));
    ArraxEstimator logistic = new ArraxEstimator((p, row) -> {
      NDArray z = Np.add(Np.dot(row[0], p.get("w")), p.get("b"));
      return Np.subtract(Nn.softplus(z), Np.multiply(row[1], z));
    }, (p, row) -> Nn.sigmoid(Np.add(Np.dot(row[0], p.get("w")), p.get("b"))), init)
        .setLossCols("g", "y").setInputCols("g").setArrayLengths(3).setOutputCol("p").setRegParam(0.1).setMaxIter(5);
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {saliency, logistic}).fit(df);

    Path dir = Files.createTempDirectory("arrax-pipeline");
    String modelPath = dir.resolve("model").toString();
    String inputPath = dir.resolve("input").toString();
    String outputPath = dir.resolve("output").toString();
    model.write().overwrite().save(modelPath);
    df.write().parquet(inputPath);
    List<Row> here = model.transform(df).select("id", "g", "p").orderBy("id").collectAsList();

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || a.startsWith("-Dio.netty")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(LoadInFreshJvm.class.getName());
    cmd.addAll(List.of(modelPath, inputPath, outputPath));
    Path log = dir.resolve("child.log");
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish in 120 s");
    assertEquals(0, child.exitValue(), "child JVM failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
    String childPid = Files.readString(Path.of(outputPath + ".pid")).trim();
    assertTrue(!childPid.equals(String.valueOf(ProcessHandle.current().pid())), "the pipeline must load in another process");

    List<Row> there = spark.read().parquet(outputPath).orderBy("id").collectAsList();
    assertEquals(600, there.size());
    for (int i = 0; i < here.size(); i++) {
      assertEquals(here.get(i).getLong(0), there.get(i).getLong(0));
      assertEquals(here.get(i).getList(1), there.get(i).getList(1), "g at id " + i);
      assertEquals(Double.doubleToLongBits(here.get(i).getDouble(2)), Double.doubleToLongBits(there.get(i).getDouble(2)), "p at id " + i);
    }
  }

  /** The other JVM: a fresh local SparkSession loads the saved PipelineModel and writes what it gives. */
  public static final class LoadInFreshJvm {
    public static void main(String[] args) throws Exception {
      SparkSession s = SparkTestSupport.localSession("LoadInFreshJvm");
      try {
        PipelineModel m = PipelineModel.load(args[0]);
        m.transform(s.read().parquet(args[1])).select("id", "g", "p").write().parquet(args[2]);
        Files.writeString(Path.of(args[2] + ".pid"), String.valueOf(ProcessHandle.current().pid()));
      } finally {
        s.stop();
      }
    }
  }

  @Test
  void aTransformerWithSeveralOutputsSavesAndLoads() throws Exception {
    ArraxTransformer t = ArraxTransformer.ofMulti(Arrax.valueAndGrad(a -> Np.sum(Np.multiply(Np.multiply(a[0], a[0]), SCALE))))
        .setInputCols("x").setOutputCols("v", "dv").setBatchRows(128).setNullPolicy("null_row");
    List<Row> before = t.transform(df).select("id", "v", "dv").orderBy("id").collectAsList();
    String path = Files.createTempDirectory("arrax-transformer").resolve("t").toString();
    t.save(path);
    ArraxTransformer loaded = ArraxTransformer.load(path);
    assertEquals(t.uid(), loaded.uid());
    assertEquals(t.getProgram(), loaded.getProgram());
    assertEquals(List.of("v", "dv"), List.of(loaded.getOutputCols()));
    assertEquals(before, loaded.transform(df).select("id", "v", "dv").orderBy("id").collectAsList());
    Row r0 = before.get(0);
    double[] x = SparkTestSupport.doubles(df.orderBy("id").first(), 1);
    assertEquals(0.5 * x[0] * x[0] - x[1] * x[1] + 2 * x[2] * x[2], r0.getDouble(1), 1e-12);
  }

  @Test
  void savingBeforeTheFunctionWasTracedSaysWhatToDo() {
    ArraxTransformer t = new ArraxTransformer(a -> Np.sin(a[0])).setInputCols("x").setOutputCols("s");
    ArraxSparkException e = assertThrows(ArraxSparkException.class, t::write);
    assertEquals("ArraxTransformer " + t.uid() + ": nothing to save yet: the function is traced when the transformer first sees a schema; "
        + "call transform(df), or transformSchema(schema) with setArrayLengths given for array columns, before saving", e.getMessage());
  }
}
