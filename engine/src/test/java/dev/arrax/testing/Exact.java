package dev.arrax.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import java.util.Arrays;

/**
 * Bit-level assertions and raw-value constructors for tests that must tell {@code -0.0} from {@code 0.0},
 * count float ulps, or build integer arrays holding values a double cannot carry (i64 edges, u32 bits).
 */
public final class Exact {
  private Exact() {}

  /**
   * An array of the given dtype and shape from raw integer values: the low 32 bits for i32 and u32 (so
   * {@code -1L} is u32 4294967295), the value for i64, {@code v != 0} for bool.
   */
  public static NDArray ints(DType d, int[] shape, long[] values) {
    Buffer b = Buffer.allocate(d, values.length);
    for (int i = 0; i < values.length; i++) b.setLong(i, values[i]);
    ArrayType t = ArrayType.of(d, shape);
    assertEquals(t.size(), values.length, "Exact.ints: " + values.length + " values for " + t);
    return new ConcreteArray(t, b);
  }

  /** Same dtype, same shape and the same bits in every element (a float NaN equals a NaN of the same bits). */
  public static void sameBits(NDArray expected, NDArray actual, String msg) {
    assertEquals(expected.dtype(), actual.dtype(), msg + ": dtype " + expected.type() + " vs " + actual.type());
    assertArrayEquals(expected.shape(), actual.shape(), msg + ": shape " + expected.type() + " vs " + actual.type());
    long[] e = bits(expected), a = bits(actual);
    for (int i = 0; i < e.length; i++) {
      if (e[i] != a[i]) {
        throw new AssertionError(msg + ": element " + i + " has bits " + Long.toHexString(a[i]) + " (" + actual.toDoubleArray()[i] + ") but expected "
            + Long.toHexString(e[i]) + " (" + expected.toDoubleArray()[i] + ")");
      }
    }
  }

  /** The raw bits of each element: float and double bits for floating dtypes, the integer value otherwise. */
  public static long[] bits(NDArray x) {
    int n = x.size();
    long[] out = new long[n];
    if (x.dtype() == DType.FLOAT32) {
      float[] f = x.toFloatArray();
      for (int i = 0; i < n; i++) out[i] = Float.floatToRawIntBits(f[i]);
    } else if (x.dtype() == DType.FLOAT64) {
      double[] d = x.toDoubleArray();
      for (int i = 0; i < n; i++) out[i] = Double.doubleToRawLongBits(d[i]);
    } else {
      long[] l = x.toLongArray();
      System.arraycopy(l, 0, out, 0, n);
    }
    return out;
  }

  /**
   * An f32 result against a float64 reference: each element within {@code ulps} float ulps of the reference
   * rounded to float; NaN where (and only where) the reference is NaN; infinities exact.
   */
  public static void withinFloatUlps(double[] reference, NDArray actual, int ulps, String msg) {
    assertEquals(DType.FLOAT32, actual.dtype(), msg + ": dtype of " + actual.type());
    float[] a = actual.toFloatArray();
    assertEquals(reference.length, a.length, msg + ": size of " + actual.type());
    for (int i = 0; i < a.length; i++) {
      float e = (float) reference[i];
      boolean ok;
      if (Float.isNaN(e) || Float.isNaN(a[i])) ok = Float.isNaN(e) && Float.isNaN(a[i]);
      else if (Float.isInfinite(e) || Float.isInfinite(a[i])) ok = e == a[i];
      else ok = Math.abs((double) a[i] - e) <= ulps * (double) Math.ulp(e);
      if (!ok) {
        throw new AssertionError(msg + ": element " + i + " is " + a[i] + " but the f64 reference " + reference[i] + " rounds to " + e
            + " (allowed " + ulps + " ulp = " + ulps * Math.ulp(e) + ")\n actual " + abbreviate(a));
      }
    }
  }

  /** Integer (or bool as 0/1) results, u32 read as unsigned. */
  public static void sameLongs(long[] expected, NDArray actual, String msg) {
    long[] a = actual.toLongArray();
    assertEquals(expected.length, a.length, msg + ": size of " + actual.type());
    for (int i = 0; i < a.length; i++) {
      if (expected[i] != a[i]) {
        throw new AssertionError(msg + ": element " + i + " expected " + expected[i] + " but got " + a[i] + " (" + actual.type() + ")\n expected "
            + abbreviate(expected) + "\n actual   " + abbreviate(a));
      }
    }
  }

  private static String abbreviate(float[] xs) {
    return xs.length <= 12 ? Arrays.toString(xs) : Arrays.toString(Arrays.copyOf(xs, 12)) + "... (" + xs.length + ")";
  }

  private static String abbreviate(long[] xs) {
    return xs.length <= 12 ? Arrays.toString(xs) : Arrays.toString(Arrays.copyOf(xs, 12)) + "... (" + xs.length + ")";
  }
}
