package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.arrow.NullPolicy;
import dev.arrax.compile.cpu.CompiledProgram;
import dev.arrax.compile.cpu.Parallel;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.spark.Columns.InputColumn;
import java.io.Serializable;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link ArraxSpark#sumGradient}: streams a partition through batches, runs the compiled
 * program that sums the per-row loss and gradients over the valid rows of a batch, and adds each batch's sums
 * exactly into one {@link GradientPartial} for the partition.
 */
final class GradientTask implements FlatMapFunction<Iterator<InternalRow>, GradientPartial> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GradientTask.class);

  /** A parameter's value as plain serializable data. */
  record Param(String key, DType dtype, int[] shape, Object data) implements Serializable {
    static Param of(String key, NDArray a) {
      return new Param(key, a.dtype(), a.shape(), ((ConcreteArray) a).buffer().array());
    }

    NDArray array() { return new ConcreteArray(ArrayType.of(dtype, shape), Buffer.wrap(dtype, data)); }

    int size() { return ArrayType.of(dtype, shape).size(); }
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
  final int gradientElements;

  GradientTask(String op, String label, String programText, String digest, List<Param> params, InputColumn[] features,
      StructType inputSchema, NullPolicy policy, int batchRows) {
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
    int e = 0;
    for (Param p : params) e += p.size();
    this.gradientElements = e;
  }

  @Override public Iterator<GradientPartial> call(Iterator<InternalRow> rows) {
    long started = System.nanoTime();
    TaskContext tc = TaskContext.get();
    int partition = tc == null ? -1 : tc.partitionId();
    int initial = BatchReader.initialRows(features, batchRows);
    BatchReader reader = new BatchReader(op, features, policy, fill, initial, partition);
    NDArray[] paramArrays = new NDArray[params.length];
    for (int i = 0; i < params.length; i++) paramArrays[i] = params[i].array();
    Map<Integer, CompiledProgram> kernels = new HashMap<>();
    GradientPartial partial = new GradientPartial(gradientElements);
    UnsafeProjection toUnsafe = null;
    boolean[] valid = new boolean[initial];
    long rowIndex = 0;
    while (rows.hasNext()) {
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
        if (n == valid.length) {
          int grown = Math.min(batchRows, n * 2);
          valid = java.util.Arrays.copyOf(valid, grown);
          reader.ensureRows(grown);
        }
        valid[n] = reader.read(u, n, rowIndex++);
        n++;
      }
      int bucket = Programs.bucket(n, batchRows);
      CompiledProgram k = kernels.computeIfAbsent(bucket,
          b -> Programs.compiled(digest, programText, Programs.Batching.GRADIENT_SUM, params.length, b));
      NDArray[] feats = reader.arrays(n, bucket);
      boolean[] mask = new boolean[bucket];
      long validRows = 0;
      for (int i = 0; i < n; i++) {
        mask[i] = valid[i];
        if (valid[i]) validRows++;
      }
      NDArray[] args = new NDArray[params.length + feats.length + 1];
      System.arraycopy(paramArrays, 0, args, 0, params.length);
      System.arraycopy(feats, 0, args, params.length, feats.length);
      args[args.length - 1] = new ConcreteArray(ArrayType.of(DType.BOOL, bucket), Buffer.wrap(DType.BOOL, mask));
      NDArray[][] result = new NDArray[1][];
      long t0 = System.nanoTime();
      Parallel.runSingleThreaded(() -> result[0] = k.run(args));
      partial.kernelNanos += System.nanoTime() - t0;
      partial.batches++;
      partial.rows += validRows;
      partial.value.add(0, ((ConcreteArray) result[0][0]).buffer().getDouble(0));
      int e = 0;
      for (int p = 1; p < result[0].length; p++) {
        Buffer b = ((ConcreteArray) result[0][p]).buffer();
        for (int i = 0; i < b.size(); i++) partial.gradient.add(e++, b.getDouble(i));
      }
    }
    reader.release();
    LOG.info("arrax {} '{}' partition {}: {} rows ({} used) in {} batches, kernel {} ms, task {} ms", op, label, partition, rowIndex,
        partial.rows, partial.batches, partial.kernelNanos / 1_000_000, (System.nanoTime() - started) / 1_000_000);
    return List.of(partial).iterator();
  }
}
