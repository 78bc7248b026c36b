package dev.arrax.spark;

import dev.arrax.spark.Columns.OutputColumn;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;

/**
 * The output rows of one batch, built in place in one byte arena in Spark's {@code UnsafeRow} format.
 *
 * <p>An {@code UnsafeRow} is a null bit set, one 8-byte slot per field (the value of a fixed-width field, or
 * {@code offset << 32 | size} of a variable-width one, the offset counted from the row's start), then the
 * variable-width bytes. An output row is the input row with {@code k} more fields, so {@link #append} builds
 * it from the input row with two bulk copies (bit set and slots; variable-width bytes), shifts the offsets
 * of the variable-width input fields by the bytes inserted before them, and reserves the outputs: a zero slot
 * per scalar, and the header of an array of the known length. Once the kernel has run, {@link #patch} writes
 * each row's outputs into their reserved places (an array output is one bulk copy), and {@link #row} hands a
 * row out without copying. Compared with assembling rows through {@code UnsafeRowWriter} when they are
 * emitted, this saves one copy of every row and of every array cell.
 */
final class RowArena {
  /** Which input fields hold variable-width data (their slots are offsets), computed on the driver. */
  record InputLayout(boolean[] variable) implements Serializable {
    static InputLayout of(StructType schema) {
      StructField[] f = schema.fields();
      boolean[] v = new boolean[f.length];
      for (int i = 0; i < f.length; i++) {
        DataType t = f[i].dataType();
        v[i] = !UnsafeRow.isFixedLength(t);
      }
      return new InputLayout(v);
    }
  }

  private final int nIn;
  private final int[] variableFields;
  private final OutputColumn[] outs;
  private final int inBitSet;
  private final int outBitSet;
  private final int inFixed;
  private final int outFixed;
  /** Bytes reserved per array output (header + elements rounded to 8), 0 for scalars. */
  private final int[] arrayBytes;
  private final int[] arrayHeader;
  private final int[] elementSize;
  private final UnsafeRow row;
  private byte[] buf;
  private int pos;
  private int[] offsets;
  private int[] sizes;
  private boolean[] valid;

  RowArena(InputLayout layout, OutputColumn[] outs, int initialRows) {
    boolean[] variable = layout.variable();
    this.nIn = variable.length;
    int nv = 0;
    for (boolean b : variable) if (b) nv++;
    this.variableFields = new int[nv];
    for (int i = 0, k = 0; i < nIn; i++) if (variable[i]) variableFields[k++] = i;
    this.outs = outs;
    int total = nIn + outs.length;
    this.inBitSet = UnsafeRow.calculateBitSetWidthInBytes(nIn);
    this.outBitSet = UnsafeRow.calculateBitSetWidthInBytes(total);
    this.inFixed = inBitSet + 8 * nIn;
    this.outFixed = outBitSet + 8 * total;
    this.arrayBytes = new int[outs.length];
    this.arrayHeader = new int[outs.length];
    this.elementSize = new int[outs.length];
    for (int j = 0; j < outs.length; j++) {
      elementSize[j] = switch (outs[j].dtype()) {
        case FLOAT32, INT32 -> 4;
        case FLOAT64, INT64, UINT32 -> 8;
        case BOOL -> 1;
      };
      if (!outs[j].scalar()) {
        int k = outs[j].width();
        arrayHeader[j] = UnsafeArrayData.calculateHeaderPortionInBytes(k);
        arrayBytes[j] = arrayHeader[j] + roundToWord((long) k * elementSize[j]);
      }
    }
    this.row = new UnsafeRow(total);
    byte[] pooled = ARENAS.get().get();
    ARENAS.get().clear();
    this.buf = pooled != null ? pooled : new byte[1 << 16];
    this.offsets = new int[initialRows];
    this.sizes = new int[initialRows];
    this.valid = new boolean[initialRows];
  }

  private static int roundToWord(long bytes) {
    return Math.toIntExact((bytes + 7) & ~7L);
  }

  /**
   * The arena of the last finished task on this thread, kept (softly) for the next one: a batch arena grows to
   * tens of MB, and growing it anew for every partition costs a few percent of the connector's time.
   */
  private static final ThreadLocal<java.lang.ref.SoftReference<byte[]>> ARENAS =
      ThreadLocal.withInitial(() -> new java.lang.ref.SoftReference<>(null));

  /** Gives the arena back to this thread's pool once the partition is done (its rows must no longer be in use). */
  void release() {
    if (buf != null) ARENAS.set(new java.lang.ref.SoftReference<>(buf));
    buf = null;
  }

  /** Starts a new batch (the previous batch's rows must no longer be in use). */
  void clear() {
    pos = 0;
  }

  /** Appends the output row for input row {@code u} as batch row {@code i}; its outputs are null where {@code ok} is false. */
  void append(int i, UnsafeRow u, boolean ok) {
    if (i == offsets.length) {
      int n = Math.max(16, i * 2);
      offsets = Arrays.copyOf(offsets, n);
      sizes = Arrays.copyOf(sizes, n);
      valid = Arrays.copyOf(valid, n);
    }
    Object base = u.getBaseObject();
    long addr = u.getBaseOffset();
    int inVar = u.getSizeInBytes() - inFixed;
    int inVarRounded = roundToWord(inVar);
    int reserved = 0;
    if (ok) for (int b : arrayBytes) reserved += b;
    int size = outFixed + inVarRounded + reserved;
    if (pos + size > buf.length) {
      long need = (long) pos + size;
      if (need > Integer.MAX_VALUE - 64) {
        throw new ArraxSparkException("ArraxSpark.map: a batch of " + i + " rows needs more than 2 GB of row data; lower batchRows ("
            + ArraxOptions.BATCH_ROWS_KEY + ")");
      }
      buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 64, Math.max(2L * buf.length, need)));
    }
    byte[] b = buf;
    long dst = Platform.BYTE_ARRAY_OFFSET + pos;

    // The bit set and the slots are a few words: word moves beat a memory-copy call at that size.
    for (int w = 0; w < inBitSet; w += 8) Platform.putLong(b, dst + w, Platform.getLong(base, addr + w));
    for (int w = inBitSet; w < outBitSet; w += 8) Platform.putLong(b, dst + w, 0L);
    long slots = dst + outBitSet;
    long from = addr + inBitSet;
    for (int f = 0; f < nIn; f++) Platform.putLong(b, slots + 8L * f, Platform.getLong(base, from + 8L * f));
    if (inVar > 0) {
      Platform.putLong(b, dst + outFixed + inVarRounded - 8, 0L); // padding of an unaligned tail reads as zeros
      Platform.copyMemory(base, addr + inFixed, b, dst + outFixed, inVar);
    }
    long shift = (long) (outFixed - inFixed) << 32;
    if (shift != 0) {
      for (int f : variableFields) {
        long slot = dst + outBitSet + 8L * f;
        long v = Platform.getLong(b, slot);
        if (v != 0L) Platform.putLong(b, slot, v + shift);
      }
    }
    long at = outFixed + inVarRounded; // where the next reserved array goes, from the row's start
    for (int j = 0; j < outs.length; j++) {
      int field = nIn + j;
      long slot = dst + outBitSet + 8L * field;
      if (!ok) {
        Platform.putLong(b, slot, 0L);
        long word = dst + ((long) (field >> 6) << 3);
        Platform.putLong(b, word, Platform.getLong(b, word) | (1L << (field & 63)));
      } else if (outs[j].scalar()) {
        Platform.putLong(b, slot, 0L);
      } else {
        Platform.putLong(b, slot, (at << 32) | arrayBytes[j]);
        long a = dst + at;
        Platform.putLong(b, a, outs[j].width());
        for (int h = 8; h < arrayHeader[j]; h += 8) Platform.putLong(b, a + h, 0L);
        Platform.putLong(b, a + arrayBytes[j] - 8, 0L); // padding after the last element
        at += arrayBytes[j];
      }
    }
    offsets[i] = pos;
    sizes[i] = size;
    valid[i] = ok;
    pos += size;
  }

  /**
   * Writes the outputs of batch row {@code i}. The values of output column j's program output are at
   * {@code (outBase[j], outOffset[j])} as {@link Platform} addresses memory: a primitive array and its base offset
   * (the CPU path), or null and the address of an Arrow buffer (other backends); booleans one byte each.
   */
  void patch(int i, Object[] outBase, long[] outOffset) {
    if (!valid[i]) return;
    byte[] b = buf;
    long start = Platform.BYTE_ARRAY_OFFSET + offsets[i];
    for (int j = 0; j < outs.length; j++) {
      OutputColumn o = outs[j];
      Object d = outBase[j];
      long at = outOffset[j];
      long slot = start + outBitSet + 8L * (nIn + j);
      if (o.scalar()) {
        long idx = (long) i * o.stride() + o.element();
        switch (o.dtype()) {
          case FLOAT32 -> Platform.putFloat(b, slot, Platform.getFloat(d, at + 4 * idx));
          case FLOAT64 -> Platform.putDouble(b, slot, Platform.getDouble(d, at + 8 * idx));
          case INT32 -> Platform.putInt(b, slot, Platform.getInt(d, at + 4 * idx));
          case INT64 -> Platform.putLong(b, slot, Platform.getLong(d, at + 8 * idx));
          case UINT32 -> Platform.putLong(b, slot, Platform.getInt(d, at + 4 * idx) & 0xffffffffL);
          case BOOL -> Platform.putByte(b, slot, Platform.getByte(d, at + idx) != 0 ? (byte) 1 : (byte) 0);
        }
        continue;
      }
      int k = o.width();
      long data = start + (Platform.getLong(b, slot) >>> 32) + arrayHeader[j];
      long from = (long) i * k;
      switch (o.dtype()) {
        case FLOAT32, INT32 -> Platform.copyMemory(d, at + from * 4, b, data, k * 4L);
        case FLOAT64, INT64 -> Platform.copyMemory(d, at + from * 8, b, data, k * 8L);
        case UINT32 -> {
          for (int e = 0; e < k; e++) Platform.putLong(b, data + 8L * e, Platform.getInt(d, at + 4 * (from + e)) & 0xffffffffL);
        }
        case BOOL -> {
          for (int e = 0; e < k; e++) Platform.putByte(b, data + e, Platform.getByte(d, at + from + e) != 0 ? (byte) 1 : (byte) 0);
        }
      }
    }
  }

  /** Batch row {@code i} as an UnsafeRow over the arena (the same object each call, as Spark's iterators do). */
  UnsafeRow row(int i) {
    row.pointTo(buf, Platform.BYTE_ARRAY_OFFSET + offsets[i], sizes[i]);
    return row;
  }
}
