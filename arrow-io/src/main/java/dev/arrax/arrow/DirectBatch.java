package dev.arrax.arrow;

import dev.arrax.DType;
import dev.arrax.backend.DirectArray;
import dev.arrax.core.ArrayType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * A batch of fixed-width columns in Arrow vectors, laid out for a backend's
 * {@link dev.arrax.backend.Executable#runDirect}: every column's values are ONE contiguous little-endian
 * buffer, row major, that {@link #view} hands out as a {@link DirectArray} without a copy
 * ({@link ArrowBuf#nioBuffer(long, int)}).
 *
 * <table>
 *   <caption>Column vectors</caption>
 *   <tr><th>dtype</th><th>per-row scalar</th><th>per-row array of shape {@code s}</th></tr>
 *   <tr><td>f32, f64</td><td>{@code Float4Vector}, {@code Float8Vector}</td>
 *       <td>{@code FixedSizeListVector} of {@code size(s)} over the scalar vector</td></tr>
 *   <tr><td>i32, u32, i64</td><td>{@code IntVector}, {@code UInt4Vector}, {@code BigIntVector}</td><td>likewise</td></tr>
 *   <tr><td>bool</td><td>{@code UInt1Vector}: one byte per element, 0 or 1</td><td>likewise</td></tr>
 * </table>
 * Booleans take a byte each because that is {@link DirectArray}'s layout (and cuDF's BOOL8); Arrow's bit-packed
 * {@code BitVector} cannot be viewed as one ({@link ArrowArrays} converts those).
 *
 * <p>Writers fill the values through {@link #address} (the buffer moves when {@link #ensureCapacity} grows it)
 * or {@link #view}; {@link #setRowCount} then sets the validity bits and value counts so that {@link #root()} is a
 * well-formed Arrow batch. Every buffer comes from the allocator given to {@link #allocate}; {@link #close}
 * returns them all.
 *
 * <pre>{@code
 * try (BufferAllocator a = root.newChildAllocator("task 7", 0, 1 << 30);
 *      DirectBatch in = DirectBatch.allocate(a, List.of(DirectBatch.Column.array("x", DType.FLOAT32, 4)), 1024)) {
 *   ... write 1024 rows of 4 floats at in.address(0) ...
 *   in.setRowCount(1024, null);
 *   executable.runDirect(new DirectArray[] {in.view(0, 1024)}, outputs);   // x as f32[1024, 4]
 * }
 * }</pre>
 */
public final class DirectBatch implements AutoCloseable {
  /**
   * One column: each row holds an array of shape {@code rowShape} ({@code []} for a scalar per row).
   *
   * @param name      the Arrow field name
   * @param dtype     the element type
   * @param rowShape  the shape of one row's value
   */
  public record Column(String name, DType dtype, int[] rowShape) {
    /**
     * Checks the column and copies {@code rowShape}.
     * @throws IllegalArgumentException for a null component or a negative dimension
     */
    public Column {
      if (name == null || dtype == null || rowShape == null) throw new IllegalArgumentException("DirectBatch.Column: name, dtype and rowShape must not be null");
      rowShape = rowShape.clone();
      for (int d : rowShape) {
        if (d < 0) throw new IllegalArgumentException("DirectBatch.Column '" + name + "': negative dimension in " + Arrays.toString(rowShape));
      }
    }

    /** A scalar per row. */
    public static Column scalar(String name, DType dtype) { return new Column(name, dtype, new int[0]); }

    /** A 1-d array of {@code width} elements per row. */
    public static Column array(String name, DType dtype, int width) { return new Column(name, dtype, new int[] {width}); }

    /** Elements per row. */
    public int rowElements() {
      long n = 1;
      for (int d : rowShape) n *= d;
      return Math.toIntExact(n);
    }

    /** Bytes per row of the values buffer. */
    public long rowBytes() { return (long) rowElements() * DirectArray.elementBytes(dtype); }

    @Override public boolean equals(Object o) {
      return o instanceof Column c && c.name.equals(name) && c.dtype == dtype && Arrays.equals(c.rowShape, rowShape);
    }

    @Override public int hashCode() { return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(rowShape); }

    @Override public String toString() { return name + " " + dtype.shortName() + Arrays.toString(rowShape) + " per row"; }
  }

  private final BufferAllocator allocator;
  private final List<Column> columns;
  private final FieldVector[] vectors;
  private VectorSchemaRoot root;
  private int capacity;
  private boolean closed;

  private DirectBatch(BufferAllocator allocator, List<Column> columns) {
    this.allocator = allocator;
    this.columns = List.copyOf(columns);
    this.vectors = new FieldVector[columns.size()];
  }

  /**
   * A batch with room for at least {@code rows} rows (values zeroed) of each column, allocated from
   * {@code allocator}. The caller closes it.
   */
  public static DirectBatch allocate(BufferAllocator allocator, List<Column> columns, int rows) {
    if (rows < 0) throw new IllegalArgumentException("DirectBatch.allocate: rows must be >= 0, got " + rows);
    DirectBatch b = new DirectBatch(allocator, columns);
    try {
      for (int c = 0; c < b.vectors.length; c++) b.vectors[c] = newVector(columns.get(c), allocator, Math.max(rows, 1));
      b.capacity = b.measureCapacity();
      b.root = new VectorSchemaRoot(Arrays.asList(b.vectors));
      return b;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  /** The columns, in the order they were allocated (the field order of {@link #root()}). */
  public List<Column> columns() { return columns; }

  /** The batch as an Arrow record batch (valid after {@link #setRowCount}). */
  public VectorSchemaRoot root() {
    checkOpen();
    return root;
  }

  /** The rows every column has room for. */
  public int capacity() { return capacity; }

  /**
   * Grows every column to hold at least {@code rows} rows, keeping the values of the rows already there (new
   * rows are zero). Addresses returned by {@link #address} before the call are then stale.
   */
  public void ensureCapacity(int rows) {
    checkOpen();
    if (rows <= capacity) return;
    for (FieldVector v : vectors) {
      while (v.getValueCapacity() < rows) v.reAlloc();
    }
    capacity = measureCapacity();
  }

  /** The values buffer of column {@code c}: the list's child buffer for array columns. */
  public ArrowBuf values(int c) {
    checkOpen();
    FieldVector v = vectors[c];
    return v instanceof FixedSizeListVector f ? f.getDataVector().getDataBuffer() : v.getDataBuffer();
  }

  /** The memory address of column {@code c}'s first value (for bulk copies with {@code Unsafe}-style APIs). */
  public long address(int c) {
    return values(c).memoryAddress();
  }

  /** Sets rows {@code [from, to)} of column {@code c} to zero. */
  public void zeroRows(int c, int from, int to) {
    if (from < 0 || to > capacity || from > to) {
      throw new IndexOutOfBoundsException("DirectBatch.zeroRows: rows [" + from + ", " + to + ") of a batch with room for " + capacity);
    }
    long rb = columns.get(c).rowBytes();
    if (to > from && rb > 0) values(c).setZero(from * rb, (to - from) * rb);
  }

  /** Column {@code c}'s first {@code rows} rows as a {@code [rows, ...rowShape]} array, without a copy. */
  public DirectArray view(int c, int rows) {
    Column col = columns.get(c);
    int[] s = new int[col.rowShape().length + 1];
    s[0] = rows;
    System.arraycopy(col.rowShape(), 0, s, 1, col.rowShape().length);
    return view(c, ArrayType.of(col.dtype(), s));
  }

  /** The start of column {@code c}'s values as an array of {@code type} (its dtype must be the column's). */
  public DirectArray view(int c, ArrayType type) {
    Column col = columns.get(c);
    if (type.dtype() != col.dtype()) {
      throw new IllegalArgumentException("DirectBatch.view: column " + col + " holds " + col.dtype().shortName() + ", not " + type);
    }
    long bytes = (long) type.size() * DirectArray.elementBytes(type.dtype());
    long have = (long) capacity * col.rowBytes();
    if (bytes > have || bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("DirectBatch.view: " + type + " needs " + bytes + " bytes; column " + col + " has room for "
          + capacity + " rows (" + have + " bytes)" + (bytes > Integer.MAX_VALUE ? "; a view is limited to 2 GiB" : ""));
    }
    return new DirectArray(type, values(c).nioBuffer(0, (int) bytes));
  }

  /**
   * Marks the batch as holding {@code rows} rows: row {@code r} is null where {@code valid[r]} is false
   * ({@code valid == null}: no nulls), array elements are all non-null, and every vector's value count and the
   * root's row count are {@code rows}.
   */
  public void setRowCount(int rows, boolean[] valid) {
    checkOpen();
    if (rows > capacity) throw new IllegalArgumentException("DirectBatch.setRowCount: " + rows + " rows in a batch with room for " + capacity);
    if (valid != null && valid.length < rows) {
      throw new IllegalArgumentException("DirectBatch.setRowCount: " + rows + " rows but a validity mask of " + valid.length);
    }
    for (int c = 0; c < vectors.length; c++) {
      FieldVector v = vectors[c];
      if (v instanceof FixedSizeListVector f) {
        int n = Math.multiplyExact(rows, columns.get(c).rowElements());
        FieldVector child = f.getDataVector();
        BufferCopy.writeBits(child.getValidityBuffer(), null, 0, n);
        child.setValueCount(n);
      }
      BufferCopy.writeBits(v.getValidityBuffer(), valid, 0, rows);
      v.setValueCount(rows);
    }
    root.setRowCount(rows);
  }

  /** Returns every buffer to the allocator; safe to call more than once. */
  @Override public void close() {
    if (closed) return;
    closed = true;
    RuntimeException first = null;
    for (FieldVector v : vectors) {
      if (v == null) continue;
      try {
        v.close();
      } catch (RuntimeException e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("DirectBatch " + columns + " is closed");
  }

  /** A fixed-size list's capacity is the smaller of its validity's and its child's (divided by the list size). */
  private int measureCapacity() {
    int cap = Integer.MAX_VALUE;
    for (FieldVector v : vectors) cap = Math.min(cap, v.getValueCapacity());
    return cap == Integer.MAX_VALUE ? 0 : cap;
  }

  private static FieldVector newVector(Column col, BufferAllocator allocator, int rows) {
    int[] shape = col.rowShape();
    if (shape.length == 0) {
      BaseFixedWidthVector v = scalarVector(col.name(), col.dtype(), allocator);
      try {
        v.allocateNew(rows);
        v.zeroVector();
        return v;
      } catch (RuntimeException e) {
        v.close();
        throw e;
      }
    }
    int width = col.rowElements();
    FixedSizeListVector f = FixedSizeListVector.empty(col.name(), width, allocator);
    try {
      f.addOrGetVector(FieldType.nullable(arrowType(col.dtype())));
      f.setInitialCapacity(rows);
      f.allocateNew();
      BaseFixedWidthVector child = (BaseFixedWidthVector) f.getDataVector();
      long n = (long) rows * width;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("DirectBatch: column " + col + " needs " + n + " elements for " + rows
            + " rows, more than one Arrow vector holds; use smaller batches");
      }
      if (child.getValueCapacity() < n) child.allocateNew((int) n);
      child.zeroVector();
      f.getValidityBuffer().setZero(0, f.getValidityBuffer().capacity());
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  private static BaseFixedWidthVector scalarVector(String name, DType dt, BufferAllocator allocator) {
    return switch (dt) {
      case FLOAT32 -> new Float4Vector(name, allocator);
      case FLOAT64 -> new Float8Vector(name, allocator);
      case INT32 -> new IntVector(name, allocator);
      case UINT32 -> new UInt4Vector(name, allocator);
      case INT64 -> new BigIntVector(name, allocator);
      case BOOL -> new UInt1Vector(name, allocator);
    };
  }

  private static ArrowType arrowType(DType dt) {
    return switch (dt) {
      case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case INT32 -> new ArrowType.Int(32, true);
      case UINT32 -> new ArrowType.Int(32, false);
      case INT64 -> new ArrowType.Int(64, true);
      case BOOL -> new ArrowType.Int(8, false);
    };
  }

  /** For error messages and logs: the columns and the capacity. */
  @Override public String toString() {
    List<String> cs = new ArrayList<>();
    for (Column c : columns) cs.add(c.toString());
    return "DirectBatch" + cs + " with room for " + capacity + " rows";
  }
}
