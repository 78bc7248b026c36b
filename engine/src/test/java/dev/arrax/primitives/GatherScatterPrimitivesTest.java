package dev.arrax.primitives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.ShapeException;
import dev.arrax.testing.Check;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.ProgramCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The primitives added for issue 13: gather, the scatter family, rev and the cumulative reductions.
 * References are float64 loops written here from the definitions (row-major, XLA's clamping or
 * dropping of out-of-range indices); derivatives against finite differences (GradCheck), vmap against
 * loops over examples (VmapCheck), and every program through text and back and through jit.
 */
class GatherScatterPrimitivesTest {

  /** Shapes pre + [n] + post, indices of shape I with some out of range. */
  private static int[] shape(Rand r, int axis, int n) {
    int rank = axis + 1 + r.nextInt(2);
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) s[i] = 1 + r.nextInt(3);
    s[axis] = n;
    return s;
  }

  private static int prod(int[] s, int from, int to) {
    int p = 1;
    for (int i = from; i < to; i++) p *= s[i];
    return p;
  }

  static double[] gatherRef(NDArray op, long[] idx, int axis) {
    int[] s = op.shape();
    double[] x = op.toDoubleArray();
    int n = s[axis], pre = prod(s, 0, axis), post = prod(s, axis + 1, s.length);
    double[] out = new double[pre * idx.length * post];
    for (int b = 0; b < pre; b++) {
      for (int i = 0; i < idx.length; i++) {
        int k = (int) Math.max(0, Math.min(n - 1, idx[i]));
        for (int q = 0; q < post; q++) out[(b * idx.length + i) * post + q] = x[(b * n + k) * post + q];
      }
    }
    return out;
  }

  static double[] scatterRef(Scatter.Kind kind, NDArray op, long[] idx, NDArray upd, int axis, boolean drop) {
    int[] s = op.shape();
    double[] x = op.toDoubleArray(), u = upd.toDoubleArray();
    int n = s[axis], pre = prod(s, 0, axis), post = prod(s, axis + 1, s.length);
    for (int b = 0; b < pre; b++) {
      for (int i = 0; i < idx.length; i++) {
        if (drop && (idx[i] < 0 || idx[i] >= n)) continue;
        int k = (int) Math.max(0, Math.min(n - 1, idx[i]));
        for (int q = 0; q < post; q++) {
          int t = (b * n + k) * post + q;
          double v = u[(b * idx.length + i) * post + q];
          x[t] = switch (kind) {
            case SET -> v;
            case ADD -> x[t] + v;
            case MUL -> x[t] * v;
            case MIN -> Math.min(x[t], v);
            case MAX -> Math.max(x[t], v);
          };
        }
      }
    }
    return x;
  }

  private static void transformations(Fn f, NDArray[] args, String msg) {
    ProgramCheck.roundTrip(f, args, msg);
    Check.close(f.apply(args), Arrax.jit(f).apply(args), 0, 0, msg + ": jit");
  }

  @Test
  void gatherValuesGradientsAndVmap() {
    for (long seed = 0; seed < 12; seed++) {
      Rand r = new Rand(seed);
      int axis = r.nextInt(2), n = 1 + r.nextInt(4);
      int[] s = shape(r, axis, n);
      NDArray op = r.normal(s);
      int[] is = r.nextInt(2) == 0 ? new int[] {1 + r.nextInt(4)} : new int[] {2, 1 + r.nextInt(3)};
      DType it = new DType[] {DType.INT32, DType.INT64, DType.UINT32}[r.nextInt(3)];
      NDArray idx = r.ints(it == DType.UINT32 ? 0 : -2, n + 2, it, is);
      String msg = "gather axis " + axis + " " + op.type() + " " + idx.type() + " " + r.describe();
      Fn f = a -> Ops.gather(a[0], a[1], axis);
      NDArray y = f.apply(op, idx);
      assertEquals(Arrays.toString(Gather.outShape(s, axis, is)), Arrays.toString(y.shape()), msg);
      Check.close(gatherRef(op, idx.toLongArray(), axis), y, 0, 0, msg);
      transformations(f, new NDArray[] {op, idx}, msg);
      GradCheck.check(f, new NDArray[] {op, idx}, 2, r, 1e-6, msg);
      NDArray ops = r.normal(prepend(3, s));
      NDArray idxs = r.ints(it == DType.UINT32 ? 0 : -2, n + 2, it, prepend(3, is));
      VmapCheck.check(f, new NDArray[] {ops, idx}, new Integer[] {0, null}, 0, msg + " batched operand");
      VmapCheck.check(f, new NDArray[] {op, idxs}, new Integer[] {null, 0}, 0, msg + " batched indices");
      VmapCheck.check(f, new NDArray[] {ops, idxs}, new Integer[] {0, 0}, 0, msg + " both batched");
      VmapCheck.check(f, new NDArray[] {Batching.moveAxis(ops, 0, ops.ndim() - 1), idxs}, new Integer[] {-1, 0}, 0, msg + " operand batched last");
      VmapCheck.check(Arrax.grad(a -> Np.sum(Np.sin(Ops.gather(a[0], a[1], axis)))), new NDArray[] {ops, idxs}, new Integer[] {0, 0}, 1e-15,
          msg + " vmap(grad)");
    }
  }

  private static int[] prepend(int b, int[] s) {
    int[] r = new int[s.length + 1];
    r[0] = b;
    System.arraycopy(s, 0, r, 1, s.length);
    return r;
  }

  @Test
  void scatterFamilyValuesGradientsAndVmap() {
    Scatter[] prims = {Primitives.SCATTER, Primitives.SCATTER_ADD, Primitives.SCATTER_MUL, Primitives.SCATTER_MIN, Primitives.SCATTER_MAX};
    for (long seed = 0; seed < 10; seed++) {
      for (Scatter prim : prims) {
        Rand r = new Rand(seed * 7 + prim.kind().ordinal());
        int axis = r.nextInt(2), n = 2 + r.nextInt(3);
        int[] s = shape(r, axis, n);
        boolean drop = r.nextInt(2) == 0;
        boolean unique = prim.kind() == Scatter.Kind.MUL || prim.kind() == Scatter.Kind.SET && r.nextInt(2) == 0;
        // unique in-range indices where the derivative needs them; otherwise repeats and out-of-range ones
        long[] raw = unique ? uniqueIndices(r, n) : r.ints(-2, n + 2, DType.INT64, 1 + r.nextInt(5)).toLongArray();
        NDArray idx = NDArray.ofLongs(raw);
        NDArray op = r.normal(s), upd = r.normal(Gather.outShape(s, axis, idx.shape()));
        String msg = prim.name() + " axis " + axis + " " + op.type() + " indices " + Arrays.toString(raw) + (drop ? " drop" : " clip") + " " + r.describe();
        Fn f = a -> Ops.scatter(prim, a[0], a[1], a[2], axis, drop, unique);
        Check.close(scatterRef(prim.kind(), op, raw, upd, axis, drop), f.apply(op, idx, upd), 0, 0, msg);
        transformations(f, new NDArray[] {op, idx, upd}, msg);
        // min/max: ties have measure zero for random normals; set with repeats: the winner is fixed
        GradCheck.check(f, new NDArray[] {op, idx, upd}, 2, r, 1e-6, msg);
        NDArray ops = r.normal(prepend(3, s)), upds = r.normal(prepend(3, upd.shape()));
        NDArray idxs = unique ? Np.stack(NDArray.ofLongs(raw), NDArray.ofLongs(uniqueIndices(r, n, raw.length)), NDArray.ofLongs(raw))
            : r.ints(-2, n + 2, DType.INT64, 3, raw.length);
        VmapCheck.check(f, new NDArray[] {ops, idx, upd}, new Integer[] {0, null, null}, 0, msg + " batched operand");
        VmapCheck.check(f, new NDArray[] {op, idx, upds}, new Integer[] {null, null, 0}, 0, msg + " batched updates");
        VmapCheck.check(f, new NDArray[] {op, idxs, upd}, new Integer[] {null, 0, null}, 0, msg + " batched indices");
        VmapCheck.check(f, new NDArray[] {ops, idxs, upds}, new Integer[] {0, 0, 0}, 0, msg + " all batched");
        VmapCheck.check(Arrax.grad(a -> Np.sum(Np.sin(f.apply(a))), 2), new NDArray[] {ops, idxs, upds}, new Integer[] {0, 0, 0}, 1e-14,
            msg + " vmap(grad wrt updates)");
      }
    }
  }

  private static long[] uniqueIndices(Rand r, int n) {
    return uniqueIndices(r, n, 1 + r.nextInt(n));
  }

  private static long[] uniqueIndices(Rand r, int n, int k) {
    int[] p = StructuralTestSupport.permutation(r.random(), n);
    long[] out = new long[k];
    for (int i = 0; i < k; i++) out[i] = p[i];
    return out;
  }

  /** Derivatives at ties and repeats, by hand: JAX's conventions. */
  @Test
  void scatterDerivativeConventions() {
    NDArray op = NDArray.of(1.0, 5.0, 2.0), idx = NDArray.ofLongs(0, 0, 2, 7), upd = NDArray.of(3.0, 4.0, 2.0, 9.0);
    // set with a repeated index: the last update (4.0) wins position 0, the first gets no gradient; 7 is dropped
    Fn set = a -> Ops.scatter(Primitives.SCATTER, a[0], a[1], a[2], 0, true, false);
    Check.close(new double[] {4, 5, 2}, set.apply(op, idx, upd), 0, 0, "set value");
    Check.close(new double[] {0, 1, 0}, Arrax.grad(a -> Np.sum(set.apply(a)), 0).apply(op, idx, upd), 0, 0, "set: d/d operand");
    Check.close(new double[] {0, 1, 1, 0}, Arrax.grad(a -> Np.sum(set.apply(a)), 2).apply(op, idx, upd), 0, 0, "set: d/d updates");
    // max: position 2 ties (2.0 vs 2.0): the tangent is shared 1/2 and 1/2
    Fn max = a -> Ops.scatter(Primitives.SCATTER_MAX, a[0], a[1], a[2], 0, true, false);
    Check.close(new double[] {4, 5, 2}, max.apply(op, idx, upd), 0, 0, "max value");
    Check.close(new double[] {0, 1, 0.5}, Arrax.grad(a -> Np.sum(max.apply(a)), 0).apply(op, idx, upd), 0, 0, "max: d/d operand");
    Check.close(new double[] {0, 1, 0.5, 0}, Arrax.grad(a -> Np.sum(max.apply(a)), 2).apply(op, idx, upd), 0, 0, "max: d/d updates");
    // add with clip mode: 7 lands on position 2
    Fn addClip = a -> Ops.scatter(Primitives.SCATTER_ADD, a[0], a[1], a[2], 0, false, false);
    Check.close(new double[] {8, 5, 13}, addClip.apply(op, idx, upd), 0, 0, "add clip value");
    Check.close(new double[] {1, 1, 1, 1}, Arrax.grad(a -> Np.sum(addClip.apply(a)), 2).apply(op, idx, upd), 0, 0, "add clip: d/d updates");
    Fn addDrop = a -> Ops.scatter(Primitives.SCATTER_ADD, a[0], a[1], a[2], 0, true, false);
    Check.close(new double[] {1, 1, 1, 0}, Arrax.grad(a -> Np.sum(addDrop.apply(a)), 2).apply(op, idx, upd), 0, 0, "add drop: d/d updates");
    // mul without the unique promise: the derivative in the updates is refused, as in JAX
    Fn mul = a -> Ops.scatter(Primitives.SCATTER_MUL, a[0], a[1], a[2], 0, true, false);
    ArraxException e = assertThrows(ArraxException.class, () -> Arrax.grad(a -> Np.sum(mul.apply(a)), 2).apply(op, idx, upd));
    assertTrue(e.getMessage().startsWith("scatter_mul: the derivative with respect to the updates is only implemented for unique indices"), e.getMessage());
    Check.close(new double[] {12, 1, 2}, Arrax.grad(a -> Np.sum(mul.apply(a)), 0).apply(op, idx, upd), 0, 0, "mul: d/d operand is the product of the updates");
  }

  @Test
  void gatherAndScatterErrors() {
    ShapeException a = assertThrows(ShapeException.class, () -> Ops.gather(Np.ones(2, 3), NDArray.of(1.0), 0));
    assertEquals("gather: indices must be integers (i32, i64 or u32), got f64[1]" , a.getMessage().split("\n")[0].replaceAll(" \\(at .*", ""));
    ShapeException b = assertThrows(ShapeException.class, () -> Ops.gather(Np.ones(0, 3), NDArray.ofInts(0), 0));
    assertTrue(b.getMessage().startsWith("gather: cannot take i32[1] indices from the empty axis 0 of f64[0,3]"), b.getMessage());
    ShapeException c = assertThrows(ShapeException.class, () -> Ops.scatter(Primitives.SCATTER_ADD, Np.ones(2, 3), NDArray.ofInts(0, 1), Np.ones(2, 3), 1, true, false));
    assertTrue(c.getMessage().startsWith("scatter_add: updates must be f64[2,2] (operand f64[2,3] with axis 1 replaced by the indices' shape [2]), got f64[2,3]"), c.getMessage());
  }

  @Test
  void revValuesAndRules() {
    for (long seed = 0; seed < 6; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(3, 4);
      if (s.length == 0) s = new int[] {3};
      int[] dims = StructuralTestSupport.subset(r.random(), s.length);
      NDArray x = r.normal(s);
      String msg = "rev " + x.type() + " dims " + Arrays.toString(dims) + " " + r.describe();
      Fn f = a -> Ops.rev(a[0], dims);
      double[] xs = x.toDoubleArray(), expected = new double[xs.length];
      for (int i = 0; i < xs.length; i++) {
        int[] idx = StructuralTestSupport.unravel(i, s);
        for (int d : dims) idx[d] = s[d] - 1 - idx[d];
        expected[i] = xs[StructuralTestSupport.ravel(idx, s)];
      }
      Check.close(expected, f.apply(x), 0, 0, msg);
      transformations(f, new NDArray[] {x}, msg);
      GradCheck.check(f, new NDArray[] {x}, 1, r, 1e-7, msg);
      VmapCheck.check(f, new NDArray[] {r.normal(prepend(2, s))}, new Integer[] {0}, 0, msg + " vmap");
    }
  }

  @Test
  void cumulativeReductionsValuesAndRules() {
    CumulativeReduction[] prims = {Primitives.CUMPROD, Primitives.CUMMAX, Primitives.CUMMIN};
    for (long seed = 0; seed < 6; seed++) {
      for (CumulativeReduction prim : prims) {
        Rand r = new Rand(seed);
        int[] s = {1 + r.nextInt(5), 1 + r.nextInt(4)};
        int axis = r.nextInt(2);
        boolean reverse = r.nextInt(2) == 0;
        NDArray x = r.normal(s);
        String msg = prim.name() + " axis " + axis + (reverse ? " reverse " : " ") + x.type() + " " + r.describe();
        Fn f = a -> Ops.cumulative(prim, a[0], axis, reverse);
        double[] xs = x.toDoubleArray(), expected = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
          int[] idx = StructuralTestSupport.unravel(i, s);
          int k = idx[axis];
          double acc = Double.NaN;
          boolean first = true;
          for (int j = reverse ? s[axis] - 1 : 0; reverse ? j >= k : j <= k; j += reverse ? -1 : 1) {
            int[] jdx = idx.clone();
            jdx[axis] = j;
            double v = xs[StructuralTestSupport.ravel(jdx, s)];
            acc = first ? v : prim == Primitives.CUMPROD ? acc * v : prim == Primitives.CUMMAX ? Math.max(acc, v) : Math.min(acc, v);
            first = false;
          }
          expected[i] = acc;
        }
        Check.close(expected, f.apply(x), 0, 0, msg);
        transformations(f, new NDArray[] {x}, msg);
        GradCheck.check(f, new NDArray[] {x}, 2, r, 1e-6, msg);
        VmapCheck.check(f, new NDArray[] {r.normal(prepend(3, s))}, new Integer[] {0}, 0, msg + " vmap");
        VmapCheck.check(f, new NDArray[] {r.normal(s[0], 3, s[1])}, new Integer[] {1}, 0, msg + " vmap axis 1");
      }
    }
    // integers keep their dtype; bool is refused as in JAX
    Check.close(new double[] {2, 6, 24}, Ops.cumulative(Primitives.CUMPROD, NDArray.ofInts(2, 3, 4), 0, false), 0, 0, "cumprod i32");
    assertEquals(DType.INT32, Ops.cumulative(Primitives.CUMMAX, NDArray.ofInts(2, 3, 4), 0, false).dtype());
    assertThrows(ShapeException.class, () -> Ops.cumulative(Primitives.CUMMAX, NDArray.ofBools(true), 0, false));
    // a tie in cummax shares the tangent (max's rule through the associative scan, as JAX's JVP)
    Check.close(new double[] {0.5, 0.5, 0}, Arrax.grad(a -> Np.sum(Np.multiply(Ops.cumulative(Primitives.CUMMAX, a[0], 0, false), NDArray.of(0.0, 1.0, 0.0))))
        .apply(NDArray.of(1.0, 1.0, 0.0)), 0, 0, "cummax tie: out[1] = max(x0, x1) shares its tangent");
  }
}
