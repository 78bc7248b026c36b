package dev.arrax.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Programs shipped to executors carry the driver's Arrax version and program format ({@link ArraxVersion}); an
 * executor running another version fails the task naming both and the fix. The shipped version is tampered with
 * through the package-private test hook (this class sits in the connector's package for that).
 */
class SparkVersionStampTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder()
        .appName("SparkVersionStampTest")
        .master("local[2]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.task.maxFailures", "1")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    ArraxVersion.shippedVersionForTests = null;
    if (spark != null) spark.stop();
  }

  private static String messageChain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append(" | ");
    return sb.toString();
  }

  private static void assertVersionError(String op, Throwable e) {
    String m = messageChain(e);
    assertTrue(m.contains(op + ": the driver shipped a program from Arrax 0.0.1-old (program format " + ArraxVersion.IR_FORMAT
        + "), but this executor runs Arrax " + ArraxVersion.VERSION + " (program format " + ArraxVersion.IR_FORMAT + "); the driver and "
        + "the executors must run the same Arrax jar: ship one copy to both"), m);
  }

  @Test
  void anExecutorOfAnotherArraxVersionFailsTheTaskNamingBothVersionsAndTheFix() {
    assertTrue(ArraxVersion.VERSION.matches("\\d+\\.\\d+\\.\\d+.*"), "the build's version: " + ArraxVersion.VERSION);
    Dataset<Row> df = spark.range(100).selectExpr("id", "cast(id as double) AS v");
    ArraxSpark.registerUdf(spark, "twice_v", a -> a[0].mul(2.0), NDArray.of(0.0).reshape());
    Dataset<Row> cached = df.cache(); // the columnar cache: the map reads it as columns (ColumnarMapTask)
    cached.count();
    ArraxVersion.shippedVersionForTests = "0.0.1-old";
    try {
      assertVersionError("ArraxSpark.map", assertThrows(SparkException.class,
          () -> ArraxSpark.map(cached, a -> a[0].mul(2.0), new String[] {"v"}, new String[] {"w"}).collectAsList()));
      assertVersionError("ArraxSpark.map", assertThrows(SparkException.class,
          () -> ArraxSpark.map(df, a -> a[0].mul(2.0), new String[] {"v"}, new String[] {"w"}).collectAsList()));
      assertVersionError("ArraxSpark.sumGradient", assertThrows(SparkException.class,
          () -> ArraxSpark.sumGradient(df, a -> Np.multiply(a[0], a[1]), Map.of("p", NDArray.of(1.0).reshape()), new String[] {"v"})));
      ArraxSpark.registerUdf(spark, "twice_old", a -> a[0].mul(2.0), NDArray.of(0.0).reshape());
      assertVersionError("ArraxSpark.registerUdf(twice_old)", assertThrows(Exception.class,
          () -> spark.sql("SELECT twice_old(cast(id AS double)) FROM range(10)").collectAsList()));
    } finally {
      ArraxVersion.shippedVersionForTests = null;
    }
    for (Row r : ArraxSpark.map(cached, a -> a[0].mul(2.0), new String[] {"v"}, new String[] {"w"}).collectAsList()) {
      assertEquals(2.0 * r.getLong(0), r.getDouble(2), 0.0);
    }
    cached.unpersist();
    // the same calls with this jar's own stamp
    List<Row> got = ArraxSpark.map(df, a -> a[0].mul(2.0), new String[] {"v"}, new String[] {"w"}).collectAsList();
    for (Row r : got) assertEquals(2.0 * r.getLong(0), r.getDouble(2), 0.0);
    assertEquals(4950.0, ArraxSpark.sumGradient(df, a -> Np.multiply(a[0], a[1]), Map.of("p", NDArray.of(1.0).reshape()),
        new String[] {"v"}).get("p").item(), 0.0);
    assertEquals(18.0, spark.sql("SELECT twice_v(cast(id AS double)) FROM range(10) WHERE id = 9").first().getDouble(0), 0.0);
  }
}
