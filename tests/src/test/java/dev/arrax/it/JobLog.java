package dev.arrax.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * The descriptions of the jobs a session's Spark context started, in order (recorded by the listener bus,
 * asynchronously): for tests that check that no job, or exactly one, ran.
 */
final class JobLog extends SparkListener {
  final List<String> started = new CopyOnWriteArrayList<>();
  private final SparkSession spark;

  private JobLog(SparkSession spark) {
    this.spark = spark;
  }

  /** A log listening to {@code spark}'s context from now on. */
  static JobLog attach(SparkSession spark) {
    JobLog log = new JobLog(spark);
    spark.sparkContext().addSparkListener(log);
    return log;
  }

  @Override public void onJobStart(SparkListenerJobStart e) {
    String d = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
    started.add(d == null ? "job " + e.jobId() : d);
  }

  /**
   * The jobs started since {@code from}, up to a marker job run now: the listener bus delivers events in order,
   * so once the marker is seen every earlier job has been seen too.
   */
  List<String> since(int from) {
    String marker = "marker " + System.nanoTime();
    spark.sparkContext().setJobDescription(marker);
    try {
      spark.range(1).count();
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
    long deadline = System.currentTimeMillis() + 20_000;
    while (!started.contains(marker)) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("the listener never saw the marker job; jobs: " + started);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    return new ArrayList<>(started.subList(from, started.indexOf(marker)));
  }
}
