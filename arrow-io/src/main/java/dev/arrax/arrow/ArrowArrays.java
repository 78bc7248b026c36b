package dev.arrax.arrow;

import dev.arrax.NDArray;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * The bridge between Arrow columns and Arrax arrays.
 *
 * <h2>Columns to arrays</h2>
 * <table>
 *   <caption>Supported vectors</caption>
 *   <tr><th>Arrow vector</th><th>array</th></tr>
 *   <tr><td>{@code Float4Vector}, {@code Float8Vector}</td><td>{@code f32[rows]}, {@code f64[rows]}</td></tr>
 *   <tr><td>{@code IntVector}, {@code BigIntVector}, {@code BitVector}</td><td>{@code i32[rows]}, {@code i64[rows]},
 *       {@code bool[rows]}</td></tr>
 *   <tr><td>{@code FixedSizeListVector} of size {@code d} over one of those</td><td>{@code [rows, d]}</td></tr>
 *   <tr><td>{@code ListVector} whose non-null rows all have length {@code d}</td><td>{@code [rows, d]}</td></tr>
 *   <tr><td>{@code k} scalar columns, {@link #stack}</td><td>{@code [rows, k]}, dtype promoted as in
 *       {@link dev.arrax.DType#promote}</td></tr>
 * </table>
 * Values move with one bulk memory copy from the Arrow buffer into the array's primitive Java array: no
 * per-element boxing and no intermediate copy. Arrays are immutable and own their memory, so they stay valid after
 * the vector is closed. Nulls follow a {@link NullPolicy}; the default rejects them.
 *
 * <h2>Arrays to columns</h2>
 * {@link #fromArray} allocates a new vector from the caller's {@link BufferAllocator}: {@code f32[rows]} gives a
 * {@code Float4Vector} (and f64, i32, i64, bool likewise), {@code [rows, d]} a {@code FixedSizeListVector} of
 * size {@code d}. The caller owns and closes the vector.
 *
 * <h2>Example: a gradient per row</h2>
 * <pre>{@code
 * try (FixedSizeListVector x = ...;                                       // f32 lists of length 4
 *      BufferAllocator allocator = new RootAllocator()) {
 *   boolean[] valid = ArrowArrays.validity(List.of(x));                  // false where a row has a null
 *   NDArray in = ArrowArrays.toArray(x, NullPolicy.NULL_ROW);            // f32[rows, 4], 0 at null rows
 *   NDArray g = Arrax.vmap(Arrax.grad(a -> Np.sum(Np.tanh(a[0])))).apply(in);
 *   try (FieldVector out = ArrowArrays.fromArray(g, "grad", allocator, valid)) {
 *     ...                                                                // null rows stay null
 *   }
 * }
 * }</pre>
 *
 * <p>Arrow needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} on a plain {@code java} command line
 * (Spark's launcher already passes it).
 */
public final class ArrowArrays {
  private ArrowArrays() {}

  /** The column as an array, rejecting nulls ({@link NullPolicy#ERROR}). */
  public static NDArray toArray(FieldVector column) {
    return toArray(column, NullPolicy.ERROR);
  }

  /**
   * The column as a {@code [rows]} array (scalar vectors) or a {@code [rows, d]} array (fixed-size lists, and
   * lists whose non-null rows share one length {@code d}; a list column whose rows are all null, or that has no
   * rows, gives {@code d = 0}).
   *
   * @throws ArrowConversionException for a null under {@link NullPolicy#ERROR}, list rows of different lengths
   *     (naming the first row that differs), or an unsupported vector type
   */
  public static NDArray toArray(FieldVector column, NullPolicy policy) {
    return ColumnReader.toArray(column, policy);
  }

  /** Scalar columns side by side as a {@code [rows, k]} array, rejecting nulls ({@link NullPolicy#ERROR}). */
  public static NDArray stack(List<? extends FieldVector> columns) {
    return stack(columns, NullPolicy.ERROR);
  }

  /**
   * Scalar columns side by side as a {@code [rows, k]} array: column {@code j} of the result is {@code columns[j]}.
   * The dtype is the promotion of the columns' dtypes (an {@code IntVector} beside a {@code Float4Vector} gives
   * f32). Under {@link NullPolicy#NULL_ROW} a row with a null in any column becomes a row of zeros.
   *
   * @throws ArrowConversionException for a null under {@link NullPolicy#ERROR} (naming the column and the
   *     first null row), a non-scalar column, or columns of different lengths
   */
  public static NDArray stack(List<? extends FieldVector> columns, NullPolicy policy) {
    return ColumnReader.stack(columns, policy);
  }

  /**
   * The rows that hold no null in any of the columns: {@code true} where row {@code r} of every column is
   * non-null and, for list columns, none of the row's elements is null. This is the mask to hand to
   * {@link #fromArray(NDArray, String, BufferAllocator, boolean[])} after computing on arrays read with
   * {@link NullPolicy#NULL_ROW}.
   */
  public static boolean[] validity(List<? extends FieldVector> columns) {
    if (columns.isEmpty()) throw new IllegalArgumentException("validity: needs at least one column, got none");
    boolean[] ok = null;
    for (FieldVector c : columns) {
      boolean[] v = ColumnReader.rowValidity(c);
      if (ok == null) {
        ok = v;
      } else if (v.length != ok.length) {
        throw new ArrowConversionException("validity: column '" + ColumnReader.name(c) + "' has " + v.length
            + " rows but column '" + ColumnReader.name(columns.get(0)) + "' has " + ok.length);
      } else {
        for (int r = 0; r < ok.length; r++) ok[r] &= v[r];
      }
    }
    return ok;
  }

  /** A new vector holding the array with every row non-null; see {@link #fromArray(NDArray, String, BufferAllocator, boolean[])}. */
  public static FieldVector fromArray(NDArray array, String name, BufferAllocator allocator) {
    return ColumnWriter.fromArray(array, name, allocator, null);
  }

  /**
   * A new vector named {@code name}, allocated from {@code allocator}, holding a {@code [rows]} array as a
   * {@code Float4Vector}, {@code Float8Vector}, {@code IntVector}, {@code BigIntVector} or {@code BitVector}
   * (by dtype), or a {@code [rows, d]} array as a {@code FixedSizeListVector} of size {@code d} over one of those.
   * Row {@code r} is null where {@code validity[r]} is false ({@code validity == null}: no nulls). The caller
   * closes the vector.
   *
   * @throws IllegalArgumentException for an array of rank other than 1 or 2, a u32 array, or a mask whose length
   *     is not the number of rows
   */
  public static FieldVector fromArray(NDArray array, String name, BufferAllocator allocator, boolean[] validity) {
    return ColumnWriter.fromArray(array, name, allocator, validity);
  }
}
