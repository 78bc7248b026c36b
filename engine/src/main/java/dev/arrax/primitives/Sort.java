package dev.arrax.primitives;

import dev.arrax.ArraxException;
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
import dev.arrax.core.UndefinedPrimal;
import java.util.Arrays;
import java.util.Comparator;

/**
 * JAX's {@code sort_p}: sorts operands of one shape together along {@code dimension}, ordering by the
 * first {@code numKeys} operands lexicographically, and returns every operand permuted the same way
 * ({@code sort_key_val} is {@code numKeys = 1} with two operands). The evaluation is always stable,
 * which {@code isStable = false} also allows. Order as in lax: u32 unsigned; floats ascending with
 * -0.0 equal to 0.0 and every NaN equal and after +inf.
 *
 * <p>JVP: the tangents are the non-key operands of a second sort by the same keys, which permutes
 * them exactly like their primals. Transpose (in the non-key operands): the cotangent is put back
 * where it came from by sorting it by the permutation {@code sort(keys, iota)}.
 */
public final class Sort extends Primitive<Sort.P> {
  /**
   * Parameters: the axis sorted along, whether the sort is stable, and how many leading operands are the
   * keys (compared lexicographically; the rest are permuted alongside).
   */
  public record P(int dimension, boolean isStable, int numKeys) implements Params {}

  Sort() {
    super("sort", P.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, P p) {
    if (in.length == 0) throw new ShapeException("sort: needs at least one operand");
    if (p.numKeys() < 1 || p.numKeys() > in.length) {
      throw new ShapeException("sort: num_keys " + p.numKeys() + " must be between 1 and the number of operands " + in.length);
    }
    int rank = in[0].rank();
    if (p.dimension() < 0 || p.dimension() >= rank) throw new ShapeException("sort: dimension " + p.dimension() + " out of bounds for " + in[0]);
    for (ArrayType t : in) {
      if (!Arrays.equals(t.shape(), in[0].shape())) {
        throw new ShapeException("sort: operands must have one shape, got " + Arrays.toString(in));
      }
    }
    return in.clone();
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, P p) {
    int[] shape = in[0].shape();
    ConcreteArray[] out = new ConcreteArray[in.length];
    for (int k = 0; k < in.length; k++) out[k] = ConcreteArray.zeros(in[k].type());
    if (in[0].size() == 0) return out;
    int d = p.dimension(), len = shape[d], inner = Shapes.strides(shape)[d], outer = in[0].size() / (len * inner);
    Integer[] order = new Integer[len];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * len * inner + i;
        for (int j = 0; j < len; j++) order[j] = j;
        Comparator<Integer> cmp = (x, y) -> {
          for (int k = 0; k < p.numKeys(); k++) {
            int c = compare(in[k].buffer(), base + x * inner, base + y * inner);
            if (c != 0) return c;
          }
          return 0;
        };
        Arrays.sort(order, cmp); // a merge sort: stable
        for (int k = 0; k < in.length; k++) {
          Buffer src = in[k].buffer(), dst = out[k].buffer();
          for (int j = 0; j < len; j++) dst.copyElement(base + j * inner, src, base + order[j] * inner);
        }
      }
    }
    return out;
  }

  private static int compare(Buffer b, int i, int j) {
    DType d = b.dtype();
    if (d.isFloating()) return Double.compare(b.getDouble(i) + 0.0, b.getDouble(j) + 0.0); // -0.0 + 0.0 == +0.0
    return Long.compare(b.getLong(i), b.getLong(j)); // u32 reads unsigned, bool as 0/1
  }

  @Override public JvpResult jvp(NDArray[] x, NDArray[] t, P p) {
    NDArray[] y = bind(p, x);
    NDArray[] ty = new NDArray[x.length];
    java.util.List<Integer> moving = new java.util.ArrayList<>();
    for (int k = 0; k < x.length; k++) {
      if (SymbolicZero.is(t[k]) || !x[k].dtype().isFloating()) ty[k] = new SymbolicZero(y[k].type());
      else moving.add(k);
    }
    if (!moving.isEmpty()) {
      NDArray[] args = new NDArray[p.numKeys() + moving.size()];
      System.arraycopy(x, 0, args, 0, p.numKeys());
      for (int m = 0; m < moving.size(); m++) args[p.numKeys() + m] = t[moving.get(m)];
      NDArray[] sorted = bind(p, args);
      for (int m = 0; m < moving.size(); m++) ty[moving.get(m)] = sorted[p.numKeys() + m];
    }
    return new JvpResult(y, ty);
  }

  @Override public NDArray[] transpose(NDArray[] ct, NDArray[] in, P p) {
    for (int k = 0; k < p.numKeys(); k++) {
      if (UndefinedPrimal.is(in[k])) throw new ArraxException("sort: cannot transpose with respect to a sort key (the result is not linear in it)");
    }
    int[] shape = in[0].shape();
    NDArray[] keyed = new NDArray[p.numKeys() + 1];
    System.arraycopy(in, 0, keyed, 0, p.numKeys());
    keyed[p.numKeys()] = Ops.iota(DType.INT32, shape, p.dimension());
    NDArray perm = bind(p, keyed)[p.numKeys()];
    NDArray[] res = new NDArray[in.length];
    P unsort = new P(p.dimension(), true, 1);
    for (int k = p.numKeys(); k < in.length; k++) {
      if (!UndefinedPrimal.is(in[k])) continue;
      res[k] = SymbolicZero.is(ct[k]) ? null : bind(unsort, perm, ct[k])[1];
    }
    return res;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int size, P p) {
    NDArray[] moved = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) moved[i] = Batching.moveToFront(args[i], dims[i], size);
    NDArray[] out = bind(new P(p.dimension() + 1, p.isStable(), p.numKeys()), moved);
    return new Batched(out, new int[out.length]);
  }
}
