package dev.arrax.spark;

/**
 * Sums of doubles kept exactly, so adding them in any order gives bit-identical results: this is what makes
 * {@link ArraxSpark#sumGradient} deterministic for a fixed partitioning although Spark hands task results to the
 * driver in the order the tasks finish. Each sum is a Shewchuk expansion, the non-overlapping doubles whose exact
 * sum is the running total (the partials of Python's {@code math.fsum}), kept column-wise: component {@code k} of
 * every sum in one {@code double[]}, allocated when the first sum needs that many components. Sums of gradients
 * need two or three components, so the accumulator costs about 25 bytes per value instead of a
 * {@code BigDecimal}'s ~90. {@link #get} rounds the exact sum once, to the nearest double (ties to even).
 *
 * <p>Infinities and NaNs are added apart, with IEEE addition (which is order-independent for them): a sum with a
 * NaN, or with both infinities, is NaN; with one infinity it is that infinity. A running total of finite values that
 * passes {@link Double#MAX_VALUE} is kept exactly too, as a count of {@code 2^1024} beside the expansion, so
 * {@code 1e308 + 1e308 - 1e308} is {@code 1e308}.
 */
final class ExactSums {
  private final int n;
  /** components[k][i]: component k of sum i, increasing in magnitude with k; count[i] of them are in use. */
  private double[][] components = new double[0][];
  private final byte[] count;
  /** The IEEE sum of the non-finite values added (0.0 while there is none); null until the first. */
  private double[] special;
  /** Multiples of 2^1024 carried out of sums that passed Double.MAX_VALUE; null until the first. */
  private long[] big;
  private static final double TWO_1023 = 0x1p1023;

  ExactSums(int n) {
    this.n = n;
    this.count = new byte[n];
  }

  int size() { return n; }

  /** Adds {@code x} to sum {@code i}, exactly. */
  void add(int i, double x) {
    if (!Double.isFinite(x)) {
      addSpecial(i, x);
      return;
    }
    if (x == 0.0) return;
    int len = count[i];
    int k = 0;
    for (int j = 0; j < len; j++) {
      double y = components[j][i];
      if (Math.abs(x) < Math.abs(y)) {
        double t = x;
        x = y;
        y = t;
      }
      double hi = x + y;
      double lo;
      if (Double.isInfinite(hi)) {
        // x + y == 2 (h + l) with h + l the exact sum of the halves; carry sign * 2^1024 out of 2h.
        double h = x * 0.5 + y * 0.5;
        double l = y * 0.5 - (h - x * 0.5);
        double sign = Math.signum(h);
        if (big == null) big = new long[n];
        big[i] += (long) sign;
        hi = 2 * (h - sign * TWO_1023);
        lo = 2 * l;
      } else {
        lo = y - (hi - x); // exact: |x| >= |y| (Fast2Sum)
      }
      if (lo != 0.0) components[k++][i] = lo;
      x = hi;
    }
    if (x != 0.0) {
      if (k == components.length) {
        components = java.util.Arrays.copyOf(components, k + 1);
        components[k] = new double[n];
      }
      components[k++][i] = x;
    }
    count[i] = (byte) k;
  }

  private void addSpecial(int i, double x) {
    if (special == null) special = new double[n];
    special[i] += x;
  }

  /** The sum rounded to the nearest double: NaN if a term was NaN or both infinities occurred, else the infinity, else the exact sum rounded. */
  double get(int i) {
    if (special != null && !Double.isFinite(special[i])) return special[i];
    if (big != null && big[i] != 0) {
      // Round (components + big * 2^1024) via halves: 2 * round(sum of halves) is the rounded sum (or overflows to infinity).
      ExactSums half = new ExactSums(1);
      half.add(0, big[i] * TWO_1023);
      for (int k = 0; k < count[i]; k++) half.add(0, components[k][i] * 0.5);
      if (half.big != null && half.big[0] != 0) return half.big[0] > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      return 2 * half.get(0);
    }
    int j = count[i];
    if (j == 0) return 0.0;
    double hi = components[--j][i];
    double lo = 0.0;
    while (j > 0) {
      double x = hi;
      double y = components[--j][i];
      hi = x + y;
      double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) break;
    }
    // Round half to even across the remaining components (fsum's correction): if the part below hi is exactly
    // half an ulp and what lies further below pushes the same way, the sum rounds away from hi.
    if (j > 0 && ((lo < 0.0 && components[j - 1][i] < 0.0) || (lo > 0.0 && components[j - 1][i] > 0.0))) {
      double y = lo * 2.0;
      double x = hi + y;
      double yr = x - hi;
      if (y == yr) hi = x;
    }
    return hi;
  }

  /** Adds every sum of {@code other} (same size) into this, exactly, and returns this. */
  ExactSums addAll(ExactSums other) {
    if (other.n != n) throw new IllegalArgumentException("cannot add sums of " + other.n + " values to sums of " + n);
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < other.count[i]; k++) add(i, other.components[k][i]);
      if (other.special != null && other.special[i] != 0.0) addSpecial(i, other.special[i]);
      if (other.big != null && other.big[i] != 0) {
        if (big == null) big = new long[n];
        big[i] += other.big[i];
      }
    }
    return this;
  }

  /** The doubles held (components in use, for diagnostics and tests). */
  long componentsHeld() {
    long c = 0;
    for (byte b : count) c += b;
    return c;
  }
}
