package dev.arrax.core;

import dev.arrax.DType;
import java.util.Arrays;

/** The abstract value of an array: shape and dtype, as JAX's {@code ShapedArray}. Immutable. */
public final class ArrayType {
  private final int[] shape;
  private final DType dtype;

  public ArrayType(DType dtype, int... shape) {
    this.dtype = dtype;
    this.shape = shape.clone();
    long size = 1;
    boolean empty = false;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      empty |= d == 0;
      if (size <= Integer.MAX_VALUE) size *= d;
    }
    if (!empty && size > Integer.MAX_VALUE) {
      throw new dev.arrax.ShapeException("shape " + Arrays.toString(shape) + " has " + exactSize(shape) + " elements; an Arrax array holds at most "
          + Integer.MAX_VALUE + " (2^31 - 1): split the data into batches (in Spark, a smaller batchRows)");
    }
  }

  private static java.math.BigInteger exactSize(int[] shape) {
    java.math.BigInteger n = java.math.BigInteger.ONE;
    for (int d : shape) n = n.multiply(java.math.BigInteger.valueOf(d));
    return n;
  }

  public static ArrayType of(DType dtype, int... shape) { return new ArrayType(dtype, shape); }

  public DType dtype() { return dtype; }

  public int[] shape() { return shape.clone(); }

  public int dim(int axis) { return shape[axis]; }

  public int rank() { return shape.length; }

  public int size() { return Shapes.size(shape); }

  public ArrayType withDtype(DType d) { return new ArrayType(d, shape); }

  public ArrayType withShape(int... s) { return new ArrayType(dtype, s); }

  /** {@code f32[2,3]}, the form used in programs and error messages. */
  @Override public String toString() {
    StringBuilder sb = new StringBuilder(dtype.shortName()).append('[');
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) sb.append(',');
      sb.append(shape[i]);
    }
    return sb.append(']').toString();
  }

  public static ArrayType parse(String s) {
    int open = s.indexOf('[');
    if (open < 0 || !s.endsWith("]")) throw new IllegalArgumentException("not a type: '" + s + "'");
    DType d = DType.fromShortName(s.substring(0, open));
    String body = s.substring(open + 1, s.length() - 1).trim();
    if (body.isEmpty()) return new ArrayType(d);
    String[] parts = body.split(",");
    int[] shape = new int[parts.length];
    for (int i = 0; i < parts.length; i++) shape[i] = Integer.parseInt(parts[i].trim());
    try {
      return new ArrayType(d, shape);
    } catch (dev.arrax.ShapeException e) {
      throw new IllegalArgumentException(e.getMessage(), e); // a parse error, with the parser's line number
    }
  }

  @Override public boolean equals(Object o) {
    return o instanceof ArrayType t && t.dtype == dtype && Arrays.equals(t.shape, shape);
  }

  @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + dtype.hashCode(); }
}
