package dev.arrax;

import static dev.arrax.testing.Pinned.INF;
import static dev.arrax.testing.Pinned.NaN;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.Check;
import dev.arrax.testing.Rand;
import dev.arrax.testing.Transforms;
import org.junit.jupiter.api.Test;

/**
 * jax.lax functions added for issue 13. References: JAX 0.10.2 docstring examples (cited), closed forms,
 * and direct float64 loops written here (the convolution and window reductions straight from their
 * definitions); every function also through jit, GradCheck and VmapCheck.
 */
class LaxMoreTest {

  @Test
  void integerPowRsqrtClampSelectN() {
    double[] xs = {-1.5, 0.5, 2, 3};
    for (int n : new int[] {0, 1, 2, 3, 7, -1, -3}) {
      double[] e = new double[xs.length];
      for (int i = 0; i < xs.length; i++) e[i] = Math.pow(xs[i], n);
      Check.close(e, Lax.integerPow(NDArray.of(xs), n), 4e-16, 0, "integer_pow " + n);
      double[] d = new double[xs.length];
      for (int i = 0; i < xs.length; i++) d[i] = n == 0 ? 0 : n * Math.pow(xs[i], n - 1);
      Check.close(d, Arrax.grad(a -> Np.sum(Lax.integerPow(a[0], n))).apply(NDArray.of(xs)), 1e-15, 0, "d integer_pow " + n + " = n x^(n-1)");
    }
    pin(Lax.integerPow(NDArray.ofInts(3, -2), 3), DType.INT32, new int[] {2}, new double[] {27, -8}, "integer_pow i32");
    Check.close(new double[] {0.5, 1 / Math.sqrt(2), INF}, Lax.rsqrt(NDArray.of(4.0, 2.0, 0.0)), 1e-16, 0, "rsqrt");
    NDArray x = NDArray.of(-2.0, 0.0, 0.5, 1.0, 3.0, NaN);
    Check.close(new double[] {0, 0, 0.5, 1, 1, NaN}, Lax.clamp(0.0, x, 1.0), 0, 0, "clamp(0, x, 1)");
    // JAX's clamp rule: x gets the tangent strictly inside, nothing at the bounds
    Check.close(new double[] {0, 0, 1, 0, 0, 0}, Arrax.grad(a -> Np.sum(Np.where(Np.isnan(a[0]), 0.0, Lax.clamp(0.0, a[0], 1.0)))).apply(x), 0, 0, "d clamp / dx");
    NDArray lo = NDArray.of(0.0, 0.0, 0.0), hi = NDArray.of(1.0, 1.0, 1.0), v = NDArray.of(-1.0, 0.5, 2.0);
    NDArray[] g = Arrax.valueAndGrad(a -> Np.sum(Lax.clamp(a[0], a[1], a[2])), 0, 1, 2).apply(lo, v, hi);
    Check.close(new double[] {1, 0, 0}, g[1], 0, 0, "d clamp / dmin where min > x");
    Check.close(new double[] {0, 1, 0}, g[2], 0, 0, "d clamp / dx");
    Check.close(new double[] {0, 0, 1}, g[3], 0, 0, "d clamp / dmax where max < x");
    assertThrows(ShapeException.class, () -> Lax.clamp(NDArray.of(0.0, 1.0), v, hi));
    NDArray c0 = NDArray.of(1.0, 2.0, 3.0), c1 = NDArray.of(10.0, 20.0, 30.0), c2 = NDArray.of(100.0, 200.0, 300.0);
    Check.close(new double[] {1, 20, 300}, Lax.selectN(NDArray.ofInts(0, 1, 2), c0, c1, c2), 0, 0, "select_n with i32 which");
    Check.close(new double[] {10, 2, 30}, Lax.selectN(NDArray.ofBools(true, false, true), c0, c1), 0, 0, "select_n with bool which");
    Check.close(new double[] {10, 20, 30}, Lax.selectN(NDArray.scalar(1, DType.INT32), c0, c1, c2), 0, 0, "scalar which");
    Rand r = new Rand(1);
    Transforms.check(a -> Lax.integerPow(a[0], 5), new NDArray[] {r.normal(4)}, r, 2, 1e-15, "integer_pow");
    Transforms.check(a -> Lax.clamp(Np.full(new int[] {5}, -0.5), a[0], Np.full(new int[] {5}, 0.5)), new NDArray[] {r.normal(5)}, r, 1, 0, "clamp");
    Transforms.check(a -> Lax.selectN(a[0], a[1], a[2]), new NDArray[] {NDArray.ofInts(1, 0, 1), r.normal(3), r.normal(3)}, r, 1, 0, "select_n");
    Transforms.check(a -> Lax.rsqrt(a[0]), new NDArray[] {r.uniform(0.5, 3, 4)}, r, 2, 1e-15, "rsqrt");
  }

  @Test
  void mapAndAssociativeScan() {
    Rand r = new Rand(2);
    NDArray xs = r.normal(5, 3);
    NDArray mapped = Lax.map(a -> Np.sum(Np.sin(a[0])), xs);
    double[] e = new double[5];
    for (int i = 0; i < 5; i++) e[i] = Np.sum(Np.sin(Lax.indexInDim(xs, i, 0, false))).item();
    Check.close(e, mapped, 0, 0, "map = loop");
    // jax/_src/lax/control_flow/loops.py (0.10.2), associative_scan docstring: add over arange(4) -> [0, 1, 3, 6]; reverse -> [6, 6, 5, 3]
    pin(Lax.associativeScan(Lax::add, Np.arange(4)), DType.INT64, new int[] {4}, new double[] {0, 1, 3, 6}, "docstring example 1");
    pin(Lax.associativeScan(Lax::add, Np.arange(4), true, 0), DType.INT64, new int[] {4}, new double[] {6, 6, 5, 3}, "docstring example 3");
    for (int n : new int[] {1, 2, 5, 8, 13}) {
      NDArray v = r.normal(n, 2);
      double[] vs = v.toDoubleArray(), cm = new double[vs.length];
      for (int j = 0; j < 2; j++) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) cm[i * 2 + j] = m = Math.max(m, vs[i * 2 + j]);
      }
      Check.close(cm, Lax.associativeScan(Np::maximum, v), 0, 0, "running max, n=" + n);
      Check.close(Lax.cumsum(v, 0, false), Lax.associativeScan(Lax::add, v), 1e-14, 1e-14, "prefix sums, n=" + n);
    }
    // docstring example 2 (partial products of matrices): a non-commutative combine
    NDArray mats = r.normal(6, 2, 2);
    NDArray prods = Lax.associativeScan(Np::matmul, mats);
    NDArray acc = Lax.indexInDim(mats, 0, 0, false);
    for (int i = 1; i < 6; i++) {
      acc = Np.matmul(acc, Lax.indexInDim(mats, i, 0, false));
      Check.close(acc, Lax.indexInDim(prods, i, 0, false), 1e-13, 1e-13, "matrix partial product " + i);
    }
    NDArray[] two = Lax.associativeScanMulti((a, b) -> new NDArray[] {Np.add(a[0], b[0]), Np.maximum(a[1], b[1])}, new NDArray[] {xs, Np.negative(xs)}, false, 0);
    Check.close(Lax.cumsum(xs, 0, false), two[0], 1e-14, 1e-14, "multi: sums");
    Check.close(Lax.cummax(Np.negative(xs), 0, false), two[1], 0, 0, "multi: maxima");
    Transforms.check(a -> Lax.map(b -> Np.tanh(b[0]).mul(2.0), a[0]), new NDArray[] {xs}, r, 2, 1e-15, "map");
    Transforms.check(a -> Lax.associativeScan(Lax::mul, a[0], false, 1), new NDArray[] {r.normal(2, 7)}, r, 2, 1e-14, "associative_scan mul");
  }

  @Test
  void dynamicIndexPadCumulativeSort() {
    NDArray x = Np.reshape(Np.arange(12), 3, 4);
    pin(Lax.dynamicIndexInDim(x, NDArray.scalar(-1, DType.INT32), 0, false), DType.INT64, new int[] {4}, new double[] {8, 9, 10, 11}, "index -1 counts from the end");
    pin(Lax.dynamicIndexInDim(x, 7, 1, true), DType.INT64, new int[] {3, 1}, new double[] {3, 7, 11}, "index 7 clamps to 3, keepdims");
    pin(Lax.dynamicSliceInDim(x, NDArray.scalar(1, DType.INT32), 2, 1), DType.INT64, new int[] {3, 2}, new double[] {1, 2, 5, 6, 9, 10}, "dynamic_slice_in_dim");
    pin(Lax.dynamicUpdateIndexInDim(x, NDArray.ofLongs(-1, -2, -3), NDArray.scalar(2, DType.INT32), 1), DType.INT64, new int[] {3, 4},
        new double[] {0, 1, -1, 3, 4, 5, -2, 7, 8, 9, -3, 11}, "dynamic_update_index_in_dim");
    NDArray v = NDArray.of(1.0, 2.0, 3.0, 4.0);
    Check.close(new double[] {0, 1, 0, 2, 0, 3, 0, 4, 0}, Lax.pad(v, NDArray.scalar(0.0), new int[][] {{1, 1, 1}}), 0, 0, "interior and edges");
    Check.close(new double[] {2, 3, 4, 9}, Lax.pad(v, NDArray.scalar(9.0), new int[][] {{-1, 1, 0}}), 0, 0, "negative low crops");
    Check.close(new double[] {2, 0, 3}, Lax.pad(v, NDArray.scalar(0.0), new int[][] {{-2, -2, 1}}), 0, 0, "negative both sides after interior");
    NDArray m = NDArray.of(new double[][] {{2, -1, 3}, {0.5, 4, -2}});
    Check.close(new double[] {2, 1, 4, 0.5, 4.5, 2.5}, Lax.cumsum(m, 1, false), 0, 0, "cumsum");
    Check.close(new double[] {-6, -3, 3, -4, -8, -2}, Lax.cumprod(m, 1, true), 0, 0, "cumprod reverse");
    Check.close(new double[] {2, 2, 3, 0.5, 4, 4}, Lax.cummax(m, 1, false), 0, 0, "cummax");
    Check.close(new double[] {0.5, -1, -2, 0.5, 4, -2}, Lax.cummin(m, 0, true), 0, 0, "cummin reverse axis 0");
    Check.close(new double[] {-1, 2, 3, -2, 0.5, 4}, Lax.sort(m, 1), 0, 0, "lax.sort");
    NDArray[] kv = Lax.sortKeyVal(NDArray.of(3.0, 1.0, 2.0, 1.0), NDArray.ofInts(0, 1, 2, 3), 0);
    Check.close(new double[] {1, 1, 2, 3}, kv[0], 0, 0, "sort_key_val keys");
    Check.close(new double[] {1, 3, 2, 0}, kv[1], 0, 0, "sort_key_val values (stable)");
    NDArray[] lex = Lax.sortMulti(new NDArray[] {NDArray.ofInts(1, 0, 1, 0), NDArray.ofInts(2, 5, 1, 3), NDArray.of(10.0, 20.0, 30.0, 40.0)}, 0, 2);
    Check.close(new double[] {40, 20, 30, 10}, lex[2], 0, 0, "sort by two keys");
    Rand r = new Rand(3);
    Transforms.check(a -> Lax.pad(a[0], NDArray.scalar(0.5), new int[][] {{-1, 2, 1}, {1, -1, 0}}), new NDArray[] {r.normal(3, 4)}, r, 1, 0, "lax.pad");
    Transforms.check(a -> Lax.dynamicIndexInDim(a[0], a[1], 1, false), new NDArray[] {r.normal(3, 4), NDArray.scalar(-2, DType.INT32)}, r, 1, 0, "dynamic_index_in_dim");
    Transforms.check(a -> Lax.cummax(a[0], 0, true), new NDArray[] {r.normal(5, 2)}, r, 2, 0, "cummax");
    Transforms.check(a -> Lax.sortKeyVal(a[0], a[1], 0)[1], new NDArray[] {r.normal(6), r.normal(6)}, r, 2, 0, "sort_key_val values");
  }

  @Test
  void scatterFunctions() {
    NDArray op = Np.zeros(2, 4);
    NDArray idx = NDArray.ofInts(3, 0, 3, 4);
    NDArray upd = NDArray.of(new double[][] {{1, 2, 3, 4}, {5, 6, 7, 8}});
    Check.close(new double[] {2, 0, 0, 4, 6, 0, 0, 12}, Lax.scatterAdd(op, idx, upd, 1, "drop"), 0, 0, "scatter_add along axis 1, 4 dropped");
    Check.close(new double[] {2, 0, 0, 8, 6, 0, 0, 20}, Lax.scatterAdd(op, idx, upd, 1, "clip"), 0, 0, "clip: 4 lands on 3");
    Check.close(new double[] {2, 0, 0, 3, 6, 0, 0, 7}, Lax.scatter(op, idx, upd, 1, "drop"), 0, 0, "scatter: the last update wins");
    Check.close(new double[] {2, 1, 1, 3, 6, 1, 1, 7}, Lax.scatterMax(Np.ones(2, 4), idx, upd, 1, "drop"), 0, 0, "scatter_max");
    Check.close(new double[] {0, 1, 1, 0, 0, 1, 1, 0}, Lax.scatterMin(Np.ones(2, 4), idx, upd.mul(-0.0), 1, "drop").add(0.0), 0, 0, "scatter_min");
    Check.close(new double[] {2, 1, 1, 3, 6, 1, 1, 35}, Lax.scatterMul(Np.ones(2, 4), idx, upd, 1, "drop"), 0, 0, "scatter_mul");
    Check.close(new double[] {4, 1, 5}, Lax.gather(NDArray.of(1.0, 4.0, 5.0), NDArray.ofInts(1, -3, 9), 0), 0, 0, "gather clamps");
    ShapeException e = assertThrows(ShapeException.class, () -> Lax.scatterAdd(op, idx, upd, 1, "fill"));
    assertTrue(e.getMessage().startsWith("scatterAdd: mode must be \"drop\" or \"clip\", got \"fill\""), e.getMessage());
    Rand r = new Rand(4);
    Transforms.check(a -> Lax.scatterAdd(a[0], NDArray.ofInts(1, 1, 0), a[1], 0, "drop"), new NDArray[] {r.normal(3, 2), r.normal(3, 2)}, r, 2, 1e-15, "scatter_add");
  }

  /** reduce_window and conv_general_dilated against loops written from the definitions. */
  @Test
  void reduceWindowMaxPoolAndSumPool() {
    Rand r = new Rand(5);
    NDArray x = r.normal(2, 5, 6);
    NDArray pool = Lax.reduceWindow(x, Double.NEGATIVE_INFINITY, Np::maximum, new int[] {1, 2, 2}, new int[] {1, 2, 2}, "VALID");
    assertEquals("f64[2,2,3]", pool.type().toString());
    double[] xs = x.toDoubleArray(), e = new double[12];
    for (int b = 0; b < 2; b++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int di = 0; di < 2; di++) for (int dj = 0; dj < 2; dj++) m = Math.max(m, xs[(b * 5 + 2 * i + di) * 6 + 2 * j + dj]);
      e[(b * 2 + i) * 3 + j] = m;
    }
    Check.close(e, pool, 0, 0, "2x2 max pool, stride 2, VALID");
    // SAME sum pool 3x3 stride 1: out[i, j] = sum of x[i + di - 1, j + dj - 1] inside the array
    NDArray same = Lax.reduceWindow(x, 0.0, Lax::add, new int[] {1, 3, 3}, new int[] {1, 1, 1}, "SAME");
    assertEquals("f64[2,5,6]", same.type().toString());
    double[] es = new double[60];
    for (int b = 0; b < 2; b++) for (int i = 0; i < 5; i++) for (int j = 0; j < 6; j++) {
      double s = 0;
      for (int di = -1; di <= 1; di++) for (int dj = -1; dj <= 1; dj++) {
        int ii = i + di, jj = j + dj;
        if (ii >= 0 && ii < 5 && jj >= 0 && jj < 6) s += xs[(b * 5 + ii) * 6 + jj];
      }
      es[(b * 5 + i) * 6 + j] = s;
    }
    Check.close(es, same, 1e-14, 1e-14, "3x3 sum pool SAME");
    NDArray dil = Lax.reduceWindow(NDArray.of(1.0, 2.0, 3.0, 4.0, 5.0), 0.0, Lax::add, new int[] {2}, new int[] {1}, new int[][] {{0, 0}}, null, new int[] {2});
    Check.close(new double[] {4, 6, 8}, dil, 0, 0, "window dilation 2: x[i] + x[i + 2]");
    Transforms.check(a -> Lax.reduceWindow(a[0], Double.NEGATIVE_INFINITY, Np::maximum, new int[] {2, 2}, new int[] {1, 2}, "SAME"), new NDArray[] {r.normal(4, 5)}, r, 2,
        0, "max pool");
  }

  /** out[n, o, i, j] = sum_{c, di, dj} x_padded[n, g(o) * C/G + c, i * s + di * d, j * s + dj * d] w[o, c, di, dj]. */
  private static double[] convLoop(NDArray x, NDArray w, int stride, int[] pad, int dil, int groups) {
    int[] xs = x.shape(), ws = w.shape();
    int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], ci = ws[1], kh = ws[2], kw = ws[3];
    int hp = h + 2 * pad[0], wp = wd + 2 * pad[1];
    int oh = (hp - ((kh - 1) * dil + 1)) / stride + 1, ow = (wp - ((kw - 1) * dil + 1)) / stride + 1;
    double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), out = new double[n * o * oh * ow];
    for (int b = 0; b < n; b++) for (int oc = 0; oc < o; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
      int g = oc / (o / groups);
      double s = 0;
      for (int cc = 0; cc < ci; cc++) for (int di = 0; di < kh; di++) for (int dj = 0; dj < kw; dj++) {
        int ii = i * stride + di * dil - pad[0], jj = j * stride + dj * dil - pad[1];
        if (ii < 0 || ii >= h || jj < 0 || jj >= wd) continue;
        s += xv[((b * c + g * ci + cc) * h + ii) * wd + jj] * wv[((oc * ci + cc) * kh + di) * kw + dj];
      }
      out[((b * o + oc) * oh + i) * ow + j] = s;
    }
    return out;
  }

  @Test
  void convolutions() {
    Rand r = new Rand(6);
    NDArray x = r.normal(2, 4, 6, 5), w = r.normal(3, 4, 3, 2);
    Check.close(convLoop(x, w, 1, new int[] {0, 0}, 1, 1), Lax.conv(x, w, new int[] {1, 1}, "VALID"), 1e-13, 1e-13, "conv VALID");
    NDArray strided = Lax.convGeneralDilated(x, w, new int[] {2, 2}, new int[][] {{1, 1}, {1, 1}}, null, new int[] {2, 1}, null, 1);
    // the loop takes one dilation for both axes: compare the dilation-1 axis by using dilation (2, 1) only when the loop can express it
    Check.close(convLoop(x, w, 2, new int[] {1, 1}, 1, 1), Lax.convGeneralDilated(x, w, new int[] {2, 2}, new int[][] {{1, 1}, {1, 1}}, null, null, null, 1), 1e-13,
        1e-13, "strided, padded");
    assertEquals(4, strided.ndim());
    Check.close(convLoop(x, w, 1, new int[] {2, 2}, 2, 1), Lax.convGeneralDilated(x, w, new int[] {1, 1}, new int[][] {{2, 2}, {2, 2}}, null, new int[] {2, 2}, null, 1),
        1e-13, 1e-13, "rhs dilation 2");
    NDArray wg = r.normal(4, 2, 3, 3);
    Check.close(convLoop(x, wg, 1, new int[] {1, 1}, 1, 2), Lax.convGeneralDilated(x, wg, new int[] {1, 1}, "SAME", null, null, null, 2), 1e-13, 1e-13,
        "feature groups 2 (SAME pads 1 for a 3x3 kernel)");
    // NHWC / HWIO / NHWC: the same convolution with transposed operands
    NDArray xn = Np.transpose(x, 0, 2, 3, 1), wn = Np.transpose(w, 2, 3, 1, 0);
    NDArray yn = Lax.convGeneralDilated(xn, wn, new int[] {1, 1}, "VALID", null, null, new String[] {"NHWC", "HWIO", "NHWC"}, 1);
    Check.close(Np.transpose(Lax.conv(x, w, new int[] {1, 1}, "VALID"), 0, 2, 3, 1), yn, 1e-13, 1e-13, "NHWC layouts");
    // lhs dilation (a transposed convolution): 1-d, by hand: x = [1, 2], dilated [1, 0, 2], kernel [1, 10] -> [1, 20]
    Check.close(new double[] {1, 20}, Lax.convGeneralDilated(NDArray.of(1.0, 2.0).reshape(1, 1, 2), NDArray.of(1.0, 10.0).reshape(1, 1, 2), new int[] {1},
        new int[][] {{0, 0}}, new int[] {2}, null, null, 1), 0, 0, "lhs dilation");
    ShapeException e = assertThrows(ShapeException.class, () -> Lax.conv(x, r.normal(3, 5, 3, 3), new int[] {1, 1}, "VALID"));
    assertTrue(e.getMessage().startsWith("convGeneralDilated: lhs has 4 feature channels and rhs 5 input features"), e.getMessage());
    Transforms.check(a -> Lax.conv(a[0], a[1], new int[] {1, 2}, "SAME"), new NDArray[] {r.normal(1, 2, 4, 4), r.normal(2, 2, 2, 3)}, r, 2, 1e-13, "conv");
  }
}
