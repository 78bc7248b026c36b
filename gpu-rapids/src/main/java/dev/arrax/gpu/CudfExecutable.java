package dev.arrax.gpu;

import ai.rapids.cudf.BinaryOp;
import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.ColumnView;
import ai.rapids.cudf.CudaException;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.HostColumnVector;
import ai.rapids.cudf.HostMemoryBuffer;
import ai.rapids.cudf.NullPolicy;
import ai.rapids.cudf.ReductionAggregation;
import ai.rapids.cudf.Scalar;
import ai.rapids.cudf.SegmentedReductionAggregation;
import ai.rapids.cudf.Table;
import ai.rapids.cudf.ast.AstExpression;
import ai.rapids.cudf.ast.BinaryOperation;
import ai.rapids.cudf.ast.BinaryOperator;
import ai.rapids.cudf.ast.ColumnReference;
import ai.rapids.cudf.ast.CompiledExpression;
import ai.rapids.cudf.ast.Literal;
import ai.rapids.cudf.ast.UnaryOperation;
import ai.rapids.cudf.ast.UnaryOperator;
import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.backend.Placement;
import dev.arrax.core.ArrayType;
import dev.arrax.gpu.plan.AstBinaryOp;
import dev.arrax.gpu.plan.AstUnaryOp;
import dev.arrax.gpu.plan.ColumnInfo;
import dev.arrax.gpu.plan.ColumnType;
import dev.arrax.gpu.plan.Expr;
import dev.arrax.gpu.plan.GpuPlan;
import dev.arrax.gpu.plan.HostEvaluator;
import dev.arrax.gpu.plan.HostSlots;
import dev.arrax.gpu.plan.InputBinding;
import dev.arrax.gpu.plan.Operand;
import dev.arrax.gpu.plan.OutputBinding;
import dev.arrax.gpu.plan.RowChunks;
import dev.arrax.gpu.plan.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a {@link GpuPlan} with cuDF. One run: the host side ({@link HostSlots}: parameters, prelude) first;
 * then, per part of rows ({@link RowChunks}: the whole batch unless it must be split), upload the row-mapped
 * inputs, run the steps, copy back the row outputs and the sums; then the epilogue.
 *
 * <ul>
 *   <li>Uploads without per-element Java loops: a {@link DirectArray} (an Arrow buffer seen as a direct
 *       {@link ByteBuffer}) goes through {@code ColumnVector.fromArrow}; a host array is copied in bulk into a
 *       {@code HostMemoryBuffer} ({@code setFloats}) and moved with {@code HostColumnVector.copyToDevice}.
 *       A narrow input ({@code [rows, 32]}) is uploaded flat and split on the device into feature columns
 *       ({@code makeListFromOffsets} + {@code extractListElement}).</li>
 *   <li>Downloads: narrow outputs are interleaved on the device ({@code Table.interleaveColumns}), copied to
 *       host memory in one {@code copyToHost} and from there in bulk into the result array or the caller's
 *       direct buffer.</li>
 *   <li>Every cuDF object is closed: try-with-resources for temporaries; the columns of a part live in one
 *       array, each closed right after its last reader and all closed in a {@code finally}.</li>
 *   <li>Device out of memory (RMM's {@code OutOfMemoryError}, {@code cudaErrorMemoryAllocation}, or
 *       spark-rapids' retry OOM exceptions when its plugin owns the memory) splits the part in two and
 *       retries, down to {@code -Darrax.gpu.minSplitRows} (default 1024).</li>
 *   <li>RMM is used as it is configured: Arrax never initializes it, so a spark-rapids plugin's pool (or
 *       cuDF's default allocator without one) serves the allocations.</li>
 * </ul>
 */
final class CudfExecutable implements Executable {
  private final GpuPlan plan;
  private final Placement placement;
  private final int[] lastUse;

  CudfExecutable(GpuPlan plan, Placement placement) {
    this.plan = plan;
    this.placement = placement;
    this.lastUse = plan.lastUse();
  }

  @Override public String backend() { return CudfBackend.NAME; }

  @Override public Placement placement() { return placement; }

  /** The segment placement, then the device plan. */
  @Override public String explain() {
    StringBuilder sb = new StringBuilder(placement.explain());
    for (String line : plan.describe().split("\n")) sb.append("  ").append(line).append('\n');
    return sb.toString();
  }

  GpuPlan plan() { return plan; }

  @Override public NDArray[] run(NDArray... args) { return runOnCallerThread(args); }

  @Override public NDArray[] runOnCallerThread(NDArray... args) {
    checkTypes(args);
    HostSlots slots = HostSlots.prepare(plan, i -> args[i]);
    Object[] outData = new Object[plan.outTypes().length];
    for (OutputBinding b : plan.outputs()) {
      if (b instanceof OutputBinding.Host) continue;
      ArrayType t = plan.outTypes()[b.output()];
      outData[b.output()] = newArray(t);
    }
    RowSource source = (input, from, to, width, type) -> uploadHost(HostArrays.data(args[input]), from, to, width, type);
    RowSink sink = (output, from, width, column) -> downloadHost(column, outData[output], from * width);
    double[] sums = runParts(slots, source, sink);
    slots.finish(sums);
    NDArray[] out = new NDArray[outData.length];
    for (OutputBinding b : plan.outputs()) {
      ArrayType t = plan.outTypes()[b.output()];
      out[b.output()] = b instanceof OutputBinding.Host h ? slots.output(h.view(), t) : HostArrays.wrap(t.dtype(), outData[b.output()], t.shape());
    }
    return out;
  }

  /**
   * Off-heap inputs and outputs (Arrow buffers from the Spark connector): row-mapped inputs go to the device
   * straight from their buffers, row outputs come back straight into the caller's buffers. Parameters are
   * small and read into host arrays.
   */
  @Override public void runDirect(DirectArray[] inputs, DirectArray[] outputs) {
    if (inputs.length != plan.inTypes().length) throw new ArraxException("gpu program takes " + plan.inTypes().length + " inputs, given " + inputs.length);
    if (outputs.length != plan.outTypes().length) throw new ArraxException("gpu program has " + plan.outTypes().length + " outputs, given " + outputs.length + " buffers");
    for (int i = 0; i < inputs.length; i++) {
      if (!inputs[i].type().equals(plan.inTypes()[i])) throw new ArraxException("gpu program input " + i + " must be " + plan.inTypes()[i] + ", got " + inputs[i].type());
    }
    for (int i = 0; i < outputs.length; i++) {
      if (!outputs[i].type().equals(plan.outTypes()[i])) throw new ArraxException("gpu program output " + i + " is " + plan.outTypes()[i] + ", its buffer is for " + outputs[i].type());
    }
    HostSlots slots = HostSlots.prepare(plan, i -> HostArrays.wrap(inputs[i].type().dtype(), inputs[i].toHostArray(), inputs[i].type().shape()));
    RowSource source = (input, from, to, width, type) -> {
      ByteBuffer all = inputs[input].view();
      int bytes = type.bytes();
      ByteBuffer part = all.position(from * width * bytes).limit(to * width * bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
      // Arrow's booleans are bits, a DirectArray's bools are bytes: those go through a host buffer.
      if (type == ColumnType.BOOL8) return uploadBytes(part, (long) (to - from) * width, type);
      return ColumnVector.fromArrow(dtype(type), (long) (to - from) * width, 0, part, null, null);
    };
    RowSink sink = (output, from, width, column) -> {
      ByteBuffer dst = outputs[output].view();
      dst.position(from * width * (int) column.getType().getSizeInBytes());
      try (HostColumnVector h = column.copyToHost()) {
        copyOut(h.getData(), column.getRowCount() * column.getType().getSizeInBytes(), (off, chunk) -> dst.put(chunk));
      }
    };
    double[] sums = runParts(slots, source, sink);
    slots.finish(sums);
    for (OutputBinding b : plan.outputs()) {
      if (b instanceof OutputBinding.Host h) {
        NDArray v = slots.output(h.view(), plan.outTypes()[b.output()]);
        outputs[b.output()].copyFrom(HostArrays.data(v));
      }
    }
  }

  private void checkTypes(NDArray[] args) {
    if (args.length != plan.inTypes().length) throw new ArraxException("gpu program takes " + plan.inTypes().length + " arguments, got " + args.length);
    for (int i = 0; i < args.length; i++) {
      if (!args[i].type().equals(plan.inTypes()[i])) throw new ArraxException("gpu program argument " + i + " must be " + plan.inTypes()[i] + ", got " + args[i].type());
    }
  }

  /** Uploads rows {@code [from, to)} of a row-mapped input ({@code width} values per row) as one flat column. */
  @FunctionalInterface
  private interface RowSource {
    ColumnVector upload(int input, int from, int to, int width, ColumnType type);
  }

  /** Writes a flat column of rows starting at {@code from} ({@code width} values per row) to output {@code output}. */
  @FunctionalInterface
  private interface RowSink {
    void write(int output, int from, int width, ColumnView column);
  }

  private double[] runParts(HostSlots slots, RowSource source, RowSink sink) {
    int maxRows = Math.max(1, Math.min(Integer.getInteger("arrax.gpu.maxChunkRows", Integer.MAX_VALUE), Integer.MAX_VALUE / plan.maxRowWidth()));
    int minRows = Integer.getInteger("arrax.gpu.minSplitRows", 1024);
    return RowChunks.run(plan.rows(), plan.scalars(), maxRows, minRows, (from, to) -> runPart(slots, source, sink, from, to),
        CudfExecutable::isDeviceOutOfMemory);
  }

  /**
   * Whether {@code t} (or a cause) is the device running out of memory: RMM's {@code OutOfMemoryError}
   * ("Could not allocate native memory"), a CUDA allocation error, or spark-rapids' retry/split OOMs.
   */
  static boolean isDeviceOutOfMemory(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof OutOfMemoryError) {
        String m = String.valueOf(c.getMessage());
        if (!m.contains("Java heap") && !m.contains("Metaspace") && !m.contains("Direct buffer")) return true;
      }
      if (c instanceof CudaException ce && ce.getCudaError() == CudaException.CudaError.cudaErrorMemoryAllocation) return true;
      String name = c.getClass().getSimpleName();
      if (name.endsWith("RetryOOM") || name.endsWith("SplitAndRetryOOM") || name.equals("GpuOOM") || name.equals("CpuRetryOOM")) return true;
      if (c.getClass().getName().equals("ai.rapids.cudf.RmmException") && String.valueOf(c.getMessage()).contains("out of memory")) return true;
    }
    return false;
  }

  private double[] runPart(HostSlots slots, RowSource source, RowSink sink, int from, int to) {
    int n = to - from;
    ColumnVector[] cols = new ColumnVector[plan.columns().size()];
    Map<Integer, ColumnVector> offsets = new HashMap<>();
    double[] sums = new double[plan.scalars()];
    try {
      for (InputBinding b : plan.inputs()) {
        if (b instanceof InputBinding.Rows r) {
          int w = r.columns().length;
          ColumnType t = plan.column(r.columns()[0]).type();
          if (w == 1) {
            cols[r.columns()[0]] = source.upload(b.input(), from, to, 1, t);
            continue;
          }
          try (ColumnVector flat = source.upload(b.input(), from, to, w, t);
               ColumnVector list = flat.makeListFromOffsets(n, offsets(offsets, w, n))) {
            for (int k = 0; k < w; k++) cols[r.columns()[k]] = list.extractListElement(k);
          }
        } else if (b instanceof InputBinding.Wide wb) {
          ColumnInfo c = plan.column(wb.column());
          cols[wb.column()] = source.upload(b.input(), from, to, c.width(), c.type());
        }
      }
      List<Step> steps = plan.steps();
      for (int i = 0; i < steps.size(); i++) {
        Step s = steps.get(i);
        if (s instanceof Step.ColumnSum cs) {
          try (Scalar total = cols[cs.in()].reduce(ReductionAggregation.sum(), DType.FLOAT64)) {
            sums[cs.out()] = total.isValid() ? total.getDouble() : 0.0;
          }
        } else {
          cols[s.out()] = execute(s, cols, offsets, n, slots);
        }
        for (int c : s.reads()) {
          if (lastUse[c] == i && cols[c] != null) {
            cols[c].close();
            cols[c] = null;
          }
        }
      }
      for (OutputBinding b : plan.outputs()) {
        if (b instanceof OutputBinding.Rows r) {
          int w = r.columns().length;
          if (w == 1) {
            sink.write(b.output(), from, 1, cols[r.columns()[0]]);
          } else {
            ColumnVector[] parts = new ColumnVector[w];
            for (int k = 0; k < w; k++) parts[k] = cols[r.columns()[k]];
            try (Table t = new Table(parts); ColumnVector inter = t.interleaveColumns()) {
              sink.write(b.output(), from, w, inter);
            }
          }
        } else if (b instanceof OutputBinding.Wide wb) {
          sink.write(b.output(), from, plan.column(wb.column()).width(), cols[wb.column()]);
        }
      }
      return sums;
    } finally {
      for (ColumnVector c : cols) if (c != null) c.close();
      for (ColumnVector c : offsets.values()) c.close();
    }
  }

  /** Offsets {@code 0, w, 2w, ..., n*w} (INT32) for list views and segmented reductions, one per width per part. */
  private static ColumnVector offsets(Map<Integer, ColumnVector> cache, int w, int n) {
    ColumnVector c = cache.get(w);
    if (c == null) {
      try (Scalar zero = Scalar.fromInt(0); Scalar step = Scalar.fromInt(w)) {
        c = ColumnVector.sequence(zero, step, n + 1);
      }
      cache.put(w, c);
    }
    return c;
  }

  private ColumnVector execute(Step s, ColumnVector[] cols, Map<Integer, ColumnVector> offsets, int n, HostSlots slots) {
    if (s instanceof Step.Compute c) {
      List<Integer> reads = c.reads();
      ColumnVector[] refs = new ColumnVector[reads.size()];
      Map<Integer, Integer> index = new HashMap<>();
      for (int i = 0; i < refs.length; i++) {
        refs[i] = cols[reads.get(i)];
        index.put(reads.get(i), i);
      }
      AstExpression ast = ast(c.expr(), index, slots);
      try (Table t = new Table(refs); CompiledExpression compiled = ast.compile()) {
        return compiled.computeColumn(t);
      }
    }
    if (s instanceof Step.IfElse ie) {
      ColumnVector pred = cols[ie.predicate()];
      Operand a = ie.onTrue(), b = ie.onFalse();
      if (a instanceof Operand.Col ac && b instanceof Operand.Col bc) return pred.ifElse(cols[ac.id()], cols[bc.id()]);
      if (a instanceof Operand.Col ac) {
        try (Scalar bs = scalar(((Operand.Scalar) b).value(), slots)) {
          return pred.ifElse(cols[ac.id()], bs);
        }
      }
      if (b instanceof Operand.Col bc) {
        try (Scalar as = scalar(((Operand.Scalar) a).value(), slots)) {
          return pred.ifElse(as, cols[bc.id()]);
        }
      }
      try (Scalar as = scalar(((Operand.Scalar) a).value(), slots); Scalar bs = scalar(((Operand.Scalar) b).value(), slots)) {
        return pred.ifElse(as, bs);
      }
    }
    if (s instanceof Step.Cast c) return cols[c.in()].castTo(dtype(c.to()));
    if (s instanceof Step.SegmentedReduce sr) {
      int w = plan.column(sr.in()).width();
      SegmentedReductionAggregation agg = switch (sr.op()) {
        case SUM -> SegmentedReductionAggregation.sum();
        case MAX -> SegmentedReductionAggregation.max();
        case MIN -> SegmentedReductionAggregation.min();
        case ANY -> SegmentedReductionAggregation.any();
      };
      return cols[sr.in()].segmentedReduce(offsets(offsets, w, n), agg, NullPolicy.INCLUDE, dtype(sr.resultType()));
    }
    if (s instanceof Step.RowBroadcast rb) {
      try (Table t = new Table(cols[rb.in()]); Table repeated = t.repeat(rb.width())) {
        return repeated.getColumn(0).incRefCount();
      }
    }
    if (s instanceof Step.ParamBroadcast pb) {
      int w = pb.sourceIndex().length;
      try (ColumnVector row = paramRow(pb, slots);
           Scalar zero = Scalar.fromInt(0); Scalar one = Scalar.fromInt(1); Scalar width = Scalar.fromInt(w);
           ColumnVector seq = ColumnVector.sequence(zero, one, n * w);
           ColumnVector idx = seq.binaryOp(BinaryOp.MOD, width, DType.INT32);
           Table t = new Table(row); Table g = t.gather(idx)) {
        return g.getColumn(0).incRefCount();
      }
    }
    if (s instanceof Step.Fill f) {
      try (Scalar v = scalar(f.value(), slots)) {
        return ColumnVector.fromScalar(v, n * plan.column(f.out()).width());
      }
    }
    throw new IllegalStateException("unknown step " + s);
  }

  private static ColumnVector paramRow(Step.ParamBroadcast pb, HostSlots slots) {
    int w = pb.sourceIndex().length;
    switch (pb.type()) {
      case FLOAT32 -> {
        float[] v = new float[w];
        for (int k = 0; k < w; k++) v[k] = (float) slots.element(pb.slot(), pb.sourceIndex()[k]);
        return ColumnVector.fromFloats(v);
      }
      case FLOAT64 -> {
        double[] v = new double[w];
        for (int k = 0; k < w; k++) v[k] = slots.element(pb.slot(), pb.sourceIndex()[k]);
        return ColumnVector.fromDoubles(v);
      }
      default -> {
        boolean[] v = new boolean[w];
        for (int k = 0; k < w; k++) v[k] = slots.element(pb.slot(), pb.sourceIndex()[k]) != 0;
        return ColumnVector.fromBooleans(v);
      }
    }
  }

  private static Scalar scalar(Expr literalExpr, HostSlots slots) {
    double v = HostEvaluator.evalLiteral(literalExpr, slots);
    return switch (literalExpr.type()) {
      case FLOAT32 -> Scalar.fromFloat((float) v);
      case FLOAT64 -> Scalar.fromDouble(v);
      case BOOL8 -> Scalar.fromBool(v != 0);
    };
  }

  /** The cuDF AST of a plan expression; column ids become references into the compute's table. */
  private static AstExpression ast(Expr e, Map<Integer, Integer> index, HostSlots slots) {
    if (e instanceof Expr.Column c) return new ColumnReference(index.get(c.id()));
    if (e instanceof Expr.Const || e instanceof Expr.Param) {
      double v = slots.literal(e);
      return switch (e.type()) {
        case FLOAT32 -> Literal.ofFloat((float) v);
        case FLOAT64 -> Literal.ofDouble(v);
        case BOOL8 -> Literal.ofBoolean(v != 0);
      };
    }
    if (e instanceof Expr.Unary u) return new UnaryOperation(unary(u.op()), ast(u.operand(), index, slots));
    Expr.Binary b = (Expr.Binary) e;
    return new BinaryOperation(binary(b.op()), ast(b.left(), index, slots), ast(b.right(), index, slots));
  }

  private static UnaryOperator unary(AstUnaryOp op) {
    return switch (op) {
      case IDENTITY -> UnaryOperator.IDENTITY;
      case IS_NULL -> UnaryOperator.IS_NULL;
      case SIN -> UnaryOperator.SIN;
      case COS -> UnaryOperator.COS;
      case TAN -> UnaryOperator.TAN;
      case ARCSIN -> UnaryOperator.ARCSIN;
      case ARCCOS -> UnaryOperator.ARCCOS;
      case ARCTAN -> UnaryOperator.ARCTAN;
      case SINH -> UnaryOperator.SINH;
      case COSH -> UnaryOperator.COSH;
      case TANH -> UnaryOperator.TANH;
      case ARCSINH -> UnaryOperator.ARCSINH;
      case ARCCOSH -> UnaryOperator.ARCCOSH;
      case ARCTANH -> UnaryOperator.ARCTANH;
      case EXP -> UnaryOperator.EXP;
      case LOG -> UnaryOperator.LOG;
      case SQRT -> UnaryOperator.SQRT;
      case CBRT -> UnaryOperator.CBRT;
      case CEIL -> UnaryOperator.CEIL;
      case FLOOR -> UnaryOperator.FLOOR;
      case ABS -> UnaryOperator.ABS;
      case RINT -> UnaryOperator.RINT;
      case BIT_INVERT -> UnaryOperator.BIT_INVERT;
      case NOT -> UnaryOperator.NOT;
      case CAST_TO_INT64 -> UnaryOperator.CAST_TO_INT64;
      case CAST_TO_UINT64 -> UnaryOperator.CAST_TO_UINT64;
      case CAST_TO_FLOAT64 -> UnaryOperator.CAST_TO_FLOAT64;
    };
  }

  private static BinaryOperator binary(AstBinaryOp op) {
    return switch (op) {
      case ADD -> BinaryOperator.ADD;
      case SUB -> BinaryOperator.SUB;
      case MUL -> BinaryOperator.MUL;
      case DIV -> BinaryOperator.DIV;
      case TRUE_DIV -> BinaryOperator.TRUE_DIV;
      case FLOOR_DIV -> BinaryOperator.FLOOR_DIV;
      case MOD -> BinaryOperator.MOD;
      case PYMOD -> BinaryOperator.PYMOD;
      case POW -> BinaryOperator.POW;
      case EQUAL -> BinaryOperator.EQUAL;
      case NULL_EQUAL -> BinaryOperator.NULL_EQUAL;
      case NOT_EQUAL -> BinaryOperator.NOT_EQUAL;
      case LESS -> BinaryOperator.LESS;
      case GREATER -> BinaryOperator.GREATER;
      case LESS_EQUAL -> BinaryOperator.LESS_EQUAL;
      case GREATER_EQUAL -> BinaryOperator.GREATER_EQUAL;
      case BITWISE_AND -> BinaryOperator.BITWISE_AND;
      case BITWISE_OR -> BinaryOperator.BITWISE_OR;
      case BITWISE_XOR -> BinaryOperator.BITWISE_XOR;
      case LOGICAL_AND -> BinaryOperator.LOGICAL_AND;
      case NULL_LOGICAL_AND -> BinaryOperator.NULL_LOGICAL_AND;
      case LOGICAL_OR -> BinaryOperator.LOGICAL_OR;
      case NULL_LOGICAL_OR -> BinaryOperator.NULL_LOGICAL_OR;
    };
  }

  static DType dtype(ColumnType t) {
    return switch (t) {
      case FLOAT32 -> DType.FLOAT32;
      case FLOAT64 -> DType.FLOAT64;
      case BOOL8 -> DType.BOOL8;
    };
  }

  // ---- host transfers (bulk copies; bool arrays, which Java cannot view as bytes, take one pass) ----

  private static final int CHUNK = 1 << 30;

  private static ColumnVector uploadHost(Object data, int from, int to, int width, ColumnType type) {
    long count = (long) (to - from) * width, start = (long) from * width;
    return upload(count, type, buf -> {
      switch (type) {
        case FLOAT32 -> buf.setFloats(0, (float[]) data, start, count);
        case FLOAT64 -> buf.setDoubles(0, (double[]) data, start, count);
        case BOOL8 -> {
          boolean[] b = (boolean[]) data;
          byte[] bytes = new byte[(int) Math.min(count, CHUNK)];
          for (long done = 0; done < count; done += bytes.length) {
            int len = (int) Math.min(bytes.length, count - done);
            for (int i = 0; i < len; i++) bytes[i] = (byte) (b[(int) (start + done + i)] ? 1 : 0);
            buf.setBytes(done, bytes, 0, len);
          }
        }
      }
    });
  }

  /** A column from bytes in a direct buffer, through a host buffer (bulk copies of up to 1 GiB). */
  private static ColumnVector uploadBytes(ByteBuffer part, long count, ColumnType type) {
    return upload(count, type, buf -> {
      byte[] chunk = new byte[(int) Math.min(CHUNK, part.remaining())];
      for (long done = 0; part.hasRemaining(); ) {
        int len = Math.min(chunk.length, part.remaining());
        part.get(chunk, 0, len);
        buf.setBytes(done, chunk, 0, len);
        done += len;
      }
    });
  }

  /**
   * A device column of {@code count} values of {@code type}: a host buffer filled by {@code fill}, wrapped as a host
   * column and copied to the device; the host memory is freed on every path.
   */
  private static ColumnVector upload(long count, ColumnType type, java.util.function.Consumer<HostMemoryBuffer> fill) {
    HostMemoryBuffer buf = HostMemoryBuffer.allocate(Math.max(1, count * type.bytes()));
    HostColumnVector host;
    try {
      fill.accept(buf);
      host = new HostColumnVector(dtype(type), count, Optional.of(0L), buf, null);
    } catch (RuntimeException | Error e) {
      buf.close();
      throw e;
    }
    try (HostColumnVector h = host) {
      return h.copyToDevice();
    }
  }

  private static void downloadHost(ColumnView column, Object dst, int dstOffset) {
    try (HostColumnVector h = column.copyToHost()) {
      long bytes = column.getRowCount() * column.getType().getSizeInBytes();
      int[] at = {dstOffset};
      copyOut(h.getData(), bytes, (off, chunk) -> {
        if (dst instanceof float[] f) {
          int n = chunk.remaining() / 4;
          chunk.asFloatBuffer().get(f, at[0], n);
          at[0] += n;
        } else if (dst instanceof double[] d) {
          int n = chunk.remaining() / 8;
          chunk.asDoubleBuffer().get(d, at[0], n);
          at[0] += n;
        } else {
          boolean[] b = (boolean[]) dst;
          int n = chunk.remaining();
          for (int i = 0; i < n; i++) b[at[0] + i] = chunk.get(i) != 0;
          at[0] += n;
        }
      });
    }
  }

  @FunctionalInterface
  private interface ChunkConsumer {
    void accept(long offset, ByteBuffer chunk);
  }

  /** Hands a host buffer's first {@code bytes} bytes out in little-endian views of at most 1 GiB (ByteBuffers are int-indexed). */
  private static void copyOut(HostMemoryBuffer buf, long bytes, ChunkConsumer f) {
    for (long off = 0; off < bytes; off += CHUNK) {
      int len = (int) Math.min(CHUNK, bytes - off);
      f.accept(off, buf.asByteBuffer(off, len).order(ByteOrder.LITTLE_ENDIAN));
    }
  }

  private static Object newArray(ArrayType t) {
    return switch (t.dtype()) {
      case FLOAT32 -> new float[t.size()];
      case FLOAT64 -> new double[t.size()];
      case BOOL -> new boolean[t.size()];
      default -> throw new IllegalStateException("gpu outputs are f32, f64 or bool, got " + t);
    };
  }
}
