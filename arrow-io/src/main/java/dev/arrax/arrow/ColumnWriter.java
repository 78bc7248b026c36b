package dev.arrax.arrow;

import dev.arrax.DType;
import dev.arrax.NDArray;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Copies arrays into freshly allocated Arrow vectors (one bulk copy of the values, bits packed for validity). */
final class ColumnWriter {
  private ColumnWriter() {}

  static FieldVector fromArray(NDArray a, String name, BufferAllocator allocator, boolean[] validity) {
    int[] shape = a.shape();
    if (shape.length != 1 && shape.length != 2) {
      throw new IllegalArgumentException("fromArray: column '" + name + "' needs a [rows] or [rows, d] array, got "
          + a.type() + "; reshape it to [rows, d] first");
    }
    DType dt = a.dtype();
    ScalarColumns.arrowType(dt); // rejects u32 before anything is allocated
    int rows = shape[0];
    if (validity != null && validity.length != rows) {
      throw new IllegalArgumentException("fromArray: column '" + name + "': validity mask has " + validity.length
          + " entries but the array " + a.type() + " has " + rows + " rows");
    }
    Object data = ScalarColumns.elements(a);
    return shape.length == 1 ? scalar(name, dt, data, rows, allocator, validity)
        : fixedSizeList(name, dt, data, rows, shape[1], allocator, validity);
  }

  private static FieldVector scalar(String name, DType dt, Object data, int rows, BufferAllocator allocator, boolean[] validity) {
    BaseFixedWidthVector v = ScalarColumns.newVector(name, dt, allocator);
    try {
      v.allocateNew(rows);
      ScalarColumns.write(v, dt, data, rows);
      BufferCopy.writeBits(v.getValidityBuffer(), validity, 0, rows);
      v.setValueCount(rows);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  private static FieldVector fixedSizeList(String name, DType dt, Object data, int rows, int d, BufferAllocator allocator,
      boolean[] validity) {
    FixedSizeListVector f = FixedSizeListVector.empty(name, d, allocator);
    try {
      f.addOrGetVector(FieldType.nullable(ScalarColumns.arrowType(dt)));
      f.setInitialCapacity(rows);
      f.allocateNew();
      BaseFixedWidthVector child = (BaseFixedWidthVector) f.getDataVector();
      int n = rows * d;
      if (child.getValueCapacity() < n) child.allocateNew(n);
      ScalarColumns.write(child, dt, data, n);
      BufferCopy.writeBits(child.getValidityBuffer(), null, 0, n);
      BufferCopy.writeBits(f.getValidityBuffer(), validity, 0, rows);
      f.setValueCount(rows);
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }
}
