package dev.arrax.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A progress line for long runs of {@code ArraxSpark.map}/{@code mapMulti}, logged at INFO on the driver:
 * <pre>
 * arrax progress 'ArraxSpark.map f(x) -> y': 3,200,000 rows, 5/16 partitions, 1,210,000 rows/s, ETA 7 s
 * </pre>
 * Rows come from the map node's "number of output rows" SQL metric as its tasks finish; the ETA assumes the
 * remaining partitions are like the finished ones. A line is logged at most every {@code spark.arrax.progressSeconds}
 * seconds (default 10) while a stage runs, plus a final line for stages that ran longer than that; quick jobs
 * log nothing. On by default on {@code local} masters (where a driver log is what the user watches), off on
 * clusters (the Spark UI shows the same metrics); {@code spark.arrax.progress=true|false} overrides.
 */
public final class ArraxProgress extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(ArraxProgress.class);
  /** Progress key: the context's listener, one per SparkContext. */
  private static final Map<SparkContext, ArraxProgress> INSTALLED = new java.util.WeakHashMap<>();

  private final long intervalNanos;
  /** Rows-metric accumulator id -> the map's label. */
  private final Map<Long, String> watched = new ConcurrentHashMap<>();
  private final Map<Integer, StageProgress> stages = new ConcurrentHashMap<>();

  private ArraxProgress(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** What one stage that runs a watched map has done so far. */
  private static final class StageProgress {
    final long start = System.nanoTime();
    final int partitions;
    String label;
    long rows;
    int done;
    long lastLine = System.nanoTime();

    StageProgress(int partitions) {
      this.partitions = partitions;
    }
  }

  /**
   * Watches a map node's rows metric (called by the node on the driver when it runs). Installs the listener
   * on the context the first time, when progress is enabled there.
   */
  static void watch(SparkContext sc, long rowsMetricId, String label) {
    ArraxProgress p;
    synchronized (INSTALLED) {
      p = INSTALLED.get(sc);
      if (p == null && !INSTALLED.containsKey(sc)) {
        boolean local = sc.master().startsWith("local");
        boolean on = Boolean.parseBoolean(sc.getConf().get("spark.arrax.progress", Boolean.toString(local)));
        double seconds = Double.parseDouble(sc.getConf().get("spark.arrax.progressSeconds", "10"));
        p = on ? new ArraxProgress((long) (seconds * 1e9)) : null;
        INSTALLED.put(sc, p);
        if (p != null) sc.addSparkListener(p);
      }
    }
    if (p != null) p.watched.put(rowsMetricId, label);
  }

  @Override public void onStageSubmitted(SparkListenerStageSubmitted e) {
    stages.put(e.stageInfo().stageId(), new StageProgress(e.stageInfo().numTasks()));
  }

  @Override public void onTaskEnd(SparkListenerTaskEnd e) {
    StageProgress s = stages.get(e.stageId());
    if (s == null || e.taskInfo() == null) return;
    long rows = 0;
    String label = null;
    for (AccumulableInfo a : scala.jdk.javaapi.CollectionConverters.asJava(e.taskInfo().accumulables())) {
      String l = watched.get(a.id());
      if (l != null && a.update().isDefined() && a.update().get() instanceof Long n) {
        rows += n;
        label = l;
      }
    }
    String line = null;
    synchronized (s) {
      if (label != null) s.label = label;
      if (s.label == null) return;
      s.rows += rows;
      if (e.taskInfo().successful()) s.done++;
      long now = System.nanoTime();
      if (now - s.lastLine >= intervalNanos && s.done < s.partitions) {
        s.lastLine = now;
        line = line(s, now);
      }
    }
    if (line != null) LOG.info(line);
  }

  @Override public void onStageCompleted(SparkListenerStageCompleted e) {
    StageProgress s = stages.remove(e.stageInfo().stageId());
    if (s == null) return;
    String line;
    synchronized (s) {
      long now = System.nanoTime();
      if (s.label == null || now - s.start < intervalNanos) return;
      line = line(s, now) + " (done)";
    }
    LOG.info(line);
  }

  private static String line(StageProgress s, long now) {
    double elapsed = Math.max(1e-9, (now - s.start) / 1e9);
    StringBuilder sb = new StringBuilder(String.format("arrax progress '%s': %,d rows, %d/%d partitions, %,.0f rows/s",
        s.label, s.rows, s.done, s.partitions, s.rows / elapsed));
    if (s.done > 0 && s.done < s.partitions) {
      sb.append(String.format(", ETA %.0f s", elapsed * (s.partitions - s.done) / s.done));
    }
    return sb.toString();
  }
}
