package dev.arrax.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.NDArray;
import java.util.Arrays;

/** Numeric assertions: shape and dtype exact, values within {@code |a - e| <= atol + rtol |e|}; NaN equals NaN. */
public final class Check {
  private Check() {}

  public static void close(double[] expected, NDArray actual, double rtol, double atol, String msg) {
    assertEquals(expected.length, actual.size(), msg + ": size of " + actual.type());
    double[] a = actual.toDoubleArray();
    close(expected, a, rtol, atol, msg);
  }

  public static void close(double[] expected, double[] actual, double rtol, double atol, String msg) {
    assertEquals(expected.length, actual.length, msg + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], v = actual[i];
      if (Double.isNaN(e) && Double.isNaN(v)) continue;
      if (e == v) continue;
      double err = Math.abs(v - e);
      if (!(err <= atol + rtol * Math.abs(e))) {
        throw new AssertionError(msg + ": element " + i + " expected " + e + " but got " + v + " (abs err " + err + ", rtol " + rtol + ", atol " + atol
            + ")\n expected " + abbreviate(expected) + "\n actual   " + abbreviate(actual));
      }
    }
  }

  /** Same shape and dtype, values close. */
  public static void close(NDArray expected, NDArray actual, double rtol, double atol, String msg) {
    assertArrayEquals(expected.shape(), actual.shape(), msg + ": shape " + expected.type() + " vs " + actual.type());
    assertEquals(expected.dtype(), actual.dtype(), msg + ": dtype " + expected.type() + " vs " + actual.type());
    close(expected.toDoubleArray(), actual.toDoubleArray(), rtol, atol, msg);
  }

  /** Same shape, dtype and bits (NaN equals NaN). */
  public static void same(NDArray expected, NDArray actual, String msg) {
    close(expected, actual, 0, 0, msg);
  }

  private static String abbreviate(double[] xs) {
    return xs.length <= 12 ? Arrays.toString(xs) : Arrays.toString(Arrays.copyOf(xs, 12)) + "... (" + xs.length + ")";
  }
}
