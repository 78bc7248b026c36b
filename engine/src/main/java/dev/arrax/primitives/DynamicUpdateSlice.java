package dev.arrax.primitives;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;
import java.util.Arrays;

/**
 * A copy of the operand with {@code update} written at run-time start indices (operands: array,
 * update, one integer scalar per axis; starts clamped as in XLA). Linear in the array and the update.
 */
final class DynamicUpdateSlice extends Primitive<Params.None> {
  DynamicUpdateSlice() {
    super("dynamic_update_slice", Params.None.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    if (in.length < 2) throw new ShapeException("dynamic_update_slice: takes an operand, an update and start indices");
    DynamicIndexing.checkIndices(name(), in[0], in, 2);
    if (in[1].dtype() != in[0].dtype()) throw new ShapeException("dynamic_update_slice: update " + in[1] + " must have the dtype of " + in[0]);
    if (in[1].rank() != in[0].rank()) throw new ShapeException("dynamic_update_slice: update " + in[1] + " must have the rank of " + in[0]);
    for (int i = 0; i < in[0].rank(); i++) {
      if (in[1].dim(i) > in[0].dim(i)) throw new ShapeException("dynamic_update_slice: update " + in[1] + " does not fit in " + in[0]);
    }
    return new ArrayType[] {in[0]};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    int[] s = in[0].shape(), u = in[1].shape(), start = DynamicIndexing.clampedStarts(in, 2, s, u);
    ConcreteArray r = ConcreteArray.zeros(in[0].type());
    Buffer dst = r.buffer(), upd = in[1].buffer();
    dst.copyRange(0, in[0].buffer(), 0, in[0].size());
    int[] str = Shapes.strides(s), idx = new int[s.length];
    for (int f = 0; f < upd.size(); f++) {
      Indexing.unravel(f, u, idx);
      int o = 0;
      for (int i = 0; i < s.length; i++) o += (start[i] + idx[i]) * str[i];
      dst.copyElement(o, upd, f);
    }
    return new NDArray[] {r};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, Params.None p) {
    NDArray y = bind1(p, x);
    if (SymbolicZero.is(t[0]) && SymbolicZero.is(t[1])) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray[] args = x.clone();
    args[0] = Ops.instantiate(t[0]);
    args[1] = Ops.instantiate(t[1]);
    return JvpResult.of(y, bind1(p, args));
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, Params.None p) {
    NDArray[] starts = Arrays.copyOfRange(in, 2, in.length);
    NDArray[] out = new NDArray[in.length];
    if (UndefinedPrimal.is(in[0])) out[0] = Ops.dynamicUpdateSlice(ct[0], Ops.zeros(in[1].type()), starts);
    if (UndefinedPrimal.is(in[1])) out[1] = Ops.dynamicSlice(ct[0], starts, in[1].shape());
    return out;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, Params.None p) {
    for (int i = 2; i < dims.length; i++) {
      if (dims[i] != Batched.NOT_MAPPED) {
        throw new ArraxException("dynamic_update_slice: vmap with per-example start indices is not supported yet;"
            + " map only the operand and the update, or use Np.where with a mask");
      }
    }
    NDArray x = Batching.moveToFront(args[0], dims[0], size);
    NDArray u = Batching.moveToFront(args[1], dims[1], size);
    NDArray[] starts = new NDArray[args.length - 1];
    starts[0] = Ops.scalar(0, args[2].dtype());
    System.arraycopy(args, 2, starts, 1, args.length - 2);
    return Batched.of(Ops.dynamicUpdateSlice(x, u, starts), 0);
  }
}
