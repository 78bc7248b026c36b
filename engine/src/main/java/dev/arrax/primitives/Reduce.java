package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.ShapeException;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.core.SymbolicZero;

/**
 * Reductions over a set of axes: reduce_sum (linear), reduce_max and reduce_min (derivative shared
 * equally among tied maxima, as JAX's chooser rule), reduce_prod (derivative by a pairwise product
 * tree, exact even with zeros). NaN propagates through max and min.
 */
public final class Reduce extends Primitive<Reduce.P> {
  /** {@code axes}: distinct, in range; the output drops them. */
  public record P(int[] axes) implements Params {}

  /** Which reduction; for floats the identities are 0, -inf, +inf and 1 respectively. */
  public enum Kind {
    /** {@code reduce_sum}. */
    SUM,
    /** {@code reduce_max}. */
    MAX,
    /** {@code reduce_min}. */
    MIN,
    /** {@code reduce_prod}. */
    PROD
  }

  private final Kind kind;

  /** Which reduction this is. */
  public Kind kind() { return kind; }

  Reduce(Kind kind) {
    super("reduce_" + kind.name().toLowerCase(java.util.Locale.ROOT), P.class);
    this.kind = kind;
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    int r = in[0].rank();
    boolean[] seen = new boolean[r];
    for (int a : p.axes()) {
      if (a < 0 || a >= r) throw new ShapeException(name() + ": axes " + Shapes.str(p.axes()) + " out of bounds for " + in[0]);
      if (seen[a]) throw new ShapeException(name() + ": axis " + a + " repeated in " + Shapes.str(p.axes()));
      seen[a] = true;
    }
    return new ArrayType[] {new ArrayType(in[0].dtype(), Shapes.removeAxes(in[0].shape(), p.axes()))};
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    ArrayType t = outTypes(new ArrayType[] {in[0].type()}, p)[0];
    int[] s = in[0].shape();
    int[] outStrides = Shapes.strides(t.shape());
    int[] strideMap = new int[s.length];
    for (int i = 0, j = 0; i < s.length; i++) strideMap[i] = Shapes.contains(p.axes(), i) ? 0 : outStrides[j++];
    int n = t.size();
    Buffer x = in[0].buffer();
    boolean fl = in[0].dtype().isFloating();
    double[] accD = new double[n];
    long[] accL = new long[n];
    double initD = switch (kind) { case SUM -> 0; case PROD -> 1; case MAX -> Double.NEGATIVE_INFINITY; case MIN -> Double.POSITIVE_INFINITY; };
    long initL = switch (kind) { case SUM -> 0; case PROD -> 1; case MAX -> minInt(t.dtype()); case MIN -> maxInt(t.dtype()); };
    java.util.Arrays.fill(accD, initD);
    java.util.Arrays.fill(accL, initL);
    int[] idx = new int[s.length];
    for (int f = 0; f < x.size(); f++) {
      Indexing.unravel(f, s, idx);
      int o = Indexing.ravel(idx, strideMap);
      if (fl) {
        double v = x.getDouble(f);
        accD[o] = switch (kind) { case SUM -> accD[o] + v; case PROD -> accD[o] * v; case MAX -> Math.max(accD[o], v); case MIN -> Math.min(accD[o], v); };
      } else {
        long v = x.getLong(f);
        accL[o] = switch (kind) { case SUM -> accL[o] + v; case PROD -> accL[o] * v; case MAX -> Math.max(accL[o], v); case MIN -> Math.min(accL[o], v); };
      }
    }
    ConcreteArray out = ConcreteArray.zeros(t);
    for (int i = 0; i < n; i++) {
      if (fl) out.buffer().setDouble(i, accD[i]);
      else out.buffer().setLong(i, t.dtype() == DType.BOOL && kind == Kind.SUM ? (accL[i] != 0 ? 1 : 0) : accL[i]);
    }
    return new NDArray[] {out};
  }

  private static long minInt(DType d) {
    return switch (d) { case INT32 -> Integer.MIN_VALUE; case INT64 -> Long.MIN_VALUE; default -> 0; };
  }

  private static long maxInt(DType d) {
    return switch (d) { case INT32 -> Integer.MAX_VALUE; case INT64 -> Long.MAX_VALUE; case UINT32 -> 0xffffffffL; case BOOL -> 1; default -> 0; };
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray y = bind1(p, x[0]);
    if (SymbolicZero.is(t[0]) || !y.dtype().isFloating()) return JvpResult.of(y, new SymbolicZero(y.type()));
    int[] kept = keptAxes(x[0].ndim(), p.axes());
    return switch (kind) {
      case SUM -> JvpResult.of(y, bind1(p, t[0]));
      case MAX, MIN -> {
        NDArray yb = Ops.broadcastInDim(y, x[0].shape(), kept);
        NDArray loc = Ops.convert(Ops.eq(x[0], yb), x[0].dtype());
        NDArray counts = Ops.reduceSum(loc, p.axes());
        yield JvpResult.of(y, Ops.div(Ops.reduceSum(Ops.mul(t[0], loc), p.axes()), counts));
      }
      case PROD -> JvpResult.of(y, prodTangent(x[0], t[0], p.axes(), kept));
    };
  }

  /**
   * Tangent of a product by a pairwise tree (JAX's _reduce_prod_jvp_rule): the reduced axes are
   * flattened to one leading axis of length n, then halves are multiplied with the product rule until
   * one row is left. Uses only mul/slice/concatenate, so it is exact at zeros and differentiable again.
   */
  private static NDArray prodTangent(NDArray x, NDArray t, int[] axes, int[] kept) {
    int[] perm = Shapes.concat(axes, kept);
    int[] keptShape = Shapes.removeAxes(x.shape(), axes);
    int n = 1;
    for (int a : axes) n *= x.shape()[a];
    int[] flatShape = Shapes.insert(keptShape, 0, n);
    NDArray xs = Ops.reshape(Ops.transpose(x, perm), flatShape);
    NDArray ts = Ops.reshape(Ops.transpose(t, perm), flatShape);
    if (n == 0) return Ops.zeros(new ArrayType(x.dtype(), keptShape));
    while (n > 1) {
      if (n % 2 == 1) {
        ArrayType row = new ArrayType(x.dtype(), Shapes.insert(keptShape, 0, 1));
        xs = Ops.concatenate(new NDArray[] {xs, Ops.full(row, 1.0)}, 0);
        ts = Ops.concatenate(new NDArray[] {ts, Ops.zeros(row)}, 0);
        n++;
      }
      int h = n / 2;
      NDArray a = rows(xs, 0, h), b = rows(xs, h, n), ta = rows(ts, 0, h), tb = rows(ts, h, n);
      xs = Ops.mul(a, b);
      ts = Ops.add(Ops.mul(ta, b), Ops.mul(a, tb));
      n = h;
    }
    return Ops.reshape(ts, keptShape);
  }

  private static NDArray rows(NDArray x, int from, int to) {
    int[] s = x.shape();
    int[] start = new int[s.length], limit = s.clone(), strides = new int[s.length];
    java.util.Arrays.fill(strides, 1);
    start[0] = from;
    limit[0] = to;
    return Ops.slice(x, start, limit, strides);
  }

  static int[] keptAxes(int rank, int[] axes) {
    int[] kept = new int[rank - axes.length];
    for (int i = 0, j = 0; i < rank; i++) if (!Shapes.contains(axes, i)) kept[j++] = i;
    return kept;
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    if (kind != Kind.SUM) return super.transpose(ct, in, p);
    return new NDArray[] {Ops.broadcastInDim(ct[0], in[0].shape(), keptAxes(in[0].ndim(), p.axes()))};
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray x = Batching.moveAxis(args[0], dims[0], 0);
    int[] axes = new int[p.axes().length];
    for (int i = 0; i < axes.length; i++) axes[i] = p.axes()[i] + 1;
    return Batched.of(bind1(new P(axes), x), 0);
  }
}
