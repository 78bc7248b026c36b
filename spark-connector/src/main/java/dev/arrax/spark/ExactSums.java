package dev.arrax.spark;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * Sums of doubles kept exactly (finite values as {@link BigDecimal}, infinities and NaNs counted), so adding
 * them in any order or grouping gives bit-identical results. This is what makes
 * {@link ArraxSpark#sumGradient} deterministic for a fixed partitioning although Spark combines partition
 * results in the order tasks finish. The final value is rounded once, to the nearest double.
 */
final class ExactSums implements Serializable {
  private static final long serialVersionUID = 1L;

  private final BigDecimal[] finite;
  private final int[] posInf;
  private final int[] negInf;
  private final int[] nan;

  ExactSums(int n) {
    finite = new BigDecimal[n];
    java.util.Arrays.fill(finite, BigDecimal.ZERO);
    posInf = new int[n];
    negInf = new int[n];
    nan = new int[n];
  }

  int size() { return finite.length; }

  void add(int i, double v) {
    if (Double.isNaN(v)) nan[i]++;
    else if (v == Double.POSITIVE_INFINITY) posInf[i]++;
    else if (v == Double.NEGATIVE_INFINITY) negInf[i]++;
    else if (v != 0.0) finite[i] = finite[i].add(new BigDecimal(v));
  }

  /** Adds {@code other} into this (same size) and returns this. */
  ExactSums addAll(ExactSums other) {
    if (other.size() != size()) throw new IllegalArgumentException("cannot add sums of " + other.size() + " values to sums of " + size());
    for (int i = 0; i < finite.length; i++) {
      finite[i] = finite[i].add(other.finite[i]);
      posInf[i] += other.posInf[i];
      negInf[i] += other.negInf[i];
      nan[i] += other.nan[i];
    }
    return this;
  }

  /** The sum rounded to a double: NaN if any term was NaN or both infinities occurred, else the infinity, else the exact sum rounded. */
  double get(int i) {
    if (nan[i] > 0 || (posInf[i] > 0 && negInf[i] > 0)) return Double.NaN;
    if (posInf[i] > 0) return Double.POSITIVE_INFINITY;
    if (negInf[i] > 0) return Double.NEGATIVE_INFINITY;
    return finite[i].doubleValue();
  }
}
