package dev.arrax.batching;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.core.Primitive.Batched;
import dev.arrax.core.TraceStack;
import dev.arrax.primitives.Batching;
import java.util.function.Function;

/** Runs a function under a {@link BatchTrace} and moves batch axes to where the caller wants them. */
public final class Vmap {
  private Vmap() {}

  /**
   * @param inAxes one entry per argument: the mapped axis (negative counts from the end) or null
   * @param outAxes one entry per output (or a single entry for all): where the batch axis goes, or null
   */
  public static NDArray[] apply(Function<NDArray[], NDArray[]> f, Integer[] inAxes, Integer[] outAxes, NDArray[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null) throw new ArraxException("vmap: argument " + i + " is null; pass an NDArray");
    }
    if (inAxes.length != args.length) {
      throw new ArraxException("vmap: in_axes has " + inAxes.length + " entries but the function was called with " + args.length
          + " arguments; give one axis (or null) per argument");
    }
    int size = -1, sizeArg = -1;
    int[] axes = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      if (inAxes[i] == null) {
        axes[i] = Batched.NOT_MAPPED;
        continue;
      }
      int r = args[i].ndim();
      int a = inAxes[i] < 0 ? inAxes[i] + r : inAxes[i];
      if (a < 0 || a >= r) {
        throw new ArraxException("vmap: in_axes[" + i + "] = " + inAxes[i] + " is out of bounds for argument " + i + " of type "
            + args[i].type() + " (rank " + r + ")");
      }
      axes[i] = a;
      int s = args[i].shape()[a];
      if (size < 0) {
        size = s;
        sizeArg = i;
      } else if (s != size) {
        throw new ArraxException("vmap: mapped axes have different sizes: argument " + sizeArg + " " + args[sizeArg].type() + " has size "
            + size + " along axis " + axes[sizeArg] + ", argument " + i + " " + args[i].type() + " has size " + s + " along axis " + a);
      }
    }
    if (size < 0) throw new ArraxException("vmap: no argument is mapped (every in_axes entry is null); map at least one argument");
    final int n = size;
    BatchTrace t = TraceStack.push(l -> new BatchTrace(l, n));
    try {
      NDArray[] in = new NDArray[args.length];
      for (int i = 0; i < args.length; i++) in[i] = axes[i] == Batched.NOT_MAPPED ? args[i] : t.wrap(args[i], axes[i]);
      NDArray[] outs = f.apply(in);
      NDArray[] res = new NDArray[outs.length];
      for (int i = 0; i < outs.length; i++) {
        Integer oa = outAxes.length == 1 ? outAxes[0] : outAxes[i];
        NDArray v;
        int d;
        if (outs[i] instanceof BatchTrace.BatchTracer bt && bt.trace() == t) {
          v = bt.value();
          d = bt.dim();
        } else {
          v = outs[i];
          d = Batched.NOT_MAPPED;
        }
        if (oa == null) {
          if (d != Batched.NOT_MAPPED) {
            throw new ArraxException("vmap: output " + i + " depends on a mapped input, so it is batched, but out_axes[" + i
                + "] is null; give it an axis (e.g. 0)");
          }
          res[i] = v;
          continue;
        }
        int rank = (d == Batched.NOT_MAPPED ? v.ndim() : v.ndim() - 1) + 1;
        int target = oa < 0 ? oa + rank : oa;
        if (target < 0 || target >= rank) {
          throw new ArraxException("vmap: out_axes[" + i + "] = " + oa + " is out of bounds for a batched output of rank " + rank);
        }
        NDArray front = Batching.moveToFront(v, d, n);
        res[i] = Batching.moveAxis(front, 0, target);
      }
      return res;
    } finally {
      TraceStack.pop(t);
    }
  }

}
