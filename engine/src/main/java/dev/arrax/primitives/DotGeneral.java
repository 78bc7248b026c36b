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

/**
 * General tensor contraction (XLA's DotGeneral): contracts {@code lhsContract} with {@code rhsContract}
 * and pairs {@code lhsBatch} with {@code rhsBatch}. Output axes: batch, then lhs free, then rhs free.
 * Bilinear: the transpose rules are again dot_generals (JAX's _dot_general_transpose_lhs/rhs).
 */
public final class DotGeneral extends Primitive<DotGeneral.P> {
  /**
   * Parameters: the contracted axes of each operand ({@code lhsContract[i]} pairs with
   * {@code rhsContract[i]}) and the paired batch axes.
   */
  public record P(int[] lhsContract, int[] rhsContract, int[] lhsBatch, int[] rhsBatch) implements Params {}

  DotGeneral() {
    super("dot_general", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    ArrayType l = in[0], r = in[1];
    if (l.dtype() != r.dtype()) throw new ShapeException("dot_general: operand dtypes differ, " + l + " and " + r + " (Np.dot promotes)");
    if (p.lhsContract().length != p.rhsContract().length || p.lhsBatch().length != p.rhsBatch().length) {
      throw new ShapeException("dot_general: contracting/batch dimension lists differ in length: lhs_contract=" + Shapes.str(p.lhsContract())
          + " rhs_contract=" + Shapes.str(p.rhsContract()) + " lhs_batch=" + Shapes.str(p.lhsBatch()) + " rhs_batch=" + Shapes.str(p.rhsBatch())
          + " for " + l + " and " + r + "; pair each lhs axis with one rhs axis");
    }
    checkAxes(l, p.lhsContract(), p.lhsBatch());
    checkAxes(r, p.rhsContract(), p.rhsBatch());
    for (int i = 0; i < p.lhsContract().length; i++) {
      if (l.dim(p.lhsContract()[i]) != r.dim(p.rhsContract()[i])) {
        throw new ShapeException("dot_general: contracting dimension " + p.lhsContract()[i] + " of " + l + " (size " + l.dim(p.lhsContract()[i])
            + ") does not match dimension " + p.rhsContract()[i] + " of " + r + " (size " + r.dim(p.rhsContract()[i]) + ")");
      }
    }
    for (int i = 0; i < p.lhsBatch().length; i++) {
      if (l.dim(p.lhsBatch()[i]) != r.dim(p.rhsBatch()[i])) {
        throw new ShapeException("dot_general: batch dimension " + p.lhsBatch()[i] + " of " + l + " does not match dimension "
            + p.rhsBatch()[i] + " of " + r);
      }
    }
    int[] batch = new int[p.lhsBatch().length];
    for (int i = 0; i < batch.length; i++) batch[i] = l.dim(p.lhsBatch()[i]);
    int[] out = Shapes.concat(Shapes.concat(batch, free(l.shape(), p.lhsContract(), p.lhsBatch())), free(r.shape(), p.rhsContract(), p.rhsBatch()));
    return new ArrayType[] {new ArrayType(l.dtype(), out)};
  }

  private static void checkAxes(ArrayType t, int[] c, int[] b) {
    boolean[] seen = new boolean[t.rank()];
    for (int a : Shapes.concat(c, b)) {
      if (a < 0 || a >= t.rank() || seen[a]) throw new ShapeException("dot_general: bad or repeated axis " + a + " for operand " + t);
      seen[a] = true;
    }
  }

  /** The sizes of the free (neither contracted nor batch) axes, in order. */
  static int[] free(int[] shape, int[] c, int[] b) {
    return Shapes.removeAxes(shape, Shapes.concat(c, b));
  }

  static int[] freeAxes(int rank, int[] c, int[] b) {
    int[] all = Shapes.concat(c, b);
    int[] out = new int[rank - all.length];
    for (int i = 0, j = 0; i < rank; i++) if (!Shapes.contains(all, i)) out[j++] = i;
    return out;
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type(), in[1].type()}, p)[0];
    int[] ls = in[0].shape(), rs = in[1].shape();
    int[] lStr = Shapes.strides(ls), rStr = Shapes.strides(rs);
    int[] lFree = freeAxes(ls.length, p.lhsContract(), p.lhsBatch()), rFree = freeAxes(rs.length, p.rhsContract(), p.rhsBatch());
    int nb = p.lhsBatch().length;
    int[] cShape = new int[p.lhsContract().length];
    for (int i = 0; i < cShape.length; i++) cShape[i] = ls[p.lhsContract()[i]];
    int cSize = Shapes.size(cShape);
    int[] out = t.shape(), oIdx = new int[out.length], cIdx = new int[cShape.length];
    Buffer a = in[0].buffer(), b = in[1].buffer();
    ConcreteArray res = ConcreteArray.zeros(t);
    boolean fl = t.dtype().isFloating();
    for (int f = 0; f < res.size(); f++) {
      Indexing.unravel(f, out, oIdx);
      int lBase = 0, rBase = 0;
      for (int i = 0; i < nb; i++) {
        lBase += oIdx[i] * lStr[p.lhsBatch()[i]];
        rBase += oIdx[i] * rStr[p.rhsBatch()[i]];
      }
      for (int i = 0; i < lFree.length; i++) lBase += oIdx[nb + i] * lStr[lFree[i]];
      for (int i = 0; i < rFree.length; i++) rBase += oIdx[nb + lFree.length + i] * rStr[rFree[i]];
      double accD = 0;
      long accL = 0;
      for (int c = 0; c < cSize; c++) {
        Indexing.unravel(c, cShape, cIdx);
        int li = lBase, ri = rBase;
        for (int k = 0; k < cIdx.length; k++) {
          li += cIdx[k] * lStr[p.lhsContract()[k]];
          ri += cIdx[k] * rStr[p.rhsContract()[k]];
        }
        if (fl) accD += a.getDouble(li) * b.getDouble(ri);
        else accL += a.getLong(li) * b.getLong(ri);
      }
      if (fl) res.buffer().setDouble(f, accD);
      else res.buffer().setLong(f, accL);
    }
    return new NDArray[] {res};
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0], x[1]);
    if (!y.dtype().isFloating()) return JvpResult.of(y, new SymbolicZero(y.type()));
    NDArray l = SymbolicZero.is(t[0]) ? t[0] : bind1(p, t[0], x[1]);
    NDArray r = SymbolicZero.is(t[1]) ? t[1] : bind1(p, x[0], t[1]);
    NDArray tan = Ops.addAny(l, r);
    return JvpResult.of(y, SymbolicZero.is(tan) ? new SymbolicZero(y.type()) : tan);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    boolean ll = UndefinedPrimal.is(in[0]), rl = UndefinedPrimal.is(in[1]);
    if (ll && rl) throw new ArraxException("dot_general: cannot transpose a product of two linear values (the function is not linear)");
    if (ll) return new NDArray[] {transposeLhs(ct[0], in[0].type(), in[1], p, false), null};
    P swapped = new P(p.rhsContract(), p.lhsContract(), p.rhsBatch(), p.lhsBatch());
    return new NDArray[] {null, transposeLhs(ct[0], in[1].type(), in[0], swapped, true)};
  }

  /** Cotangent of the lhs: contract g with y over y's free axes, then permute into x's axis order. */
  private static NDArray transposeLhs(NDArray g, ArrayType x, NDArray y, P p, boolean swapAns) {
    int xRank = x.rank(), yRank = y.ndim();
    int[] xKept = freeAxes(xRank, p.lhsContract(), p.lhsBatch());
    int[] yKept = freeAxes(yRank, p.rhsContract(), p.rhsBatch());
    int nb = p.lhsBatch().length;
    int[] ansBatch = Shapes.range(nb);
    int[] ansY = new int[yKept.length];
    int yStart = swapAns ? nb : nb + xKept.length;
    for (int i = 0; i < ansY.length; i++) ansY[i] = yStart + i;
    NDArray d = Ops.dotGeneral(g, y, ansY, yKept, ansBatch, p.rhsBatch());
    // d's axes: batch, x kept, x contract (ordered as y's contracting axes appear in y's free order)
    int[] order = argsort(p.rhsContract());
    int[] xContractSorted = new int[order.length];
    for (int i = 0; i < order.length; i++) xContractSorted[i] = p.lhsContract()[order[i]];
    int[] outAxes = argsort(Shapes.concat(Shapes.concat(p.lhsBatch(), xKept), xContractSorted));
    return Ops.transpose(d, outAxes);
  }

  private static int[] argsort(int[] xs) {
    Integer[] idx = new Integer[xs.length];
    for (int i = 0; i < xs.length; i++) idx[i] = i;
    java.util.Arrays.sort(idx, (a, b) -> Integer.compare(xs[a], xs[b]));
    int[] out = new int[xs.length];
    for (int i = 0; i < xs.length; i++) out[i] = idx[i];
    return out;
  }

  private static int[] plus1(int[] xs) {
    int[] r = new int[xs.length];
    for (int i = 0; i < xs.length; i++) r[i] = xs[i] + 1;
    return r;
  }

  /**
   * vmap rule: batched operands get their batch axis moved to the front. Both batched: it becomes a new
   * batch dimension (output axis 0). One batched: it is a free axis of that operand and lands where that
   * operand's first free axis lands in the output.
   */
  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    boolean lb = dims[0] != Batched.NOT_MAPPED, rb = dims[1] != Batched.NOT_MAPPED;
    NDArray l = lb ? Batching.moveAxis(args[0], dims[0], 0) : args[0];
    NDArray r = rb ? Batching.moveAxis(args[1], dims[1], 0) : args[1];
    if (lb && rb) {
      P q = new P(plus1(p.lhsContract()), plus1(p.rhsContract()), Shapes.concat(new int[] {0}, plus1(p.lhsBatch())),
          Shapes.concat(new int[] {0}, plus1(p.rhsBatch())));
      return Batched.of(bind1(q, l, r), 0);
    }
    if (lb) {
      P q = new P(plus1(p.lhsContract()), p.rhsContract(), plus1(p.lhsBatch()), p.rhsBatch());
      return Batched.of(bind1(q, l, r), p.lhsBatch().length);
    }
    P q = new P(p.lhsContract(), plus1(p.rhsContract()), p.lhsBatch(), plus1(p.rhsBatch()));
    int outDim = args[0].ndim() - p.lhsContract().length;
    return Batched.of(bind1(q, l, r), outDim);
  }
}
