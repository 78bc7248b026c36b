package dev.arrax.spark;

import dev.arrax.arrow.DirectBatch;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.core.ArrayType;
import dev.arrax.spark.Columns.InputColumn;
import java.util.ArrayList;
import java.util.List;

/**
 * The Arrow side of a map task on a backend other than the CPU ({@link MapTask}, {@link ColumnarMapTask}): the task's
 * allocator ({@link TaskArrow}), an input batch (one column per input, filled by a {@link BatchReader}) and an output
 * batch (one column per program output), and one kernel run over them through {@link Executable#runDirect}.
 */
final class MapArrow implements AutoCloseable {
  final TaskArrow memory;
  final DirectBatch in;
  final DirectBatch out;

  /** Batches for {@code inputs} and the outputs of the per-row program, {@code initialRows} rows to start with. */
  MapArrow(String op, int partition, InputColumn[] inputs, String digest, String programText, int batchRows, int initialRows) {
    List<DirectBatch.Column> inCols = BatchReader.arrowColumns(inputs);
    ArrayType[] perRowOut = Programs.perRow(digest, programText).outTypes();
    List<DirectBatch.Column> outCols = new ArrayList<>();
    for (int p = 0; p < perRowOut.length; p++) outCols.add(new DirectBatch.Column("output " + p, perRowOut[p].dtype(), perRowOut[p].shape()));
    long rowBytes = BatchReader.rowBytes(inCols) + BatchReader.rowBytes(outCols);
    this.memory = new TaskArrow(op, partition, TaskArrow.limitFor(rowBytes, batchRows, 0));
    this.in = memory.batch(inCols, initialRows);
    this.out = memory.batch(outCols, initialRows);
  }

  /**
   * Runs {@code kernel} on the {@code n} rows {@code reader} put into {@link #in} (padded to {@code bucket} rows); the
   * outputs land in {@link #out}, with {@code valid} as the rows' validity. Returns the kernel's nanoseconds.
   */
  long run(Executable kernel, BatchReader reader, int n, int bucket, boolean[] valid) {
    DirectArray[] args = reader.directs(n, bucket);
    in.setRowCount(n, valid);
    out.ensureCapacity(bucket);
    DirectArray[] results = new DirectArray[out.columns().size()];
    for (int p = 0; p < results.length; p++) results[p] = out.view(p, bucket);
    long t0 = System.nanoTime();
    kernel.runDirect(args, results);
    long dt = System.nanoTime() - t0;
    out.setRowCount(n, valid);
    return dt;
  }

  @Override public void close() {
    memory.close();
  }
}
