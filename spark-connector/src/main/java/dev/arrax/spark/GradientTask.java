package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.arrow.DirectBatch;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.core.ArrayType;
import dev.arrax.spark.Columns.InputColumn;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link ArraxSpark#sumGradient}: streams a partition through batches, runs the compiled
 * program that sums the per-row loss and gradients over the valid rows of a batch, and adds each batch's sums
 * exactly into one {@link GradientPartial} for the partition. As {@link MapTask}, a batch is primitive Java arrays
 * when the program runs on the CPU and an Arrow batch ({@link DirectBatch}: the features and the mask, with the
 * parameters and the sums in batches of one row) handed to {@link Executable#runDirect} on any other backend.
 */
final class GradientTask implements FlatMapFunction<Iterator<InternalRow>, GradientPartial> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GradientTask.class);

  /** A parameter's value as plain serializable data. */
  record Param(String key, DType dtype, int[] shape, Object data) implements Serializable {
    static Param of(String key, NDArray a) {
      return new Param(key, a.dtype(), a.shape(), HostArrays.data(a));
    }

    NDArray array() { return HostArrays.wrap(dtype, data, shape); }

    ArrayType type() { return ArrayType.of(dtype, shape); }

    int size() { return type().size(); }
  }

  final String op;
  final String label;
  final String programText;
  final String digest;
  final Param[] params;
  final InputColumn[] features;
  final StructType inputSchema;
  final NullPolicy.Kind policy;
  final double fill;
  final int batchRows;
  final String backend;
  final int gradientElements;
  /** The driver's Arrax version, checked in the executor before the program is read. */
  final ArraxVersion.Stamp shipped = ArraxVersion.forShipping();

  GradientTask(String op, String label, String programText, String digest, List<Param> params, InputColumn[] features,
      StructType inputSchema, NullPolicy policy, int batchRows, String backend) {
    this.op = op;
    this.label = label;
    this.programText = programText;
    this.digest = digest;
    this.params = params.toArray(new Param[0]);
    this.features = features;
    this.inputSchema = inputSchema;
    this.policy = policy.kind();
    this.fill = policy.fillValue();
    this.batchRows = batchRows;
    this.backend = backend;
    int e = 0;
    for (Param p : params) e += p.size();
    this.gradientElements = e;
  }

  @Override public Iterator<GradientPartial> call(Iterator<InternalRow> rows) {
    shipped.check(op);
    ExecutorWork.holdWarmupForThisTask();
    long started = System.nanoTime();
    TaskContext tc = TaskContext.get();
    int partition = tc == null ? -1 : tc.partitionId();
    boolean offHeap = Programs.runsOffHeap(digest, programText, Programs.Batching.GRADIENT_SUM, params.length, batchRows, backend);
    try (ArrowSide arrow = offHeap ? new ArrowSide(partition) : null) {
      BatchReader reader;
      GradientPartial partial;
      try {
        reader = arrow == null
            ? BatchReader.onHeap(op, features, policy, fill, BatchReader.initialRows(features, batchRows), partition)
            : BatchReader.offHeap(op, features, policy, fill, partition, arrow.in);
        partial = run(rows, reader, arrow, tc);
      } catch (OutOfMemoryError e) {
        // The batch's arrays are unreachable once run() has unwound: fail this task with the sizes and the settings
        // instead of letting the OutOfMemoryError kill the executor (exit 52).
        throw outOfMemory(e, partition);
      }
      reader.release();
      LOG.debug("arrax {} '{}' partition {}: {} rows ({} used) in {} batches on {} ({}), kernel {} ms, task {} ms", op, label, partition,
          partial.rowsRead, partial.rows, partial.batches, partial.ranOn.isEmpty() ? backend : partial.ranOn,
          arrow == null ? "Java arrays" : "Arrow batches", partial.kernelNanos / 1_000_000, (System.nanoTime() - started) / 1_000_000);
      return List.of(partial).iterator();
    }
  }

  private GradientPartial run(Iterator<InternalRow> rows, BatchReader reader, ArrowSide arrow, TaskContext tc) {
    NDArray[] paramArrays = new NDArray[params.length];
    for (int i = 0; i < params.length; i++) paramArrays[i] = params[i].array();
    Map<Integer, Executable> kernels = new HashMap<>();
    GradientPartial partial = new GradientPartial(gradientElements);
    UnsafeProjection toUnsafe = null;
    boolean[] valid = new boolean[reader.rowsAllocated()];
    long rowIndex = 0;
    while (rows.hasNext()) {
      // A cancelled or killed task stops here, between batches (the Arrow memory is closed on the way out).
      if (tc != null) tc.killTaskIfInterrupted();
      int n = 0;
      while (n < batchRows && rows.hasNext()) {
        InternalRow r = rows.next();
        UnsafeRow u;
        if (r instanceof UnsafeRow ur) {
          u = ur;
        } else {
          if (toUnsafe == null) toUnsafe = UnsafeProjection.create(inputSchema);
          u = toUnsafe.apply(r);
        }
        if (n == reader.rowsAllocated()) reader.ensureRows(Math.min(batchRows, n * 2));
        if (n == valid.length) valid = java.util.Arrays.copyOf(valid, Math.max(16, Math.min(batchRows, n * 2)));
        valid[n] = reader.read(u, n, rowIndex++);
        n++;
      }
      int bucket = Programs.bucket(n, batchRows);
      Executable k = kernels.computeIfAbsent(bucket,
          b -> Programs.executable(digest, programText, Programs.Batching.GRADIENT_SUM, params.length, b, backend));
      if (!partial.ranOn.contains(k.backend())) partial.ranOn = partial.ranOn.isEmpty() ? k.backend() : partial.ranOn + "+" + k.backend();
      long validRows = 0;
      int firstValid = -1;
      for (int i = 0; i < n; i++) {
        if (valid[i]) {
          if (firstValid < 0) firstValid = i;
          validRows++;
        }
      }
      partial.batches++;
      if (validRows == 0) continue; // every row skipped (NULL_ROW): nothing to add
      double loss;
      double[][] grads = new double[params.length][];
      long t0;
      if (arrow == null) {
        NDArray[] feats = reader.arrays(n, bucket);
        for (int c = 0; c < feats.length; c++) {
          Object data = HostArrays.data(feats[c]);
          int w = features[c].rowElements();
          for (int i = 0; i < bucket; i++) if (i >= n || !valid[i]) System.arraycopy(data, firstValid * w, data, i * w, w);
        }
        boolean[] mask = new boolean[bucket];
        System.arraycopy(valid, 0, mask, 0, n);
        NDArray[] args = new NDArray[params.length + feats.length + 1];
        System.arraycopy(paramArrays, 0, args, 0, params.length);
        System.arraycopy(feats, 0, args, params.length, feats.length);
        args[args.length - 1] = HostArrays.wrap(DType.BOOL, mask, bucket);
        t0 = System.nanoTime();
        NDArray[] result = k.runOnCallerThread(args);
        partial.kernelNanos += System.nanoTime() - t0;
        loss = ((double[]) HostArrays.data(result[0]))[0];
        for (int p = 0; p < params.length; p++) grads[p] = (double[]) HostArrays.data(result[1 + p]);
      } else {
        DirectArray[] feats = reader.directs(n, bucket);
        for (int c = 0; c < feats.length; c++) {
          long at = arrow.in.address(c);
          long w = features[c].rowElements() * (long) DirectArray.elementBytes(features[c].dtype());
          for (int i = 0; i < bucket; i++) if (i >= n || !valid[i]) Platform.copyMemory(null, at + firstValid * w, null, at + i * w, w);
        }
        int maskColumn = features.length;
        long mask = arrow.in.address(maskColumn);
        for (int i = 0; i < n; i++) Platform.putByte(null, mask + i, valid[i] ? (byte) 1 : (byte) 0);
        arrow.in.zeroRows(maskColumn, n, bucket);
        arrow.in.setRowCount(n, valid);
        DirectArray[] args = new DirectArray[params.length + feats.length + 1];
        for (int p = 0; p < params.length; p++) args[p] = arrow.params.view(p, params[p].type());
        System.arraycopy(feats, 0, args, params.length, feats.length);
        args[args.length - 1] = arrow.in.view(maskColumn, bucket);
        DirectArray[] outs = new DirectArray[1 + params.length];
        outs[0] = arrow.sums.view(0, ArrayType.of(DType.FLOAT64));
        for (int p = 0; p < params.length; p++) outs[1 + p] = arrow.sums.view(1 + p, ArrayType.of(DType.FLOAT64, params[p].shape()));
        t0 = System.nanoTime();
        k.runDirect(args, outs);
        partial.kernelNanos += System.nanoTime() - t0;
        loss = ((double[]) outs[0].toHostArray())[0];
        for (int p = 0; p < params.length; p++) grads[p] = (double[]) outs[1 + p].toHostArray();
      }
      partial.rows += validRows;
      partial.add(0, loss);
      int e = 1;
      for (double[] g : grads) for (double v : g) partial.add(e++, v);
    }
    partial.rowsRead = rowIndex;
    return partial;
  }

  /** The exception for a batch that ran out of memory: the batch size in rows and bytes, and the settings to change. */
  private ArraxSparkException outOfMemory(OutOfMemoryError e, int partition) {
    long rowBytes = 1;
    for (InputColumn c : features) rowBytes += c.rowElements() * (long) DirectArray.elementBytes(c.dtype());
    return new ArraxSparkException(op + " '" + label + "': out of memory (" + e.getMessage() + ") in partition " + partition + " with batches of "
        + batchRows + " rows (" + rowBytes + " bytes of features per row, " + (rowBytes * batchRows >> 20) + " MiB per batch before the "
        + "kernel's intermediates) and " + gradientElements + " parameters; lower " + ArraxOptions.MAX_BYTES_PER_BATCH_KEY
        + " (ArraxOptions.withMaxBytesPerBatch) or " + ArraxOptions.BATCH_ROWS_KEY + ", or give the executors more memory "
        + "(spark.executor.memory)");
  }

  /**
   * The Arrow side of a task on a backend other than the CPU: its allocator and three batches, the features and
   * the mask ({@code in}), the parameters (one row, filled once) and the loss and gradient sums (one row, f64).
   */
  private final class ArrowSide implements AutoCloseable {
    final TaskArrow memory;
    final DirectBatch in;
    final DirectBatch params;
    final DirectBatch sums;

    ArrowSide(int partition) {
      List<DirectBatch.Column> inCols = BatchReader.arrowColumns(features);
      inCols.add(DirectBatch.Column.scalar("mask", DType.BOOL));
      long rowBytes = BatchReader.rowBytes(inCols);
      List<DirectBatch.Column> paramCols = new ArrayList<>();
      List<DirectBatch.Column> sumCols = new ArrayList<>();
      sumCols.add(DirectBatch.Column.scalar("loss", DType.FLOAT64));
      long fixed = 8;
      for (Param p : GradientTask.this.params) {
        paramCols.add(new DirectBatch.Column(p.key(), p.dtype(), p.shape()));
        sumCols.add(new DirectBatch.Column("d/d " + p.key(), DType.FLOAT64, p.shape()));
        fixed += (long) p.size() * (DirectArray.elementBytes(p.dtype()) + 8);
      }
      this.memory = new TaskArrow(op, partition, TaskArrow.limitFor(rowBytes, batchRows, fixed));
      this.in = memory.batch(inCols, Math.min(batchRows, 1024));
      this.params = memory.batch(paramCols, 1);
      this.sums = memory.batch(sumCols, 1);
      Param[] ps = GradientTask.this.params;
      for (int p = 0; p < ps.length; p++) this.params.view(p, ps[p].type()).copyFrom(ps[p].data());
      this.params.setRowCount(1, null);
      this.sums.setRowCount(1, null);
    }

    @Override public void close() {
      memory.close();
    }
  }
}
