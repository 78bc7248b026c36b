package dev.arrax.spark;

import dev.arrax.NDArray;
import dev.arrax.arrow.DirectBatch;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.spark.Columns.Elem;
import dev.arrax.spark.Columns.InputColumn;
import dev.arrax.spark.Columns.OutputColumn;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of a map whose child produces columnar batches (a vectorized Parquet or ORC scan, a columnar
 * cache, another plugin's {@link ColumnarBatch}es): the input columns are copied out of each batch's column vectors
 * in bulk (one copy per batch and column where the vector is contiguous, Spark's own {@link WritableColumnVector}s;
 * per row through {@link ColumnarArray} otherwise), the compiled {@code jit(vmap(f))} runs on them, and the outputs
 * are written in bulk into on-heap column vectors appended to the child's: the result is again a batch, with no
 * row built here at all (Spark converts to rows above the map only where a row-based operator needs them). On a
 * backend other than the CPU (a GPU) the columns are copied into an Arrow batch ({@link DirectBatch}, one child
 * allocator per task) and handed to {@link Executable#runDirect}, as on {@link MapTask}'s Arrow path.
 *
 * <p>A child batch longer than the map's batch size runs in slices of at most {@code batchRows} rows. Nulls follow
 * the policy as on the row path ({@link BatchReader}): an error naming the column and row, a null output row, or a
 * fill value. The task checks for a kill between batches.
 */
final class ColumnarMapTask implements FlatMapFunction<Iterator<ColumnarBatch>, ColumnarBatch> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ColumnarMapTask.class);

  final MapTask.Spec spec;
  /** The spec's inputs at the ordinals of the child's batch columns. */
  final InputColumn[] inputs;
  /** The appended columns' Spark types, in output order. */
  final StructType outSchema;
  final MapTask.Meter meter;
  /** The driver's Arrax version and program format, checked in the executor before anything runs. */
  final ArraxVersion.Stamp shipped = ArraxVersion.forShipping();

  ColumnarMapTask(MapTask.Spec spec, InputColumn[] inputs, StructType outSchema, MapTask.Meter meter) {
    this.spec = spec;
    this.inputs = inputs;
    this.outSchema = outSchema;
    this.meter = meter;
  }

  /** Whether the columnar path can read every input of {@code spec} (all input types Arrax reads qualify). */
  static boolean readable(InputColumn[] inputs) {
    for (InputColumn c : inputs) if (!c.scalar() && !c.elem().arrayElement()) return false;
    return true;
  }

  @Override public Iterator<ColumnarBatch> call(Iterator<ColumnarBatch> batches) {
    shipped.check(spec.op());
    ExecutorWork.holdWarmupForThisTask();
    return new Batches(batches);
  }

  private final class Batches implements Iterator<ColumnarBatch> {
    private final Iterator<ColumnarBatch> in;
    private final int partition;
    private final BatchReader reader;
    private final OnHeapColumnVector[] outs;
    /** The Arrow path's task memory and batches (a backend other than the CPU); null on the CPU path. */
    private final MapArrow arrow;
    private final Map<Integer, Executable> kernels = new HashMap<>();
    private final long started = System.nanoTime();
    private boolean[] valid;
    private long rowIndex;
    /** The partition's row index of the current batch's row 0. */
    private long batchStart;
    private long batches;
    private long kernelNanos;
    private boolean done;

    Batches(Iterator<ColumnarBatch> in) {
      this.in = in;
      TaskContext tc = TaskContext.get();
      this.partition = tc == null ? -1 : tc.partitionId();
      int batchRows = spec.batchRows();
      int initial;
      if (Programs.runsOffHeap(spec.digest(), spec.programText(), Programs.Batching.MAP, 0, batchRows, spec.backend())) {
        initial = Math.min(batchRows, 1024);
        this.arrow = new MapArrow(spec.op(), partition, inputs, spec.digest(), spec.programText(), batchRows, initial);
        this.reader = BatchReader.offHeap(spec.op(), inputs, spec.policyKind(), spec.fill(), partition, arrow.in);
      } else {
        initial = BatchReader.initialRows(inputs, batchRows);
        this.arrow = null;
        this.reader = BatchReader.onHeap(spec.op(), inputs, spec.policyKind(), spec.fill(), initial, partition);
      }
      this.valid = new boolean[Math.max(1, initial)];
      this.outs = OnHeapColumnVector.allocateColumns(Math.max(1, initial), outSchema);
      if (tc != null) tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> close());
    }

    @Override public boolean hasNext() {
      if (done) return false;
      if (in.hasNext()) return true;
      finish();
      return false;
    }

    @Override public ColumnarBatch next() {
      if (!hasNext()) throw new NoSuchElementException();
      TaskContext tc = TaskContext.get();
      if (tc != null) tc.killTaskIfInterrupted();
      ColumnarBatch b = in.next();
      int m = b.numRows();
      batchStart = rowIndex;
      for (OnHeapColumnVector v : outs) {
        v.reset();
        v.reserve(Math.max(1, m));
      }
      int batchRows = spec.batchRows();
      for (int s = 0; s < m; s += batchRows) run(b, s, Math.min(batchRows, m - s));
      ColumnVector[] cols = new ColumnVector[b.numCols() + outs.length];
      for (int c = 0; c < b.numCols(); c++) cols[c] = b.column(c);
      System.arraycopy(outs, 0, cols, b.numCols(), outs.length);
      return new ColumnarBatch(cols, m);
    }

    /** Rows {@code [s, s + k)} of batch {@code b}: read, run, and written into the output vectors at the same rows. */
    private void run(ColumnarBatch b, int s, int k) {
      if (k > reader.rowsAllocated()) reader.ensureRows(k);
      if (k > valid.length) valid = new boolean[Math.max(k, reader.rowsAllocated())];
      java.util.Arrays.fill(valid, 0, k, true);
      for (int c = 0; c < inputs.length; c++) read(b.column(inputs[c].ordinal()), c, s, k);
      int bucket = Programs.bucket(k, spec.batchRows());
      Executable kernel = kernels.get(bucket);
      if (kernel == null) {
        long c0 = System.nanoTime();
        kernel = Programs.executable(spec.digest(), spec.programText(), Programs.Batching.MAP, 0, bucket, spec.backend());
        meter.compile(System.nanoTime() - c0);
        kernels.put(bucket, kernel);
      }
      long t0;
      long dt;
      Object[] data;
      if (arrow == null) {
        NDArray[] args = reader.arrays(k, bucket);
        t0 = System.nanoTime();
        NDArray[] result = kernel.runOnCallerThread(args);
        dt = System.nanoTime() - t0;
        data = new Object[result.length];
        for (int o = 0; o < result.length; o++) data[o] = HostArrays.data(result[o]);
      } else {
        dt = arrow.run(kernel, reader, k, bucket, valid);
        data = new Object[arrow.out.columns().size()];
        for (int o = 0; o < data.length; o++) data[o] = arrow.out.view(o, bucket).toHostArray();
      }
      OutputColumn[] oc = spec.outputs();
      for (int j = 0; j < oc.length; j++) write(outs[j], oc[j], data[oc[j].output()], s, k);
      for (int i = 0; i < k; i++) {
        if (valid[i]) continue;
        for (OnHeapColumnVector v : outs) v.putNull(s + i);
      }
      kernelNanos += dt;
      batches++;
      rowIndex += k;
      meter.batch(k, dt, kernel.backend());
    }

    // ------------------------------------------------------------------ reading columns

    private void read(ColumnVector v, int c, int s, int k) {
      InputColumn col = inputs[c];
      Object base = reader.base(c);
      long off = reader.offset(c);
      if (col.scalar()) readScalars(v, col, c, base, off, s, k);
      else readArrays(v, col, c, base, off, s, k);
    }

    private void readScalars(ColumnVector v, InputColumn col, int c, Object base, long off, int s, int k) {
      switch (col.elem()) {
        case FLOAT -> Platform.copyMemory(v.getFloats(s, k), Platform.FLOAT_ARRAY_OFFSET, base, off, 4L * k);
        case DOUBLE -> Platform.copyMemory(v.getDoubles(s, k), Platform.DOUBLE_ARRAY_OFFSET, base, off, 8L * k);
        case INT -> Platform.copyMemory(v.getInts(s, k), Platform.INT_ARRAY_OFFSET, base, off, 4L * k);
        case LONG -> Platform.copyMemory(v.getLongs(s, k), Platform.LONG_ARRAY_OFFSET, base, off, 8L * k);
        case SHORT -> {
          short[] x = v.getShorts(s, k);
          for (int i = 0; i < k; i++) Platform.putInt(base, off + 4L * i, x[i]);
        }
        case BYTE -> {
          byte[] x = v.getBytes(s, k);
          for (int i = 0; i < k; i++) Platform.putInt(base, off + 4L * i, x[i]);
        }
        case BOOLEAN -> {
          boolean[] x = v.getBooleans(s, k);
          for (int i = 0; i < k; i++) Platform.putByte(base, off + i, x[i] ? (byte) 1 : (byte) 0);
        }
      }
      if (!v.hasNull()) return;
      for (int i = 0; i < k; i++) {
        if (!v.isNullAt(s + i)) continue;
        switch (spec.policyKind()) {
          case ERROR -> throw nullError(col, s + i, "is null");
          case NULL_ROW -> {
            reader.setValue(c, i, 0.0);
            valid[i] = false;
          }
          case FILL -> reader.setValue(c, i, spec.fill());
        }
      }
    }

    private void readArrays(ColumnVector v, InputColumn col, int c, Object base, long off, int s, int k) {
      int w = col.width();
      Elem e = col.elem();
      long rowBytes = (long) w * e.bytes;
      boolean nulls = v.hasNull();
      if (!nulls && v instanceof WritableColumnVector wv && contiguous(wv, col, s, k, w)) {
        // Spark's own vectors (vectorized Parquet/ORC readers, the columnar cache): the elements of rows [s, s+k) sit
        // one after another in the child vector: one bulk copy, unless some element is null.
        WritableColumnVector data = wv.arrayData();
        int first = wv.getArrayOffset(s);
        if (!data.hasNull()) {
          copyElements(data, e, first, k * w, base, off);
          return;
        }
      }
      for (int i = 0; i < k; i++) {
        int r = s + i;
        if (nulls && v.isNullAt(r)) {
          nullRow(col, c, i, w, r, "is null");
          continue;
        }
        ColumnarArray a = v.getArray(r);
        if (a.numElements() != w) throw lengthError(col, a.numElements(), r);
        Object src = switch (e) {
          case FLOAT -> a.toFloatArray();
          case DOUBLE -> a.toDoubleArray();
          case INT -> a.toIntArray();
          case LONG -> a.toLongArray();
          default -> throw new IllegalStateException("array<" + Columns.elemSql(e) + "> is read as an array of another type");
        };
        Platform.copyMemory(src, BatchReader.arrayBaseOffset(col.dtype()), base, off + i * rowBytes, rowBytes);
        for (int j = 0; j < w; j++) {
          if (!a.isNullAt(j)) continue;
          if (spec.policyKind() == NullPolicy.Kind.FILL) {
            reader.setValue(c, i * w + j, spec.fill());
          } else {
            nullRow(col, c, i, w, r, "holds a null at element " + j);
            break;
          }
        }
      }
    }

    /** Rows {@code [s, s+k)} of {@code v} hold {@code w} elements each, stored one after another. */
    private boolean contiguous(WritableColumnVector v, InputColumn col, int s, int k, int w) {
      int first = v.getArrayOffset(s);
      for (int i = 0; i < k; i++) {
        int r = s + i;
        if (v.getArrayLength(r) != w) throw lengthError(col, v.getArrayLength(r), r);
        if (v.getArrayOffset(r) != first + i * w) return false;
      }
      return true;
    }

    private void copyElements(ColumnVector data, Elem e, int first, int count, Object base, long off) {
      switch (e) {
        case FLOAT -> Platform.copyMemory(data.getFloats(first, count), Platform.FLOAT_ARRAY_OFFSET, base, off, 4L * count);
        case DOUBLE -> Platform.copyMemory(data.getDoubles(first, count), Platform.DOUBLE_ARRAY_OFFSET, base, off, 8L * count);
        case INT -> Platform.copyMemory(data.getInts(first, count), Platform.INT_ARRAY_OFFSET, base, off, 4L * count);
        case LONG -> Platform.copyMemory(data.getLongs(first, count), Platform.LONG_ARRAY_OFFSET, base, off, 8L * count);
        default -> throw new IllegalStateException("array<" + Columns.elemSql(e) + "> is read as an array of another type");
      }
    }

    private void nullRow(InputColumn col, int c, int i, int w, int r, String what) {
      switch (spec.policyKind()) {
        case ERROR -> throw nullError(col, r, what);
        case NULL_ROW -> {
          for (int j = 0; j < w; j++) reader.setValue(c, i * w + j, 0.0);
          valid[i] = false;
        }
        case FILL -> {
          for (int j = 0; j < w; j++) reader.setValue(c, i * w + j, spec.fill());
        }
      }
    }

    private ArraxSparkException nullError(InputColumn col, int r, String what) {
      return new ArraxSparkException(spec.op() + ": column '" + col.name() + "' " + what + " at row " + (batchStart + r)
          + " of partition " + partition + " (rows counted from 0 within the partition); the null policy is ERROR (the default). Use "
          + "ArraxOptions.withNullPolicy(NullPolicy.NULL_ROW) for null outputs on such rows, NullPolicy.fill(value) to replace nulls, "
          + "or set " + ArraxOptions.NULL_POLICY_KEY);
    }

    private ArraxSparkException lengthError(InputColumn col, int n, int r) {
      return new ArraxSparkException(spec.op() + ": column '" + col.name() + "' has " + n + " elements at row " + (batchStart + r)
          + " of partition " + partition + ", but the function was traced for arrays of " + col.width() + " elements; every row of an"
          + " array column must have the same length (it was read from the first non-null row unless set with"
          + " ArraxOptions.withArrayLength); filter or pad the other rows first, e.g. df.where(\"size(" + col.name() + ") = " + col.width() + "\")");
    }

    // ------------------------------------------------------------------ writing outputs

    private void write(OnHeapColumnVector v, OutputColumn oc, Object data, int s, int k) {
      int stride = oc.stride();
      if (!oc.scalar()) {
        int w = oc.width();
        WritableColumnVector elems = v.arrayData();
        elems.reserve((s + k) * w);
        for (int i = 0; i < k; i++) v.putArray(s + i, (s + i) * w, w);
        putRange(elems, oc, data, s * w, 0, k * w, 1);
        return;
      }
      putRange(v, oc, data, s, oc.element(), k, stride);
    }

    /** {@code count} values {@code data[from + i * stride]} into {@code v} from row {@code at}. */
    private void putRange(WritableColumnVector v, OutputColumn oc, Object data, int at, int from, int count, int stride) {
      switch (oc.dtype()) {
        case FLOAT32 -> {
          float[] d = (float[]) data;
          if (stride == 1) v.putFloats(at, count, d, from);
          else for (int i = 0; i < count; i++) v.putFloat(at + i, d[from + i * stride]);
        }
        case FLOAT64 -> {
          double[] d = (double[]) data;
          if (stride == 1) v.putDoubles(at, count, d, from);
          else for (int i = 0; i < count; i++) v.putDouble(at + i, d[from + i * stride]);
        }
        case INT32 -> {
          int[] d = (int[]) data;
          if (stride == 1) v.putInts(at, count, d, from);
          else for (int i = 0; i < count; i++) v.putInt(at + i, d[from + i * stride]);
        }
        case INT64 -> {
          long[] d = (long[]) data;
          if (stride == 1) v.putLongs(at, count, d, from);
          else for (int i = 0; i < count; i++) v.putLong(at + i, d[from + i * stride]);
        }
        case UINT32 -> {
          int[] d = (int[]) data;
          for (int i = 0; i < count; i++) v.putLong(at + i, d[from + i * stride] & 0xffffffffL);
        }
        case BOOL -> {
          boolean[] d = (boolean[]) data;
          for (int i = 0; i < count; i++) v.putBoolean(at + i, d[from + i * stride]);
        }
      }
    }

    private void finish() {
      if (done) return;
      done = true;
      reader.release();
      if (arrow != null) arrow.close();
      double secs = (System.nanoTime() - started) / 1e9;
      LOG.debug("arrax {} '{}' partition {}: {} rows in {} batches on {} (columnar input, {}), kernel {} ms, task {} ms ({} rows/s)",
          spec.op(), spec.label(), partition, rowIndex, batches, spec.backend(), arrow == null ? "Java arrays" : "Arrow batches",
          kernelNanos / 1_000_000, Math.round(secs * 1000),
          secs > 0 ? Math.round(rowIndex / secs) : 0);
    }

    private void close() {
      finish();
      for (OnHeapColumnVector v : outs) v.close();
    }
  }

  /** The appended columns as a schema (their Spark types; nullable, as a null-row policy may null them). */
  static StructType outSchema(OutputColumn[] outputs) {
    StructField[] f = new StructField[outputs.length];
    for (int j = 0; j < outputs.length; j++) {
      DataType t = outputs[j].sparkType();
      f[j] = new StructField(outputs[j].name(), t, true, org.apache.spark.sql.types.Metadata.empty());
    }
    return new StructType(f);
  }
}
