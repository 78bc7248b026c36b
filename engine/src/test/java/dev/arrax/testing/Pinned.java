package dev.arrax.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.DType;
import dev.arrax.NDArray;

/**
 * Assertions against reference values generated once with JAX 0.10.2 ({@code jax_enable_x64}) and
 * pasted into the tests as literals: dtype and shape exact, values within a tolerance chosen by
 * dtype unless given (f64: rtol 1e-13, f32: rtol 1e-6, integers and bool: exact). Tests never run Python.
 */
public final class Pinned {
  private Pinned() {}

  public static final double INF = Double.POSITIVE_INFINITY;
  public static final double NaN = Double.NaN;

  /** An array of any dtype from row-major values (converted as {@code astype} would). */
  public static NDArray arr(DType dtype, int[] shape, double... values) {
    return NDArray.fromFlat(values, dtype, shape);
  }

  public static double defaultRtol(DType d) {
    return switch (d) {
      case FLOAT64 -> 1e-13;
      case FLOAT32 -> 1e-6;
      default -> 0;
    };
  }

  public static double defaultAtol(DType d) {
    return switch (d) {
      case FLOAT64 -> 1e-15;
      case FLOAT32 -> 1e-7;
      default -> 0;
    };
  }

  public static void pin(NDArray actual, DType dtype, int[] shape, double[] expected, String msg) {
    pin(actual, dtype, shape, expected, defaultRtol(dtype), defaultAtol(dtype), msg);
  }

  public static void pin(NDArray actual, DType dtype, int[] shape, double[] expected, double rtol, double atol, String msg) {
    assertEquals(dtype, actual.dtype(), msg + ": dtype of " + actual.type() + " (JAX gives " + dtype.shortName() + ")");
    assertArrayEquals(shape, actual.shape(), msg + ": shape of " + actual.type());
    Check.close(expected, actual, rtol, atol, msg);
  }
}
