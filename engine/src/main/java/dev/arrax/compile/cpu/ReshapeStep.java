package dev.arrax.compile.cpu;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;

/** reshape shares the buffer: elements are row-major either way. Row-local when the leading axis is kept. */
final class ReshapeStep implements RowStep {
  private final ArrayType inType;
  private final ArrayType type;
  private final int in;
  private final int out;

  ReshapeStep(ArrayType inType, ArrayType type, int in, int out) {
    this.inType = inType;
    this.type = type;
    this.in = in;
    this.out = out;
  }

  @Override public void run(NDArray[] env) {
    allocate(env, java.util.Set.of());
  }

  @Override public String describe() { return "reshape -> " + type; }

  @Override public int rows() {
    return inType.rank() >= 1 && type.rank() >= 1 && inType.dim(0) == type.dim(0) ? type.dim(0) : -1;
  }

  @Override public int[] inputSlots() { return new int[] {in}; }

  @Override public int[] outputSlots() { return new int[] {out}; }

  @Override public boolean readsRowwise(int inputSlot) { return true; }

  @Override public ArrayType outputType(int slot) { return type; }

  @Override public long rowWidth() { return 0; }

  @Override public void allocate(NDArray[] env, java.util.Set<Integer> local) {
    if (local.contains(out)) return; // a view of the input's block buffer, made per part by RowBlockedSequence
    env[out] = new ConcreteArray(type, ((ConcreteArray) env[in]).buffer());
  }

  @Override public void runRows(NDArray[] env, int part, int from, int to, int[] rowOrigin) {}
}
