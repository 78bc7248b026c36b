package dev.arrax.arrow;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.backend.HostArrays;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;

/** Copies Arrow vectors into arrays: one bulk copy of the values, then the null policy on the few null rows. */
final class ColumnReader {
  /** Rows in one chunk of {@link #stack}: the chunk stays in cache between the copy and the scatter. */
  private static final int STACK_CHUNK = 1 << 13;

  private ColumnReader() {}

  static String name(ValueVector v) {
    String n = v.getName();
    return n == null || n.isEmpty() ? "<unnamed>" : n;
  }

  private static int checkedSize(String column, long rows, long width) {
    long n = rows * width;
    if (n > Integer.MAX_VALUE - 8) {
      throw new ArrowConversionException("column '" + column + "': " + rows + " x " + width + " = " + n
          + " elements exceed one array's limit of 2^31 - 9; convert the batch in smaller slices");
    }
    return (int) n;
  }

  private static ArrowConversionException unsupported(FieldVector v) {
    return new ArrowConversionException("column '" + name(v) + "': Arrow type " + v.getField().getType()
        + " (" + v.getClass().getSimpleName() + ") is not supported; supported are " + ScalarColumns.SUPPORTED
        + ", and FixedSizeListVector or ListVector of those");
  }

  private static DType childDtype(FieldVector list, ValueVector child) {
    DType dt = child == null ? null : ScalarColumns.dtypeOf(child);
    if (dt == null) {
      throw new ArrowConversionException("column '" + name(list) + "': list elements of type "
          + (child == null ? "<none>" : child.getField().getType()) + " are not supported; supported are "
          + ScalarColumns.SUPPORTED);
    }
    return dt;
  }

  static NDArray toArray(FieldVector v, NullPolicy policy) {
    String column = name(v);
    DType scalar = ScalarColumns.dtypeOf(v);
    if (scalar != null) {
      Nulls.checkFill(column, scalar, policy);
      int rows = v.getValueCount();
      Object data = ScalarColumns.allocate(scalar, rows);
      ScalarColumns.read(v, scalar, 0, data, 0, rows);
      Nulls.apply(column, scalar, data, rows, 1, ScalarColumns.validity(v, 0, rows), null, policy);
      return wrap(scalar, data, rows);
    }
    if (v instanceof FixedSizeListVector f) return fixedSizeList(f, policy);
    if (v instanceof ListVector l) return list(l, policy);
    throw unsupported(v);
  }

  private static NDArray wrap(DType dt, Object data, int... shape) {
    return HostArrays.wrap(dt, data, shape);
  }

  private static NDArray fixedSizeList(FixedSizeListVector f, NullPolicy policy) {
    String column = name(f);
    FieldVector child = f.getDataVector();
    DType dt = childDtype(f, child);
    Nulls.checkFill(column, dt, policy);
    int rows = f.getValueCount();
    int d = f.getListSize();
    int n = checkedSize(column, rows, d);
    Object data = ScalarColumns.allocate(dt, n);
    ScalarColumns.read(child, dt, 0, data, 0, n);
    Nulls.apply(column, dt, data, rows, d, ScalarColumns.validity(f, 0, rows), ScalarColumns.validity(child, 0, n), policy);
    return wrap(dt, data, rows, d);
  }

  private static int[] offsets(ListVector l, int rows) {
    int[] offsets = new int[rows + 1];
    if (rows > 0) BufferCopy.readInts(l.getOffsetBuffer(), 0, offsets, 0, rows + 1);
    return offsets;
  }

  /** The common length of the non-null rows (0 when there are none); fails at the first row that differs. */
  private static int commonLength(String column, int[] offsets, boolean[] rowOk) {
    int first = -1;
    int d = 0;
    for (int r = 0; r + 1 < offsets.length; r++) {
      if (rowOk != null && !rowOk[r]) continue;
      int len = offsets[r + 1] - offsets[r];
      if (first < 0) {
        first = r;
        d = len;
      } else if (len != d) {
        throw new ArrowConversionException("column '" + column + "': list row " + r + " has " + len
            + " elements but row " + first + " has " + d + "; a ListVector becomes a [rows, d] array only when all "
            + "non-null rows have the same length (pad or filter the rows, or write a FixedSizeListVector)");
      }
    }
    return d;
  }

  private static NDArray list(ListVector l, NullPolicy policy) {
    String column = name(l);
    FieldVector child = l.getDataVector();
    DType dt = childDtype(l, child);
    Nulls.checkFill(column, dt, policy);
    int rows = l.getValueCount();
    int[] offsets = offsets(l, rows);
    boolean[] rowOk = ScalarColumns.validity(l, 0, rows);
    int d = commonLength(column, offsets, rowOk);
    int n = checkedSize(column, rows, d);
    Object data = ScalarColumns.allocate(dt, n);
    boolean[] elemOk;
    if (rowOk == null) {
      // Every row has d elements, so the rows are contiguous in the child: one copy.
      ScalarColumns.read(child, dt, offsets[0], data, 0, n);
      elemOk = ScalarColumns.validity(child, offsets[0], n);
    } else {
      boolean childNulls = child.getNullCount() > 0;
      elemOk = childNulls ? new boolean[n] : null;
      if (childNulls) Arrays.fill(elemOk, true);
      for (int r = 0; r < rows; r++) {
        if (!rowOk[r]) continue;
        ScalarColumns.read(child, dt, offsets[r], data, r * d, d);
        if (childNulls) BufferCopy.readBits(child.getValidityBuffer(), offsets[r], elemOk, r * d, d);
      }
    }
    Nulls.apply(column, dt, data, rows, d, rowOk, elemOk, policy);
    return wrap(dt, data, rows, d);
  }

  /** Per-row validity: a row is valid when it is non-null and, for lists, none of its elements is null. */
  static boolean[] rowValidity(FieldVector v) {
    int rows = v.getValueCount();
    boolean[] ok = new boolean[rows];
    Arrays.fill(ok, true);
    if (ScalarColumns.dtypeOf(v) != null) {
      and(ok, ScalarColumns.validity(v, 0, rows));
      return ok;
    }
    int[] offsets;
    FieldVector child;
    if (v instanceof FixedSizeListVector f) {
      child = f.getDataVector();
      int d = f.getListSize();
      offsets = new int[rows + 1];
      for (int r = 0; r <= rows; r++) offsets[r] = r * d;
    } else if (v instanceof ListVector l) {
      child = l.getDataVector();
      offsets = offsets(l, rows);
    } else {
      throw unsupported(v);
    }
    and(ok, ScalarColumns.validity(v, 0, rows));
    if (child != null && child.getNullCount() > 0) {
      boolean[] elemOk = new boolean[offsets[rows] - offsets[0]];
      BufferCopy.readBits(child.getValidityBuffer(), offsets[0], elemOk, 0, elemOk.length);
      for (int r = 0; r < rows; r++) {
        for (int i = offsets[r]; i < offsets[r + 1] && ok[r]; i++) ok[r] = elemOk[i - offsets[0]];
      }
    }
    return ok;
  }

  private static void and(boolean[] acc, boolean[] ok) {
    if (ok == null) return;
    for (int i = 0; i < acc.length; i++) acc[i] &= ok[i];
  }

  static NDArray stack(List<? extends FieldVector> columns, NullPolicy policy) {
    int k = columns.size();
    if (k == 0) throw new IllegalArgumentException("stack: needs at least one column, got none");
    DType[] dts = new DType[k];
    DType out = null;
    int rows = columns.get(0).getValueCount();
    for (int j = 0; j < k; j++) {
      FieldVector c = columns.get(j);
      dts[j] = ScalarColumns.dtypeOf(c);
      if (dts[j] == null) {
        throw new ArrowConversionException("stack: column '" + name(c) + "' (" + c.getField().getType()
            + ") is not a scalar column; stack takes " + ScalarColumns.SUPPORTED + " (convert list columns with toArray)");
      }
      if (c.getValueCount() != rows) {
        throw new ArrowConversionException("stack: column '" + name(c) + "' has " + c.getValueCount() + " rows but column '"
            + name(columns.get(0)) + "' has " + rows + "; all columns must have the same number of rows");
      }
      out = out == null ? dts[j] : DType.promote(out, dts[j]);
    }
    Nulls.checkFill(name(columns.get(0)), out, policy);
    int n = checkedSize(name(columns.get(0)), rows, k);
    Object data = ScalarColumns.allocate(out, n);
    boolean[][] ok = new boolean[k][];
    int firstNullRow = Integer.MAX_VALUE;
    int firstNullColumn = -1;
    for (int j = 0; j < k; j++) {
      FieldVector c = columns.get(j);
      // Copy a cache-sized chunk of the column, then scatter it into column j of the [rows, k] result.
      Object scratch = ScalarColumns.allocate(dts[j], Math.min(rows, STACK_CHUNK));
      for (int r0 = 0; r0 < rows; r0 += STACK_CHUNK) {
        int m = Math.min(STACK_CHUNK, rows - r0);
        ScalarColumns.read(c, dts[j], r0, scratch, 0, m);
        ScalarColumns.scatter(scratch, dts[j], m, data, out, r0 * k + j, k);
      }
      ok[j] = ScalarColumns.validity(c, 0, rows);
      if (ok[j] != null) {
        for (int r = 0; r < firstNullRow; r++) {
          if (!ok[j][r]) {
            firstNullRow = r;
            firstNullColumn = j;
            break;
          }
        }
      }
    }
    if (firstNullColumn < 0) return wrap(out, data, rows, k);
    if (policy.kind() == NullPolicy.Kind.ERROR) {
      throw new ArrowConversionException("stack: column '" + name(columns.get(firstNullColumn)) + "': row " + firstNullRow
          + " is null; " + Nulls.fix());
    }
    for (int j = 0; j < k; j++) {
      if (ok[j] == null) continue;
      for (int r = 0; r < rows; r++) {
        if (ok[j][r]) continue;
        if (policy.kind() == NullPolicy.Kind.NULL_ROW) Nulls.fillRow(data, out, r, k, 0.0);
        else ScalarColumns.set(data, out, r * k + j, policy.fillValue());
      }
    }
    return wrap(out, data, rows, k);
  }
}
