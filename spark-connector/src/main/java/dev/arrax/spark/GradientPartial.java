package dev.arrax.spark;

import java.io.Serializable;
import org.apache.spark.api.java.function.Function2;

/** One partition's (or several partitions') contribution to {@link ArraxSpark#sumGradient}: exact sums and counts. */
final class GradientPartial implements Serializable {
  private static final long serialVersionUID = 1L;

  final ExactSums value;
  final ExactSums gradient;
  long rows;
  long batches;
  long kernelNanos;
  /** Executor-side only (not merged): rows read by the task, and the backends its batches ran on. */
  transient long rowsRead;
  transient String ranOn = "";

  GradientPartial(int gradientElements) {
    value = new ExactSums(1);
    gradient = new ExactSums(gradientElements);
  }

  GradientPartial merge(GradientPartial o) {
    value.addAll(o.value);
    gradient.addAll(o.gradient);
    rows += o.rows;
    batches += o.batches;
    kernelNanos += o.kernelNanos;
    return this;
  }

  /** treeAggregate's seqOp and combOp (exact sums, so the grouping Spark picks does not change the result). */
  static final class Merge implements Function2<GradientPartial, GradientPartial, GradientPartial> {
    private static final long serialVersionUID = 1L;

    @Override public GradientPartial call(GradientPartial a, GradientPartial b) {
      return a.merge(b);
    }
  }
}
