package dev.arrax.backend;

import dev.arrax.DType;
import dev.arrax.core.ArrayType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An array in off-heap memory: a direct {@link ByteBuffer} holding the elements row major, little endian
 * (an Arrow vector's data buffer seen through {@code ArrowBuf.nioBuffer()}, a cuDF host buffer). f32 and
 * f64 as IEEE bits, i32/u32 as 4 bytes, i64 as 8, bool as one byte per element (0 or 1). Lets a connector
 * hand columnar batches to a backend ({@link Executable#runDirect}) without Java arrays in between: the GPU
 * backend copies them to the device as they are.
 *
 * @param type  the array's type
 * @param data  the elements, from position 0; at least {@code type.size() * elementBytes(dtype)} bytes
 */
public record DirectArray(ArrayType type, ByteBuffer data) {
  /**
   * Checks the buffer.
   * @throws IllegalArgumentException if it is not direct or holds fewer bytes than the type needs
   */
  public DirectArray {
    long need = (long) type.size() * elementBytes(type.dtype());
    if (!data.isDirect()) throw new IllegalArgumentException("DirectArray needs a direct (off-heap) buffer for " + type);
    if (data.capacity() < need) {
      throw new IllegalArgumentException("DirectArray of " + type + " needs " + need + " bytes, the buffer has " + data.capacity());
    }
  }

  /** Bytes per element in off-heap form. */
  public static int elementBytes(DType d) {
    return switch (d) {
      case FLOAT32, INT32, UINT32 -> 4;
      case FLOAT64, INT64 -> 8;
      case BOOL -> 1;
    };
  }

  /** A little-endian view from position 0 (does not move this buffer's position). */
  public ByteBuffer view() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0);
  }

  /** Copies the elements into a fresh primitive array (bulk copies, no per-element Java loop but for bool). */
  public Object toHostArray() {
    int n = type.size();
    ByteBuffer v = view();
    return switch (type.dtype()) {
      case FLOAT32 -> {
        float[] a = new float[n];
        v.asFloatBuffer().get(a);
        yield a;
      }
      case FLOAT64 -> {
        double[] a = new double[n];
        v.asDoubleBuffer().get(a);
        yield a;
      }
      case INT32, UINT32 -> {
        int[] a = new int[n];
        v.asIntBuffer().get(a);
        yield a;
      }
      case INT64 -> {
        long[] a = new long[n];
        v.asLongBuffer().get(a);
        yield a;
      }
      case BOOL -> {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i) != 0;
        yield a;
      }
    };
  }

  /** Copies a primitive array of this array's dtype and size into the buffer (bulk copies). */
  public void copyFrom(Object hostArray) {
    ByteBuffer v = view();
    switch (type.dtype()) {
      case FLOAT32 -> v.asFloatBuffer().put((float[]) hostArray);
      case FLOAT64 -> v.asDoubleBuffer().put((double[]) hostArray);
      case INT32, UINT32 -> v.asIntBuffer().put((int[]) hostArray);
      case INT64 -> v.asLongBuffer().put((long[]) hostArray);
      case BOOL -> {
        boolean[] a = (boolean[]) hostArray;
        for (int i = 0; i < a.length; i++) v.put(i, (byte) (a[i] ? 1 : 0));
      }
    }
  }
}
