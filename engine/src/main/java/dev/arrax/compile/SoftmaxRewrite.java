package dev.arrax.compile;

import dev.arrax.core.ArrayType;
import dev.arrax.core.Params;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.BroadcastInDim;
import dev.arrax.primitives.Primitives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code exp(log_softmax(x))} computed as {@code softmax(x)}, the way {@code jax.nn.softmax} computes it:
 * with {@code s = x - max(x)} (over the reduced axes, broadcast back), {@code e = exp(s)} and
 * {@code t = sum(e)}, a program computes {@code log_softmax = s - log(t)} and then {@code p = exp(s - log(t))};
 * this pass rewrites that last {@code exp} into {@code e / t}. The program already holds {@code e} (its sum
 * is {@code t}), so each element costs a division instead of a second exponential: entropy, KL and other
 * {@code p * logp} sums over a vocabulary ran at 0.61 of a hand-written loop with it, 0.90-0.96 without.
 *
 * <p>The one rewrite of {@link Passes} that is not bit for bit: {@code e / t} is correctly rounded from
 * {@code exp(s)} (about 1 ulp), where {@code exp(s - log t)} also carries the rounding of
 * {@code s - log t}, half an ulp of a number of magnitude up to {@code |s| + log t}, which is several ulps
 * of the result when {@code |s|} is large. So the rewritten value is at least as close to the exact one
 * (the pass's test measures both against float64). It applies only to the pattern whose shift is the
 * maximum itself (so {@code s <= 0}, {@code e} in [0, 1], {@code 1 <= t <= n}: no overflow where the
 * original had none), with the same reduced axes for the max and the sum, both broadcast back along
 * them ({@code keepdims} as {@code reshape} then {@code broadcast_in_dim}, or one {@code broadcast_in_dim}).
 * NaN in a row stays NaN in that row in both forms.
 */
final class SoftmaxRewrite {
  private SoftmaxRewrite() {}

  static Program run(Program p) {
    Passes.Rewriter rw = new Passes.Rewriter(p);
    for (Eqn original : p.eqns()) {
      Eqn e = rw.withResolvedInputs(original);
      if (e.primitive() == Primitives.EXP && rewrite(e, rw)) continue;
      rw.emit(e, e != original);
    }
    return rw.build();
  }

  /** Emits {@code e / t} (and the broadcast of t) for {@code exp(s - log t)} and returns true, or false for any other exp. */
  private static boolean rewrite(Eqn exp, Passes.Rewriter rw) {
    if (!exp.outputs().get(0).type().dtype().isFloating()) return false;
    Eqn sub = rw.definitionOf(exp.inputs().get(0));
    if (sub == null || sub.primitive() != Primitives.SUB) return false;
    Atom s = sub.inputs().get(0);
    // the subtrahend: shape ops and one log over reduce_sum(exp(s))
    List<Eqn> chain = new ArrayList<>(); // from the subtrahend down, the log excluded
    Eqn[] log = new Eqn[1];
    Eqn sum = walkDown(sub.inputs().get(1), Primitives.REDUCE_SUM, chain, log, rw);
    if (sum == null || log[0] == null) return false;
    Eqn e = rw.definitionOf(sum.inputs().get(0));
    if (e == null || e.primitive() != Primitives.EXP || e.inputs().get(0) != s) return false;
    int[] axes = Primitives.REDUCE_SUM.params(sum).axes();
    if (!broadcastsBack(chain, sum.outputs().get(0).type(), axes, s.type())) return false;
    // s = x - max(x) over the same axes, broadcast back
    Eqn shift = rw.definitionOf(s);
    if (shift == null || shift.primitive() != Primitives.SUB) return false;
    Atom x = shift.inputs().get(0);
    List<Eqn> maxChain = new ArrayList<>();
    Eqn max = walkDown(shift.inputs().get(1), Primitives.REDUCE_MAX, maxChain, null, rw);
    if (max == null || max.inputs().get(0) != x || !Arrays.equals(Primitives.REDUCE_MAX.params(max).axes(), axes)) return false;
    if (!broadcastsBack(maxChain, max.outputs().get(0).type(), axes, x.type())) return false;

    // t brought back to the shape of s by the subtrahend's own shape ops, without the log
    Atom t = sum.outputs().get(0);
    boolean aboveLog = false;
    for (int i = chain.size() - 1; i >= 0; i--) {
      Eqn op = chain.get(i);
      if (!aboveLog && op.inputs().get(0) == t) {
        t = op.outputs().get(0); // below the log: the program already computes it
        continue;
      }
      aboveLog = true;
      Var out = new Var(op.outputs().get(0).type());
      rw.emit(Passes.checked(new Eqn(op.primitive(), op.params(), List.of(t), List.of(out))), true);
      t = out;
    }
    rw.emit(Passes.checked(new Eqn(Primitives.DIV, new Params.None(), List.of(e.outputs().get(0), t), exp.outputs())), true);
    return true;
  }

  /**
   * From {@code top} down through shape ops (collected in {@code chain}, top first) and, when {@code log} is given,
   * one log (put in {@code log[0]}): the equation of primitive {@code bottom} reached, or null on anything else.
   */
  private static Eqn walkDown(Atom top, dev.arrax.core.Primitive<?> bottom, List<Eqn> chain, Eqn[] log, Passes.Rewriter rw) {
    for (Atom cur = top; ; ) {
      Eqn d = rw.definitionOf(cur);
      if (d == null) return null;
      if (d.primitive() == bottom) return d;
      if (log != null && log[0] == null && d.primitive() == Primitives.LOG) log[0] = d;
      else if (isShapeOp(d)) chain.add(d);
      else return null;
      cur = d.inputs().get(0);
    }
  }

  private static boolean isShapeOp(Eqn d) {
    return d.primitive() == Primitives.RESHAPE || d.primitive() == Primitives.BROADCAST_IN_DIM || d.primitive() == Primitives.STOP_GRADIENT;
  }

  /**
   * Whether the shape ops {@code chain} (listed from the top down, stop_gradient ignored) take an array
   * reduced over {@code axes} back to {@code full}, each reduced element to the positions it was reduced
   * from: a reshape to the keepdims shape then an identity-dimensions broadcast, or one broadcast whose
   * dimensions are the kept axes.
   */
  private static boolean broadcastsBack(List<Eqn> chain, ArrayType reduced, int[] axes, ArrayType full) {
    List<Eqn> ops = new ArrayList<>();
    for (Eqn d : chain) if (d.primitive() != Primitives.STOP_GRADIENT) ops.add(0, d); // bottom up
    int rank = full.rank();
    int[] kept = new int[rank - axes.length], keepdims = full.shape().clone(), identity = new int[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      identity[i] = i;
      if (contains(axes, i)) keepdims[i] = 1;
      else kept[j++] = i;
    }
    if (ops.size() == 1) {
      return isBroadcast(ops.get(0), full, kept);
    }
    if (ops.size() == 2 && ops.get(0).primitive() == Primitives.RESHAPE) {
      return Arrays.equals(ops.get(0).outputs().get(0).type().shape(), keepdims)
          && ops.get(0).inputs().get(0).type().equals(reduced)
          && isBroadcast(ops.get(1), full, identity);
    }
    return false;
  }

  private static boolean isBroadcast(Eqn d, ArrayType full, int[] dims) {
    if (d.primitive() != Primitives.BROADCAST_IN_DIM) return false;
    BroadcastInDim.P p = Primitives.BROADCAST_IN_DIM.params(d);
    return Arrays.equals(p.shape(), full.shape()) && Arrays.equals(p.broadcastDimensions(), dims);
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) if (x == v) return true;
    return false;
  }
}
