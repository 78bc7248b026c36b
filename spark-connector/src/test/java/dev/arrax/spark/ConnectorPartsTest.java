package dev.arrax.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.arrow.NullPolicy;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The connector's Spark-free parts: exact sums, option parsing, batch buckets, backend settings. */
class ConnectorPartsTest {

  @Test
  void exactSumsDoNotDependOnOrderOrGrouping() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rng = new Random(seed);
      List<Double> values = new ArrayList<>();
      for (int i = 0; i < 500; i++) values.add(rng.nextGaussian() * Math.pow(10, rng.nextInt(40) - 20));
      BigDecimal exact = BigDecimal.ZERO;
      for (double v : values) exact = exact.add(new BigDecimal(v));
      double expected = exact.round(MathContext.DECIMAL128).doubleValue();
      double first = Double.NaN;
      for (int trial = 0; trial < 5; trial++) {
        Collections.shuffle(values, rng);
        // random grouping: split into partitions summed separately, then combined in a random order
        List<ExactSums> parts = new ArrayList<>();
        ExactSums cur = new ExactSums(1);
        for (double v : values) {
          cur.add(0, v);
          if (rng.nextInt(37) == 0) {
            parts.add(cur);
            cur = new ExactSums(1);
          }
        }
        parts.add(cur);
        Collections.shuffle(parts, rng);
        ExactSums total = new ExactSums(1);
        for (ExactSums p : parts) total.addAll(p);
        double got = total.get(0);
        if (trial == 0) first = got;
        assertEquals(Double.doubleToRawLongBits(first), Double.doubleToRawLongBits(got), "seed " + seed + " trial " + trial);
        assertEquals(expected, got, Math.ulp(expected), "seed " + seed);
      }
    }
  }

  @Test
  void exactSumsOfInfinitiesAndNaNsFollowIeee() {
    ExactSums s = new ExactSums(4);
    s.add(0, 1.0);
    s.add(0, Double.POSITIVE_INFINITY);
    s.add(1, Double.NEGATIVE_INFINITY);
    s.add(1, -5.0);
    s.add(2, Double.POSITIVE_INFINITY);
    s.add(2, Double.NEGATIVE_INFINITY);
    s.add(3, 2.0);
    s.add(3, Double.NaN);
    assertEquals(Double.POSITIVE_INFINITY, s.get(0));
    assertEquals(Double.NEGATIVE_INFINITY, s.get(1));
    assertTrue(Double.isNaN(s.get(2)));
    assertTrue(Double.isNaN(s.get(3)));
    ExactSums t = new ExactSums(1);
    t.add(0, 1e308);
    t.add(0, 1e308);
    t.add(0, -1e308);
    assertEquals(1e308, t.get(0), 0.0, "no overflow in the middle of an exact sum");
  }

  @Test
  void aProgramStampedWithAnotherArraxVersionFailsNamingBothVersionsAndTheFix() {
    assertFalse(ArraxVersion.VERSION.isEmpty());
    assertFalse(ArraxVersion.VERSION.contains("${"), "the version resource must be filtered by the build: " + ArraxVersion.VERSION);
    ArraxVersion.forShipping().check("op"); // this jar's own stamp passes
    ArraxSparkException e = assertThrows(ArraxSparkException.class, () -> new ArraxVersion.Stamp("0.0.1", ArraxVersion.IR_FORMAT).check("op"));
    assertTrue(e.getMessage().startsWith("op: the driver shipped a program from Arrax 0.0.1 (program format " + ArraxVersion.IR_FORMAT
        + "), but this executor runs Arrax " + ArraxVersion.VERSION + " (program format " + ArraxVersion.IR_FORMAT + "); the driver and "
        + "the executors must run the same Arrax jar"), e.getMessage());
    e = assertThrows(ArraxSparkException.class, () -> new ArraxVersion.Stamp(ArraxVersion.VERSION, ArraxVersion.IR_FORMAT + 1).check("op"));
    assertTrue(e.getMessage().contains("(program format " + (ArraxVersion.IR_FORMAT + 1) + ")"), e.getMessage());
  }

  @Test
  void nullPoliciesParseFromConfValues() {
    assertEquals(NullPolicy.ERROR, ArraxOptions.parseNullPolicy("error"));
    assertEquals(NullPolicy.NULL_ROW, ArraxOptions.parseNullPolicy(" NULL_ROW "));
    assertEquals(NullPolicy.fill(0.5), ArraxOptions.parseNullPolicy("fill:0.5"));
    assertEquals(NullPolicy.fill(-2.0), ArraxOptions.parseNullPolicy("FILL(-2)"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.parseNullPolicy("fill:x"));
    assertEquals("spark.arrax.nullPolicy=fill:x: expected error, null_row or fill:<number> (a number, NaN, Infinity or -Infinity)",
        e.getMessage());
    // the value is lower-cased with the rest, and Double.parseDouble takes only "NaN" and "Infinity"
    assertTrue(Double.isNaN(ArraxOptions.parseNullPolicy("fill:NaN").fillValue()));
    assertEquals(Double.POSITIVE_INFINITY, ArraxOptions.parseNullPolicy("fill:Infinity").fillValue());
    assertEquals(Double.NEGATIVE_INFINITY, ArraxOptions.parseNullPolicy("fill(-inf)").fillValue());
    assertEquals(ArraxOptions.Backend.AUTO, ArraxOptions.Backend.parse("Auto"));
    e = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.Backend.parse("tpu"));
    assertEquals("unknown Arrax backend 'tpu'; use cpu, gpu or auto", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.defaults().withBatchRows(0));
    assertEquals("batchRows must be >= 1, got 0", e.getMessage());
    ArraxOptions o = ArraxOptions.defaults().withBatchRows(10).withArrayLength("x", 3);
    assertEquals(10, o.batchRows());
    assertEquals(NullPolicy.ERROR, o.nullPolicy());
    assertEquals(3, o.arrayLengths().get("x"));
  }

  @Test
  void lastBatchesArePaddedToPowerOfTwoBuckets() {
    int[][] cases = {{1, 65536, 64}, {64, 65536, 64}, {65, 65536, 128}, {1000, 65536, 1024}, {65536, 65536, 65536},
        {40000, 65536, 65536}, {5, 7, 7}, {100, 100, 100}, {30, 100, 64}, {70, 100, 100}};
    for (int[] c : cases) assertEquals(c[2], Programs.bucket(c[0], c[1]), "bucket(" + c[0] + ", " + c[1] + ")");
  }

  @Test
  void backendsAreChosenByAnyInstalledNameAndCheckedWhenAJobIsSetUp() {
    assertEquals("cpu", ArraxOptions.defaults().backend());
    assertEquals("gpu", ArraxOptions.defaults().withBackend(ArraxOptions.Backend.GPU).backend());
    assertEquals("auto", ArraxOptions.defaults().withBackend(" Auto ").backend());
    assertEquals("my-backend_2", ArraxOptions.defaults().withBackend("My-Backend_2").backend());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.defaults().withBackend("g p u"));
    assertEquals("unknown Arrax backend 'g p u'; use cpu, gpu, auto or the name of an installed backend", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ArraxOptions.defaults().withBackend((String) null));
    assertEquals("unknown Arrax backend 'null'; use cpu, gpu, auto or the name of an installed backend", e.getMessage());
    assertEquals("ArraxOptions{batchRows=65536, nullPolicy=NullPolicy.ERROR, backend=gpu, explain}",
        ArraxOptions.defaults().withBackend("gpu").withExplain(true).toString());
    assertFalse(ArraxOptions.defaults().withExplain(false).explain());
  }

  @Test
  void aDeviceBackendOnAClusterWithoutGpuSchedulingIsWarnedAbout() {
    String op = "ArraxSpark.map";
    assertEquals("ArraxSpark.map: backend gpu runs on master spark://head:7077 without spark.task.resource.gpu.amount: Spark then does "
        + "not schedule GPUs, so every concurrent task of an executor uses the same GPU at once and they share its memory. Set "
        + "spark.executor.resource.gpu.amount=1 (with spark.executor.resource.gpu.discoveryScript) and "
        + "spark.task.resource.gpu.amount=1/<cores per executor> (e.g. 0.25 for 4 cores) to bound how many tasks share one GPU",
        ArraxSpark.gpuSharingWarning(op, "gpu", "spark://head:7077", null, null));
    assertEquals("ArraxSpark.map: backend gpu runs on master yarn without spark.task.resource.gpu.amount: Spark then does not "
        + "schedule GPUs, so every concurrent task of an executor uses the same GPU at once and they share its memory. Set "
        + "spark.task.resource.gpu.amount=1/<cores per executor> (e.g. 0.25 for 4 cores) to bound how many tasks share one GPU",
        ArraxSpark.gpuSharingWarning(op, "gpu", "yarn", null, "1"));
    assertTrue(ArraxSpark.gpuSharingWarning(op, "gpu", "local-cluster[2,1,1024]", null, null).startsWith(
        "ArraxSpark.map: backend gpu runs on master local-cluster[2,1,1024] without"));
    assertNull(ArraxSpark.gpuSharingWarning(op, "gpu", "spark://head:7077", "0.25", "1"), "GPU scheduling is on");
    assertNull(ArraxSpark.gpuSharingWarning(op, "gpu", "local[4]", null, null), "one JVM: Spark schedules no GPUs in local mode");
    assertNull(ArraxSpark.gpuSharingWarning(op, "cpu", "spark://head:7077", null, null), "the CPU needs no GPU");
  }

  @Test
  void sparkVersionsOutsideFourZeroToFourTwoFailWithTheSupportedOnes() {
    for (String v : new String[] {"4.0.0", "4.0.4", "4.1.3", "4.2.0", "4.2.1-SNAPSHOT"}) assertTrue(SparkVersions.isSupported(v), v);
    for (String v : new String[] {"3.5.1", "5.0.0", "4.3.0", "4", "", "x.y"}) assertFalse(SparkVersions.isSupported(v), v);
    ArraxSparkException e = assertThrows(ArraxSparkException.class, () -> SparkVersions.require("ArraxSpark.map", "3.5.1"));
    assertEquals("ArraxSpark.map: Spark 3.5.1 is not supported; the Arrax connector runs on Spark 4.0.x, 4.1.x and 4.2.x (Scala 2.13, "
        + "classic sessions; not Spark Connect). Use a supported Spark, or set -Darrax.spark.versionCheck=false on the driver to try anyway",
        e.getMessage());
    SparkVersions.require("ArraxSpark.map", "4.2.0");
  }
}
