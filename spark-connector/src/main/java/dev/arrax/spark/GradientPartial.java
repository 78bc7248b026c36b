package dev.arrax.spark;

import java.io.Serializable;

/**
 * One partition's contribution to {@link ArraxSpark#sumGradient}: per value (index 0 the loss, then the gradient's
 * elements) a double-double sum {@code hi + lo} of the batches' results, and the counts. 16 bytes per parameter
 * travel (Java serialization writes a {@code double[]} as its raw 8-byte values), and the driver adds each task's
 * {@code hi} and {@code lo} exactly into one {@link ExactSums} as the task results arrive, so the result does not
 * depend on the order in which tasks finish and no per-partition zero value is shipped.
 *
 * <p>Within a task the batches are added in row order with Knuth's TwoSum ({@code hi} the rounded running sum,
 * {@code lo} the accumulated rounding errors): the result is deterministic for the partition and its error is about
 * {@code 2^-106} of the sum of the batch results' magnitudes, far below a double's last bit. Non-finite batch results
 * follow IEEE addition in {@code hi}.
 */
final class GradientPartial implements Serializable {
  private static final long serialVersionUID = 2L;

  final double[] hi;
  final double[] lo;
  long rows;
  long batches;
  long kernelNanos;
  /** Executor-side only (not shipped): rows read by the task, and the backends its batches ran on. */
  transient long rowsRead;
  transient String ranOn = "";

  /** A partial for the loss and {@code gradientElements} gradient values, all zero. */
  GradientPartial(int gradientElements) {
    hi = new double[1 + gradientElements];
    lo = new double[1 + gradientElements];
  }

  /** Adds a batch's result {@code v} to value {@code i} (0: the loss, 1 + e: gradient element e). */
  void add(int i, double v) {
    double s = hi[i];
    double t = s + v;
    if (Double.isFinite(t)) {
      double bp = t - s; // TwoSum: t + err == s + v exactly
      lo[i] += (s - (t - bp)) + (v - bp);
    }
    hi[i] = t;
  }

  /** The driver's side: the exact sums of every partial's {@code hi + lo}, and the counts. */
  static final class Total {
    final ExactSums sums;
    long rows;
    long batches;
    long kernelNanos;
    int partials;

    Total(int gradientElements) {
      sums = new ExactSums(1 + gradientElements);
    }

    /** Adds one task's partial (called by Spark's result handler, one at a time). */
    void add(GradientPartial p) {
      if (p.hi.length != sums.size()) {
        throw new IllegalStateException("a gradient partial of " + p.hi.length + " values cannot be added to sums of " + sums.size());
      }
      for (int i = 0; i < p.hi.length; i++) {
        sums.add(i, p.hi[i]);
        if (p.lo[i] != 0.0 && Double.isFinite(p.hi[i])) sums.add(i, p.lo[i]);
      }
      rows += p.rows;
      batches += p.batches;
      kernelNanos += p.kernelNanos;
      partials++;
    }

    /** The loss sum. */
    double value() { return sums.get(0); }

    /** Gradient element {@code e}. */
    double gradient(int e) { return sums.get(1 + e); }
  }
}
