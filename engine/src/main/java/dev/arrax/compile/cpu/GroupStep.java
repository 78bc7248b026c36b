package dev.arrax.compile.cpu;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Var;
import java.util.stream.Collectors;

/** Runs a fused group's generated kernel, splitting rows (or, without reductions, columns) across threads. */
final class GroupStep implements RowStep {
  private final FusedGroup group;
  private final Kernel kernel;
  private final int[] inputSlots;
  private final int[] outputSlots;
  private final ArrayType[] outputTypes;
  /** Elements per row (of the group's leading axis) of each input, then each output: a block's buffer offset is its first row times this. */
  private final long[] perRow;

  GroupStep(FusedGroup group, Kernel kernel, int[] inputSlots, int[] outputSlots) {
    this.group = group;
    this.kernel = kernel;
    this.inputSlots = inputSlots;
    this.outputSlots = outputSlots;
    this.outputTypes = group.outputs.stream().map(Var::type).toArray(ArrayType[]::new);
    long rows = group.shape.length == 0 ? 1 : Math.max(1, group.shape[0]);
    this.perRow = new long[inputSlots.length + outputSlots.length];
    for (int i = 0; i < inputSlots.length; i++) perRow[i] = group.inputs.get(i).source().type().size() / rows;
    for (int k = 0; k < outputSlots.length; k++) perRow[inputSlots.length + k] = outputTypes[k].size() / rows;
  }

  /**
   * The outputs of an empty iteration space: elementwise outputs are empty; a reduction over the empty inner axis is
   * its identity, which the reference evaluator gives on an empty operand of the group's shape.
   */
  private void runEmpty(NDArray[] env, ConcreteArray[] outs) {
    for (int k = 0; k < outs.length; k++) {
      env[outputSlots[k]] = outs[k];
      if (outputTypes[k].size() == 0) continue;
      env[outputSlots[k]] = emptyResult(k);
    }
  }

  /** Output {@code k} of the group computed on empty operands by the reference evaluator (a reduction's identities). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private NDArray emptyResult(int k) {
    Var v = group.outputs.get(k);
    for (Eqn e : group.members) {
      if (!e.outputs().contains(v)) continue;
      ConcreteArray[] in = new ConcreteArray[e.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        dev.arrax.ir.Atom a = e.inputs().get(i);
        in[i] = a instanceof dev.arrax.ir.Literal l ? l.value() : ConcreteArray.zeros(a.type());
      }
      return ((dev.arrax.core.Primitive) e.primitive()).evaluate(in, e.params())[e.outputs().indexOf(v)];
    }
    throw new IllegalStateException("internal: group output " + k + " has no defining equation");
  }

  @Override public void run(NDArray[] env) {
    Object[] buffers = new Object[inputSlots.length + outputSlots.length];
    for (int i = 0; i < inputSlots.length; i++) buffers[i] = ((ConcreteArray) env[inputSlots[i]]).buffer().array();
    ConcreteArray[] outs = new ConcreteArray[outputSlots.length];
    for (int k = 0; k < outs.length; k++) {
      outs[k] = new ConcreteArray(outputTypes[k], Buffer.allocate(outputTypes[k].dtype(), outputTypes[k].size()));
      buffers[inputSlots.length + k] = outs[k].buffer().array();
    }
    int rows = (int) group.outer(), cols = group.inner();
    if (rows == 0 || cols == 0) {
      // An empty iteration space: the kernel would still read broadcast inputs hoisted out of its empty loops (an
      // ArrayIndexOutOfBoundsException when such an input is empty too; found by ProgramFuzzTest).
      runEmpty(env, outs);
      return;
    }
    int[] origins = new int[buffers.length];
    long work = (long) rows * cols * workPerElement();
    if (group.shape.length == 1 && group.hasReductions() && cols > Summation.segmentRows(cols)) {
      reduceInSegments(buffers, outs, cols, work);
    } else if (rows >= 2 * Parallel.threads() || group.hasReductions()) {
      int parts = Parallel.partsFor(work, rows);
      Parallel.forEach(parts, p -> kernel.run(buffers, origins, (int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts), 0, cols));
    } else {
      int parts = Parallel.partsFor(work, Math.max(1, cols / 64));
      Parallel.forEach(parts, p -> kernel.run(buffers, origins, 0, rows, (int) ((long) cols * p / parts), (int) ((long) cols * (p + 1) / parts)));
    }
    for (int k = 0; k < outs.length; k++) env[outputSlots[k]] = outs[k];
  }

  /**
   * A whole-array reduction over a long 1-d group: segments of {@link Summation#segmentRows} elements (a
   * function of the length only) run as separate kernel calls on any thread, each reduction's segment
   * results then combined in segment order (sums in float64, rounded once): accurate, parallel, and the
   * same bits for any thread count.
   */
  private void reduceInSegments(Object[] buffers, ConcreteArray[] outs, int cols, long work) {
    int nIn = inputSlots.length, segLen = Summation.segmentRows(cols), nSeg = Summation.segments(cols);
    double[][] partial = new double[outs.length][];
    for (int k = 0; k < outs.length; k++) if (outputTypes[k].size() == 1 && group.reductions.contains(group.outputs.get(k))) partial[k] = new double[nSeg];
    int parts = Parallel.partsFor(work, nSeg);
    Parallel.forEach(parts, p -> {
      Object[] own = buffers.clone();
      Object[] cells = new Object[outs.length];
      for (int k = 0; k < outs.length; k++) {
        if (partial[k] == null) continue;
        cells[k] = group.floatType == dev.arrax.DType.FLOAT32 ? new float[1] : new double[1];
        own[nIn + k] = cells[k];
      }
      int[] origins = new int[own.length];
      for (int sg = (int) ((long) nSeg * p / parts), end = (int) ((long) nSeg * (p + 1) / parts); sg < end; sg++) {
        kernel.run(own, origins, 0, 1, sg * segLen, (int) Math.min(cols, (long) (sg + 1) * segLen));
        for (int k = 0; k < outs.length; k++) {
          if (partial[k] != null) partial[k][sg] = cells[k] instanceof float[] f ? f[0] : ((double[]) cells[k])[0];
        }
      }
    });
    for (int k = 0; k < outs.length; k++) {
      if (partial[k] == null) continue;
      Var out = group.outputs.get(k);
      dev.arrax.primitives.Reduce.Kind kind = null;
      for (Eqn e : group.members) if (e.outputs().get(0) == out) kind = Fusion.reductionKind(e);
      double acc = partial[k][0];
      for (int sg = 1; sg < nSeg; sg++) {
        double x = partial[k][sg];
        acc = kind == dev.arrax.primitives.Reduce.Kind.SUM ? acc + x : kind == dev.arrax.primitives.Reduce.Kind.MAX ? Math.max(acc, x) : Math.min(acc, x);
      }
      outs[k].buffer().setDouble(0, acc);
    }
  }

  // ---- row-local execution over the leading axis: [rows, inner] groups (reductions are per row) or [rows] ----

  @Override public int rows() {
    if (group.shape.length == 2) return group.shape[0];
    if (group.shape.length == 1 && !group.hasReductions()) return group.shape[0];
    return -1;
  }

  @Override public int[] inputSlots() { return inputSlots.clone(); }

  @Override public int[] outputSlots() { return outputSlots.clone(); }

  @Override public boolean readsRowwise(int slot) {
    boolean any = false;
    for (int i = 0; i < inputSlots.length; i++) {
      if (inputSlots[i] != slot) continue;
      FusedGroup.Input in = group.inputs.get(i);
      if (in.sourceShape().length == 0 || in.dims()[0] != 0 || in.sourceShape()[0] != group.shape[0]) return false;
      any = true;
    }
    return any;
  }

  @Override public ArrayType outputType(int slot) {
    for (int k = 0; k < outputSlots.length; k++) if (outputSlots[k] == slot) return outputTypes[k];
    throw new IllegalArgumentException("not an output slot: " + slot);
  }

  /** Work per element: one per operation, about 15 for a transcendental function (a polynomial and its reduction). */
  private long workPerElement() {
    return Math.max(1, group.members.size()) + 14L * KernelSourceWriter.transcendentals(group);
  }

  @Override public long rowWork() {
    return (group.shape.length == 2 ? group.shape[1] : 1) * workPerElement() + RowStep.super.rowWork();
  }

  @Override public long rowWidth() {
    return group.shape.length == 2 ? (long) group.shape[1] * (group.inputs.size() + group.outputs.size()) : group.inputs.size() + group.outputs.size();
  }

  @Override public void allocate(NDArray[] env, java.util.Set<Integer> local) {
    for (int k = 0; k < outputSlots.length; k++) {
      if (local.contains(outputSlots[k])) continue;
      env[outputSlots[k]] = new ConcreteArray(outputTypes[k], Buffer.allocate(outputTypes[k].dtype(), outputTypes[k].size()));
    }
  }

  @Override public void runRows(NDArray[] env, int part, int from, int to, int[] rowOrigin) {
    if (group.shape.length == 2 && group.shape[1] == 0) {
      // empty rows: no kernel (it would read hoisted broadcast inputs); per-row reductions are their identities
      for (int k = 0; k < outputSlots.length; k++) {
        if (outputTypes[k].size() == 0) continue;
        ConcreteArray id = (ConcreteArray) emptyResult(k), dst = (ConcreteArray) env[outputSlots[k]];
        int per = (int) (outputTypes[k].size() / group.shape[0]), origin = rowOrigin[outputSlots[k]] * per;
        boolean floating = outputTypes[k].dtype().isFloating();
        for (int i = from * per; i < to * per; i++) {
          if (floating) dst.buffer().setDouble(i - origin, id.buffer().getDouble(i));
          else dst.buffer().setLong(i - origin, id.buffer().getLong(i));
        }
      }
      return;
    }
    int nIn = inputSlots.length;
    Object[] buffers = new Object[nIn + outputSlots.length];
    int[] origins = new int[buffers.length];
    for (int i = 0; i < nIn; i++) {
      buffers[i] = ((ConcreteArray) env[inputSlots[i]]).buffer().array();
      int r0 = rowOrigin[inputSlots[i]];
      if (r0 != 0) origins[i] = (int) (r0 * perRow[i]);
    }
    for (int k = 0; k < outputSlots.length; k++) {
      buffers[nIn + k] = ((ConcreteArray) env[outputSlots[k]]).buffer().array();
      int r0 = rowOrigin[outputSlots[k]];
      if (r0 != 0) origins[nIn + k] = (int) (r0 * perRow[nIn + k]);
    }
    if (group.shape.length == 2) kernel.run(buffers, origins, from, to, 0, group.shape[1]);
    else kernel.run(buffers, origins, 0, 1, from, to);
  }

  FusedGroup group() { return group; }

  /** Input slots then output slots, in the order of the kernel's buffers. */
  int[] bufferSlots() {
    int[] all = java.util.Arrays.copyOf(inputSlots, inputSlots.length + outputSlots.length);
    System.arraycopy(outputSlots, 0, all, inputSlots.length, outputSlots.length);
    return all;
  }

  /** Elements per row of each kernel buffer (inputs then outputs). */
  long perRow(int buffer) { return perRow[buffer]; }

  @Override public String describe() {
    return "fused[" + group.members.stream().map(Eqn::primitive).map(Object::toString).collect(Collectors.joining(","))
        + "] " + group.floatType.shortName() + java.util.Arrays.toString(group.shape);
  }
}
