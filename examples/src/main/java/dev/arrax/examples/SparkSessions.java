package dev.arrax.examples;

import org.apache.spark.sql.SparkSession;

/** The Spark session of the examples: the master given by spark-submit, else {@code local[2]} on loopback. */
final class SparkSessions {
  private SparkSessions() {}

  /**
   * Under {@code spark-submit} (which sets {@code spark.master} as a system property) the submitted master is
   * used; under {@code mvn exec:java} or a plain {@code java} run, a {@code local[2]} session bound to 127.0.0.1.
   */
  static SparkSession getOrCreate(String appName) {
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (System.getProperty("spark.master") == null) {
      b.master("local[2]")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.ui.enabled", "false");
    }
    return b.config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }
}
