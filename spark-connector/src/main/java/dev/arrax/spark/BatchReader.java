package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.spark.Columns.Elem;
import dev.arrax.spark.Columns.InputColumn;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.Platform;

/**
 * Copies input columns out of Spark's row format into one primitive Java array per column, row after row,
 * so a batch becomes {@code [rows]} and {@code [rows, d]} arrays without boxing: an array cell is one
 * bulk memory copy of its elements (Spark's {@code UnsafeArrayData} stores them contiguously after a
 * header of the element count and a null bit set), a scalar cell one read. Nulls follow the policy;
 * errors name the column and the row (0-based, within the partition).
 */
final class BatchReader {
  private final String op;
  private final InputColumn[] cols;
  private final NullPolicy.Kind policy;
  private final double fill;
  private final int partition;
  private final Object[] buffers;
  private int rowsAllocated;

  BatchReader(String op, InputColumn[] cols, NullPolicy.Kind policy, double fill, int initialRows, int partition) {
    this.op = op;
    this.cols = cols;
    this.policy = policy;
    this.fill = fill;
    this.partition = partition;
    this.buffers = new Object[cols.length];
    this.rowsAllocated = 0;
    ensureRows(initialRows);
  }

  int rowsAllocated() { return rowsAllocated; }

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

  /** The rows to allocate first: a full batch when this thread's pool holds full-batch buffers for every column, else a few. */
  static int initialRows(InputColumn[] cols, int batchRows) {
    int few = Math.min(batchRows, 1024);
    java.util.List<Object> l = POOL.get().get();
    if (l == null) return few;
    for (InputColumn c : cols) {
      Class<?> type = Buffer.allocate(c.dtype(), 0).array().getClass();
      long n = (long) batchRows * c.rowElements();
      boolean found = false;
      for (Object a : l) found |= a.getClass() == type && java.lang.reflect.Array.getLength(a) == n;
      if (!found) return few;
    }
    return batchRows;
  }

  /** Gives the column buffers back to this thread's pool (the batch's arrays must no longer be in use). */
  void release() {
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
    for (int c = 0; c < cols.length; c++) {
      int n = Math.multiplyExact(rows, cols[c].rowElements());
      Object old = buffers[c];
      Object reuse = pooled(Buffer.allocate(cols[c].dtype(), 0).array().getClass(), n);
      if (reuse != null) {
        if (old != null) System.arraycopy(old, 0, reuse, 0, java.lang.reflect.Array.getLength(old));
        buffers[c] = reuse;
        continue;
      }
      buffers[c] = switch (cols[c].dtype()) {
        case FLOAT32 -> old == null ? new float[n] : Arrays.copyOf((float[]) old, n);
        case FLOAT64 -> old == null ? new double[n] : Arrays.copyOf((double[]) old, n);
        case INT32, UINT32 -> old == null ? new int[n] : Arrays.copyOf((int[]) old, n);
        case INT64 -> old == null ? new long[n] : Arrays.copyOf((long[]) old, n);
        case BOOL -> old == null ? new boolean[n] : Arrays.copyOf((boolean[]) old, n);
      };
    }
    rowsAllocated = rows;
  }

  /**
   * Reads the input cells of {@code row} into batch slot {@code slot}. Returns false when the row holds a null
   * under {@link NullPolicy.Kind#NULL_ROW} (its slot then holds zeros, a placeholder whose results are dropped).
   */
  boolean read(UnsafeRow row, int slot, long rowIndex) {
    boolean valid = true;
    for (int c = 0; c < cols.length; c++) {
      InputColumn col = cols[c];
      if (col.scalar()) valid &= readScalar(row, col, buffers[c], slot, rowIndex);
      else valid &= readArray(row, col, buffers[c], slot, rowIndex);
    }
    return valid;
  }

  private boolean readScalar(UnsafeRow row, InputColumn col, Object buf, int slot, long rowIndex) {
    int o = col.ordinal();
    if (row.isNullAt(o)) {
      switch (policy) {
        case ERROR -> throw nullError(col, rowIndex, "is null");
        case NULL_ROW -> {
          setValue(buf, col.dtype(), slot, 0.0);
          return false;
        }
        case FILL -> {
          setValue(buf, col.dtype(), slot, fill);
          return true;
        }
      }
    }
    switch (col.elem()) {
      case FLOAT -> ((float[]) buf)[slot] = row.getFloat(o);
      case DOUBLE -> ((double[]) buf)[slot] = row.getDouble(o);
      case INT -> ((int[]) buf)[slot] = row.getInt(o);
      case LONG -> ((long[]) buf)[slot] = row.getLong(o);
      case SHORT -> ((int[]) buf)[slot] = row.getShort(o);
      case BYTE -> ((int[]) buf)[slot] = row.getByte(o);
      case BOOLEAN -> ((boolean[]) buf)[slot] = row.getBoolean(o);
    }
    return true;
  }

  private boolean readArray(UnsafeRow row, InputColumn col, Object buf, int slot, long rowIndex) {
    int o = col.ordinal();
    int w = col.width();
    if (row.isNullAt(o)) {
      switch (policy) {
        case ERROR -> throw nullError(col, rowIndex, "is null");
        case NULL_ROW -> {
          fillRow(buf, col.dtype(), slot, w, 0.0);
          return false;
        }
        case FILL -> {
          fillRow(buf, col.dtype(), slot, w, fill);
          return true;
        }
      }
    }
    // An array cell of an UnsafeRow: the field's 8 bytes hold (offset << 32 | size) relative to the row's base.
    long offsetAndSize = row.getLong(o);
    Object base = row.getBaseObject();
    long addr = row.getBaseOffset() + (offsetAndSize >>> 32);
    long n = Platform.getLong(base, addr);
    if (n != w) {
      throw new ArraxSparkException(op + ": column '" + col.name() + "' has " + n + " elements at row " + rowIndex + " of partition "
          + partition + ", but the function was traced for arrays of " + w + " elements; every row of an array column must have the"
          + " same length (it was read from the first non-null row unless set with ArraxOptions.withArrayLength)");
    }
    int header = UnsafeArrayData.calculateHeaderPortionInBytes(w);
    boolean anyNull = false;
    for (long p = addr + 8; p < addr + header; p += 8) {
      if (Platform.getLong(base, p) != 0L) {
        anyNull = true;
        break;
      }
    }
    Elem e = col.elem();
    long dst = arrayBaseOffset(e) + (long) slot * w * e.bytes;
    Platform.copyMemory(base, addr + header, buf, dst, (long) w * e.bytes);
    if (!anyNull) return true;
    for (int i = 0; i < w; i++) {
      long word = Platform.getLong(base, addr + 8 + ((long) (i >> 6) << 3));
      if ((word & (1L << (i & 63))) == 0) continue;
      switch (policy) {
        case ERROR -> throw nullError(col, rowIndex, "holds a null at element " + i);
        case NULL_ROW -> {
          fillRow(buf, col.dtype(), slot, w, 0.0);
          return false;
        }
        case FILL -> setValue(buf, col.dtype(), slot * w + i, fill);
      }
    }
    return true;
  }

  private ArraxSparkException nullError(InputColumn col, long rowIndex, String what) {
    return new ArraxSparkException(op + ": column '" + col.name() + "' " + what + " at row " + rowIndex + " of partition " + partition
        + " (rows counted from 0 within the partition); the null policy is ERROR (the default). Use "
        + "ArraxOptions.withNullPolicy(NullPolicy.NULL_ROW) for null outputs on such rows, NullPolicy.fill(value) to replace nulls, "
        + "or set " + ArraxOptions.NULL_POLICY_KEY);
  }

  private static long arrayBaseOffset(Elem e) {
    return switch (e) {
      case FLOAT -> Platform.FLOAT_ARRAY_OFFSET;
      case DOUBLE -> Platform.DOUBLE_ARRAY_OFFSET;
      case INT -> Platform.INT_ARRAY_OFFSET;
      case LONG -> Platform.LONG_ARRAY_OFFSET;
      default -> throw new IllegalStateException("array elements of type " + e + " are not bulk-copied");
    };
  }

  private static void fillRow(Object buf, DType d, int slot, int w, double v) {
    for (int i = 0; i < w; i++) setValue(buf, d, slot * w + i, v);
  }

  static void setValue(Object buf, DType d, int i, double v) {
    switch (d) {
      case FLOAT32 -> ((float[]) buf)[i] = (float) v;
      case FLOAT64 -> ((double[]) buf)[i] = v;
      case INT32, UINT32 -> ((int[]) buf)[i] = (int) v;
      case INT64 -> ((long[]) buf)[i] = (long) v;
      case BOOL -> ((boolean[]) buf)[i] = v != 0.0;
    }
  }

  /**
   * The batch as arrays with {@code bucket} rows, of which the first {@code n} are real. When the bucket is the
   * allocated size the buffers are wrapped without a copy (they must then not be refilled while the results
   * are in use); otherwise the {@code n} rows are copied into fresh arrays and the rest are zeros.
   */
  NDArray[] arrays(int n, int bucket) {
    NDArray[] out = new NDArray[cols.length];
    for (int c = 0; c < cols.length; c++) {
      InputColumn col = cols[c];
      DType d = col.dtype();
      Object data;
      if (bucket == rowsAllocated) {
        data = buffers[c];
      } else {
        data = Buffer.allocate(d, bucket * col.rowElements()).array();
        System.arraycopy(buffers[c], 0, data, 0, Math.min(n, bucket) * col.rowElements());
      }
      out[c] = new ConcreteArray(ArrayType.of(d, col.batchShape(bucket)), Buffer.wrap(d, data));
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
