package dev.arrax;

import static dev.arrax.testing.Pinned.INF;
import static dev.arrax.testing.Pinned.NaN;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import dev.arrax.testing.Rand;
import dev.arrax.testing.Transforms;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/**
 * The jax.numpy functions added for issue 13. Sources of expected values, per assertion: JAX 0.10.2's
 * own docstring examples (cited by file; their dtypes are JAX's default 32-bit ones, here the 64-bit
 * mode's), closed forms, and float64 loops written in this class from NumPy's definitions (the Java
 * library's {@code StrictMath}/{@code Math.rint}/{@code Math.floorMod} where they define the same
 * function). Each function also goes through jit, GradCheck and VmapCheck ({@link Transforms}).
 */
class NpMoreTest {

  // ---- logical reductions, predicates, logs ----

  @Test
  void allAnyIsnanIsinf() {
    NDArray m = NDArray.of(new double[][] {{1, 0, 2}, {3, 4, 5}});
    pin(Np.all(m), DType.BOOL, new int[] {}, new double[] {0}, "all");
    pin(Np.any(m), DType.BOOL, new int[] {}, new double[] {1}, "any");
    pin(Np.all(m, 1), DType.BOOL, new int[] {2}, new double[] {0, 1}, "all axis 1");
    pin(Np.any(Np.equal(m, 0.0), 0, true), DType.BOOL, new int[] {1, 3}, new double[] {0, 1, 0}, "any axis 0 keepdims");
    pin(Np.all(Np.zeros(0)), DType.BOOL, new int[] {}, new double[] {1}, "all of nothing is true");
    pin(Np.any(Np.zeros(0)), DType.BOOL, new int[] {}, new double[] {0}, "any of nothing is false");
    pin(Np.all(NDArray.of(NaN)), DType.BOOL, new int[] {}, new double[] {1}, "NaN is nonzero");
    NDArray sp = NDArray.of(1.0, NaN, INF, -INF, 0.0);
    pin(Np.isnan(sp), DType.BOOL, new int[] {5}, new double[] {0, 1, 0, 0, 0}, "isnan");
    pin(Np.isinf(sp), DType.BOOL, new int[] {5}, new double[] {0, 0, 1, 1, 0}, "isinf");
    pin(Np.isnan(NDArray.ofInts(1, 2)), DType.BOOL, new int[] {2}, new double[] {0, 0}, "isnan i32");
    Fn f = a -> Np.where(Np.any(Np.greater(a[0], 0.0), 0), Np.sum(a[0], 0), 0.0);
    Transforms.check(f, new NDArray[] {new Rand(1).normal(3, 4)}, new Rand(2), 1, 1e-15, "any inside where");
  }

  @Test
  void log2Log10SinhCosh() {
    double[] xs = {1e-300, 0.5, 1, 2, 3, 1024, 1e300};
    double[] l2 = new double[xs.length], l10 = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      l2[i] = Math.log(xs[i]) / Math.log(2);
      l10[i] = Math.log(xs[i]) / Math.log(10);
    }
    Check.close(l2, Np.log2(NDArray.of(xs)), 1e-15, 0, "log2 = log(x) / log(2), as jnp.log2");
    Check.close(l10, Np.log10(NDArray.of(xs)), 1e-15, 0, "log10");
    pin(Np.log2(NDArray.ofInts(8, 1)), DType.FLOAT32, new int[] {2}, new double[] {3, 0}, "log2 of i32 is f32, as jnp");
    double[] hs = {-800, -710, -20, -1.5, -1, -0.9, -1e-8, -0.0, 0.0, 1e-300, 1e-8, 0.3, 0.99, 1, 1.01, 5, 30, 709, 710.4, 711, INF, -INF, NaN};
    double[] sh = new double[hs.length], ch = new double[hs.length];
    for (int i = 0; i < hs.length; i++) {
      sh[i] = StrictMath.sinh(hs[i]);
      ch[i] = StrictMath.cosh(hs[i]);
    }
    Check.close(sh, Np.sinh(NDArray.of(hs)), 2e-15, 0, "sinh vs fdlibm");
    Check.close(ch, Np.cosh(NDArray.of(hs)), 2e-15, 0, "cosh vs fdlibm");
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Np.sinh(NDArray.of(-0.0)).item()), "sinh(-0.0) = -0.0");
    float[] fs = {-12f, -1f, -0.25f, 0.001f, 0.5f, 3f, 88f, 89.4f};
    double[] fsh = new double[fs.length];
    for (int i = 0; i < fs.length; i++) fsh[i] = StrictMath.sinh(fs[i]);
    Exact.withinFloatUlps(fsh, Np.sinh(NDArray.of(fs)), 3, "sinh f32");
    Rand r = new Rand(3);
    NDArray x = r.uniform(-3, 3, 7);
    Transforms.check(a -> Np.sinh(a[0]), new NDArray[] {x}, r, 2, 1e-14, "sinh");
    Transforms.check(a -> Np.cosh(a[0]), new NDArray[] {x}, r, 2, 1e-14, "cosh");
    Transforms.check(a -> Np.log2(a[0]), new NDArray[] {Np.abs(x).add(0.1)}, r, 2, 1e-14, "log2");
    // derivative at 0 is exact: d sinh = cosh(0) = 1, d cosh = sinh(0) = 0
    NDArray[] g0 = Arrax.valueAndGrad(a -> Np.add(Np.sinh(a[0]), Np.cosh(a[1])), 0, 1).apply(NDArray.scalar(0.0), NDArray.scalar(0.0));
    Check.close(new double[] {1}, g0[1].reshape(1), 0, 0, "d sinh(0) = 1");
    Check.close(new double[] {0}, g0[2].reshape(1), 0, 0, "d cosh(0) = 0");
  }

  @Test
  void arctan2MatchesTheCLibraryIncludingSpecialCases() {
    Rand r = new Rand(4);
    double[] y = new double[400], x = new double[400];
    for (int i = 0; i < y.length; i++) {
      y[i] = r.random().nextGaussian() * Math.pow(10, r.nextInt(9) - 4);
      x[i] = r.random().nextGaussian() * Math.pow(10, r.nextInt(9) - 4);
    }
    double[] specials = {0.0, -0.0, 1.0, -1.0, INF, -INF, NaN, 1e-310, 3.0};
    double[] sy = new double[specials.length * specials.length], sx = new double[sy.length];
    for (int i = 0; i < specials.length; i++) {
      for (int j = 0; j < specials.length; j++) {
        sy[i * specials.length + j] = specials[i];
        sx[i * specials.length + j] = specials[j];
      }
    }
    double[] ay = concat(y, sy), ax = concat(x, sx), expected = new double[ay.length];
    for (int i = 0; i < ay.length; i++) expected[i] = StrictMath.atan2(ay[i], ax[i]);
    NDArray got = Np.arctan2(NDArray.of(ay), NDArray.of(ax));
    Check.close(expected, got, 4.5e-16, 0, "arctan2 vs fdlibm's atan2 (< 2 ulp)");
    double[] g = got.toDoubleArray();
    for (int i = 0; i < g.length; i++) {
      if (expected[i] == 0) assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(g[i]), "signed zero at " + ay[i] + ", " + ax[i]);
    }
    double[] at = new double[y.length];
    for (int i = 0; i < y.length; i++) at[i] = StrictMath.atan(y[i]);
    Check.close(at, Np.arctan(NDArray.of(y)), 4.5e-16, 0, "arctan");
    float[] fy = {1f, -2f, 0.5f, 1e-20f}, fx = {3f, -0.1f, -7f, 1f};
    double[] fe = new double[4];
    for (int i = 0; i < 4; i++) fe[i] = StrictMath.atan2(fy[i], fx[i]);
    Exact.withinFloatUlps(fe, Np.arctan2(NDArray.of(fy), NDArray.of(fx)), 2, "arctan2 f32");
    pin(Np.arctan2(NDArray.ofInts(1), NDArray.ofInts(1)), DType.FLOAT32, new int[] {1}, new double[] {Math.PI / 4}, "i32 promotes to f32");
    Transforms.check(a -> Np.arctan2(a[0], a[1]), new NDArray[] {r.normal(5), r.normal(5)}, r, 2, 1e-14, "arctan2");
    // JAX's rule: d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)
    NDArray[] vg = Arrax.valueAndGrad(a -> Np.arctan2(a[0], a[1]), 0, 1).apply(NDArray.scalar(4.0), NDArray.scalar(3.0));
    Check.close(new double[] {3.0 / 25}, vg[1].reshape(1), 1e-15, 0, "d atan2 / dy");
    Check.close(new double[] {-4.0 / 25}, vg[2].reshape(1), 1e-15, 0, "d atan2 / dx");
  }

  private static double[] concat(double[] a, double[] b) {
    double[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  // ---- rounding and integer division ----

  @Test
  void roundHalfToEvenWithDecimals() {
    double[] xs = {-2.5, -1.5, -0.5, -0.4, -0.0, 0.0, 0.4, 0.5, 1.5, 2.5, 2.4999999999999996, 0.49999999999999994, 4503599627370495.5,
        1e300, INF, -INF, NaN, 7.0};
    double[] e = new double[xs.length];
    for (int i = 0; i < xs.length; i++) e[i] = Math.rint(xs[i]);
    NDArray got = Np.round(NDArray.of(xs));
    Check.close(e, got, 0, 0, "round = rint (half to even)");
    double[] g = got.toDoubleArray();
    for (int i = 0; i < g.length; i++) assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(g[i]), "bits of round(" + xs[i] + ")");
    double[] ds = {1.2345, -2.675, 0.125, 123.456};
    double[] e2 = new double[ds.length], em1 = new double[ds.length];
    for (int i = 0; i < ds.length; i++) {
      e2[i] = Math.rint(ds[i] * 100) / 100; // JAX: div(round(mul(x, 10^d)), 10^d)
      em1[i] = Math.rint(ds[i] * 0.1) / 0.1;
    }
    Check.close(e2, Np.round(NDArray.of(ds), 2), 0, 0, "round decimals 2");
    Check.close(em1, Np.round(NDArray.of(ds), -1), 0, 0, "round decimals -1");
    pin(Np.round(NDArray.ofInts(3, -7), 2), DType.INT32, new int[] {2}, new double[] {3, -7}, "integers unchanged");
    assertThrows(ArraxException.class, () -> Np.round(NDArray.ofInts(3), -1));
    float[] fxs = {2.5f, -3.5f, 0.75f};
    pin(Np.round(NDArray.of(fxs)), DType.FLOAT32, new int[] {3}, new double[] {2, -4, 1}, "f32");
    Check.close(new double[] {0, 0, 0}, Arrax.grad(a -> Np.sum(Np.round(a[0]))).apply(NDArray.of(0.3, 1.7, -2.2)), 0, 0, "derivative zero, as jax");
    Transforms.check(a -> Np.round(a[0], 1), new NDArray[] {new Rand(5).normal(6)}, new Rand(6), 0, 0, "round");
  }

  @Test
  void floorDivideAndRemainderFollowPython() {
    // jax/_src/numpy/ufuncs.py (0.10.2), floor_divide docstring: jnp.floor_divide(jnp.arange(-5, 6), 3)
    pin(Np.floorDivide(Np.arange(-5, 6), 3.0), DType.FLOAT64, new int[] {11}, new double[] {-2, -2, -1, -1, -1, 0, 0, 0, 1, 1, 1},
        "docstring values (a Java double is a weak float, so the result is f64 here)");
    pin(Np.floorDivide(Np.arange(-5, 6), NDArray.ofLongs(3)), DType.INT64, new int[] {11}, new double[] {-2, -2, -1, -1, -1, 0, 0, 0, 1, 1, 1},
        "docstring values, i64 // i64");
    // same docstring: jnp.floor_divide(int32 [6, 6, 6], float32 [2.0, 2.5, 3.0]) -> [3., 2., 2.] f32
    pin(Np.floorDivide(NDArray.ofInts(6, 6, 6), NDArray.of(2.0f, 2.5f, 3.0f)), DType.FLOAT32, new int[] {3}, new double[] {3, 2, 2}, "docstring, mixed");
    // jax/_src/numpy/ufuncs.py remainder docstring: [[3, -1, 4], [8, 5, -2]] % [2, 3, -5] -> [[1, 2, -1], [0, 2, -2]]
    NDArray x1 = NDArray.fromFlat(new double[] {3, -1, 4, 8, 5, -2}, DType.INT64, 2, 3);
    pin(Np.remainder(x1, NDArray.ofLongs(2, 3, -5)), DType.INT64, new int[] {2, 3}, new double[] {1, 2, -1, 0, 2, -2}, "remainder docstring");
    Rand r = new Rand(7);
    long[] a = r.ints(-50, 50, DType.INT64, 200).toLongArray(), b = r.ints(-9, 10, DType.INT64, 200).toLongArray();
    long[] q = new long[a.length], m = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      q[i] = b[i] == 0 ? 0 : Math.floorDiv(a[i], b[i]);
      m[i] = b[i] == 0 ? 0 : Math.floorMod(a[i], b[i]);
    }
    NDArray fq = Np.floorDivide(NDArray.ofLongs(a), NDArray.ofLongs(b)), fm = Np.remainder(NDArray.ofLongs(a), NDArray.ofLongs(b));
    for (int i = 0; i < a.length; i++) {
      if (b[i] == 0) continue;
      assertEquals(q[i], fq.toLongArray()[i], a[i] + " // " + b[i]);
    }
    Exact.sameLongs(m, fm, "remainder i64 (x % 0 == 0, as jnp)");
    double[] fa = {7.5, -7.5, 7.5, -7.5, 1.0, -0.0, 5.0, INF, 3.0, 1e308, 0.3};
    double[] fb = {2.0, 2.0, -2.0, -2.0, 0.1, 3.0, 0.0, 2.0, INF, 1e-308, 0.1};
    double[] eq = new double[fa.length], em = new double[fa.length];
    for (int i = 0; i < fa.length; i++) {
      double[] dm = pythonDivmod(fa[i], fb[i]);
      eq[i] = dm[0];
      em[i] = dm[1];
    }
    Check.close(eq, Np.floorDivide(NDArray.of(fa), NDArray.of(fb)), 0, 0, "float floor_divide = CPython's divmod");
    Check.close(em, Np.remainder(NDArray.of(fa), NDArray.of(fb)), 0, 0, "float remainder = CPython's %");
    Transforms.check(z -> Np.remainder(z[0], z[1]), new NDArray[] {r.normal(6).mul(3.0), r.uniform(0.5, 2, 6)}, r, 1, 1e-15, "remainder");
    Transforms.check(z -> Np.floorDivide(z[0], z[1]), new NDArray[] {r.ints(-20, 20, DType.INT32, 6), r.ints(1, 5, DType.INT32, 6)}, r, 0, 0, "floorDivide i32");
    assertThrows(ShapeException.class, () -> Np.floorDivide(NDArray.ofBools(true), NDArray.ofBools(true)));
  }

  /** CPython's float_divmod (Objects/floatobject.c), the definition jnp follows. */
  private static double[] pythonDivmod(double vx, double wx) {
    double mod = vx % wx;
    double div = (wx == 0 ? vx : vx - mod) / wx;
    if (mod != 0) {
      if ((wx < 0) != (mod < 0)) {
        mod += wx;
        div -= 1.0;
      }
    } else {
      mod = Math.copySign(0.0, wx);
    }
    double floordiv;
    if (div != 0) {
      floordiv = Math.floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
      floordiv = Math.copySign(0.0, vx / wx);
    }
    if (Double.isNaN(div)) floordiv = div;
    return new double[] {floordiv, mod};
  }

  @Test
  void bitwiseOperations() {
    NDArray a = NDArray.ofInts(12, -1, 5, 0), b = NDArray.ofInts(10, 7, -6, 3);
    pin(Np.bitwiseAnd(a, b), DType.INT32, new int[] {4}, new double[] {12 & 10, -1 & 7, 5 & -6, 0}, "and");
    pin(Np.bitwiseOr(a, b), DType.INT32, new int[] {4}, new double[] {12 | 10, -1 | 7, 5 | -6, 3}, "or");
    pin(Np.bitwiseXor(a, b), DType.INT32, new int[] {4}, new double[] {12 ^ 10, -1 ^ 7, 5 ^ -6, 3}, "xor");
    pin(Np.bitwiseAnd(NDArray.ofBools(true, false), NDArray.ofBools(true, true)), DType.BOOL, new int[] {2}, new double[] {1, 0}, "bool and");
    pin(Np.bitwiseOr(NDArray.ofInts(1), NDArray.ofLongs(6)), DType.INT64, new int[] {1}, new double[] {7}, "promotes i32 | i64 -> i64");
    ShapeException e = assertThrows(ShapeException.class, () -> Np.bitwiseAnd(NDArray.of(1.0), NDArray.of(2.0)));
    assertTrue(e.getMessage().startsWith("bitwiseAnd: requires integer or bool operands, got f64[1] and f64[1]"), e.getMessage());
    Transforms.check(z -> Np.bitwiseXor(z[0], z[1]), new NDArray[] {a, b}, new Rand(1), 0, 0, "xor");
  }

  // ---- cumulative, diff, sort, median ----

  @Test
  void cumprodAndDiff() {
    pin(Np.cumprod(NDArray.of(new double[][] {{1, 2, 3}, {4, 5, 6}})), DType.FLOAT64, new int[] {6}, new double[] {1, 2, 6, 24, 120, 720}, "flattened");
    pin(Np.cumprod(NDArray.of(new double[][] {{1, 2, 3}, {4, 5, 6}}), 0), DType.FLOAT64, new int[] {2, 3}, new double[] {1, 2, 3, 4, 10, 18}, "axis 0");
    pin(Np.cumprod(NDArray.ofBools(true, true, false)), DType.INT64, new int[] {3}, new double[] {1, 1, 0}, "bool counts in i64");
    // jax/_src/numpy/lax_numpy.py (0.10.2), diff docstring
    NDArray a = NDArray.fromFlat(new double[] {1, 5, 2, 9, 3, 8, 7, 4}, DType.INT64, 2, 4);
    pin(Np.diff(a), DType.INT64, new int[] {2, 3}, new double[] {4, -3, 7, 5, -1, -3}, "diff docstring");
    pin(Np.diff(a, 2, -1), DType.INT64, new int[] {2, 2}, new double[] {-7, 10, -6, -2}, "diff n=2 docstring");
    pin(Np.diff(a, 1, 0), DType.INT64, new int[] {1, 4}, new double[] {2, 3, 5, -5}, "diff axis 0");
    pin(Np.diff(NDArray.ofBools(true, true, false)), DType.BOOL, new int[] {2}, new double[] {0, 1}, "bool diff is !=");
    Rand r = new Rand(8);
    Transforms.check(z -> Np.cumprod(z[0], 1), new NDArray[] {r.normal(3, 4)}, r, 2, 1e-14, "cumprod");
    Transforms.check(z -> Np.diff(z[0], 2, 0), new NDArray[] {r.normal(5, 2)}, r, 1, 1e-15, "diff");
  }

  @Test
  void sortArgsortAndMedian() {
    Rand r = new Rand(9);
    double[] v = {3, -1, NaN, 2, -0.0, 0.0, -INF, 2, INF, -1};
    NDArray x = NDArray.of(v);
    Double[] boxed = Arrays.stream(v).boxed().toArray(Double[]::new);
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) order[i] = i;
    Comparator<Integer> cmp = (i, j) -> Double.compare(boxed[i] + 0.0, boxed[j] + 0.0); // NaN last, -0.0 == 0.0 (numpy's order)
    Arrays.sort(order, cmp); // stable
    double[] sorted = new double[v.length];
    long[] idx = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      sorted[i] = v[order[i]];
      idx[i] = order[i];
    }
    Check.close(sorted, Np.sort(x), 0, 0, "sort");
    pin(Np.argsort(x), DType.INT64, new int[] {v.length}, Arrays.stream(idx).asDoubleStream().toArray(), "argsort (stable, i64)");
    // descending: stable for ties, as JAX's argsort(descending=True): the two 2.0s and the two -1s keep their order
    long[] desc = new long[v.length];
    Integer[] order2 = new Integer[v.length];
    for (int i = 0; i < v.length; i++) order2[i] = i;
    Arrays.sort(order2, cmp.reversed());
    for (int i = 0; i < v.length; i++) desc[i] = order2[i];
    Exact.sameLongs(desc, Np.argsort(x, 0, true), "argsort descending");
    // jax/_src/numpy/sorting.py argsort docstring: [[2, 3, 1], [6, 4, 3]] axis 1 -> [[2, 0, 1], [2, 1, 0]]
    pin(Np.argsort(NDArray.fromFlat(new double[] {2, 3, 1, 6, 4, 3}, DType.INT64, 2, 3)), DType.INT64, new int[] {2, 3}, new double[] {2, 0, 1, 2, 1, 0}, "docstring");
    pin(Np.median(NDArray.of(3, 1, 2, 10)), DType.FLOAT64, new int[] {}, new double[] {2.5}, "median of i64 -> f64, even count");
    pin(Np.median(NDArray.ofInts(5, 1, 3)), DType.FLOAT32, new int[] {}, new double[] {3}, "median of i32 -> f32");
    pin(Np.median(NDArray.of(new double[][] {{1, NaN, 3}, {4, 6, 5}}), 1), DType.FLOAT64, new int[] {2}, new double[] {NaN, 5}, "a NaN lane is NaN");
    pin(Np.median(NDArray.of(new double[][] {{1, 7}, {4, 6}}), 0, true), DType.FLOAT64, new int[] {1, 2}, new double[] {2.5, 6.5}, "keepdims");
    // the gradient of the median goes to the middle element(s)
    Check.close(new double[] {0, 0.5, 0.5, 0}, Arrax.grad(a -> Np.median(a[0])).apply(NDArray.of(10.0, 2.0, 3.0, -5.0)), 0, 0, "d median");
    Transforms.check(a -> Np.sort(a[0], 0), new NDArray[] {r.normal(5, 3)}, r, 2, 0, "sort");
    Transforms.check(a -> Np.argsort(a[0]), new NDArray[] {r.normal(3, 5)}, r, 0, 0, "argsort");
    Transforms.check(a -> Np.median(a[0], 1), new NDArray[] {r.normal(2, 5)}, r, 1, 0, "median");
  }

  // ---- shapes ----

  @Test
  void flipMoveaxisSwapaxesTileRepeat() {
    NDArray x = Np.reshape(Np.arange(24), 2, 3, 4);
    double[] xs = x.toDoubleArray();
    double[] f = new double[24], fa = new double[24];
    for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
      f[(i * 3 + j) * 4 + k] = xs[((1 - i) * 3 + (2 - j)) * 4 + (3 - k)];
      fa[(i * 3 + j) * 4 + k] = xs[(i * 3 + (2 - j)) * 4 + k];
    }
    Check.close(f, Np.flip(x), 0, 0, "flip all");
    Check.close(fa, Np.flip(x, -2), 0, 0, "flip axis -2");
    NDArray m = Np.moveaxis(x, 0, -1);
    assertEquals("i64[3,4,2]", m.type().toString());
    assertEquals(xs[(1 * 3 + 2) * 4 + 3], m.getDouble(2, 3, 1), "moveaxis element");
    NDArray s = Np.swapaxes(x, 0, 2);
    assertEquals("i64[4,3,2]", s.type().toString());
    assertEquals(xs[(1 * 3 + 0) * 4 + 2], s.getDouble(2, 0, 1), "swapaxes element");
    NDArray v = NDArray.of(1, 2, 3);
    // jnp.tile([1, 2, 3], 2) = [1, 2, 3, 1, 2, 3]; tile([1, 2, 3], (2, 1)) is 2x3 (NumPy's definition)
    pin(Np.tile(v, 2), DType.INT64, new int[] {6}, new double[] {1, 2, 3, 1, 2, 3}, "tile");
    pin(Np.tile(v, 2, 1), DType.INT64, new int[] {2, 3}, new double[] {1, 2, 3, 1, 2, 3}, "tile 2-d");
    pin(Np.tile(NDArray.of(new double[][] {{1, 2}, {3, 4}}), 2), DType.FLOAT64, new int[] {2, 4}, new double[] {1, 2, 1, 2, 3, 4, 3, 4}, "tile trailing");
    pin(Np.repeat(v, 2), DType.INT64, new int[] {6}, new double[] {1, 1, 2, 2, 3, 3}, "repeat");
    pin(Np.repeat(NDArray.of(new double[][] {{1, 2}, {3, 4}}), 2, 0), DType.FLOAT64, new int[] {4, 2}, new double[] {1, 2, 1, 2, 3, 4, 3, 4}, "repeat axis 0");
    pin(Np.repeat(v, new int[] {0, 2, 1}, 0), DType.INT64, new int[] {3}, new double[] {2, 2, 3}, "repeat with counts");
    Rand r = new Rand(10);
    NDArray y = r.normal(2, 3);
    Transforms.check(a -> Np.flip(a[0], 1), new NDArray[] {y}, r, 1, 0, "flip");
    Transforms.check(a -> Np.moveaxis(a[0], 1, 0), new NDArray[] {y}, r, 1, 0, "moveaxis");
    Transforms.check(a -> Np.tile(a[0], 2, 1, 2), new NDArray[] {y}, r, 1, 0, "tile");
    Transforms.check(a -> Np.repeat(a[0], new int[] {2, 0, 1}, 1), new NDArray[] {y}, r, 1, 0, "repeat counts");
    Transforms.check(a -> Np.repeat(a[0], 3, -1), new NDArray[] {y}, r, 1, 0, "repeat");
  }

  @Test
  void rollSplitTrilTriu() {
    // jax/_src/numpy/lax_numpy.py (0.10.2), roll docstring
    pin(Np.roll(Np.arange(6), 2), DType.INT64, new int[] {6}, new double[] {4, 5, 0, 1, 2, 3}, "roll docstring");
    NDArray a = Np.reshape(Np.arange(12), 3, 4);
    pin(Np.roll(a, 1, 0), DType.INT64, new int[] {3, 4}, new double[] {8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7}, "roll axis 0 docstring");
    pin(Np.roll(Np.roll(a, 2, 0), 3, 1), DType.INT64, new int[] {3, 4}, new double[] {5, 6, 7, 4, 9, 10, 11, 8, 1, 2, 3, 0}, "roll [2, 3] docstring");
    pin(Np.roll(Np.arange(6), -8), DType.INT64, new int[] {6}, new double[] {2, 3, 4, 5, 0, 1}, "negative shift beyond the length");
    Fn dyn = z -> Np.roll(z[0], z[1], 0);
    pin(dyn.apply(Np.arange(6), NDArray.scalar(2, DType.INT32)), DType.INT64, new int[] {6}, new double[] {4, 5, 0, 1, 2, 3}, "dynamic roll");
    pin(Arrax.vmap(dyn, null, 0).apply(Np.arange(4), NDArray.ofInts(0, 1, -1, 7)), DType.INT64, new int[] {4, 4},
        new double[] {0, 1, 2, 3, 3, 0, 1, 2, 1, 2, 3, 0, 1, 2, 3, 0}, "vmap of dynamic roll over shifts");
    NDArray[] parts = Np.split(Np.arange(9), 3, 0);
    assertEquals(3, parts.length);
    pin(parts[1], DType.INT64, new int[] {3}, new double[] {3, 4, 5}, "split into 3");
    NDArray[] at = Np.split(Np.arange(8), new int[] {3, 5, 6, 10}, 0);
    assertEquals("[3, 2, 1, 2, 0]", Arrays.toString(Arrays.stream(at).mapToInt(p -> p.shape()[0]).toArray()), "numpy.split([3, 5, 6, 10]) sizes");
    ShapeException uneq = assertThrows(ShapeException.class, () -> Np.split(Np.arange(7), 3, 0));
    assertTrue(uneq.getMessage().startsWith("split: array split does not result in an equal division"), uneq.getMessage());
    NDArray m = Np.reshape(Np.arange(1, 10), 3, 3);
    pin(Np.tril(m), DType.INT64, new int[] {3, 3}, new double[] {1, 0, 0, 4, 5, 0, 7, 8, 9}, "tril");
    pin(Np.tril(m, -1), DType.INT64, new int[] {3, 3}, new double[] {0, 0, 0, 4, 0, 0, 7, 8, 0}, "tril -1");
    pin(Np.triu(m, 1), DType.INT64, new int[] {3, 3}, new double[] {0, 2, 3, 0, 0, 6, 0, 0, 0}, "triu 1");
    pin(Np.triu(Np.reshape(Np.arange(8), 2, 2, 2)), DType.INT64, new int[] {2, 2, 2}, new double[] {0, 1, 0, 3, 4, 5, 0, 7}, "batched triu");
    Rand r = new Rand(11);
    Transforms.check(z -> Np.roll(z[0], 2, 1), new NDArray[] {r.normal(2, 5)}, r, 1, 0, "roll");
    Transforms.check(z -> Np.roll(z[0], z[1], 1), new NDArray[] {r.normal(2, 5), NDArray.scalar(-3, DType.INT32)}, r, 1, 0, "dynamic roll");
    Transforms.check(z -> Np.split(z[0], new int[] {1, 3}, 1)[1], new NDArray[] {r.normal(2, 5)}, r, 1, 0, "split");
    Transforms.check(z -> Np.tril(z[0], 1), new NDArray[] {r.normal(3, 4)}, r, 1, 0, "tril");
  }

  @Test
  void padModes() {
    NDArray x = NDArray.of(1.0, 2.0, 3.0);
    int[][] w = {{2, 3}};
    // NumPy's documented pad results (numpy.pad docs, the behaviour jnp.pad reproduces)
    Check.close(new double[] {0, 0, 1, 2, 3, 0, 0, 0}, Np.pad(x, w), 0, 0, "constant");
    Check.close(new double[] {7, 7, 1, 2, 3, 7, 7, 7}, Np.pad(x, w, "constant", 7), 0, 0, "constant 7");
    Check.close(new double[] {1, 1, 1, 2, 3, 3, 3, 3}, Np.pad(x, w, "edge"), 0, 0, "edge");
    Check.close(new double[] {2, 3, 1, 2, 3, 1, 2, 3}, Np.pad(x, w, "wrap"), 0, 0, "wrap");
    Check.close(new double[] {3, 2, 1, 2, 3, 2, 1, 2}, Np.pad(x, w, "reflect"), 0, 0, "reflect");
    Check.close(new double[] {2, 1, 1, 2, 3, 3, 2, 1}, Np.pad(x, w, "symmetric"), 0, 0, "symmetric");
    Check.close(new double[] {3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1}, Np.pad(x, new int[][] {{2, 6}}, "reflect"), 0, 0, "reflect longer than the array");
    NDArray m = NDArray.of(new double[][] {{1, 2}, {3, 4}});
    NDArray p = Np.pad(m, new int[][] {{1, 0}, {0, 1}}, "edge");
    Check.close(new double[] {1, 2, 2, 1, 2, 2, 3, 4, 4}, p, 0, 0, "edge 2-d");
    ShapeException e = assertThrows(ShapeException.class, () -> Np.pad(x, w, "median"));
    assertTrue(e.getMessage().startsWith("pad: unsupported mode 'median'"), e.getMessage());
    Rand r = new Rand(12);
    for (String mode : new String[] {"constant", "edge", "wrap", "reflect", "symmetric"}) {
      Transforms.check(z -> Np.pad(z[0], new int[][] {{1, 4}, {2, 0}}, mode), new NDArray[] {r.normal(3, 2)}, r, 1, 0, "pad " + mode);
    }
  }

  /** Random shapes and seeds: flip, roll and edge/wrap/reflect padding against index loops written here. */
  @Test
  void structuralFunctionsOnRandomShapes() {
    for (long seed = 0; seed < 10; seed++) {
      Rand r = new Rand(seed);
      int rank = 1 + r.nextInt(3);
      int[] s = new int[rank];
      for (int i = 0; i < rank; i++) s[i] = 1 + r.nextInt(4);
      NDArray x = r.normal(s);
      double[] xs = x.toDoubleArray();
      int axis = r.nextInt(rank), shift = r.nextInt(11) - 5, lo = r.nextInt(4), hi = r.nextInt(4);
      String msg = x.type() + " axis " + axis + " " + r.describe();
      double[] flip = new double[xs.length], roll = new double[xs.length];
      for (int f = 0; f < xs.length; f++) {
        int[] idx = unravel(f, s);
        int[] src = idx.clone();
        src[axis] = s[axis] - 1 - idx[axis];
        flip[f] = xs[ravel(src, s)];
        src = idx.clone();
        src[axis] = Math.floorMod(idx[axis] - shift, s[axis]);
        roll[f] = xs[ravel(src, s)];
      }
      Check.close(flip, Np.flip(x, axis), 0, 0, "flip " + msg);
      Check.close(roll, Np.roll(x, shift, axis), 0, 0, "roll " + shift + " " + msg);
      int[][] w = new int[rank][];
      for (int i = 0; i < rank; i++) w[i] = i == axis ? new int[] {lo, hi} : new int[] {0, 0};
      int[] ps = s.clone();
      ps[axis] += lo + hi;
      for (String mode : new String[] {"edge", "wrap", "reflect", "symmetric"}) {
        if (mode.equals("reflect") && s[axis] == 1 && lo + hi > 0) continue; // numpy repeats the single element; checked elsewhere
        double[] e = new double[Arrays.stream(ps).reduce(1, (a, b) -> a * b)];
        for (int f = 0; f < e.length; f++) {
          int[] idx = unravel(f, ps);
          int j = idx[axis] - lo, n = s[axis];
          idx[axis] = switch (mode) {
            case "edge" -> Math.max(0, Math.min(n - 1, j));
            case "wrap" -> Math.floorMod(j, n);
            case "reflect" -> reflect(j, n);
            default -> symmetric(j, n);
          };
          e[f] = xs[ravel(idx, s)];
        }
        Check.close(e, Np.pad(x, w, mode), 0, 0, "pad " + mode + " (" + lo + ", " + hi + ") " + msg);
      }
    }
  }

  /** numpy's reflect index (period 2n - 2, the border not repeated). */
  private static int reflect(int j, int n) {
    int p = 2 * n - 2;
    int k = Math.floorMod(j, p);
    return k < n ? k : p - k;
  }

  /** numpy's symmetric index (period 2n, the border repeated). */
  private static int symmetric(int j, int n) {
    int k = Math.floorMod(j, 2 * n);
    return k < n ? k : 2 * n - 1 - k;
  }

  private static int[] unravel(int f, int[] s) {
    int[] idx = new int[s.length];
    for (int i = s.length - 1; i >= 0; i--) {
      idx[i] = f % s[i];
      f /= s[i];
    }
    return idx;
  }

  private static int ravel(int[] idx, int[] s) {
    int f = 0;
    for (int i = 0; i < s.length; i++) f = f * s[i] + idx[i];
    return f;
  }

  // ---- indexing ----

  @Test
  void takeModes() {
    NDArray x = NDArray.of(10.0, 20.0, 30.0, 40.0);
    NDArray idx = NDArray.ofInts(0, -1, 4, -5, 2);
    pin(Np.take(x, idx), DType.FLOAT64, new int[] {5}, new double[] {10, 40, NaN, NaN, 30}, "fill (default): negatives wrap once, out of range NaN");
    pin(Np.take(x, idx, 0, "clip"), DType.FLOAT64, new int[] {5}, new double[] {10, 10, 40, 10, 30}, "clip: clamped, negatives to 0");
    pin(Np.take(x, idx, 0, "wrap"), DType.FLOAT64, new int[] {5}, new double[] {10, 40, 10, 40, 30}, "wrap: modulo");
    pin(Np.take(NDArray.ofInts(1, 2), NDArray.ofInts(5)), DType.INT32, new int[] {1}, new double[] {Integer.MIN_VALUE}, "fill i32 = int min");
    pin(Np.take(NDArray.ofBools(false), NDArray.ofInts(5)), DType.BOOL, new int[] {1}, new double[] {1}, "fill bool = true");
    NDArray m = Np.reshape(Np.arange(12), 3, 4);
    pin(Np.take(m, NDArray.of(new double[][] {{2, 0}, {1, 1}}).astype(DType.INT32), 1), DType.INT64, new int[] {3, 2, 2},
        new double[] {2, 0, 1, 1, 6, 4, 5, 5, 10, 8, 9, 9}, "axis 1, 2-d indices");
    pin(Np.take(m, NDArray.ofInts(7)), DType.INT64, new int[] {1}, new double[] {7}, "flattened");
    Rand r = new Rand(13);
    Transforms.check(z -> Np.take(z[0], z[1], 1), new NDArray[] {r.normal(3, 4), NDArray.ofInts(3, -1, 0, -4)}, r, 2, 0, "take fill (in range: GradCheck cannot difference NaN)");
    Transforms.check(z -> Np.take(z[0], z[1], 0, "clip"), new NDArray[] {r.normal(3, 4), NDArray.ofInts(2, 9, -4)}, r, 1, 0, "take clip");
    // gradient: repeated indices accumulate, out-of-range ones contribute nothing
    Check.close(new double[] {2, 0, 0, 1}, Arrax.grad(z -> Np.sum(Np.take(z[0], NDArray.ofInts(0, 0, 3, 9)).mul(NDArray.of(1.0, 1.0, 1.0, 0.0))))
        .apply(x), 0, 0, "d take");
  }

  @Test
  void takeAlongAxisWithArgsortAndBroadcasting() {
    Rand r = new Rand(14);
    NDArray x = r.normal(3, 5);
    NDArray sorted = Np.takeAlongAxis(x, Np.argsort(x, 1), 1);
    Check.close(Np.sort(x, 1), sorted, 0, 0, "take_along_axis(x, argsort(x)) == sort(x)");
    // jax/_src/numpy/indexing.py take_along_axis docstring: x = [[1, 2, 3], [3, 4, 6]] ... argmin keepdims -> [[1], [3]]? (values)
    NDArray d = NDArray.fromFlat(new double[] {3, 1, 2, 2, 4, 3}, DType.INT64, 2, 3);
    NDArray mi = Np.expandDims(Np.argmin(d, 1), 1);
    pin(Np.takeAlongAxis(d, mi, 1), DType.INT64, new int[] {2, 1}, new double[] {1, 2}, "min per row via argmin");
    NDArray bc = Np.takeAlongAxis(NDArray.of(new double[][] {{1, 2, 3}}), NDArray.fromFlat(new double[] {2, 0, -1, 7}, DType.INT32, 2, 2), 1);
    pin(bc, DType.FLOAT64, new int[] {2, 2}, new double[] {3, 1, 3, NaN}, "x broadcast over rows, -1 wraps, 7 fills NaN");
    Transforms.check(z -> Np.takeAlongAxis(z[0], z[1], 0), new NDArray[] {r.normal(4, 3), NDArray.fromFlat(new double[] {3, 0, 1, 1, 2, -1}, DType.INT32, 2, 3)},
        r, 2, 0, "takeAlongAxis");
  }

  @Test
  void atWithIndexArraysScatters() {
    NDArray x = NDArray.of(1.0, 2.0, 3.0, 4.0);
    NDArray idx = NDArray.ofInts(0, 2, 0, 9, -1);
    NDArray v = NDArray.of(10.0, 20.0, 30.0, 40.0, 50.0);
    // x.at[idx].add(v) in JAX: repeated indices accumulate, 9 is dropped, -1 is the last element
    Check.close(new double[] {41, 2, 23, 54}, x.at(idx).add(v), 0, 0, "at[].add");
    Check.close(new double[] {300, 2, 60, 200}, x.at(idx).mul(v), 0, 0, "at[].mul");
    Check.close(new double[] {1, 2, 3, 4}, x.at(idx).min(v), 0, 0, "at[].min");
    Check.close(new double[] {30, 2, 20, 50}, x.at(idx).max(v), 0, 0, "at[].max");
    NDArray set = x.at(NDArray.ofInts(1, 3)).set(NDArray.of(-1.0, -2.0));
    Check.close(new double[] {1, -1, 3, -2}, set, 0, 0, "at[].set");
    Check.close(new double[] {1, 4, 4}, x.at(NDArray.ofInts(0, 9, -1)).get(), 0, 0, "at[].get clamps out-of-range reads");
    NDArray m = Np.zeros(2, 3);
    NDArray two = m.at(NDArray.ofInts(0, 1, 1), NDArray.ofInts(2, 0, 0)).add(1.0);
    Check.close(new double[] {0, 0, 1, 2, 0, 0}, two, 0, 0, "at[i, j].add with a repeated pair");
    Check.close(new double[] {5, 5, 5, 0, 0, 0}, m.at(NDArray.ofInts(0)).set(5.0), 0, 0, "row set broadcasts the value");
    // static indices: the new combiners
    Check.close(new double[] {1, 2, 9, 4}, x.at(2).mul(3.0), 0, 0, "at(2).mul");
    Check.close(new double[] {1, 0, 3, 4}, x.at(1).min(0.0), 0, 0, "at(1).min");
    Check.close(new double[] {7, 2, 3, 4}, x.at(0).max(7.0), 0, 0, "at(0).max");
    // derivatives through at[].add / set (in x and the values)
    Check.close(new double[] {1, 1, 1, 1}, Arrax.grad(z -> Np.sum(z[0].at(idx).add(v))).apply(x), 0, 0, "d at[].add / dx");
    Check.close(new double[] {1, 1, 1, 0, 1}, Arrax.grad(z -> Np.sum(x.at(idx).add(z[0]))).apply(v), 0, 0, "d at[].add / dv (dropped: 0)");
    Rand r = new Rand(15);
    Transforms.check(z -> z[0].at(z[1]).add(z[2]), new NDArray[] {r.normal(4, 2), NDArray.ofInts(3, 0, 3, -2), r.normal(4, 2)}, r, 2, 1e-15, "at add");
    Transforms.check(z -> z[0].at(z[1]).set(z[2]), new NDArray[] {r.normal(5), NDArray.ofInts(4, 1), r.normal(2)}, r, 2, 0, "at set");
    Transforms.check(z -> z[0].at(z[1]).max(z[2]), new NDArray[] {r.normal(5), NDArray.ofInts(4, 1, 1), r.normal(3)}, r, 1, 0, "at max");
    ShapeException e = assertThrows(ShapeException.class, () -> x.at(NDArray.of(1.0)).add(1.0));
    assertTrue(e.getMessage().startsWith("at(...).add: index array 0 must be integers, got f64[1]"), e.getMessage());
  }

  // ---- products ----

  @Test
  void innerTensordotEinsum() {
    Rand r = new Rand(16);
    NDArray a = r.normal(2, 3, 4), b = r.normal(4, 3, 5), c = r.normal(5, 2);
    double[] as = a.toDoubleArray(), bs = b.toDoubleArray(), cs = c.toDoubleArray();
    // tensordot(a, b, ([1, 2], [1, 0])): sum_jk a[i, j, k] b[k, j, l]
    double[] td = new double[2 * 5];
    for (int i = 0; i < 2; i++) for (int l = 0; l < 5; l++) {
      double s = 0;
      for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) s += as[(i * 3 + j) * 4 + k] * bs[(k * 3 + j) * 5 + l];
      td[i * 5 + l] = s;
    }
    Check.close(td, Np.tensordot(a, b, new int[] {1, 2}, new int[] {1, 0}), 1e-14, 1e-14, "tensordot pairs");
    Check.close(td, Np.einsum("ijk,kjl->il", a, b), 1e-14, 1e-14, "einsum ijk,kjl->il");
    NDArray v = r.normal(4), w = r.normal(3, 4);
    double[] in = new double[2 * 3 * 3];
    for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int m = 0; m < 3; m++) {
      double s = 0;
      for (int k = 0; k < 4; k++) s += as[(i * 3 + j) * 4 + k] * w.toDoubleArray()[m * 4 + k];
      in[(i * 3 + j) * 3 + m] = s;
    }
    Check.close(in, Np.inner(a, w), 1e-14, 1e-14, "inner over last axes");
    assertEquals("f64[2,3]", Np.tensordot(a, v, 1).type().toString(), "tensordot int axes");
    // einsum forms: chain, trace, diagonal, outer, implicit output, ellipsis
    double[] chain = new double[2 * 2];
    for (int i = 0; i < 2; i++) for (int n = 0; n < 2; n++) {
      double s = 0;
      for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) for (int l = 0; l < 5; l++) s += as[(i * 3 + j) * 4 + k] * bs[(k * 3 + j) * 5 + l] * cs[l * 2 + n];
      chain[i * 2 + n] = s;
    }
    Check.close(chain, Np.einsum("ijk,kjl,ln->in", a, b, c), 1e-13, 1e-13, "three operands");
    NDArray sq = r.normal(4, 4);
    double tr = 0;
    double[] diag = new double[4];
    for (int i = 0; i < 4; i++) {
      tr += sq.getDouble(i, i);
      diag[i] = sq.getDouble(i, i);
    }
    Check.close(new double[] {tr}, Np.einsum("ii", sq), 1e-15, 1e-15, "trace (implicit output)");
    Check.close(diag, Np.einsum("ii->i", sq), 0, 0, "diagonal");
    Check.close(Np.outer(v, v), Np.einsum("i,j->ij", v, v), 0, 0, "outer");
    Check.close(Np.transpose(sq), Np.einsum("ij->ji", sq), 0, 0, "transpose");
    Check.close(Np.matmul(sq, sq), Np.einsum("ij,jk", sq, sq), 1e-14, 1e-14, "implicit matmul");
    NDArray batch = r.normal(3, 2, 4), batch2 = r.normal(3, 4, 5);
    Check.close(Np.matmul(batch, batch2), Np.einsum("...ij,...jk->...ik", batch, batch2), 1e-14, 1e-14, "ellipsis batch matmul");
    Check.close(Np.matmul(batch, Lax.indexInDim(batch2, 0, 0, false)), Np.einsum("...ij,jk->...ik", batch, Lax.indexInDim(batch2, 0, 0, false)), 1e-14, 1e-14,
        "ellipsis on one side");
    Check.close(Np.sum(batch, 0), Np.einsum("b...->...", batch), 1e-15, 1e-15, "sum over a leading label");
    ShapeException e = assertThrows(ShapeException.class, () -> Np.einsum("ij,jk->ik", sq, c));
    assertTrue(e.getMessage().startsWith("einsum: label 'j' has size 4 in one place and 5 in another in 'ij,jk->ik'"), e.getMessage());
    Transforms.check(z -> Np.einsum("ijk,kjl,ln->in", z[0], z[1], z[2]), new NDArray[] {a, b, c}, r, 2, 1e-13, "einsum chain");
    Transforms.check(z -> Np.einsum("ii->i", z[0]), new NDArray[] {sq}, r, 1, 0, "einsum diagonal");
    Transforms.check(z -> Np.tensordot(z[0], z[1], 1), new NDArray[] {a, v}, r, 2, 1e-14, "tensordot");
    Transforms.check(z -> Np.inner(z[0], z[1]), new NDArray[] {a, w}, r, 1, 1e-14, "inner");
  }

  // ---- creation ----

  @Test
  void arangeForms() {
    pin(Np.arange(2, 7), DType.INT64, new int[] {5}, new double[] {2, 3, 4, 5, 6}, "arange(2, 7)");
    pin(Np.arange(0, 10, 3), DType.INT64, new int[] {4}, new double[] {0, 3, 6, 9}, "arange(0, 10, 3)");
    pin(Np.arange(5, 0, -2), DType.INT64, new int[] {3}, new double[] {5, 3, 1}, "arange(5, 0, -2)");
    pin(Np.arange(3, 1), DType.INT64, new int[] {0}, new double[] {}, "empty");
    pin(Np.arange(2.5), DType.FLOAT64, new int[] {3}, new double[] {0, 1, 2}, "arange(2.5)");
    double[] e = new double[10];
    for (int i = 0; i < 10; i++) e[i] = 0.0 + 0.1 * i; // JAX: add(start, mul(step, iota)), one rounding each
    Check.close(e, Np.arange(0.0, 1.0, 0.1), 0, 0, "arange(0.0, 1.0, 0.1)");
    assertEquals(0.30000000000000004, Np.arange(0.0, 1.0, 0.1).getDouble(3), "0.1 * 3 rounds up");
    pin(Np.arange(1.5, 4.0), DType.FLOAT64, new int[] {3}, new double[] {1.5, 2.5, 3.5}, "arange(1.5, 4.0)");
    assertThrows(ShapeException.class, () -> Np.arange(0, 5, 0));
  }

  // ---- linalg ----

  @Test
  void linalgNorms() {
    NDArray v = NDArray.of(3.0, -4.0, 0.0, 12.0);
    pin(Linalg.norm(v), DType.FLOAT64, new int[] {}, new double[] {13}, "2-norm");
    pin(Linalg.norm(v, 1), DType.FLOAT64, new int[] {}, new double[] {19}, "1-norm");
    pin(Linalg.norm(v, INF), DType.FLOAT64, new int[] {}, new double[] {12}, "inf-norm");
    pin(Linalg.norm(v, -INF), DType.FLOAT64, new int[] {}, new double[] {0}, "-inf-norm");
    pin(Linalg.norm(v, 0), DType.FLOAT64, new int[] {}, new double[] {3}, "0-norm counts nonzeros");
    pin(Linalg.norm(v, 3), DType.FLOAT64, new int[] {}, new double[] {Math.pow(27 + 64 + 1728, 1.0 / 3)}, 1e-15, 0, "3-norm");
    NDArray m = NDArray.of(new double[][] {{1, -2}, {3, 4}});
    pin(Linalg.norm(m), DType.FLOAT64, new int[] {}, new double[] {Math.sqrt(30)}, "Frobenius (default)");
    pin(Linalg.norm(m, "fro"), DType.FLOAT64, new int[] {}, new double[] {Math.sqrt(30)}, "fro");
    pin(Linalg.norm(m, 1), DType.FLOAT64, new int[] {}, new double[] {6}, "max column sum");
    pin(Linalg.norm(m, INF), DType.FLOAT64, new int[] {}, new double[] {7}, "max row sum");
    pin(Linalg.norm(m, -1), DType.FLOAT64, new int[] {}, new double[] {4}, "min column sum");
    pin(Linalg.norm(m, 2, new int[] {1}, false), DType.FLOAT64, new int[] {2}, new double[] {Math.sqrt(5), 5}, "row norms");
    pin(Linalg.norm(m, 2, new int[] {0}, true), DType.FLOAT64, new int[] {1, 2}, new double[] {Math.sqrt(10), Math.sqrt(20)}, "column norms keepdims");
    ArraxException svd = assertThrows(ArraxException.class, () -> Linalg.norm(m, 2));
    assertTrue(svd.getMessage().startsWith("norm: the matrix 2-norm (ord 2.0) needs singular values"), svd.getMessage());
    Rand r = new Rand(17);
    Transforms.check(z -> Linalg.norm(z[0], 2, new int[] {-1}, false), new NDArray[] {r.normal(3, 4)}, r, 2, 1e-14, "row norms");
    Transforms.check(z -> Linalg.norm(z[0], 1), new NDArray[] {r.normal(3, 4)}, r, 1, 1e-14, "matrix 1-norm");
  }

  @Test
  void linalgDetInvSolveCholeskyAgainstDirectFormulas() {
    Rand r = new Rand(18);
    for (int n = 1; n <= 4; n++) {
      NDArray a = r.normal(n, n);
      double det = detByLaplace(a.toDoubleArray(), n);
      pin(Linalg.det(a), DType.FLOAT64, new int[] {}, new double[] {det}, 1e-13, 1e-14, "det n=" + n + " vs Laplace expansion");
      NDArray[] sl = Linalg.slogdet(a);
      Check.close(new double[] {Math.signum(det), Math.log(Math.abs(det))}, Np.stack(sl[0], sl[1]), 1e-13, 1e-14, "slogdet n=" + n);
      NDArray inv = Linalg.inv(a);
      Check.close(Np.eye(n), Np.matmul(a, inv), 1e-12, 1e-12, "a inv(a) = I, n=" + n);
      NDArray b = r.normal(n), bm = r.normal(n, 2);
      Check.close(b, Np.matmul(a, Linalg.solve(a, b)), 1e-12, 1e-12, "a solve(a, b) = b, n=" + n);
      Check.close(bm, Np.matmul(a, Linalg.solve(a, bm)), 1e-12, 1e-12, "a solve(a, B) = B, n=" + n);
      NDArray spd = Np.add(Np.matmul(a, Np.transpose(a)), Np.eye(n));
      NDArray l = Linalg.cholesky(spd);
      Check.close(choleskyLoop(spd.toDoubleArray(), n), l, 1e-13, 1e-14, "cholesky vs the textbook loop, n=" + n);
      Check.close(spd, Np.matmul(l, Np.transpose(l)), 1e-13, 1e-13, "L L^T = a");
    }
    // pivoting: a zero leading entry, a singular matrix, a permutation with odd sign
    pin(Linalg.det(NDArray.of(new double[][] {{0, 1}, {1, 0}})), DType.FLOAT64, new int[] {}, new double[] {-1}, "swap");
    pin(Linalg.det(NDArray.of(new double[][] {{1, 2}, {2, 4}})), DType.FLOAT64, new int[] {}, new double[] {0}, "singular");
    Check.close(new double[] {2, 3}, Linalg.solve(NDArray.of(new double[][] {{0, 1}, {1, 0}}), NDArray.of(3.0, 2.0)), 0, 0, "solve with a pivot swap");
    pin(Linalg.det(NDArray.of(new double[][] {{2, 0}, {0, 3}}).astype(DType.FLOAT32)), DType.FLOAT32, new int[] {}, new double[] {6}, "f32 stays f32");
    NDArray notPd = Linalg.cholesky(NDArray.of(new double[][] {{1, 2}, {2, 1}}));
    assertTrue(Double.isNaN(notPd.getDouble(1, 1)), "not positive definite: NaN, as LAPACK via JAX");
    // batched over leading axes, vmap, derivatives: d det = det * tr(a^-1 da) (Jacobi's formula)
    NDArray stack = r.normal(3, 3, 3);
    NDArray dets = Linalg.det(stack);
    for (int i = 0; i < 3; i++) Check.close(new double[] {detByLaplace(Lax.indexInDim(stack, i, 0, false).toDoubleArray(), 3)}, Lax.indexInDim(dets, i, 0, true), 1e-13, 1e-14, "batched det " + i);
    NDArray a3 = Lax.indexInDim(stack, 0, 0, false);
    NDArray jacobi = Np.multiply(Linalg.det(a3), Np.transpose(Linalg.inv(a3)));
    Check.close(jacobi, Arrax.grad(z -> Linalg.det(z[0])).apply(a3), 1e-12, 1e-12, "grad det = det a^-T");
    Transforms.check(z -> Linalg.det(z[0]), new NDArray[] {a3}, r, 2, 1e-13, "det");
    Transforms.check(z -> Linalg.solve(z[0], z[1]), new NDArray[] {a3, r.normal(3)}, r, 1, 1e-12, "solve");
    Transforms.check(z -> Linalg.inv(z[0]), new NDArray[] {a3}, r, 1, 1e-12, "inv");
    NDArray spd = Np.add(Np.matmul(a3, Np.transpose(a3)), Np.eye(3));
    Transforms.check(z -> Linalg.cholesky(Np.add(Np.matmul(z[0], Np.transpose(z[0])), Np.eye(3))), new NDArray[] {a3}, r, 1, 1e-12, "cholesky");
    Check.close(Linalg.cholesky(spd), Linalg.cholesky(Np.tril(spd).add(Np.transpose(Np.tril(spd, -1)))), 0, 0, "reads a symmetrized input");
  }

  private static double detByLaplace(double[] a, int n) {
    if (n == 1) return a[0];
    double s = 0;
    for (int j = 0; j < n; j++) {
      double[] minor = new double[(n - 1) * (n - 1)];
      for (int i = 1, k = 0; i < n; i++) for (int c = 0; c < n; c++) if (c != j) minor[k++] = a[i * n + c];
      s += ((j % 2 == 0) ? 1 : -1) * a[j] * detByLaplace(minor, n - 1);
    }
    return s;
  }

  private static double[] choleskyLoop(double[] a, int n) {
    double[] l = new double[n * n];
    for (int j = 0; j < n; j++) {
      double s = a[j * n + j];
      for (int k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
      l[j * n + j] = Math.sqrt(s);
      for (int i = j + 1; i < n; i++) {
        double t = a[i * n + j];
        for (int k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
        l[i * n + j] = t / l[j * n + j];
      }
    }
    return l;
  }
}
