package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.arrow.DirectBatch;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.HostArrays;
import dev.arrax.spark.Columns.Elem;
import dev.arrax.spark.Columns.InputColumn;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.Platform;

/**
 * Copies input columns out of Spark's row format into one contiguous buffer per column, row after row, so a
 * batch becomes {@code [rows]} and {@code [rows, d]} arrays without boxing: an array cell is one bulk memory
 * copy of its elements (Spark's {@code UnsafeArrayData} stores them contiguously after a header of the element
 * count and a null bit set), a scalar cell one write. Nulls follow the policy; errors name the column and the
 * row (0-based, within the partition).
 *
 * <p>The buffers are either primitive Java arrays ({@link #onHeap}: the CPU path, pooled per thread, handed to
 * the executable as arrays by {@link #arrays}) or the columns of an Arrow {@link DirectBatch} ({@link #offHeap}:
 * the path of other backends, handed over as {@link DirectArray} views by {@link #directs}). Both are addressed
 * the way {@link Platform} addresses memory, a base object (the array, or null for off-heap memory) and an
 * offset, so one reader serves both.
 */
final class BatchReader {
  private final String op;
  private final InputColumn[] cols;
  private final NullPolicy.Kind policy;
  private final double fill;
  private final int partition;
  private final Object[] buffers;
  /** Off-heap storage (the first {@code cols.length} columns of the batch), or null for Java arrays. */
  private final DirectBatch batch;
  private final Object[] base;
  private final long[] offset;
  private int rowsAllocated;

  private BatchReader(String op, InputColumn[] cols, NullPolicy.Kind policy, double fill, int initialRows, int partition, DirectBatch batch) {
    this.op = op;
    this.cols = cols;
    this.policy = policy;
    this.fill = fill;
    this.partition = partition;
    this.buffers = new Object[cols.length];
    this.batch = batch;
    this.base = new Object[cols.length];
    this.offset = new long[cols.length];
    this.rowsAllocated = 0;
    ensureRows(initialRows);
  }

  /** A reader into primitive Java arrays (pooled per thread). */
  static BatchReader onHeap(String op, InputColumn[] cols, NullPolicy.Kind policy, double fill, int initialRows, int partition) {
    return new BatchReader(op, cols, policy, fill, initialRows, partition, null);
  }

  /** A reader into columns {@code 0 .. cols.length-1} of an Arrow batch (which the caller owns and closes). */
  static BatchReader offHeap(String op, InputColumn[] cols, NullPolicy.Kind policy, double fill, int partition, DirectBatch batch) {
    return new BatchReader(op, cols, policy, fill, batch.capacity(), partition, batch);
  }

  /** The Arrow batch columns for these inputs: a scalar or a {@code [d]} array per row, of the input's dtype (a new, mutable list). */
  static java.util.List<DirectBatch.Column> arrowColumns(InputColumn[] inputs) {
    java.util.List<DirectBatch.Column> cols = new java.util.ArrayList<>();
    for (InputColumn c : inputs) cols.add(new DirectBatch.Column(c.name(), c.dtype(), c.rowShape()));
    return cols;
  }

  /** The bytes one row takes in these batch columns. */
  static long rowBytes(java.util.List<DirectBatch.Column> cols) {
    long b = 0;
    for (DirectBatch.Column c : cols) b += c.rowBytes();
    return b;
  }

  int rowsAllocated() { return rowsAllocated; }

  /** Column {@code c}'s buffer as {@link Platform} addresses it: the base object (null off the heap) ... */
  Object base(int c) { return base[c]; }

  /** ... and the offset of its slot 0. */
  long offset(int c) { return offset[c]; }

  /**
   * Column buffers of finished tasks on this thread, by type and length, kept (softly) for the next task: the
   * next partition of the same job then starts with full-size buffers instead of growing them again.
   */
  private static final ThreadLocal<java.lang.ref.SoftReference<java.util.List<Object>>> POOL =
      ThreadLocal.withInitial(() -> new java.lang.ref.SoftReference<>(null));

  private static Object pooled(Class<?> type, int length) {
    java.util.List<Object> l = POOL.get().get();
    if (l == null) return null;
    for (java.util.Iterator<Object> it = l.iterator(); it.hasNext();) {
      Object a = it.next();
      if (a.getClass() == type && java.lang.reflect.Array.getLength(a) == length) {
        it.remove();
        return a;
      }
    }
    return null;
  }

  private static Class<?> arrayClass(DType d) {
    return java.lang.reflect.Array.newInstance(HostArrays.elementType(d), 0).getClass();
  }

  /** The rows to allocate first: a full batch when this thread's pool holds full-batch buffers for every column, else a few. */
  static int initialRows(InputColumn[] cols, int batchRows) {
    int few = Math.min(batchRows, 1024);
    java.util.List<Object> l = POOL.get().get();
    if (l == null) return few;
    for (InputColumn c : cols) {
      Class<?> type = arrayClass(c.dtype());
      long n = (long) batchRows * c.rowElements();
      boolean found = false;
      for (Object a : l) found |= a.getClass() == type && java.lang.reflect.Array.getLength(a) == n;
      if (!found) return few;
    }
    return batchRows;
  }

  /** Gives the column buffers back to this thread's pool (the batch's arrays must no longer be in use); off-heap: nothing. */
  void release() {
    if (batch != null) return;
    java.util.List<Object> l = POOL.get().get();
    if (l == null) {
      l = new java.util.ArrayList<>();
      POOL.set(new java.lang.ref.SoftReference<>(l));
    }
    for (Object b : buffers) if (b != null && l.size() < 16) l.add(b);
    java.util.Arrays.fill(buffers, null);
    rowsAllocated = 0;
  }

  /** Grows every column buffer to hold at least {@code rows} rows, keeping what is there. */
  void ensureRows(int rows) {
    if (rows <= rowsAllocated) return;
    if (batch != null) {
      batch.ensureCapacity(rows);
      for (int c = 0; c < cols.length; c++) {
        base[c] = null;
        offset[c] = batch.address(c);
      }
      rowsAllocated = batch.capacity();
      return;
    }
    for (int c = 0; c < cols.length; c++) {
      int n = Math.multiplyExact(rows, cols[c].rowElements());
      Object old = buffers[c];
      Object reuse = pooled(arrayClass(cols[c].dtype()), n);
      if (reuse != null) {
        if (old != null) System.arraycopy(old, 0, reuse, 0, java.lang.reflect.Array.getLength(old));
        buffers[c] = reuse;
      } else {
        buffers[c] = switch (cols[c].dtype()) {
          case FLOAT32 -> old == null ? new float[n] : Arrays.copyOf((float[]) old, n);
          case FLOAT64 -> old == null ? new double[n] : Arrays.copyOf((double[]) old, n);
          case INT32, UINT32 -> old == null ? new int[n] : Arrays.copyOf((int[]) old, n);
          case INT64 -> old == null ? new long[n] : Arrays.copyOf((long[]) old, n);
          case BOOL -> old == null ? new boolean[n] : Arrays.copyOf((boolean[]) old, n);
        };
      }
      base[c] = buffers[c];
      offset[c] = arrayBaseOffset(cols[c].dtype());
    }
    rowsAllocated = rows;
  }

  /**
   * Reads the input cells of {@code row} into batch slot {@code slot}. Returns false when the row holds a null
   * under {@link NullPolicy.Kind#NULL_ROW} (its slot then holds zeros, a placeholder whose results are dropped).
   */
  boolean read(UnsafeRow row, int slot, long rowIndex) {
    // Writes below go through Platform without bounds checks: this one check keeps them inside the buffers.
    if (slot < 0 || slot >= rowsAllocated) throw new IndexOutOfBoundsException("batch slot " + slot + " of " + rowsAllocated);
    boolean valid = true;
    for (int c = 0; c < cols.length; c++) {
      InputColumn col = cols[c];
      if (col.scalar()) valid &= readScalar(row, col, c, slot, rowIndex);
      else valid &= readArray(row, col, c, slot, rowIndex);
    }
    return valid;
  }

  private boolean readScalar(UnsafeRow row, InputColumn col, int c, int slot, long rowIndex) {
    int o = col.ordinal();
    if (row.isNullAt(o)) {
      switch (policy) {
        case ERROR -> throw nullError(col, rowIndex, "is null");
        case NULL_ROW -> {
          setValue(c, slot, 0.0);
          return false;
        }
        case FILL -> {
          setValue(c, slot, fill);
          return true;
        }
      }
    }
    Object b = base[c];
    long at = offset[c];
    switch (col.elem()) {
      case FLOAT -> Platform.putFloat(b, at + 4L * slot, row.getFloat(o));
      case DOUBLE -> Platform.putDouble(b, at + 8L * slot, row.getDouble(o));
      case INT -> Platform.putInt(b, at + 4L * slot, row.getInt(o));
      case LONG -> Platform.putLong(b, at + 8L * slot, row.getLong(o));
      case SHORT -> Platform.putInt(b, at + 4L * slot, row.getShort(o));
      case BYTE -> Platform.putInt(b, at + 4L * slot, row.getByte(o));
      case BOOLEAN -> Platform.putByte(b, at + slot, row.getBoolean(o) ? (byte) 1 : (byte) 0);
    }
    return true;
  }

  private boolean readArray(UnsafeRow row, InputColumn col, int c, int slot, long rowIndex) {
    int o = col.ordinal();
    int w = col.width();
    if (row.isNullAt(o)) {
      switch (policy) {
        case ERROR -> throw nullError(col, rowIndex, "is null");
        case NULL_ROW -> {
          fillRow(c, slot, w, 0.0);
          return false;
        }
        case FILL -> {
          fillRow(c, slot, w, fill);
          return true;
        }
      }
    }
    // An array cell of an UnsafeRow: the field's 8 bytes hold (offset << 32 | size) relative to the row's base.
    long offsetAndSize = row.getLong(o);
    Object src = row.getBaseObject();
    long addr = row.getBaseOffset() + (offsetAndSize >>> 32);
    long n = Platform.getLong(src, addr);
    if (n != w) {
      throw new ArraxSparkException(op + ": column '" + col.name() + "' has " + n + " elements at row " + rowIndex + " of partition "
          + partition + ", but the function was traced for arrays of " + w + " elements; every row of an array column must have the"
          + " same length (it was read from the first non-null row unless set with ArraxOptions.withArrayLength); filter or pad the"
          + " other rows first, e.g. df.where(\"size(" + sqlName(col.name()) + ") = " + w + "\")");
    }
    int header = UnsafeArrayData.calculateHeaderPortionInBytes(w);
    boolean anyNull = false;
    for (long p = addr + 8; p < addr + header; p += 8) {
      if (Platform.getLong(src, p) != 0L) {
        anyNull = true;
        break;
      }
    }
    Elem e = col.elem();
    Platform.copyMemory(src, addr + header, base[c], offset[c] + (long) slot * w * e.bytes, (long) w * e.bytes);
    if (!anyNull) return true;
    for (int i = 0; i < w; i++) {
      long word = Platform.getLong(src, addr + 8 + ((long) (i >> 6) << 3));
      if ((word & (1L << (i & 63))) == 0) continue;
      switch (policy) {
        case ERROR -> throw nullError(col, rowIndex, "holds a null at element " + i);
        case NULL_ROW -> {
          fillRow(c, slot, w, 0.0);
          return false;
        }
        case FILL -> setValue(c, slot * w + i, fill);
      }
    }
    return true;
  }

  /** A column name as SQL text: bare when it is a plain identifier, else in backquotes. */
  private static String sqlName(String name) {
    return name.matches("[A-Za-z_][A-Za-z0-9_]*") ? name : ArraxSpark.quote(name);
  }

  private ArraxSparkException nullError(InputColumn col, long rowIndex, String what) {
    return new ArraxSparkException(op + ": column '" + col.name() + "' " + what + " at row " + rowIndex + " of partition " + partition
        + " (rows counted from 0 within the partition); the null policy is ERROR (the default). Use "
        + "ArraxOptions.withNullPolicy(NullPolicy.NULL_ROW) for null outputs on such rows, NullPolicy.fill(value) to replace nulls, "
        + "or set " + ArraxOptions.NULL_POLICY_KEY);
  }

  /** Where element 0 of a primitive array of the dtype's Java type sits, for {@link Platform}'s accessors. */
  static long arrayBaseOffset(DType d) {
    return switch (d) {
      case FLOAT32 -> Platform.FLOAT_ARRAY_OFFSET;
      case FLOAT64 -> Platform.DOUBLE_ARRAY_OFFSET;
      case INT32, UINT32 -> Platform.INT_ARRAY_OFFSET;
      case INT64 -> Platform.LONG_ARRAY_OFFSET;
      case BOOL -> Platform.BOOLEAN_ARRAY_OFFSET;
    };
  }

  private void fillRow(int c, int slot, int w, double v) {
    for (int i = 0; i < w; i++) setValue(c, slot * w + i, v);
  }

  /** Element {@code i} of column {@code c} (counted over all rows' elements) set to {@code v}, converted to the dtype. */
  void setValue(int c, int i, double v) {
    Object b = base[c];
    long at = offset[c];
    switch (cols[c].dtype()) {
      case FLOAT32 -> Platform.putFloat(b, at + 4L * i, (float) v);
      case FLOAT64 -> Platform.putDouble(b, at + 8L * i, v);
      case INT32, UINT32 -> Platform.putInt(b, at + 4L * i, (int) v);
      case INT64 -> Platform.putLong(b, at + 8L * i, (long) v);
      case BOOL -> Platform.putByte(b, at + i, v != 0.0 ? (byte) 1 : (byte) 0);
    }
  }

  /**
   * The batch as arrays with {@code bucket} rows, of which the first {@code n} are real (on-heap readers). When the
   * bucket is the allocated size the buffers are wrapped without a copy (they must then not be refilled while the
   * results are in use); otherwise the {@code n} rows are copied into fresh arrays and the rest are zeros.
   */
  NDArray[] arrays(int n, int bucket) {
    if (batch != null) throw new IllegalStateException("an off-heap reader hands out DirectArrays (directs), not arrays");
    NDArray[] out = new NDArray[cols.length];
    for (int c = 0; c < cols.length; c++) {
      InputColumn col = cols[c];
      DType d = col.dtype();
      Object data;
      if (bucket == rowsAllocated) {
        data = buffers[c];
      } else {
        data = java.lang.reflect.Array.newInstance(HostArrays.elementType(d), bucket * col.rowElements());
        System.arraycopy(buffers[c], 0, data, 0, Math.min(n, bucket) * col.rowElements());
      }
      out[c] = HostArrays.wrap(d, data, col.batchShape(bucket));
    }
    return out;
  }

  /**
   * The batch as off-heap views with {@code bucket} rows, of which the first {@code n} are real (off-heap readers):
   * the Arrow batch grows to {@code bucket} rows if needed and rows {@code [n, bucket)} are zeroed, so a padded
   * row holds zeros as on the heap path.
   */
  DirectArray[] directs(int n, int bucket) {
    if (batch == null) throw new IllegalStateException("an on-heap reader hands out arrays, not DirectArrays");
    ensureRows(bucket);
    DirectArray[] out = new DirectArray[cols.length];
    for (int c = 0; c < cols.length; c++) {
      batch.zeroRows(c, n, bucket);
      out[c] = batch.view(c, bucket);
    }
    return out;
  }

  /** Fill values must be exact in integer and boolean columns (checked on the driver, before any task). */
  static void checkFill(String op, InputColumn[] cols, NullPolicy policy) {
    if (policy.kind() != NullPolicy.Kind.FILL) return;
    double v = policy.fillValue();
    for (InputColumn c : cols) {
      boolean ok = switch (c.elem()) {
        case FLOAT, DOUBLE -> true;
        case INT -> v == Math.rint(v) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
        case SHORT -> v == Math.rint(v) && v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
        case BYTE -> v == Math.rint(v) && v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
        case LONG -> v == Math.rint(v) && v >= -0x1p63 && v < 0x1p63;
        case BOOLEAN -> v == 0.0 || v == 1.0;
      };
      if (!ok) {
        throw new ArraxSparkException(op + ": " + policy + " cannot fill column " + c.describe() + "; use "
            + (c.elem() == Elem.BOOLEAN ? "0 or 1" : "a whole number in the column's range"));
      }
    }
  }
}
