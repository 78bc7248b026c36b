package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.NDArray;
import dev.arrax.backend.HostArrays;

/**
 * Comparisons of results with the tolerances the GPU tests use. Elementwise results: each value within
 * {@code rel} of the reference relative to its own magnitude, or within {@code rel} times the largest
 * magnitude of the output (values near zero after cancellation), with NaN where the reference has NaN and
 * infinities equal. Why 1e-5 for f32: device and emulator compute transcendental functions within 1-2 ulp
 * (2.4e-7 relative) and sums of up to a few hundred terms in another order (a few ulp each); 1e-5 leaves
 * an order of magnitude of margin and still fails on any wrong operation, operand or NaN rule.
 */
final class Compare {
  private Compare() {}

  static final double F32_REL = 1e-5;

  /** Largest error found, relative to the output's largest magnitude: the bench's {@code max_rel_err}. */
  static double maxRelErr(NDArray expected, NDArray actual) {
    double[] e = toDoubles(expected), a = toDoubles(actual);
    double scale = 0, err = 0;
    for (double v : e) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < e.length; i++) {
      if (Double.isNaN(e[i]) != Double.isNaN(a[i])) return Double.POSITIVE_INFINITY;
      if (Double.isNaN(e[i]) || e[i] == a[i]) continue;
      if (Double.isInfinite(e[i]) || Double.isInfinite(a[i])) return Double.POSITIVE_INFINITY;
      err = Math.max(err, Math.abs(e[i] - a[i]) / Math.max(scale, Double.MIN_NORMAL));
    }
    return err;
  }

  static void assertClose(String what, NDArray expected, NDArray actual, double rel) {
    if (!expected.type().equals(actual.type())) fail(what + ": type " + actual.type() + ", expected " + expected.type());
    double[] e = toDoubles(expected), a = toDoubles(actual);
    double scale = 0;
    for (double v : e) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < e.length; i++) {
      boolean ok;
      if (Double.isNaN(e[i])) ok = Double.isNaN(a[i]);
      else if (Double.isInfinite(e[i])) ok = e[i] == a[i];
      else {
        double d = Math.abs(e[i] - a[i]);
        ok = Double.isFinite(a[i]) && (d <= rel * Math.abs(e[i]) || d <= rel * scale || d <= 1e-30);
      }
      if (!ok) fail(what + ": element " + i + " of " + expected.type() + " is " + a[i] + ", expected " + e[i] + " (tolerance " + rel
          + " relative, output scale " + scale + ")");
    }
  }

  static double[] toDoubles(NDArray x) {
    Object d = HostArrays.data(x);
    if (d instanceof float[] f) {
      double[] r = new double[f.length];
      for (int i = 0; i < f.length; i++) r[i] = f[i];
      return r;
    }
    if (d instanceof double[] dd) return dd.clone();
    if (d instanceof boolean[] b) {
      double[] r = new double[b.length];
      for (int i = 0; i < b.length; i++) r[i] = b[i] ? 1 : 0;
      return r;
    }
    if (d instanceof int[] ii) {
      double[] r = new double[ii.length];
      for (int i = 0; i < ii.length; i++) r[i] = ii[i];
      return r;
    }
    long[] l = (long[]) d;
    double[] r = new double[l.length];
    for (int i = 0; i < l.length; i++) r[i] = l[i];
    return r;
  }
}
