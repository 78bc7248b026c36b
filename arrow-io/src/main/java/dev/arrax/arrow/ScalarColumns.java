package dev.arrax.arrow;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ArraxException;
import dev.arrax.backend.HostArrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** The five scalar vector types and their dtypes: f32 Float4, f64 Float8, i32 Int, i64 BigInt, bool Bit. */
final class ScalarColumns {
  static final String SUPPORTED = "Float4Vector (f32), Float8Vector (f64), IntVector (i32), BigIntVector (i64), BitVector (bool)";

  private ScalarColumns() {}

  /** The dtype a scalar vector holds, or null when it is not one of the five supported types. */
  static DType dtypeOf(ValueVector v) {
    if (v instanceof Float4Vector) return DType.FLOAT32;
    if (v instanceof Float8Vector) return DType.FLOAT64;
    if (v instanceof IntVector) return DType.INT32;
    if (v instanceof BigIntVector) return DType.INT64;
    if (v instanceof BitVector) return DType.BOOL;
    return null;
  }

  static ArrowType arrowType(DType dt) {
    return switch (dt) {
      case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case BOOL -> ArrowType.Bool.INSTANCE;
      case UINT32 -> throw unsupportedDtype(dt);
    };
  }

  static BaseFixedWidthVector newVector(String name, DType dt, BufferAllocator allocator) {
    return switch (dt) {
      case FLOAT32 -> new Float4Vector(name, allocator);
      case FLOAT64 -> new Float8Vector(name, allocator);
      case INT32 -> new IntVector(name, allocator);
      case INT64 -> new BigIntVector(name, allocator);
      case BOOL -> new BitVector(name, allocator);
      case UINT32 -> throw unsupportedDtype(dt);
    };
  }

  static IllegalArgumentException unsupportedDtype(DType dt) {
    return new IllegalArgumentException("fromArray: " + dt.shortName() + " arrays have no Arrow vector here; convert with "
        + "astype(DType.INT64) (supported: f32, f64, i32, i64, bool)");
  }

  /** A fresh zeroed primitive array of the dtype's Java type. */
  static Object allocate(DType dt, int n) {
    return java.lang.reflect.Array.newInstance(HostArrays.elementType(dt), n);
  }

  /** Bulk-copies values {@code [first, first + n)} of a supported scalar vector into {@code dst[off..]}. */
  static void read(ValueVector v, DType dt, long first, Object dst, int off, int n) {
    if (n == 0) return;
    switch (dt) {
      case FLOAT32 -> BufferCopy.readFloats(v.getDataBuffer(), first, (float[]) dst, off, n);
      case FLOAT64 -> BufferCopy.readDoubles(v.getDataBuffer(), first, (double[]) dst, off, n);
      case INT32 -> BufferCopy.readInts(v.getDataBuffer(), first, (int[]) dst, off, n);
      case INT64 -> BufferCopy.readLongs(v.getDataBuffer(), first, (long[]) dst, off, n);
      case BOOL -> BufferCopy.readBits(v.getDataBuffer(), first, (boolean[]) dst, off, n);
      case UINT32 -> throw new IllegalStateException("no u32 vectors");
    }
  }

  /** Bulk-copies {@code src[0..n)} into values {@code [0, n)} of a vector with capacity for them. */
  static void write(ValueVector v, DType dt, Object src, int n) {
    if (n == 0) return;
    switch (dt) {
      case FLOAT32 -> BufferCopy.writeFloats(v.getDataBuffer(), 0, (float[]) src, 0, n);
      case FLOAT64 -> BufferCopy.writeDoubles(v.getDataBuffer(), 0, (double[]) src, 0, n);
      case INT32 -> BufferCopy.writeInts(v.getDataBuffer(), 0, (int[]) src, 0, n);
      case INT64 -> BufferCopy.writeLongs(v.getDataBuffer(), 0, (long[]) src, 0, n);
      case BOOL -> BufferCopy.writeBits(v.getDataBuffer(), (boolean[]) src, 0, n);
      case UINT32 -> throw unsupportedDtype(dt);
    }
  }

  /**
   * Validity of entries {@code [first, first + n)}: true where non-null; {@code null} when none of them is null
   * (the common case, which then costs only Arrow's null count).
   */
  static boolean[] validity(ValueVector v, long first, int n) {
    if (n == 0 || v.getNullCount() == 0) return null;
    boolean[] ok = new boolean[n];
    BufferCopy.readBits(v.getValidityBuffer(), first, ok, 0, n);
    for (boolean b : ok) {
      if (!b) return ok;
    }
    return null;
  }

  /**
   * The row-major elements of an array as its primitive Java array: the array's own buffer (no copy) for a
   * concrete array, else (a symbolic zero, say) a copy read through the public API.
   */
  static Object elements(NDArray a) {
    try {
      return HostArrays.data(a);
    } catch (ArraxException notConcrete) {
      // HostArrays has no "is concrete" test; whatever is not concrete is read through the public API below.
    }
    return switch (a.dtype()) {
      case FLOAT32 -> a.toFloatArray();
      case FLOAT64 -> a.toDoubleArray();
      case INT32 -> {
        long[] l = a.toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
        yield out;
      }
      case INT64 -> a.toLongArray();
      case BOOL -> {
        double[] d = a.toDoubleArray();
        boolean[] out = new boolean[d.length];
        for (int i = 0; i < d.length; i++) out[i] = d[i] != 0.0;
        yield out;
      }
      case UINT32 -> throw unsupportedDtype(a.dtype());
    };
  }

  /**
   * Copies {@code src[0..m)} to {@code dst[dstOff + i * stride]}, converting dtypes as {@code astype} does.
   * The caller guarantees {@code ddt} is {@code sdt} or a promotion of it.
   */
  static void scatter(Object src, DType sdt, int m, Object dst, DType ddt, int dstOff, int stride) {
    if (sdt == ddt) {
      switch (sdt) {
        case FLOAT32 -> { float[] s = (float[]) src; float[] d = (float[]) dst; for (int i = 0; i < m; i++) d[dstOff + i * stride] = s[i]; }
        case FLOAT64 -> { double[] s = (double[]) src; double[] d = (double[]) dst; for (int i = 0; i < m; i++) d[dstOff + i * stride] = s[i]; }
        case INT32, UINT32 -> { int[] s = (int[]) src; int[] d = (int[]) dst; for (int i = 0; i < m; i++) d[dstOff + i * stride] = s[i]; }
        case INT64 -> { long[] s = (long[]) src; long[] d = (long[]) dst; for (int i = 0; i < m; i++) d[dstOff + i * stride] = s[i]; }
        case BOOL -> { boolean[] s = (boolean[]) src; boolean[] d = (boolean[]) dst; for (int i = 0; i < m; i++) d[dstOff + i * stride] = s[i]; }
      }
      return;
    }
    // Integers and booleans go through long so i64 -> f32 rounds once, as a direct conversion does.
    if (sdt.isFloating()) {
      for (int i = 0; i < m; i++) set(dst, ddt, dstOff + i * stride, getDouble(src, sdt, i));
    } else {
      for (int i = 0; i < m; i++) setLong(dst, ddt, dstOff + i * stride, getLong(src, sdt, i));
    }
  }

  private static double getDouble(Object a, DType dt, int i) {
    return switch (dt) {
      case FLOAT32 -> ((float[]) a)[i];
      case FLOAT64 -> ((double[]) a)[i];
      case INT32 -> ((int[]) a)[i];
      case UINT32 -> ((int[]) a)[i] & 0xffffffffL;
      case INT64 -> ((long[]) a)[i];
      case BOOL -> ((boolean[]) a)[i] ? 1.0 : 0.0;
    };
  }

  private static long getLong(Object a, DType dt, int i) {
    return switch (dt) {
      case FLOAT32 -> (long) ((float[]) a)[i];
      case FLOAT64 -> (long) ((double[]) a)[i];
      case INT32 -> ((int[]) a)[i];
      case UINT32 -> ((int[]) a)[i] & 0xffffffffL;
      case INT64 -> ((long[]) a)[i];
      case BOOL -> ((boolean[]) a)[i] ? 1L : 0L;
    };
  }

  private static void setLong(Object a, DType dt, int i, long v) {
    switch (dt) {
      case FLOAT32 -> ((float[]) a)[i] = (float) v;
      case FLOAT64 -> ((double[]) a)[i] = (double) v;
      case INT32, UINT32 -> ((int[]) a)[i] = (int) v;
      case INT64 -> ((long[]) a)[i] = v;
      case BOOL -> ((boolean[]) a)[i] = v != 0L;
    }
  }

  /** Stores {@code value} (already checked to be representable) at element {@code i}. */
  static void set(Object data, DType dt, int i, double value) {
    switch (dt) {
      case FLOAT32 -> ((float[]) data)[i] = (float) value;
      case FLOAT64 -> ((double[]) data)[i] = value;
      case INT32, UINT32 -> ((int[]) data)[i] = (int) value;
      case INT64 -> ((long[]) data)[i] = (long) value;
      case BOOL -> ((boolean[]) data)[i] = value != 0.0;
    }
  }
}
