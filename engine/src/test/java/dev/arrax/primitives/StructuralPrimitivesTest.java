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
import static dev.arrax.primitives.StructuralTestSupport.insert;
import static dev.arrax.primitives.StructuralTestSupport.permutation;
import static dev.arrax.primitives.StructuralTestSupport.pick;
import static dev.arrax.primitives.StructuralTestSupport.random;
import static dev.arrax.primitives.StructuralTestSupport.ravel;
import static dev.arrax.primitives.StructuralTestSupport.size;
import static dev.arrax.primitives.StructuralTestSupport.str;
import static dev.arrax.primitives.StructuralTestSupport.unravel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Program;
import dev.arrax.primitives.StructuralTestSupport.Batch;
import dev.arrax.primitives.StructuralTestSupport.Gen;
import dev.arrax.primitives.StructuralTestSupport.Mode;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.ProgramCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * select_n, convert_element_type, broadcast_in_dim, reshape, transpose, concatenate and iota: values
 * against float64/exact-integer loops written here, derivatives by finite differences (order 2), vmap
 * against a loop. Also the toText/parse and Java serialization round trip of a program using each
 * non-elementwise primitive (reductions and indexing included), and of its JVP, VJP and vmap programs.
 */
class StructuralPrimitivesTest {
  private static final int SEEDS = 30;
  private static final DType[] ALL = DType.values();

  // ---------------------------------------------------------------- select_n

  @Test
  void selectPicksOnTrueWherePredicateHolds() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(4, 3, true);
      DType d = pick(r, ALL);
      NDArray pred = random(r, BOOL, s), t = random(r, d, s), f = random(r, d, s);
      NDArray out = Ops.select(pred, t, f);
      String msg = "select_n " + d + str(s) + " " + r.describe();
      double[] p = pred.toDoubleArray();
      if (d.isFloating()) {
        double[] tv = t.toDoubleArray(), fv = f.toDoubleArray(), e = new double[p.length];
        for (int i = 0; i < e.length; i++) e[i] = p[i] != 0 ? tv[i] : fv[i];
        assertFloats(e, d, s, out, 0, msg);
      } else {
        long[] tv = t.toLongArray(), fv = f.toLongArray(), e = new long[p.length];
        for (int i = 0; i < e.length; i++) e[i] = p[i] != 0 ? tv[i] : fv[i];
        assertInts(e, d, s, out, msg);
      }
    }
  }

  @Test
  void selectDoesNotMixTheBranchNotTaken() {
    NDArray pred = NDArray.ofBools(true, false, true);
    NDArray t = NDArray.of(1.0, Double.NaN, Double.NEGATIVE_INFINITY), f = NDArray.of(Double.NaN, -0.0, 2.0);
    double[] out = Ops.select(pred, t, f).toDoubleArray();
    assertEquals(1.0, out[0]);
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(out[1]), "-0.0 from the false branch keeps its sign");
    assertEquals(Double.NEGATIVE_INFINITY, out[2]);
  }

  @Test
  void selectGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(3, 3, true);
      Fn f = xs -> Ops.select(xs[0], xs[1], xs[2]);
      NDArray pred = random(r, BOOL, s);
      GradCheck.check(f, new NDArray[] {pred, r.normal(s), r.normal(s)}, 2, r, 1e-6, "select_n grad " + str(s) + " " + r.describe());
      // closed form: the cotangent goes to the chosen branch only
      NDArray[] cts = Arrax.vjp(f, pred, r.normal(s), r.normal(s)).pullback().apply(Ops.like(r.normal(s), 1.0));
      double[] p = pred.toDoubleArray(), ct1 = cts[1].toDoubleArray(), ct2 = cts[2].toDoubleArray();
      for (int i = 0; i < p.length; i++) {
        assertEquals(p[i], ct1[i], "select_n cotangent of onTrue " + r.describe());
        assertEquals(1 - p[i], ct2[i], "select_n cotangent of onFalse " + r.describe());
      }
      DType d = pick(r, ALL);
      Gen[] gens = {sh -> random(r, BOOL, sh), sh -> random(r, d, sh), sh -> random(r, d, sh)};
      for (Mode m : Mode.values()) {
        Batch b = batch(r, m, batchSize(r), new int[][] {s, s, s}, gens);
        VmapCheck.check(f, b.args(), b.inAxes(), 0, "select_n vmap " + d + str(s) + " " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  // ---------------------------------------------------------------- convert_element_type

  private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

  /** Edge cases pinned from JAX 0.10.2 (x64) lax.convert_element_type. */
  @Test
  void convertEdgeCasesAsJax() {
    NDArray x = NDArray.of(1.7, -1.7, 2.5, -0.5, 3e9, -3e9, NAN, INF, -INF, 8589934592.0, 2147483647.5);
    assertInts(new long[] {1, -1, 2, 0, 2147483647, -2147483648, 0, 2147483647, -2147483648, 2147483647, 2147483647}, I32, new int[] {11},
        Ops.convert(x, I32), "f64->i32 truncates toward zero, saturates, NaN->0");
    assertInts(new long[] {1, 0, 2, 0, 3000000000L, 0, 0, 4294967295L, 0, 4294967295L, 2147483647}, U32, new int[] {11},
        Ops.convert(x, U32), "f64->u32: negatives->0, saturates, NaN->0");
    assertInts(new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0, -2}, I64, new int[] {4}, Ops.convert(NDArray.of(1e19, -1e19, NAN, -2.9), I64),
        "f64->i64 saturates");
    assertInts(new long[] {0, 0, 1, 1, 1}, BOOL, new int[] {5}, Ops.convert(NDArray.of(0.0, -0.0, 1e-300, NAN, -2.0), BOOL), "f64->bool is x != 0");
    assertInts(new long[] {5, -2147483648L, 2147483647, -1}, I32, new int[] {4},
        Ops.convert(NDArray.ofLongs((1L << 32) + 5, 1L << 31, -(1L << 31) - 1, -1), I32), "i64->i32 wraps");
    assertInts(new long[] {4294967295L, 2147483648L}, U32, new int[] {2}, Ops.convert(NDArray.ofInts(-1, Integer.MIN_VALUE), U32), "i32->u32 wraps");
    NDArray u = Ops.convert(NDArray.ofLongs(4294967295L, 1L << 31), U32);
    assertInts(new long[] {-1, -2147483648L}, I32, new int[] {2}, Ops.convert(u, I32), "u32->i32 wraps");
    assertInts(new long[] {4294967295L, 7}, U32, new int[] {2}, Ops.convert(NDArray.ofLongs(-1, (1L << 33) + 7), U32), "i64->u32 wraps");
    assertInts(new long[] {4294967295L, 2147483648L}, I64, new int[] {2}, Ops.convert(u, I64), "u32->i64 is unsigned");
    assertInts(new long[] {2147483647, -2147483648L, 0, 16777216}, I32, new int[] {4},
        Ops.convert(NDArray.of(3e9f, -3e9f, Float.NaN, 16777217f), I32), "f32->i32");
    double[] f32 = Ops.convert(NDArray.of(0.1, -0.0, 1e300, 1e-50, NAN), F32).toDoubleArray();
    assertArrayEquals(new double[] {(double) 0.1f, -0.0, INF, 0.0, NAN}, f32, "f64->f32 rounds to nearest, overflows to inf");
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(f32[1]), "-0.0 keeps its sign");
    assertArrayEquals(new double[] {9007199254740992.0, -1.0}, Ops.convert(NDArray.ofLongs((1L << 53) + 1, -1), F64).toDoubleArray(),
        "i64->f64 rounds to nearest even");
    assertArrayEquals(new double[] {1, 0}, Ops.convert(NDArray.ofBools(true, false), F64).toDoubleArray(), "bool->f64");
  }

  /** Reference conversion of one element, from its float value (float sources) or exact integer value (others). */
  private static double convertFloatRef(double v, long iv, DType from, DType to) {
    double x = from.isFloating() ? v : (double) iv;
    if (!from.isFloating() && to == F32) return (float) iv;
    return to == F32 ? (float) x : x;
  }

  private static long convertIntRef(double v, long iv, DType from, DType to) {
    if (to == BOOL) return from.isFloating() ? (v != 0 ? 1 : 0) : (iv != 0 ? 1 : 0);
    if (!from.isFloating()) {
      return switch (to) {
        case INT32 -> (long) (int) iv;
        case UINT32 -> iv & 0xffffffffL;
        default -> iv;
      };
    }
    if (Double.isNaN(v)) return 0;
    double lo = switch (to) { case INT32 -> -2147483648.0; case UINT32 -> 0; default -> -9.223372036854775808E18; };
    double hi = switch (to) { case INT32 -> 2147483647.0; case UINT32 -> 4294967295.0; default -> 9.223372036854775807E18; };
    if (v <= lo) return to == I64 ? Long.MIN_VALUE : (long) lo;
    if (v >= hi) return to == I64 ? Long.MAX_VALUE : (long) hi;
    double t = v < 0 ? Math.ceil(v) : Math.floor(v);
    return (long) t;
  }

  private static NDArray convertSource(Rand r, DType d, int[] s) {
    Random g = r.random();
    int n = size(s);
    if (d.isFloating()) {
      double[] special = {NAN, INF, -INF, 0.0, -0.0, 0.5, -0.5, 2.5, -2.5, 2147483647.0, 2147483648.0, -2147483649.0, 4294967295.5, 4294967296.0,
          1e19, -1e19, 1e-40, 16777217.0};
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        int k = g.nextInt(4);
        v[i] = k == 0 ? special[g.nextInt(special.length)] : k == 1 ? g.nextGaussian() * 1e10 : g.nextGaussian() * 100;
      }
      return NDArray.fromFlat(v, d, s);
    }
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (d) {
        case INT32 -> g.nextInt();
        case UINT32 -> g.nextInt() & 0xffffffffL;
        case INT64 -> g.nextBoolean() ? g.nextLong() : g.nextInt(200) - 100;
        default -> g.nextInt(2);
      };
    }
    NDArray flat = Ops.convert(NDArray.ofLongs(v), d);
    return Ops.reshape(flat, s);
  }

  @Test
  void convertEveryDtypePairMatchesReference() {
    int cases = 0;
    for (long seed = 0; seed < 3; seed++) {
      for (DType from : ALL) {
        for (DType to : ALL) {
          if (from == to) continue;
          Rand r = new Rand(seed * 100 + from.ordinal() * 10 + to.ordinal());
          int[] s = r.shape(3, 4, true);
          NDArray x = convertSource(r, from, s);
          NDArray y = Ops.convert(x, to);
          String msg = "convert " + from + "->" + to + str(s) + " " + r.describe();
          double[] v = x.toDoubleArray();
          long[] iv = x.toLongArray();
          if (to.isFloating()) {
            double[] e = new double[v.length];
            for (int i = 0; i < e.length; i++) e[i] = convertFloatRef(v[i], iv[i], from, to);
            assertEquals(to, y.dtype(), msg);
            assertArrayEquals(s, y.shape(), msg);
            double[] a = y.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
              assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]), msg + ": element " + i + " of " + v[i] + ": " + e[i] + " vs " + a[i]);
            }
          } else {
            long[] e = new long[v.length];
            for (int i = 0; i < e.length; i++) e[i] = convertIntRef(v[i], iv[i], from, to);
            assertInts(e, to, s, y, msg);
          }
          cases++;
        }
      }
    }
    assertEquals(3 * 30, cases);
  }

  @Test
  void convertDerivatives() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(3, 3, true);
      // away from integers, x * trunc(x): the integer path carries no derivative
      double[] xv = r.uniform(-6, 6, s).toDoubleArray();
      for (int i = 0; i < xv.length; i++) xv[i] = Math.rint(xv[i]) + (xv[i] > Math.rint(xv[i]) ? 0.3 : -0.3);
      NDArray x = NDArray.fromFlat(xv, s);
      DType intType = pick(r, I32, I64);
      Fn viaInt = xs -> Ops.mul(xs[0], Ops.convert(Ops.convert(xs[0], intType), F64));
      GradCheck.check(viaInt, new NDArray[] {x}, 2, r, 1e-6, "convert via " + intType + " " + str(s) + " " + r.describe());
      double[] trunc = new double[xv.length];
      for (int i = 0; i < trunc.length; i++) trunc[i] = xv[i] < 0 ? Math.ceil(xv[i]) : Math.floor(xv[i]);
      NDArray g = Arrax.vjp(viaInt, x).pullback().apply(Ops.like(x, 1.0))[0];
      double[] e = new double[xv.length];
      for (int i = 0; i < e.length; i++) e[i] = trunc[i];
      Check.close(e, g, 0, 0, "d/dx x*trunc(x) is trunc(x) " + r.describe());

      // f64 -> f32 -> f64 is linear: tangents and cotangents are converted exactly
      NDArray v = r.normal(s);
      Fn round = xs -> Ops.convert(Ops.convert(xs[0], F32), F64);
      double[] vv = v.toDoubleArray(), ev = new double[vv.length];
      for (int i = 0; i < ev.length; i++) ev[i] = (float) vv[i];
      Check.close(ev, Arrax.jvp(round, new NDArray[] {x}, new NDArray[] {v}).tangentOut(), 0, 0, "jvp f64->f32->f64 " + r.describe());
      Check.close(ev, Arrax.vjp(round, x).pullback().apply(v)[0], 0, 0, "vjp f64->f32->f64 " + r.describe());
      Fn toF32 = xs -> Ops.convert(xs[0], F32);
      NDArray t32 = Arrax.jvp(toF32, new NDArray[] {x}, new NDArray[] {v}).tangentOut();
      assertEquals(F32, t32.dtype(), "tangent of a conversion to f32 is f32");
      NDArray ct = Arrax.vjp(toF32, x).pullback().apply(Ops.convert(v, F32))[0];
      assertEquals(F64, ct.dtype(), "cotangent of a conversion from f64 is f64");
      Check.close(ev, ct, 0, 0, "vjp f64->f32 " + r.describe());
      // second order through the f32 round trip: d/dx sum(round(x)^2) = 2 round(x), its jvp is 2 round(v)
      Fn sq = xs -> Ops.reduceSum(Ops.mul(round.apply(xs), round.apply(xs)), StructuralTestSupport.range(s.length));
      NDArray grad = Arrax.grad(sq).apply(x);
      double[] e2 = new double[xv.length], ehv = new double[xv.length];
      for (int i = 0; i < e2.length; i++) {
        e2[i] = 2 * (double) (float) xv[i];
        ehv[i] = 2 * (double) (float) vv[i];
      }
      Check.close(e2, grad, 0, 0, "grad through f32 " + r.describe());
      Check.close(ehv, Arrax.jvp(Arrax.grad(sq), new NDArray[] {x}, new NDArray[] {v}).tangentOut(), 0, 0, "hvp through f32 " + r.describe());
    }
  }

  @Test
  void convertVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(3, 3, true);
      DType from = pick(r, ALL), to = pick(r, ALL);
      Fn f = xs -> Ops.convert(xs[0], to);
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {s}, new Gen[] {sh -> convertSource(r, from, sh)});
        VmapCheck.check(f, b.args(), b.inAxes(), 0, "convert vmap " + from + "->" + to + " " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  // ---------------------------------------------------------------- broadcast_in_dim

  private record Bcast(int[] operand, int[] shape, int[] dims) {
    String describe() { return "broadcast_in_dim " + str(operand) + " -> " + str(shape) + " dims=" + str(dims); }
  }

  private static Bcast randomBroadcast(Rand r, boolean allowEmpty) {
    Random g = r.random();
    int[] s = r.shape(3, 3, allowEmpty);
    for (int i = 0; i < s.length; i++) if (g.nextInt(3) == 0) s[i] = 1;
    int outRank = s.length + g.nextInt(Math.min(3, 5 - s.length));
    int[] chosen = permutation(g, outRank);
    int[] dims = Arrays.copyOf(chosen, s.length);
    Arrays.sort(dims);
    int[] out = new int[outRank];
    for (int a = 0; a < outRank; a++) out[a] = (allowEmpty && g.nextInt(10) == 0) ? 0 : 1 + g.nextInt(3);
    for (int i = 0; i < s.length; i++) {
      if (s[i] != 1) out[dims[i]] = s[i];
      else if (g.nextBoolean()) out[dims[i]] = 1;
    }
    return new Bcast(s, out, dims);
  }

  @Test
  void broadcastInDimValues() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      Bcast c = randomBroadcast(r, true);
      DType d = pick(r, ALL);
      NDArray x = random(r, d, c.operand());
      NDArray y = Ops.broadcastInDim(x, c.shape(), c.dims());
      double[] xv = x.toDoubleArray();
      double[] e = new double[size(c.shape())];
      for (int f = 0; f < e.length; f++) {
        int[] o = unravel(f, c.shape()), in = new int[c.operand().length];
        for (int i = 0; i < in.length; i++) in[i] = c.operand()[i] == 1 ? 0 : o[c.dims()[i]];
        e[f] = xv[ravel(in, c.operand())];
      }
      checkExact(e, d, c.shape(), y, c.describe() + " " + d + " " + r.describe());
    }
  }

  @Test
  void broadcastInDimGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      Bcast c = randomBroadcast(r, seed % 3 == 0);
      Fn f = xs -> Ops.broadcastInDim(xs[0], c.shape(), c.dims());
      GradCheck.check(f, new NDArray[] {r.normal(c.operand())}, 2, r, 1e-6, c.describe() + " " + r.describe());
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {c.operand()}, new Gen[] {sh -> random(r, pick(r, F64, I32, BOOL), sh)});
        VmapCheck.check(f, b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  // ---------------------------------------------------------------- reshape

  /** A random shape holding exactly {@code n} elements, of rank up to 4. */
  private static int[] randomShapeOfSize(Random g, int n) {
    if (n == 0) {
      int[] s = new int[1 + g.nextInt(4)];
      for (int i = 0; i < s.length; i++) s[i] = g.nextInt(4);
      s[g.nextInt(s.length)] = 0;
      return s;
    }
    List<Integer> factors = new ArrayList<>();
    for (int m = n, p = 2; m > 1; ) {
      if (m % p == 0) {
        factors.add(p);
        m /= p;
      } else {
        p++;
      }
    }
    int rank = Math.max(n == 1 ? 0 : 1, Math.min(4, factors.size() + g.nextInt(3) - 1));
    if (rank == 0) return new int[0];
    int[] s = new int[rank];
    Arrays.fill(s, 1);
    for (int p : factors) s[g.nextInt(rank)] *= p;
    return s;
  }

  @Test
  void reshapeKeepsRowMajorOrder() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(4, 4, true);
      int[] ns = randomShapeOfSize(r.random(), size(s));
      DType d = pick(r, ALL);
      NDArray x = random(r, d, s);
      checkExact(x.toDoubleArray(), d, ns, Ops.reshape(x, ns), "reshape " + str(s) + " -> " + str(ns) + " " + d + " " + r.describe());
    }
  }

  @Test
  void reshapeGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(4, 3, seed % 3 == 0);
      int[] ns = randomShapeOfSize(r.random(), size(s));
      Fn f = xs -> Ops.reshape(xs[0], ns);
      String msg = "reshape " + str(s) + " -> " + str(ns) + " " + r.describe();
      GradCheck.check(f, new NDArray[] {r.normal(s)}, 2, r, 1e-6, msg);
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {s}, new Gen[] {sh -> random(r, pick(r, F32, I64), sh)});
        VmapCheck.check(f, b.args(), b.inAxes(), 0, msg + " vmap " + m + " " + b.describe());
      }
    }
  }

  // ---------------------------------------------------------------- transpose

  @Test
  void transposePermutesAxes() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(4, 4, true);
      int[] perm = permutation(r.random(), s.length);
      DType d = pick(r, ALL);
      NDArray x = random(r, d, s);
      int[] os = new int[s.length];
      for (int i = 0; i < s.length; i++) os[i] = s[perm[i]];
      double[] xv = x.toDoubleArray(), e = new double[xv.length];
      for (int f = 0; f < e.length; f++) {
        int[] o = unravel(f, os), in = new int[s.length];
        for (int i = 0; i < s.length; i++) in[perm[i]] = o[i];
        e[f] = xv[ravel(in, s)];
      }
      checkExact(e, d, os, Ops.transpose(x, perm), "transpose " + str(s) + " perm=" + str(perm) + " " + d + " " + r.describe());
    }
  }

  @Test
  void transposeGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = r.shape(4, 3, seed % 3 == 0);
      int[] perm = permutation(r.random(), s.length);
      Fn f = xs -> Ops.transpose(xs[0], perm);
      String msg = "transpose " + str(s) + " perm=" + str(perm) + " " + r.describe();
      GradCheck.check(f, new NDArray[] {r.normal(s)}, 2, r, 1e-6, msg);
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {s}, new Gen[] {sh -> random(r, pick(r, F64, U32), sh)});
        VmapCheck.check(f, b.args(), b.inAxes(), 0, msg + " vmap " + m + " " + b.describe());
      }
    }
  }

  // ---------------------------------------------------------------- concatenate

  private record Concat(int[][] shapes, int axis, int[] out) {
    String describe() { return "concatenate axis=" + axis + " parts=" + Arrays.deepToString(shapes); }
  }

  private static Concat randomConcat(Rand r, boolean allowEmpty) {
    Random g = r.random();
    int[] base = r.shape(3, 3, allowEmpty);
    base = insert(base, 0, 1);
    int axis = g.nextInt(base.length);
    int n = 1 + g.nextInt(4);
    int[][] shapes = new int[n][];
    int[] out = base.clone();
    out[axis] = 0;
    for (int i = 0; i < n; i++) {
      shapes[i] = base.clone();
      shapes[i][axis] = g.nextInt(allowEmpty ? 4 : 3) + (allowEmpty ? 0 : 1);
      out[axis] += shapes[i][axis];
    }
    return new Concat(shapes, axis, out);
  }

  @Test
  void concatenateValues() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      Concat c = randomConcat(r, true);
      DType d = pick(r, ALL);
      NDArray[] parts = new NDArray[c.shapes().length];
      double[][] pv = new double[parts.length][];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = random(r, d, c.shapes()[i]);
        pv[i] = parts[i].toDoubleArray();
      }
      double[] e = new double[size(c.out())];
      for (int f = 0; f < e.length; f++) {
        int[] o = unravel(f, c.out());
        int k = 0, pos = o[c.axis()];
        while (pos >= c.shapes()[k][c.axis()]) pos -= c.shapes()[k++][c.axis()];
        int[] in = o.clone();
        in[c.axis()] = pos;
        e[f] = pv[k][ravel(in, c.shapes()[k])];
      }
      checkExact(e, d, c.out(), Ops.concatenate(parts, c.axis()), c.describe() + " " + d + " " + r.describe());
    }
  }

  @Test
  void concatenateGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      Concat c = randomConcat(r, seed % 3 == 0);
      Fn f = xs -> Ops.concatenate(xs, c.axis());
      NDArray[] parts = new NDArray[c.shapes().length];
      for (int i = 0; i < parts.length; i++) parts[i] = r.normal(c.shapes()[i]);
      GradCheck.check(f, parts, 2, r, 1e-6, c.describe() + " " + r.describe());
      Gen[] gens = new Gen[parts.length];
      DType d = pick(r, F64, I32, BOOL);
      Arrays.fill(gens, (Gen) sh -> random(r, d, sh));
      for (Mode m : Mode.values()) {
        Batch b = batch(r, m, batchSize(r), c.shapes(), gens);
        VmapCheck.check(f, b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  // ---------------------------------------------------------------- iota

  @Test
  void iotaCountsAlongItsDimension() {
    for (long seed = 0; seed < 3 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      int[] s = insert(r.shape(3, 4, true), 0, 1 + r.nextInt(4));
      s = permuteShape(s, permutation(r.random(), s.length));
      int dim = r.nextInt(s.length);
      DType d = pick(r, F64, F32, I32, I64, U32);
      double[] e = new double[size(s)];
      for (int f = 0; f < e.length; f++) e[f] = unravel(f, s)[dim];
      checkExact(e, d, s, Ops.iota(d, s, dim), "iota " + d + str(s) + " dim=" + dim + " " + r.describe());
    }
  }

  @Test
  void iotaInsideVmapStaysUnbatched() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      int[] s = {1 + r.nextInt(3), 1 + r.nextInt(3)};
      int dim = r.nextInt(2);
      Fn f = xs -> Ops.add(xs[0], Ops.iota(F64, s, dim));
      Batch b = batch(r, seed % 2 == 0 ? Mode.AXIS0 : Mode.NONZERO, batchSize(r), new int[][] {s}, new Gen[] {sh -> r.normal(sh)});
      VmapCheck.check(f, b.args(), b.inAxes(), 0, "iota under vmap " + b.describe() + " " + r.describe());
    }
  }

  private static int[] permuteShape(int[] s, int[] perm) {
    int[] o = new int[s.length];
    for (int i = 0; i < s.length; i++) o[i] = s[perm[i]];
    return o;
  }

  // ---------------------------------------------------------------- text and serialization round trip

  private record Staged(String primitive, Fn fn, NDArray... args) {}

  /** One program per structural primitive, each with non-default params: int[] (empty, one and several entries), dtypes, booleans. */
  private static List<Staged> stagedCases() {
    Rand r = new Rand(7);
    double inf = Double.POSITIVE_INFINITY;
    NDArray odd = NDArray.of(NAN, -0.0, 1e-310, inf, 3e9, -2.5);
    NDArray bigLongs = NDArray.ofLongs(Long.MAX_VALUE, Long.MIN_VALUE + 1, -1, 7, 1L << 40, 0);
    List<Staged> cases = new ArrayList<>();
    cases.add(new Staged("select_n", xs -> Ops.select(xs[0], xs[1], xs[2]), random(r, BOOL, 2, 3), random(r, F32, 2, 3), random(r, F32, 2, 3)));
    cases.add(new Staged("convert_element_type",
        xs -> Ops.add(Ops.add(Ops.convert(Ops.convert(xs[0], I32), F32), Ops.convert(Ops.convert(xs[0], BOOL), F32)),
            Ops.add(Ops.convert(Ops.convert(xs[0], U32), F32), Ops.convert(Ops.convert(bigLongs, I32), F32))), odd));
    cases.add(new Staged("broadcast_in_dim",
        xs -> Ops.add(Ops.broadcastInDim(xs[0], new int[] {2, 3, 4}, new int[] {1, 2}),
            Ops.broadcastInDim(Ops.reduceSum(xs[0], 0, 1), new int[] {2, 3, 4}, new int[0])), r.normal(3, 1)));
    cases.add(new Staged("reshape", xs -> Ops.reshape(Ops.reshape(xs[0], 4, 1, 6), 24), random(r, F32, 2, 3, 4)));
    cases.add(new Staged("transpose", xs -> Ops.transpose(xs[0], 2, 0, 1), r.normal(2, 3, 4)));
    cases.add(new Staged("reduce_sum", xs -> Ops.reduceSum(xs[0], 2, 0), r.normal(2, 3, 4)));
    cases.add(new Staged("reduce_max", xs -> Ops.reduceMax(xs[0], 1), r.normal(2, 3, 4)));
    cases.add(new Staged("reduce_min", xs -> Ops.reduceMin(xs[0], 0, 2), r.normal(2, 3, 4)));
    cases.add(new Staged("reduce_prod", xs -> Ops.reduceProd(xs[0], 1, 2), r.normal(2, 3, 4)));
    cases.add(new Staged("argmax", xs -> Ops.argmax(xs[0], 1, I64), random(r, I32, 3, 4)));
    cases.add(new Staged("argmin", xs -> Ops.argmin(xs[0], 0, U32), r.normal(3, 4)));
    cases.add(new Staged("dot_general",
        xs -> Ops.dotGeneral(xs[0], xs[1], new int[] {2, 3}, new int[] {0, 2}, new int[] {0}, new int[] {1}), r.normal(2, 3, 4, 5), r.normal(4, 2, 5, 6)));
    cases.add(new Staged("slice", xs -> Ops.slice(xs[0], new int[] {1, 0}, new int[] {5, 6}, new int[] {2, 3}), r.normal(5, 6)));
    cases.add(new Staged("pad", xs -> Ops.pad(xs[0], xs[1], new int[] {1, 0}, new int[] {0, 2}, new int[] {2, 1}), r.normal(2, 3), r.normal()));
    cases.add(new Staged("concatenate", xs -> Ops.concatenate(xs, 1), random(r, F32, 2, 1), random(r, F32, 2, 3), random(r, F32, 2, 0)));
    cases.add(new Staged("dynamic_slice",
        xs -> Ops.dynamicSlice(xs[0], new NDArray[] {xs[1], NDArray.scalar(9, I64)}, new int[] {2, 3}), r.normal(4, 5), NDArray.scalar(-1, I32)));
    cases.add(new Staged("dynamic_update_slice",
        xs -> Ops.dynamicUpdateSlice(xs[0], xs[1], new NDArray[] {xs[2], NDArray.scalar(1, U32)}), r.normal(4, 5), r.normal(2, 2), NDArray.scalar(3, I64)));
    cases.add(new Staged("iota",
        xs -> Ops.mul(Ops.add(xs[0], Ops.convert(Ops.iota(I64, new int[] {3, 4}, 1), F64)), Ops.iota(F64, new int[] {3, 4}, 0)), r.normal(3, 4)));
    cases.add(new Staged("cumsum", xs -> Ops.cumsum(Ops.cumsum(xs[0], 1, true), 0, false), r.normal(3, 4)));
    return cases;
  }

  @Test
  void programsOfEveryStructuralPrimitiveRoundTripThroughTextAndSerialization() throws Exception {
    List<Staged> cases = stagedCases();
    java.util.Set<String> covered = new java.util.TreeSet<>();
    for (Staged c : cases) {
      String msg = c.primitive();
      Program p = ProgramCheck.roundTrip(c.fn(), c.args(), msg);
      assertTrue(p.primitiveCounts().containsKey(c.primitive()), msg + ": program has no " + c.primitive() + ":\n" + p);
      covered.addAll(p.primitiveCounts().keySet());
      // Java serialization goes through the text form
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(p);
      }
      Program back;
      try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
        back = (Program) in.readObject();
      }
      assertEquals(p.toText(), back.toText(), msg + ": serialized program text");
      IrVerifier.verify(back);
      Exact.sameBits(p.call(c.args())[0], back.call(c.args())[0], msg + ": deserialized program result");
    }
    assertTrue(covered.containsAll(List.of("select_n", "convert_element_type", "broadcast_in_dim", "reshape", "transpose", "reduce_sum",
        "reduce_max", "reduce_min", "reduce_prod", "argmax", "argmin", "dot_general", "slice", "pad", "concatenate", "dynamic_slice",
        "dynamic_update_slice", "iota", "cumsum")), "primitives staged by the cases: " + covered);
  }

  /** The programs of the rules (JVP, transpose, batching) of each primitive verify and round-trip too. */
  @Test
  void transformedProgramsRoundTrip() {
    for (Staged c : stagedCases()) {
      Rand r = new Rand(c.primitive().hashCode());
      NDArray[] args = c.args();
      NDArray y = c.fn().apply(args);
      // vmap over a stack of two copies of every argument
      NDArray[] stacked = new NDArray[args.length];
      Integer[] axes = new Integer[args.length];
      for (int i = 0; i < args.length; i++) {
        stacked[i] = Ops.concatenate(new NDArray[] {Ops.reshape(args[i], insert(args[i].shape(), 0, 1)), Ops.reshape(args[i], insert(args[i].shape(), 0, 1))}, 0);
        axes[i] = 0;
      }
      ProgramCheck.roundTrip(Arrax.vmap(c.fn(), axes), stacked, c.primitive() + " vmap");
      if (!y.dtype().isFloating()) continue;
      NDArray[] tangents = GradCheck.randomTangents(args, r);
      NDArray[] primalsAndTangents = new NDArray[2 * args.length];
      System.arraycopy(args, 0, primalsAndTangents, 0, args.length);
      System.arraycopy(tangents, 0, primalsAndTangents, args.length, args.length);
      int n = args.length;
      ProgramCheck.roundTrip(xs -> Arrax.jvp(c.fn(), Arrays.copyOfRange(xs, 0, n), Arrays.copyOfRange(xs, n, 2 * n)).tangentOut(), primalsAndTangents,
          c.primitive() + " jvp");
      NDArray ct = r.normal(y.shape()).astype(y.dtype());
      int first = 0;
      while (!args[first].dtype().isFloating()) first++;
      int wrt = first;
      ProgramCheck.roundTrip(xs -> Arrax.vjp(c.fn(), xs).pullback().apply(ct)[wrt], args, c.primitive() + " vjp");
    }
  }

  /** A constant with no elements prints as {@code c =} and must parse back. */
  @Test
  void emptyConstantRoundTrips() {
    NDArray empty = NDArray.fromFlat(new double[0], 2, 0);
    ProgramCheck.roundTrip(xs -> Ops.concatenate(new NDArray[] {xs[0], empty}, 1), new NDArray[] {NDArray.fromFlat(new double[] {1, 2}, 2, 1)},
        "concatenate with an empty closure constant");
  }

  // ---------------------------------------------------------------- helpers

  /** Exact check of a data-movement result whose reference values were read with toDoubleArray (exact for the test's values). */
  static void checkExact(double[] e, DType d, int[] shape, NDArray actual, String msg) {
    if (d.isFloating()) {
      assertFloats(e, d, shape, actual, 0, msg);
    } else {
      long[] el = new long[e.length];
      for (int i = 0; i < e.length; i++) el[i] = (long) e[i];
      assertInts(el, d, shape, actual, msg);
    }
  }
}
