package dev.arrax.core;

import dev.arrax.DType;

/**
 * Dense row-major storage of one array's elements, one Java primitive array per dtype: {@code float[]}
 * for f32, {@code double[]} for f64, {@code int[]} for i32 and u32 (u32 as raw bits), {@code long[]} for
 * i64 and {@code boolean[]} for bool. Buffers are never mutated after an {@link dev.arrax.NDArray} wraps them.
 */
public final class Buffer {
  private final DType dtype;
  private final Object data;
  private final int size;

  private Buffer(DType dtype, Object data, int size) {
    this.dtype = dtype;
    this.data = data;
    this.size = size;
  }

  /**
   * A zero-filled buffer of {@code n} elements of {@code dtype}, backed by a primitive array (u32 in an
   * {@code int[]}, bool in a {@code boolean[]}).
   */
  public static Buffer allocate(DType dtype, int n) {
    Object data = switch (dtype) {
      case FLOAT32 -> new float[n];
      case FLOAT64 -> new double[n];
      case INT32, UINT32 -> new int[n];
      case INT64 -> new long[n];
      case BOOL -> new boolean[n];
    };
    return new Buffer(dtype, data, n);
  }

  /** Wraps (does not copy) a primitive array whose Java type matches the dtype. */
  public static Buffer wrap(DType dtype, Object data) {
    int n = switch (dtype) {
      case FLOAT32 -> ((float[]) data).length;
      case FLOAT64 -> ((double[]) data).length;
      case INT32, UINT32 -> ((int[]) data).length;
      case INT64 -> ((long[]) data).length;
      case BOOL -> ((boolean[]) data).length;
    };
    return new Buffer(dtype, data, n);
  }

  /** The element type. */
  public DType dtype() { return dtype; }

  /** The number of elements. */
  public int size() { return size; }

  /** The backing primitive array (not a copy): callers that got a fresh buffer may fill it. */
  public Object array() { return data; }

  /** Element {@code i} as a double: u32 read as unsigned, bool as 0 or 1 (i64 above 2^53 rounds). */
  public double getDouble(int i) {
    return switch (dtype) {
      case FLOAT32 -> ((float[]) data)[i];
      case FLOAT64 -> ((double[]) data)[i];
      case INT32 -> ((int[]) data)[i];
      case UINT32 -> ((int[]) data)[i] & 0xffffffffL;
      case INT64 -> ((long[]) data)[i];
      case BOOL -> ((boolean[]) data)[i] ? 1.0 : 0.0;
    };
  }

  /** Integer view: unsigned values for u32, 0/1 for bool, truncation toward zero for floats. */
  public long getLong(int i) {
    return switch (dtype) {
      case FLOAT32 -> (long) ((float[]) data)[i];
      case FLOAT64 -> (long) ((double[]) data)[i];
      case INT32 -> ((int[]) data)[i];
      case UINT32 -> ((int[]) data)[i] & 0xffffffffL;
      case INT64 -> ((long[]) data)[i];
      case BOOL -> ((boolean[]) data)[i] ? 1L : 0L;
    };
  }

  /** Element {@code i} as a boolean: itself for bool, else {@code value != 0} (NaN counts as true). */
  public boolean getBool(int i) {
    return dtype == DType.BOOL ? ((boolean[]) data)[i] : dtype.isFloating() ? getDouble(i) != 0.0 : getLong(i) != 0L;
  }

  /**
   * Stores a double with XLA's conversion semantics: rounding to f32, truncation toward zero with
   * saturation for integers (NaN becomes 0), and {@code v != 0} for bool (NaN is true).
   */
  public void setDouble(int i, double v) {
    switch (dtype) {
      case FLOAT32 -> ((float[]) data)[i] = (float) v;
      case FLOAT64 -> ((double[]) data)[i] = v;
      case INT32 -> ((int[]) data)[i] = (int) v;
      case UINT32 -> ((int[]) data)[i] = (int) (long) Math.max(0.0, Math.min(4294967295.0, Double.isNaN(v) ? 0.0 : v));
      case INT64 -> ((long[]) data)[i] = (long) v;
      case BOOL -> ((boolean[]) data)[i] = v != 0.0;
    }
  }

  /** Stores an integer, wrapping modulo 2^32 for i32/u32 as the hardware does. */
  public void setLong(int i, long v) {
    switch (dtype) {
      case FLOAT32 -> ((float[]) data)[i] = (float) v;
      case FLOAT64 -> ((double[]) data)[i] = (double) v;
      case INT32, UINT32 -> ((int[]) data)[i] = (int) v;
      case INT64 -> ((long[]) data)[i] = v;
      case BOOL -> ((boolean[]) data)[i] = v != 0L;
    }
  }

  /** Copies element {@code j} of {@code src} (same dtype) to element {@code i} of this buffer. */
  public void copyElement(int i, Buffer src, int j) {
    switch (dtype) {
      case FLOAT32 -> ((float[]) data)[i] = ((float[]) src.data)[j];
      case FLOAT64 -> ((double[]) data)[i] = ((double[]) src.data)[j];
      case INT32, UINT32 -> ((int[]) data)[i] = ((int[]) src.data)[j];
      case INT64 -> ((long[]) data)[i] = ((long[]) src.data)[j];
      case BOOL -> ((boolean[]) data)[i] = ((boolean[]) src.data)[j];
    }
  }

  /** Copies a contiguous run of elements (same dtype). */
  public void copyRange(int dstPos, Buffer src, int srcPos, int n) {
    System.arraycopy(src.data, srcPos, data, dstPos, n);
  }

  /** Every element as a double (see {@link #getDouble}), in a new array. */
  public double[] toDoubleArray() {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) out[i] = getDouble(i);
    return out;
  }
}
