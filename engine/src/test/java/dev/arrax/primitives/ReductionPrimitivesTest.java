package dev.arrax.primitives;

import static dev.arrax.primitives.StructuralTestSupport.BOOL;
import static dev.arrax.primitives.StructuralTestSupport.F32;
import static dev.arrax.primitives.StructuralTestSupport.F64;
import static dev.arrax.primitives.StructuralTestSupport.I32;
import static dev.arrax.primitives.StructuralTestSupport.I64;
import static dev.arrax.primitives.StructuralTestSupport.U32;
import static dev.arrax.primitives.StructuralTestSupport.assertFloats;
import static dev.arrax.primitives.StructuralTestSupport.assertInts;
import static dev.arrax.primitives.StructuralTestSupport.batch;
import static dev.arrax.primitives.StructuralTestSupport.batchSize;
import static dev.arrax.primitives.StructuralTestSupport.contains;
import static dev.arrax.primitives.StructuralTestSupport.permutation;
import static dev.arrax.primitives.StructuralTestSupport.pick;
import static dev.arrax.primitives.StructuralTestSupport.random;
import static dev.arrax.primitives.StructuralTestSupport.range;
import static dev.arrax.primitives.StructuralTestSupport.ravel;
import static dev.arrax.primitives.StructuralTestSupport.size;
import static dev.arrax.primitives.StructuralTestSupport.str;
import static dev.arrax.primitives.StructuralTestSupport.subset;
import static dev.arrax.primitives.StructuralTestSupport.unravel;
import static dev.arrax.primitives.StructuralTestSupport.wrap;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.primitives.StructuralTestSupport.Batch;
import dev.arrax.primitives.StructuralTestSupport.Gen;
import dev.arrax.primitives.StructuralTestSupport.Mode;
import dev.arrax.testing.Check;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * reduce_sum/max/min/prod, argmax/argmin, cumsum and dot_general: values against loops written here
 * (output-major, so they do not share the engine's accumulation order), derivatives by finite
 * differences to order 2 plus closed forms at ties and zeros, vmap against a loop.
 */
class ReductionPrimitivesTest {
  private static final int SEEDS = 30;

  private enum Kind { SUM, MAX, MIN, PROD }

  private static NDArray reduce(Kind k, NDArray x, int[] axes) {
    return switch (k) {
      case SUM -> Ops.reduceSum(x, axes);
      case MAX -> Ops.reduceMax(x, axes);
      case MIN -> Ops.reduceMin(x, axes);
      case PROD -> Ops.reduceProd(x, axes);
    };
  }

  // ---------------------------------------------------------------- reduce_*

  /** Output shape and, per output element, the flat input positions it reduces (in row-major order of the reduced axes). */
  private record Groups(int[] outShape, int[][] members) {}

  private static Groups groups(int[] s, int[] axes) {
    int[] kept = Arrays.stream(range(s.length)).filter(a -> !contains(axes, a)).toArray();
    int[] sortedAxes = axes.clone();
    Arrays.sort(sortedAxes);
    int[] out = new int[kept.length], red = new int[sortedAxes.length];
    for (int i = 0; i < kept.length; i++) out[i] = s[kept[i]];
    for (int i = 0; i < red.length; i++) red[i] = s[sortedAxes[i]];
    int[][] members = new int[size(out)][size(red)];
    for (int o = 0; o < members.length; o++) {
      int[] oi = unravel(o, out);
      for (int q = 0; q < members[o].length; q++) {
        int[] ri = unravel(q, red), full = new int[s.length];
        for (int i = 0; i < kept.length; i++) full[kept[i]] = oi[i];
        for (int i = 0; i < red.length; i++) full[sortedAxes[i]] = ri[i];
        members[o][q] = ravel(full, s);
      }
    }
    return new Groups(out, members);
  }

  private static NDArray reductionInput(Rand r, Kind k, DType d, int[] s) {
    Random g = r.random();
    int n = size(s);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (d) {
        case FLOAT32, FLOAT64 -> (k == Kind.MAX || k == Kind.MIN) && g.nextInt(12) == 0 ? Double.NaN : g.nextGaussian();
        case INT32 -> k == Kind.SUM && g.nextInt(4) == 0 ? (g.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE) : g.nextInt(41) - 20;
        case INT64 -> g.nextInt(41) - 20;
        case UINT32 -> k == Kind.SUM && g.nextInt(4) == 0 ? 4294967295.0 : g.nextInt(41);
        case BOOL -> g.nextInt(3) == 0 ? 1 : 0;
      };
    }
    return NDArray.fromFlat(v, d, s);
  }

  private static long intIdentity(Kind k, DType d) {
    return switch (k) {
      case SUM -> 0;
      case PROD -> 1;
      case MAX -> switch (d) { case INT32 -> Integer.MIN_VALUE; case INT64 -> Long.MIN_VALUE; default -> 0; };
      case MIN -> switch (d) { case INT32 -> Integer.MAX_VALUE; case INT64 -> Long.MAX_VALUE; case UINT32 -> 4294967295L; default -> 1; };
    };
  }

  @Test
  void reductionsMatchLoopsInTheirOwnDtype() {
    for (Kind k : Kind.values()) {
      DType[] dtypes = k == Kind.MAX || k == Kind.MIN ? new DType[] {F64, F32, I32, I64, U32, BOOL} : new DType[] {F64, F32, I32, I64, U32};
      for (long seed = 0; seed < 3 * SEEDS; seed++) {
        Rand r = new Rand(seed);
        int[] s = r.shape(4, 3, true);
        int[] axes = subset(r.random(), s.length);
        DType d = dtypes[(int) (seed % dtypes.length)];
        NDArray x = reductionInput(r, k, d, s);
        NDArray y = reduce(k, x, axes);
        Groups gr = groups(s, axes);
        String msg = "reduce_" + k + " " + d + str(s) + " axes=" + str(axes) + " " + r.describe();
        if (d.isFloating()) {
          double[] xv = x.toDoubleArray(), e = new double[gr.members().length];
          for (int o = 0; o < e.length; o++) {
            double acc = switch (k) { case SUM -> 0; case PROD -> 1; case MAX -> Double.NEGATIVE_INFINITY; case MIN -> Double.POSITIVE_INFINITY; };
            for (int f : gr.members()[o]) {
              double v = xv[f];
              acc = switch (k) {
                case SUM -> acc + v;
                case PROD -> acc * v;
                case MAX -> Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : (v > acc ? v : acc);
                case MIN -> Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : (v < acc ? v : acc);
              };
            }
            e[o] = acc;
          }
          assertFloats(e, d, gr.outShape(), y, d == F32 ? 1e-6 : 1e-12, msg);
        } else {
          long[] xv = x.toLongArray(), e = new long[gr.members().length];
          for (int o = 0; o < e.length; o++) {
            long acc = intIdentity(k, d);
            for (int f : gr.members()[o]) {
              long v = xv[f];
              acc = switch (k) { case SUM -> acc + v; case PROD -> acc * v; case MAX -> v > acc ? v : acc; case MIN -> v < acc ? v : acc; };
            }
            e[o] = wrap(acc, d);
          }
          assertInts(e, d, gr.outShape(), y, msg);
        }
      }
    }
  }

  /** Pinned from JAX 0.10.2 (x64): empty reductions give the identity; i32 sums wrap. */
  @Test
  void reductionIdentitiesAndWrapAsJax() {
    assertInts(new long[] {Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE}, I32, new int[] {3},
        Ops.reduceMax(NDArray.fromFlat(new double[0], I32, 0, 3), 0), "empty i32 max");
    assertInts(new long[] {4294967295L, 4294967295L}, U32, new int[] {2}, Ops.reduceMin(NDArray.fromFlat(new double[0], U32, 0, 2), 0), "empty u32 min");
    assertFloats(new double[] {Double.NEGATIVE_INFINITY}, F32, new int[] {1}, Ops.reduceMax(NDArray.fromFlat(new double[0], F32, 1, 0), 1), 0, "empty f32 max");
    assertFloats(new double[] {1, 1}, F64, new int[] {2}, Ops.reduceProd(NDArray.fromFlat(new double[0], 2, 0), 1), 0, "empty prod");
    assertInts(new long[] {-2147483644L}, I32, new int[0], Ops.reduceSum(NDArray.ofInts(Integer.MAX_VALUE, 5), 0), "i32 sum wraps");
    NDArray b = NDArray.fromFlat(new double[] {1, 0, 0, 0}, BOOL, 2, 2);
    assertInts(new long[] {1, 0}, BOOL, new int[] {2}, Ops.reduceMax(b, 1), "bool max is any");
    assertInts(new long[] {1, 0}, BOOL, new int[] {2}, Ops.reduceMin(NDArray.fromFlat(new double[] {1, 1, 0, 1}, BOOL, 2, 2), 1), "bool min is all");
    assertFloats(new double[] {Double.NaN, Double.NaN}, F64, new int[] {2},
        Ops.reduceMin(NDArray.of(new double[][] {{1, Double.NaN, -3}, {Double.NaN, Double.NEGATIVE_INFINITY, 0}}), 1), 0, "min propagates NaN");
  }

  @Test
  void reductionGradients() {
    for (Kind k : Kind.values()) {
      for (long seed = 0; seed < SEEDS; seed++) {
        Rand r = new Rand(seed);
        // max/min/prod at points without ties and away from the empty reduction (its -inf/1 identity has no FD)
        int[] s = r.shape(4, 3, k == Kind.SUM);
        int[] axes = subset(r.random(), s.length);
        Fn f = xs -> reduce(k, xs[0], axes);
        GradCheck.check(f, new NDArray[] {r.normal(s)}, 2, r, 1e-5, "reduce_" + k + " grad " + str(s) + " axes=" + str(axes) + " " + r.describe());
      }
    }
  }

  @Test
  void maxAndMinSplitTheGradientEquallyAtTies() {
    Fn max0 = xs -> Ops.reduceMax(xs[0], 0);
    Check.close(new double[] {0, 0.5, 0.5}, Arrax.grad(max0).apply(NDArray.of(1.0, 3.0, 3.0)), 0, 0, "grad reduce_max [1,3,3] (JAX: [0, .5, .5])");
    Check.close(new double[] {0.5 * (-2 + 7)}, Arrax.jvp(max0, new NDArray[] {NDArray.of(1.0, 3.0, 3.0)}, new NDArray[] {NDArray.of(5.0, -2.0, 7.0)}).tangentOut(),
        0, 0, "jvp reduce_max at a tie averages the tied tangents");
    Fn minAll = xs -> Ops.reduceMin(xs[0], 1, 0);
    Check.close(new double[] {0, 0.5, 0.5, 0}, Arrax.grad(minAll).apply(NDArray.of(new double[][] {{2, -1}, {-1, 5}})), 0, 0, "grad reduce_min 2x2");
    Fn maxRows = xs -> Ops.reduceSum(Ops.reduceMax(xs[0], 1), 0);
    NDArray rows = NDArray.of(new double[][] {{4, 4, 4, 0}, {1, 2, 0, 0}, {7, 7, 7, 7}});
    Check.close(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 0, 1, 0, 0, 0.25, 0.25, 0.25, 0.25}, Arrax.grad(maxRows).apply(rows), 1e-15, 0,
        "grad of row maxima with 3-, 1- and 4-way ties");
  }

  /** Product of the others in each reduced group: the closed form of d prod / d x_i, exact with zeros. */
  @Test
  void prodGradientWithZerosIsProductOfOthers() {
    Fn prod0 = xs -> Ops.reduceProd(xs[0], 0);
    Check.close(new double[] {0, -9, 0, 0}, Arrax.grad(prod0).apply(NDArray.of(2.0, 0.0, 3.0, -1.5)), 0, 0, "one zero (JAX: [0,-9,0,0])");
    Check.close(new double[] {0, 0, 0, 0}, Arrax.grad(prod0).apply(NDArray.of(2.0, 0.0, 3.0, 0.0)), 0, 0, "two zeros (JAX: zeros)");
    for (long seed = 0; seed < 2 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(4, 3, false);
      int[] axes = subset(r.random(), s.length);
      double[] xv = r.normal(s).toDoubleArray();
      int zeros = (int) (seed % 3);
      for (int z = 0; z < zeros && xv.length > 0; z++) xv[r.nextInt(xv.length)] = 0;
      NDArray x = NDArray.fromFlat(xv, s);
      Groups gr = groups(s, axes);
      double[] w = r.normal(gr.outShape()).toDoubleArray();
      NDArray wArr = NDArray.fromFlat(w, gr.outShape());
      // grad of sum(w * prod(x)): w_o times the product of the other members of x's group
      Fn f = xs -> Ops.reduceSum(Ops.mul(Ops.reduceProd(xs[0], axes), wArr), range(gr.outShape().length));
      double[] e = new double[xv.length];
      for (int o = 0; o < gr.members().length; o++) {
        int[] m = gr.members()[o];
        for (int i : m) {
          double p = 1;
          for (int j : m) if (j != i) p *= xv[j];
          e[i] = w[o] * p;
        }
      }
      String msg = "reduce_prod " + zeros + " zeros " + str(s) + " axes=" + str(axes) + " " + r.describe();
      Check.close(e, Arrax.grad(f).apply(x), 1e-12, 1e-14, msg);
      GradCheck.check(xs -> Ops.reduceProd(xs[0], axes), new NDArray[] {x}, 2, r, 1e-5, msg);
    }
  }

  @Test
  void reductionVmap() {
    for (Kind k : Kind.values()) {
      for (long seed = 0; seed < SEEDS / 2; seed++) {
        Rand r = new Rand(seed);
        int[] s = r.shape(3, 3, true);
        int[] axes = subset(r.random(), s.length);
        DType d = pick(r, F64, I32, k == Kind.MAX ? BOOL : I64);
        Fn f = xs -> reduce(k, xs[0], axes);
        for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
          Batch b = batch(r, m, batchSize(r), new int[][] {s}, new Gen[] {sh -> reductionInput(r, k, d, sh)});
          VmapCheck.check(f, b.args(), b.inAxes(), 1e-12, "reduce_" + k + " vmap " + d + str(s) + " axes=" + str(axes) + " " + m + " " + b.describe() + " " + r.describe());
        }
      }
    }
  }

  // ---------------------------------------------------------------- argmax / argmin

  private static NDArray argInput(Rand r, DType d, int[] s) {
    Random g = r.random();
    double[] v = new double[size(s)];
    for (int i = 0; i < v.length; i++) v[i] = d.isFloating() && g.nextInt(10) == 0 ? Double.NaN : (d == U32 || d == BOOL ? g.nextInt(d == BOOL ? 2 : 4) : g.nextInt(5) - 2);
    return NDArray.fromFlat(v, d, s);
  }

  private static int[] nonEmptyAxisShape(Rand r) {
    int[] s = r.shape(4, 4, true);
    if (s.length == 0) s = new int[] {1 + r.nextInt(4)};
    return s;
  }

  @Test
  void argmaxArgminReturnTheFirstExtremeAndTheFirstNaN() {
    for (boolean isMax : new boolean[] {true, false}) {
      for (long seed = 0; seed < 4 * SEEDS; seed++) {
        Rand r = new Rand(seed);
        int[] s = nonEmptyAxisShape(r);
        int axis = r.nextInt(s.length);
        if (s[axis] == 0) s[axis] = 3;
        DType d = pick(r, F64, F32, I32, I64, U32, BOOL), id = pick(r, I32, I64, U32);
        NDArray x = argInput(r, d, s);
        NDArray y = isMax ? Ops.argmax(x, axis, id) : Ops.argmin(x, axis, id);
        int[] os = Arrays.stream(range(s.length)).filter(a -> a != axis).map(a -> s[a]).toArray();
        double[] xv = x.toDoubleArray();
        long[] e = new long[size(os)];
        for (int o = 0; o < e.length; o++) {
          int[] oi = unravel(o, os);
          double[] line = new double[s[axis]];
          for (int k = 0; k < line.length; k++) {
            int[] full = new int[s.length];
            for (int a = 0, j = 0; a < s.length; a++) full[a] = a == axis ? k : oi[j++];
            line[k] = xv[ravel(full, s)];
          }
          int firstNaN = -1;
          for (int k = line.length - 1; k >= 0; k--) if (Double.isNaN(line[k])) firstNaN = k;
          if (firstNaN >= 0) {
            e[o] = firstNaN;
            continue;
          }
          double best = isMax ? Arrays.stream(line).max().getAsDouble() : Arrays.stream(line).min().getAsDouble();
          int k = 0;
          while (line[k] != best) k++;
          e[o] = k;
        }
        assertInts(e, id, os, y, (isMax ? "argmax " : "argmin ") + d + str(s) + " axis=" + axis + " -> " + id + " " + r.describe());
      }
    }
  }

  @Test
  void argmaxPinnedAsJax() {
    assertInts(new long[] {1}, I32, new int[0], Ops.argmax(NDArray.of(1, Double.NaN, 5, Double.NaN), 0, I32), "argmax: first NaN wins");
    assertInts(new long[] {1}, I32, new int[0], Ops.argmin(NDArray.of(1, Double.NaN, -5, Double.NaN), 0, I32), "argmin: first NaN wins");
    assertInts(new long[] {1}, I32, new int[0], Ops.argmax(NDArray.of(1.0, 5.0, 5.0), 0, I32), "argmax: first of ties");
    assertInts(new long[] {0, 2}, I64, new int[] {2}, Ops.argmin(NDArray.of(new double[][] {{-1, 0, -1}, {3, 3, 2}}), 1, I64), "argmin rows");
  }

  @Test
  void argmaxArgminVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = nonEmptyAxisShape(r);
      int axis = r.nextInt(s.length);
      if (s[axis] == 0) s[axis] = 2;
      DType d = pick(r, F64, I32, U32);
      boolean isMax = seed % 2 == 0;
      Fn f = xs -> isMax ? Ops.argmax(xs[0], axis, I32) : Ops.argmin(xs[0], axis, I64);
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {s}, new Gen[] {sh -> argInput(r, d, sh)});
        VmapCheck.check(f, b.args(), b.inAxes(), 0, (isMax ? "argmax" : "argmin") + " vmap " + d + str(s) + " axis=" + axis + " " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  // ---------------------------------------------------------------- cumsum

  @Test
  void cumsumMatchesPrefixSums() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = nonEmptyAxisShape(r);
      int axis = r.nextInt(s.length);
      boolean reverse = r.random().nextBoolean();
      DType d = pick(r, F64, F32, I32, I64, U32);
      NDArray x = d == I32 ? reductionInput(r, Kind.SUM, d, s) : random(r, d, s);
      NDArray y = Ops.cumsum(x, axis, reverse);
      String msg = "cumsum " + d + str(s) + " axis=" + axis + " reverse=" + reverse + " " + r.describe();
      int n = size(s);
      double[] xv = x.toDoubleArray(), e = new double[n];
      long[] xl = x.toLongArray(), el = new long[n];
      for (int f = 0; f < n; f++) {
        int[] idx = unravel(f, s);
        int from = reverse ? idx[axis] : 0, to = reverse ? s[axis] - 1 : idx[axis];
        for (int k = from; k <= to; k++) {
          int[] j = idx.clone();
          j[axis] = k;
          e[f] += xv[ravel(j, s)];
          el[f] += xl[ravel(j, s)];
        }
        el[f] = wrap(el[f], d);
      }
      if (d.isFloating()) assertFloats(e, d, s, y, d == F32 ? 1e-6 : 1e-12, msg);
      else assertInts(el, d, s, y, msg);
    }
    assertInts(new long[] {2147483647, -2147483648L}, I32, new int[] {2}, Ops.cumsum(NDArray.ofInts(Integer.MAX_VALUE, 1), 0, false), "i32 cumsum wraps (JAX)");
  }

  @Test
  void cumsumGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = nonEmptyAxisShape(r);
      int axis = r.nextInt(s.length);
      boolean reverse = seed % 2 == 1;
      Fn f = xs -> Ops.cumsum(xs[0], axis, reverse);
      String msg = "cumsum " + str(s) + " axis=" + axis + " reverse=" + reverse + " " + r.describe();
      GradCheck.check(f, new NDArray[] {r.normal(s)}, 2, r, 1e-6, msg);
      DType d = pick(r, F64, I32);
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {s}, new Gen[] {sh -> random(r, d, sh)});
        VmapCheck.check(f, b.args(), b.inAxes(), 1e-12, msg + " vmap " + m + " " + b.describe());
      }
    }
  }

  // ---------------------------------------------------------------- dot_general

  /** Random dimension numbers: batch, contracting and free axes placed at random positions of each operand. */
  private record Dot(int[] lhs, int[] rhs, int[] lc, int[] rc, int[] lb, int[] rb) {
    String describe() { return "dot_general lhs" + str(lhs) + " rhs" + str(rhs) + " lc=" + str(lc) + " rc=" + str(rc) + " lb=" + str(lb) + " rb=" + str(rb); }

    Fn fn() { return xs -> Ops.dotGeneral(xs[0], xs[1], lc, rc, lb, rb); }
  }

  private static Dot randomDot(Rand r, boolean allowEmpty) {
    Random g = r.random();
    int nb = g.nextInt(3), nc = g.nextInt(3);
    int nl = g.nextInt(Math.min(3, 5 - nb - nc)), nr = g.nextInt(Math.min(3, 5 - nb - nc));
    int[] bs = new int[nb], cs = new int[nc], ls = new int[nl], rs = new int[nr];
    for (int[] sizes : new int[][] {bs, cs, ls, rs}) for (int i = 0; i < sizes.length; i++) sizes[i] = allowEmpty && g.nextInt(10) == 0 ? 0 : 1 + g.nextInt(3);
    int[] lperm = permutation(g, nb + nc + nl), rperm = permutation(g, nb + nc + nr);
    int[] lhs = new int[lperm.length], rhs = new int[rperm.length];
    int[] lb = new int[nb], rb = new int[nb], lc = new int[nc], rc = new int[nc];
    // role j of an operand (batch dims, then contracting, then free) sits at axis perm[j]
    for (int i = 0; i < nb; i++) {
      lb[i] = lperm[i];
      rb[i] = rperm[i];
      lhs[lb[i]] = bs[i];
      rhs[rb[i]] = bs[i];
    }
    for (int i = 0; i < nc; i++) {
      lc[i] = lperm[nb + i];
      rc[i] = rperm[nb + i];
      lhs[lc[i]] = cs[i];
      rhs[rc[i]] = cs[i];
    }
    for (int i = 0; i < nl; i++) lhs[lperm[nb + nc + i]] = ls[i];
    for (int i = 0; i < nr; i++) rhs[rperm[nb + nc + i]] = rs[i];
    return new Dot(lhs, rhs, lc, rc, lb, rb);
  }

  /** out[batch..., lhs free (in lhs order)..., rhs free (in rhs order)...] = sum over contracting indices. */
  private static double[] dotRef(Dot c, double[] a, double[] b, int[] outShapeOut) {
    int[] lFree = Arrays.stream(range(c.lhs().length)).filter(i -> !contains(c.lc(), i) && !contains(c.lb(), i)).toArray();
    int[] rFree = Arrays.stream(range(c.rhs().length)).filter(i -> !contains(c.rc(), i) && !contains(c.rb(), i)).toArray();
    int nb = c.lb().length;
    int[] out = new int[nb + lFree.length + rFree.length];
    for (int i = 0; i < nb; i++) out[i] = c.lhs()[c.lb()[i]];
    for (int i = 0; i < lFree.length; i++) out[nb + i] = c.lhs()[lFree[i]];
    for (int i = 0; i < rFree.length; i++) out[nb + lFree.length + i] = c.rhs()[rFree[i]];
    System.arraycopy(out, 0, outShapeOut, 0, out.length);
    int[] cShape = new int[c.lc().length];
    for (int i = 0; i < cShape.length; i++) cShape[i] = c.lhs()[c.lc()[i]];
    double[] res = new double[size(out)];
    for (int f = 0; f < res.length; f++) {
      int[] o = unravel(f, out);
      int[] li = new int[c.lhs().length], ri = new int[c.rhs().length];
      for (int i = 0; i < nb; i++) {
        li[c.lb()[i]] = o[i];
        ri[c.rb()[i]] = o[i];
      }
      for (int i = 0; i < lFree.length; i++) li[lFree[i]] = o[nb + i];
      for (int i = 0; i < rFree.length; i++) ri[rFree[i]] = o[nb + lFree.length + i];
      double acc = 0;
      for (int q = 0; q < size(cShape); q++) {
        int[] ci = unravel(q, cShape);
        for (int i = 0; i < ci.length; i++) {
          li[c.lc()[i]] = ci[i];
          ri[c.rc()[i]] = ci[i];
        }
        acc += a[ravel(li, c.lhs())] * b[ravel(ri, c.rhs())];
      }
      res[f] = acc;
    }
    return res;
  }

  @Test
  void dotGeneralMatchesContractionLoop() {
    for (long seed = 0; seed < 4 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      Dot c = randomDot(r, true);
      DType d = pick(r, F64, F32, I32, I64);
      NDArray a = random(r, d, c.lhs()), b = random(r, d, c.rhs());
      NDArray y = c.fn().apply(a, b);
      int[] outShape = new int[c.lb().length + c.lhs().length + c.rhs().length - 2 * c.lb().length - 2 * c.lc().length];
      double[] e = dotRef(c, a.toDoubleArray(), b.toDoubleArray(), outShape);
      String msg = c.describe() + " " + d + " " + r.describe();
      if (d.isFloating()) {
        assertFloats(e, d, outShape, y, d == F32 ? 1e-6 : 1e-12, msg);
      } else {
        long[] el = new long[e.length];
        for (int i = 0; i < e.length; i++) el[i] = (long) e[i];
        assertInts(el, d, outShape, y, msg);
      }
    }
  }

  @Test
  void dotGeneralGradientsWithRandomDimensionNumbers() {
    for (long seed = 0; seed < 2 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      Dot c = randomDot(r, seed % 4 == 0);
      GradCheck.check(c.fn(), new NDArray[] {r.normal(c.lhs()), r.normal(c.rhs())}, 2, r, 1e-6, c.describe() + " " + r.describe());
    }
  }

  @Test
  void dotGeneralVmapLhsRhsOrBoth() {
    for (long seed = 0; seed < 2 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      Dot c = randomDot(r, false);
      DType d = pick(r, F64, I32);
      Gen[] gens = {sh -> random(r, d, sh), sh -> random(r, d, sh)};
      boolean[][] which = {{true, false}, {false, true}, {true, true}};
      for (boolean[] mappable : which) {
        for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
          Batch b = batch(r, m, batchSize(r), new int[][] {c.lhs(), c.rhs()}, gens, mappable);
          VmapCheck.check(c.fn(), b.args(), b.inAxes(), 1e-12, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
        }
      }
    }
  }
}
