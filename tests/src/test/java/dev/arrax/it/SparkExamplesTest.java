package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.examples.LogisticRegressionEstimator;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Spark examples that run in-process (SamplerStatistics is checked through spark-submit instead). */
class SparkExamplesTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.localSession("SparkExamplesTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void logisticRegressionWithTheEstimatorMatchesMllib() {
    LogisticRegressionEstimator.Result r = LogisticRegressionEstimator.run(spark, 4000);
    assertTrue(r.converged(), "L-BFGS converged");
    assertTrue(r.maxDifference() < 1e-4, "max |Arrax - MLlib| = " + r.maxDifference());
    // the data come from b = 0.5, w = (2, -1, 0.5, 0, 0, 0): the fit recovers the signs of the large ones
    assertEquals(1.0, Math.signum(r.arraxW()[0]));
    assertEquals(-1.0, Math.signum(r.arraxW()[1]));
    assertTrue(r.arraxW()[0] > 1.2 && r.arraxW()[1] < -0.5, java.util.Arrays.toString(r.arraxW()));
  }
}
