package dev.arrax.spark;

import dev.arrax.NDArray;
import dev.arrax.arrow.DirectBatch;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.spark.Columns.InputColumn;
import dev.arrax.spark.Columns.OutputColumn;
import dev.arrax.spark.RowArena.InputLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link ArraxSpark#map}: streams a partition's rows through batches. Each input row's
 * cells are copied into the column buffers ({@link BatchReader}) and the row itself becomes its output row at
 * once, in a byte arena with the outputs' places reserved ({@link RowArena}); when {@code batchRows} rows are
 * in, the compiled {@code jit(vmap(f))} program runs on the batch on this thread, the outputs are written into
 * their places as each row is handed out, without another copy of the row. No list of the partition is ever built:
 * memory is one batch.
 *
 * <p>Two ways to hold a batch, by where the program runs ({@link Programs#runsOffHeap}): on the CPU the columns are
 * primitive Java arrays handed to {@link Executable#runOnCallerThread}; on any other backend (a GPU) the batch is
 * an Arrow batch ({@link DirectBatch}, from one child allocator per task, {@link TaskArrow}) whose buffers go to
 * {@link Executable#runDirect} as off-heap views, with the outputs written into Arrow vectors and the rows
 * patched from those. The cells are copied out of the rows the same way in both ({@link BatchReader}).
 *
 * <p>On the CPU a batch is at most {@link #CPU_BATCH_ROWS} rows, whatever {@code batchRows} says (which still bounds
 * it from above, and still sizes the batches of other backends, where a large batch pays for the transfers): a
 * task's arena and buffers stay a few MB and a cold JVM gets its loops compiled sooner. The map's results do not
 * depend on the batch size (each row's outputs are computed from that row alone; SparkMapDeterminismTest).
 *
 * <p>Only serializable data travels: the program text and its digest, the column layout, the policy, and the
 * {@link Meter} (the SQL metrics of the plan node, {@link SparkShim.MapExec}).
 */
final class MapTask implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(MapTask.class);

  /**
   * The most rows of one batch on the CPU path. Measured on the 2-core bench machine with W1's rows (a 32-float array
   * in, 32 floats out; one thread, rows from memory, outputs drained): once warm, the connector's own work took the
   * same 60-80 ns a row with batches of 2,048 to 65,536 rows, and W1 with its kernel the same ~210 ns; but a cold
   * JVM's first 500,000 rows took 230-540 ns a row at 8,192 and 810-1,070 at 65,536 (a batch's rows all go through
   * slow code before the first kernel runs and the loops get compiled), and the arena and buffers of a task
   * are ~4 MB instead of ~50 MB.
   */
  static final int CPU_BATCH_ROWS = 8192;

  /**
   * What the driver decided for a map, independent of where its input columns sit in the child's rows: the
   * per-row program, the columns (ordinals as in the DataFrame the map was called on), the outputs, the policy,
   * the batch size, the requested backend and the one the plan places the full batch on (for display).
   */
  record Spec(String op, String label, String programText, String digest, InputColumn[] inputs, OutputColumn[] outputs,
      NullPolicy.Kind policyKind, double fill, int batchRows, String backend, String placedOn) implements java.io.Serializable {
    Spec(String op, String label, String programText, String digest, InputColumn[] inputs, OutputColumn[] outputs, NullPolicy policy,
        int batchRows, String backend, String placedOn) {
      this(op, label, programText, digest, inputs, outputs, policy.kind(), policy.fillValue(), batchRows, backend, placedOn);
    }

    /** A string that identifies the spec (records compare arrays by identity): equal keys, equal maps. */
    String key() {
      return op + "|" + label + "|" + digest + "|" + Arrays.toString(inputs) + "|" + Arrays.toString(outputs) + "|" + policyKind + "|" + fill + "|"
          + batchRows + "|" + backend;
    }
  }

  /** Where a task reports what it did: the plan node's SQL metrics. */
  interface Meter extends java.io.Serializable {
    /** One batch of {@code rows} real rows ran in {@code kernelNanos} on {@code backend}. */
    void batch(long rows, long kernelNanos, String backend);

    /** Getting a compiled program took {@code nanos} (compiling it, or waiting for another task that compiles it). */
    void compile(long nanos);
  }

  final String op;
  final String label;
  final String programText;
  final String digest;
  final InputColumn[] inputs;
  final OutputColumn[] outputs;
  final StructType inputSchema;
  final InputLayout layout;
  final NullPolicy.Kind policy;
  final double fill;
  final int batchRows;
  final String backend;
  final Meter meter;
  /** The driver's Arrax version, checked in the executor before the program is read. */
  final ArraxVersion.Stamp shipped = ArraxVersion.forShipping();

  /** A task over rows of {@code inputSchema}, where the spec's inputs sit at the ordinals of {@code inputs}. */
  MapTask(Spec spec, InputColumn[] inputs, StructType inputSchema, Meter meter) {
    this.op = spec.op();
    this.label = spec.label();
    this.programText = spec.programText();
    this.digest = spec.digest();
    this.inputs = inputs;
    this.outputs = spec.outputs();
    this.inputSchema = inputSchema;
    this.layout = InputLayout.of(inputSchema);
    this.policy = spec.policyKind();
    this.fill = spec.fill();
    this.batchRows = spec.batchRows();
    this.backend = spec.backend();
    this.meter = meter;
  }

  /**
   * The exception for a batch that ran out of memory, with the batch size in rows and bytes and the settings to
   * change: the task fails (and may be retried) instead of the OutOfMemoryError killing the executor (exit 52). The
   * error is not attached as the cause: Spark's executor kills itself on a fatal error anywhere in the cause chain
   * ({@code spark.executor.killOnFatalError.depth}).
   */
  private ArraxSparkException outOfMemory(OutOfMemoryError e, int partition, int rows) {
    long rowBytes = 0;
    for (InputColumn c : inputs) rowBytes += c.rowElements() * (long) dev.arrax.backend.DirectArray.elementBytes(c.dtype());
    for (OutputColumn c : outputs) rowBytes += (long) (c.scalar() ? 1 : c.width()) * dev.arrax.backend.DirectArray.elementBytes(c.dtype());
    return new ArraxSparkException(op + " '" + label + "': out of memory (" + e.getMessage() + ") in partition " + partition
        + " with batches of " + rows + " rows (" + rowBytes + " bytes of inputs and outputs per row, about " + (2 * rowBytes * rows >> 20)
        + " MiB per batch with the row buffer, before the kernel's intermediates); lower " + ArraxOptions.MAX_BYTES_PER_BATCH_KEY
        + " (ArraxOptions.withMaxBytesPerBatch) or " + ArraxOptions.BATCH_ROWS_KEY + ", or give the executors more memory (spark.executor.memory)");
  }

  @Override public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    shipped.check(op);
    ExecutorWork.holdWarmupForThisTask();
    try {
      return new Rows(rows);
    } catch (OutOfMemoryError e) { // the first batch's buffers
      TaskContext tc = TaskContext.get();
      throw outOfMemory(e, tc == null ? -1 : tc.partitionId(), batchRows);
    }
  }

  private final class Rows implements Iterator<InternalRow> {
    private final Iterator<InternalRow> in;
    private final TaskContext task;
    private final int partition;
    private final BatchReader reader;
    private final RowArena arena;
    private final Map<Integer, Executable> kernels = new HashMap<>();
    private final long started = System.nanoTime();
    private final Object[] outBase = new Object[outputs.length];
    private final long[] outOffset = new long[outputs.length];
    /** The Arrow path's task memory and batches; null on the CPU path. */
    private final MapArrow arrow;
    /** The rows of a full batch: {@code batchRows}, at most {@link #CPU_BATCH_ROWS} on the CPU path. */
    private final int rowsPerBatch;
    private boolean[] valid;
    private UnsafeProjection toUnsafe;
    private int n;
    private int next;
    private long rowIndex;
    private long batches;
    private long kernelNanos;
    private String ranOn = "";
    private boolean done;

    Rows(Iterator<InternalRow> in) {
      this.in = in;
      TaskContext tc = TaskContext.get();
      this.task = tc;
      this.partition = tc == null ? -1 : tc.partitionId();
      if (!Programs.runsOffHeap(digest, programText, Programs.Batching.MAP, 0, batchRows, backend)) {
        this.rowsPerBatch = Math.min(batchRows, CPU_BATCH_ROWS);
        int initial = BatchReader.initialRows(inputs, rowsPerBatch);
        this.arrow = null;
        this.reader = BatchReader.onHeap(op, inputs, policy, fill, initial, partition);
        this.arena = new RowArena(layout, outputs, initial);
        this.valid = new boolean[initial];
        return;
      }
      this.rowsPerBatch = batchRows;
      int initial = Math.min(batchRows, 1024);
      this.arrow = new MapArrow(op, partition, inputs, digest, programText, batchRows, initial);
      this.reader = BatchReader.offHeap(op, inputs, policy, fill, partition, arrow.in);
      this.arena = new RowArena(layout, outputs, initial);
      this.valid = new boolean[initial];
    }

    @Override public boolean hasNext() {
      if (next < n) return true;
      if (done) return false;
      try {
        fill();
      } catch (OutOfMemoryError e) {
        throw outOfMemory(e);
      }
      if (n == 0) {
        finish();
        return false;
      }
      return true;
    }

    @Override public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      int i = next++;
      arena.patch(i, outBase, outOffset); // here rather than right after the kernel: the row is then in cache for the consumer
      return arena.row(i);
    }

    private void fill() {
      // A cancelled or killed task stops here, between batches, whatever its upstream checks: the TaskKilledException
      // ends the task and its completion listener closes the Arrow memory.
      if (task != null) task.killTaskIfInterrupted();
      n = 0;
      next = 0;
      arena.clear();
      while (n < rowsPerBatch && in.hasNext()) {
        InternalRow r = in.next();
        UnsafeRow u = r instanceof UnsafeRow ur ? ur : unsafe(r);
        if (n == reader.rowsAllocated()) reader.ensureRows(Math.min(rowsPerBatch, n * 2));
        if (n == valid.length) valid = Arrays.copyOf(valid, Math.min(rowsPerBatch, Math.max(16, n * 2)));
        boolean ok = reader.read(u, n, rowIndex++);
        valid[n] = ok;
        arena.append(n, u, ok);
        n++;
      }
      if (n > 0) runKernel();
    }

    /**
     * The exception for a batch that ran out of memory, with the batch size in rows and bytes and the settings to
     * change: the task fails (and may be retried) instead of the OutOfMemoryError killing the executor (exit 52).
     * The batch's outputs are dropped first.
     */
    private ArraxSparkException outOfMemory(OutOfMemoryError e) {
      n = 0;
      next = 0;
      Arrays.fill(outBase, null);
      return MapTask.this.outOfMemory(e, partition, rowsPerBatch);
    }

    private UnsafeRow unsafe(InternalRow r) {
      if (toUnsafe == null) toUnsafe = UnsafeProjection.create(inputSchema);
      return toUnsafe.apply(r);
    }

    private void runKernel() {
      int bucket = Programs.bucket(n, rowsPerBatch);
      Executable k = kernels.get(bucket);
      if (k == null) {
        long c0 = System.nanoTime();
        k = Programs.executable(digest, programText, Programs.Batching.MAP, 0, bucket, backend);
        meter.compile(System.nanoTime() - c0);
        kernels.put(bucket, k);
      }
      if (!ranOn.contains(k.backend())) ranOn = ranOn.isEmpty() ? k.backend() : ranOn + "+" + k.backend();
      long t0;
      long dt;
      if (arrow == null) {
        NDArray[] args = reader.arrays(n, bucket);
        t0 = System.nanoTime();
        NDArray[] result = k.runOnCallerThread(args);
        dt = System.nanoTime() - t0;
        for (int j = 0; j < outputs.length; j++) {
          outBase[j] = HostArrays.data(result[outputs[j].output()]);
          outOffset[j] = BatchReader.arrayBaseOffset(outputs[j].dtype());
        }
      } else {
        dt = arrow.run(k, reader, n, bucket, valid);
        for (int j = 0; j < outputs.length; j++) {
          outBase[j] = null;
          outOffset[j] = arrow.out.address(outputs[j].output());
        }
      }
      kernelNanos += dt;
      batches++;
      meter.batch(n, dt, k.backend());
    }

    private void finish() {
      done = true;
      arena.release();
      reader.release();
      if (arrow != null) arrow.close();
      double secs = (System.nanoTime() - started) / 1e9;
      LOG.debug("arrax {} '{}' partition {}: {} rows in {} batches on {} ({}), kernel {} ms, task {} ms ({} rows/s)", op, label, partition,
          rowIndex, batches, ranOn.isEmpty() ? backend : ranOn, arrow == null ? "Java arrays" : "Arrow batches", kernelNanos / 1_000_000,
          Math.round(secs * 1000), secs > 0 ? Math.round(rowIndex / secs) : 0);
    }
  }
}
