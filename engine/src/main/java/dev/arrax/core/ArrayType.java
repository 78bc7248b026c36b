package dev.arrax.core;

import dev.arrax.DType;
import java.util.Arrays;

/** The abstract value of an array: shape and dtype, as JAX's {@code ShapedArray}. Immutable. */
public final class ArrayType {
  private final int[] shape;
  private final DType dtype;

  /**
   * The type {@code dtype[shape...]}, e.g. {@code new ArrayType(DType.FLOAT32, 2, 3)} is {@code f32[2,3]};
   * the shape is copied.
   * @throws IllegalArgumentException for a negative dimension; {@link dev.arrax.ShapeException} if there are more than 2^31 - 1 elements
   */
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

  /** Same as the constructor: {@code ArrayType.of(DType.FLOAT64)} is the scalar type {@code f64[]}. */
  public static ArrayType of(DType dtype, int... shape) { return new ArrayType(dtype, shape); }

  /** The element type. */
  public DType dtype() { return dtype; }

  /** A copy of the shape (changing it does not change this type). */
  public int[] shape() { return shape.clone(); }

  /**
   * The size of one axis, without copying the shape; {@code axis} is not normalized (no negative indices).
   */
  public int dim(int axis) { return shape[axis]; }

  /** The number of axes (0 for a scalar). */
  public int rank() { return shape.length; }

  /** The number of elements, the product of the shape (1 for a scalar). */
  public int size() { return Shapes.size(shape); }

  /** This shape with another dtype, e.g. the bool type of a comparison. */
  public ArrayType withDtype(DType d) { return new ArrayType(d, shape); }

  /** This dtype with another shape. */
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

  /**
   * Parses the printed form {@code f32[2,3]} (as {@link #toString()} writes it; {@code f64[]} for a
   * scalar).
   * @throws IllegalArgumentException for a malformed type, an unknown dtype or an invalid shape
   */
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
