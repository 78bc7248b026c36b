package dev.arrax.spark;

import dev.arrax.NDArray;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.compile.cpu.CompiledProgram;
import dev.arrax.compile.cpu.Parallel;
import dev.arrax.core.ConcreteArray;
import dev.arrax.spark.Columns.InputColumn;
import dev.arrax.spark.Columns.OutputColumn;
import dev.arrax.spark.RowArena.InputLayout;
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
import org.apache.spark.util.LongAccumulator;
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
 * <p>Only serializable data travels: the program text and its digest, the column layout, the policy.
 */
final class MapTask implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(MapTask.class);

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
  final LongAccumulator rowsMetric;
  final LongAccumulator batchesMetric;
  final LongAccumulator kernelMicrosMetric;

  MapTask(String op, String label, String programText, String digest, InputColumn[] inputs, OutputColumn[] outputs,
      StructType inputSchema, NullPolicy policy, int batchRows, LongAccumulator rows, LongAccumulator batches,
      LongAccumulator kernelMicros) {
    this.op = op;
    this.label = label;
    this.programText = programText;
    this.digest = digest;
    this.inputs = inputs;
    this.outputs = outputs;
    this.inputSchema = inputSchema;
    this.layout = InputLayout.of(inputSchema);
    this.policy = policy.kind();
    this.fill = policy.fillValue();
    this.batchRows = batchRows;
    this.rowsMetric = rows;
    this.batchesMetric = batches;
    this.kernelMicrosMetric = kernelMicros;
  }

  @Override public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    return new Rows(rows);
  }

  private final class Rows implements Iterator<InternalRow> {
    private final Iterator<InternalRow> in;
    private final int partition;
    private final BatchReader reader;
    private final RowArena arena;
    private final Map<Integer, CompiledProgram> kernels = new HashMap<>();
    private final long started = System.nanoTime();
    private final Object[] outData = new Object[outputs.length];
    private UnsafeProjection toUnsafe;
    private int n;
    private int next;
    private long rowIndex;
    private long batches;
    private long kernelNanos;
    private boolean done;

    Rows(Iterator<InternalRow> in) {
      this.in = in;
      TaskContext tc = TaskContext.get();
      this.partition = tc == null ? -1 : tc.partitionId();
      int initial = BatchReader.initialRows(inputs, batchRows);
      this.reader = new BatchReader(op, inputs, policy, fill, initial, partition);
      this.arena = new RowArena(layout, outputs, initial);
    }

    @Override public boolean hasNext() {
      if (next < n) return true;
      if (done) return false;
      fill();
      if (n == 0) {
        finish();
        return false;
      }
      return true;
    }

    @Override public InternalRow next() {
      if (!hasNext()) throw new NoSuchElementException();
      int i = next++;
      arena.patch(i, outData); // here rather than right after the kernel: the row is then in cache for the consumer
      return arena.row(i);
    }

    private void fill() {
      n = 0;
      next = 0;
      arena.clear();
      while (n < batchRows && in.hasNext()) {
        InternalRow r = in.next();
        UnsafeRow u = r instanceof UnsafeRow ur ? ur : unsafe(r);
        if (n == reader.rowsAllocated()) reader.ensureRows(Math.min(batchRows, n * 2));
        boolean ok = reader.read(u, n, rowIndex++);
        arena.append(n, u, ok);
        n++;
      }
      if (n > 0) runKernel();
    }

    private UnsafeRow unsafe(InternalRow r) {
      if (toUnsafe == null) toUnsafe = UnsafeProjection.create(inputSchema);
      return toUnsafe.apply(r);
    }

    private void runKernel() {
      int bucket = Programs.bucket(n, batchRows);
      CompiledProgram k = kernels.computeIfAbsent(bucket,
          b -> Programs.compiled(digest, programText, Programs.Batching.MAP, 0, b));
      NDArray[] args = reader.arrays(n, bucket);
      NDArray[][] result = new NDArray[1][];
      long t0 = System.nanoTime();
      Parallel.runSingleThreaded(() -> result[0] = k.run(args));
      long dt = System.nanoTime() - t0;
      kernelNanos += dt;
      batches++;
      for (int j = 0; j < outputs.length; j++) outData[j] = ((ConcreteArray) result[0][outputs[j].output()]).buffer().array();
      rowsMetric.add(n);
      batchesMetric.add(1);
      kernelMicrosMetric.add(dt / 1_000);
    }

    private void finish() {
      done = true;
      arena.release();
      reader.release();
      double secs = (System.nanoTime() - started) / 1e9;
      LOG.info("arrax {} '{}' partition {}: {} rows in {} batches, kernel {} ms, task {} ms ({} rows/s)", op, label, partition,
          rowIndex, batches, kernelNanos / 1_000_000, Math.round(secs * 1000), secs > 0 ? Math.round(rowIndex / secs) : 0);
    }
  }
}
