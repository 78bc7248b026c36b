package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;
import dev.arrax.ir.Program;
import java.util.Arrays;

/**
 * {@code cond[branches=(b0, b1, ...)] index operands...}: runs the one branch selected by a scalar
 * index and returns its outputs (JAX's {@code cond_p}, which also implements {@code switch}). The
 * index is a bool scalar (false selects branch 0, true branch 1) or an integer scalar, clamped into
 * range. Every branch takes the operands' types and returns the same types.
 *
 * <p>Rules, all producing new {@code cond}s whose branches are transformed sub-programs:
 * <ul>
 *   <li>JVP: the primal cond, then a tangent cond taking (operands, nonzero tangents) whose branches are
 *       the branches' JVPs keeping only tangent outputs. That second cond is linear in the tangents, so
 *       reverse mode stages it into the linear program;</li>
 *   <li>transpose: a cond taking (known operands, output cotangents) whose branches are the backward
 *       passes of the branches with respect to the linear operands;</li>
 *   <li>vmap: with an unbatched index, a cond of the batched branches; with a batched index, every
 *       branch runs on the whole batch and {@code select_n} picks per element (so both sides of a
 *       batched {@code cond} are computed, as in JAX).</li>
 * </ul>
 * Only the chosen branch is evaluated; gradients flow only through the chosen branch.
 */
public final class Cond extends Primitive<Cond.P> {
  /** The branches, closed programs of the operands; index k selects {@code branches[k]}. */
  public record P(Program[] branches) implements Params {
    /**
     * Copies the branches.
     * @throws IllegalArgumentException if there is no branch or a branch has constants
     */
    public P {
      if (branches.length == 0) throw new IllegalArgumentException("cond: needs at least one branch");
      for (Program b : branches) {
        if (!b.constVars().isEmpty()) throw new IllegalArgumentException("cond: branches must be closed (constants passed as operands)");
      }
      branches = branches.clone();
    }
  }

  Cond() {
    super("cond", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length < 1) throw new ShapeException("cond: takes an index and operands, got no operands");
    ArrayType idx = in[0];
    if (idx.rank() != 0 || !(idx.dtype() == DType.BOOL || idx.dtype().isInteger())) {
      throw new ShapeException("cond: the index must be a bool or integer scalar, got " + idx);
    }
    Program[] bs = p.branches();
    if (idx.dtype() == DType.BOOL && bs.length != 2) {
      throw new ShapeException("cond: a bool predicate selects between 2 branches, but there are " + bs.length);
    }
    ArrayType[] ops = Arrays.copyOfRange(in, 1, in.length);
    ArrayType[] out0 = bs[0].outTypes();
    for (int k = 0; k < bs.length; k++) {
      if (!Arrays.equals(bs[k].inTypes(), ops)) {
        throw new ShapeException("cond: branch " + k + " takes " + Arrays.toString(bs[k].inTypes()) + " but the operands are " + Arrays.toString(ops));
      }
      if (!Arrays.equals(bs[k].outTypes(), out0)) {
        throw new ShapeException("cond: branch " + k + " returns " + Arrays.toString(bs[k].outTypes()) + " but branch 0 returns " + Arrays.toString(out0)
            + "; all branches must return the same shapes and dtypes");
      }
    }
    return out0;
  }

  /** The branch an index value selects: bools as 0/1, integers clamped to the branches. */
  static int branchIndex(ConcreteArray index, int branches) {
    long k = index.dtype() == DType.BOOL ? (index.buffer().getBool(0) ? 1 : 0) : index.buffer().getLong(0);
    return (int) Math.max(0, Math.min(branches - 1, k));
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int k = branchIndex(in[0], p.branches().length);
    return SubPrograms.evaluate(p.branches()[k], Arrays.copyOfRange(in, 1, in.length, NDArray[].class));
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, P p) {
    NDArray[] outP = bind(p, primals);
    NDArray index = primals[0];
    NDArray[] ops = Arrays.copyOfRange(primals, 1, primals.length);
    NDArray[] tans = Arrays.copyOfRange(tangents, 1, tangents.length);
    boolean[] nz = new boolean[ops.length];
    for (int i = 0; i < ops.length; i++) nz[i] = !SymbolicZero.is(tans[i]) && ops[i].dtype().isFloating();
    boolean[] floatOut = new boolean[outP.length];
    for (int i = 0; i < outP.length; i++) floatOut[i] = outP[i].dtype().isFloating();
    NDArray[] outT = new NDArray[outP.length];
    for (int i = 0; i < outP.length; i++) outT[i] = new SymbolicZero(outP[i].type());
    if (SubPrograms.count(nz) == 0 || SubPrograms.count(floatOut) == 0) return new JvpResult(outP, outT);

    NDArray[] nzTans = SubPrograms.select(tans, nz);
    ArrayType[] inTypes = SubPrograms.concat(SubPrograms.types(ops), SubPrograms.types(nzTans));
    SubPrograms.Closed[] branches = new SubPrograms.Closed[p.branches().length];
    for (int k = 0; k < branches.length; k++) {
      Program b = p.branches()[k];
      branches[k] = SubPrograms.trace("cond jvp branch " + k, inTypes, in -> {
        NDArray[] t = new NDArray[ops.length];
        for (int i = 0, j = ops.length; i < ops.length; i++) t[i] = nz[i] ? in[j++] : new SymbolicZero(ops[i].type());
        SubPrograms.JvpOut r = SubPrograms.jvp(b, Arrays.copyOfRange(in, 0, ops.length), t);
        NDArray[] res = new NDArray[SubPrograms.count(floatOut)];
        for (int i = 0, j = 0; i < floatOut.length; i++) if (floatOut[i]) res[j++] = Ops.instantiate(r.tangents()[i]);
        return res;
      });
    }
    NDArray[] t = bindJoined(index, branches, SubPrograms.concat(ops, nzTans));
    for (int i = 0, j = 0; i < outP.length; i++) if (floatOut[i]) outT[i] = t[j++];
    return new JvpResult(outP, outT);
  }

  @Override public NDArray[] transpose(NDArray[] cts, NDArray[] in, P p) {
    if (UndefinedPrimal.is(in[0])) throw new dev.arrax.ArraxException("cond: the index cannot be linear");
    NDArray index = in[0];
    int n = in.length - 1;
    boolean[] linear = new boolean[n];
    for (int i = 0; i < n; i++) linear[i] = UndefinedPrimal.is(in[i + 1]);
    NDArray[] known = SubPrograms.select(Arrays.copyOfRange(in, 1, in.length), not(linear));
    boolean[] nzCt = new boolean[cts.length];
    for (int i = 0; i < cts.length; i++) nzCt[i] = !SymbolicZero.is(cts[i]);
    NDArray[] result = new NDArray[in.length];
    if (SubPrograms.count(nzCt) == 0 || SubPrograms.count(linear) == 0) return result;
    NDArray[] givenCts = SubPrograms.select(cts, nzCt);
    ArrayType[] inTypes = SubPrograms.concat(SubPrograms.types(known), SubPrograms.types(givenCts));
    SubPrograms.Closed[] branches = new SubPrograms.Closed[p.branches().length];
    for (int k = 0; k < branches.length; k++) {
      Program b = p.branches()[k];
      branches[k] = SubPrograms.trace("cond transpose branch " + k, inTypes, xs -> {
        NDArray[] ct = new NDArray[cts.length];
        for (int i = 0, j = known.length; i < ct.length; i++) ct[i] = nzCt[i] ? xs[j++] : cts[i];
        return SubPrograms.transpose(b, linear, Arrays.copyOfRange(xs, 0, known.length), ct);
      });
    }
    NDArray[] r = bindJoined(index, branches, SubPrograms.concat(known, givenCts));
    for (int i = 0, j = 0; i < n; i++) if (linear[i]) result[i + 1] = r[j++];
    return result;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray index = args[0];
    NDArray[] ops = Arrays.copyOfRange(args, 1, args.length);
    int[] opDims = Arrays.copyOfRange(dims, 1, dims.length);
    Program[] bs = p.branches();
    int nOut = bs[0].outs().size();
    int[] outDims = new int[nOut];
    if (dims[0] == Batched.NOT_MAPPED) {
      SubPrograms.Closed[] branches = new SubPrograms.Closed[bs.length];
      for (int k = 0; k < bs.length; k++) {
        Program b = bs[k];
        branches[k] = SubPrograms.trace("cond vmap branch " + k, SubPrograms.types(ops), in -> SubPrograms.batchToFront(b, in, opDims, size));
      }
      return new Batched(bindJoined(index, branches, ops), outDims);
    }
    // A batched index: every branch runs on the whole batch, and each element takes its branch's result.
    NDArray[][] results = new NDArray[bs.length][];
    for (int k = 0; k < bs.length; k++) results[k] = SubPrograms.batchToFront(bs[k], ops, opDims, size);
    NDArray idx = Batching.moveToFront(index, dims[0], size);
    NDArray[] outs = results[0].clone();
    for (int k = 1; k < bs.length; k++) {
      NDArray pick;
      if (idx.dtype() == DType.BOOL) {
        pick = idx;
      } else {
        NDArray clamped = Ops.min(Ops.max(idx, Ops.like(idx, 0)), Ops.like(idx, bs.length - 1));
        pick = Ops.eq(clamped, Ops.like(idx, k));
      }
      for (int i = 0; i < nOut; i++) {
        NDArray mask = Ops.broadcastInDim(pick, outs[i].shape(), new int[] {0});
        outs[i] = Ops.select(mask, results[k][i], outs[i]);
      }
    }
    return new Batched(outs, outDims);
  }

  /** Binds a cond over branches traced separately: their constants become leading operands. */
  private NDArray[] bindJoined(NDArray index, SubPrograms.Closed[] branches, NDArray[] operands) {
    SubPrograms.Closed[] joined = SubPrograms.joinConsts(branches);
    Program[] programs = new Program[joined.length];
    for (int k = 0; k < joined.length; k++) programs[k] = joined[k].program();
    NDArray[] args = SubPrograms.concat(new NDArray[] {index}, joined[0].consts(), operands);
    return bind(new P(programs), args);
  }

  /** Binds a cond of traced branches on the index and operands (the public entry point, used by Lax). */
  static NDArray[] apply(NDArray index, SubPrograms.Closed[] branches, NDArray[] operands) {
    return Primitives.COND.bindJoined(index, branches, operands);
  }

  private static boolean[] not(boolean[] m) {
    boolean[] r = new boolean[m.length];
    for (int i = 0; i < m.length; i++) r[i] = !m[i];
    return r;
  }
}
