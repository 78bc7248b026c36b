package dev.arrax.primitives;

import static dev.arrax.primitives.StructuralTestSupport.BOOL;
import static dev.arrax.primitives.StructuralTestSupport.F32;
import static dev.arrax.primitives.StructuralTestSupport.F64;
import static dev.arrax.primitives.StructuralTestSupport.I32;
import static dev.arrax.primitives.StructuralTestSupport.I64;
import static dev.arrax.primitives.StructuralTestSupport.U32;
import static dev.arrax.primitives.StructuralTestSupport.batch;
import static dev.arrax.primitives.StructuralTestSupport.batchSize;
import static dev.arrax.primitives.StructuralTestSupport.pick;
import static dev.arrax.primitives.StructuralTestSupport.random;
import static dev.arrax.primitives.StructuralTestSupport.ravel;
import static dev.arrax.primitives.StructuralTestSupport.size;
import static dev.arrax.primitives.StructuralTestSupport.str;
import static dev.arrax.primitives.StructuralTestSupport.unravel;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.primitives.StructuralTestSupport.Batch;
import dev.arrax.primitives.StructuralTestSupport.Gen;
import dev.arrax.primitives.StructuralTestSupport.Mode;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * slice, pad, dynamic_slice and dynamic_update_slice: values against index loops written here
 * (strided slices, interior padding, start indices clamped as XLA clamps them), derivatives by finite
 * differences to order 2, vmap against a loop (including per-example start indices).
 */
class IndexingPrimitivesTest {
  private static final int SEEDS = 30;
  private static final DType[] ALL = DType.values();

  // ---------------------------------------------------------------- slice

  private record SliceCase(int[] shape, int[] start, int[] limit, int[] strides, int[] out) {
    String describe() { return "slice " + str(shape) + " start=" + str(start) + " limit=" + str(limit) + " strides=" + str(strides); }

    Fn fn() { return xs -> Ops.slice(xs[0], start, limit, strides); }
  }

  private static SliceCase randomSlice(Rand r, boolean allowEmpty) {
    Random g = r.random();
    int[] s = r.shape(4, 5, allowEmpty);
    int n = s.length;
    int[] start = new int[n], limit = new int[n], strides = new int[n], out = new int[n];
    for (int i = 0; i < n; i++) {
      start[i] = g.nextInt(s[i] + 1);
      limit[i] = start[i] + g.nextInt(s[i] - start[i] + 1);
      if (!allowEmpty && limit[i] == start[i]) {
        if (start[i] > 0) start[i]--;
        else limit[i]++;
      }
      strides[i] = 1 + g.nextInt(3);
      out[i] = (limit[i] - start[i] + strides[i] - 1) / strides[i];
    }
    return new SliceCase(s, start, limit, strides, out);
  }

  @Test
  void sliceTakesStridedWindows() {
    for (long seed = 0; seed < 4 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      SliceCase c = randomSlice(r, true);
      DType d = pick(r, ALL);
      NDArray x = random(r, d, c.shape());
      double[] xv = x.toDoubleArray(), e = new double[size(c.out())];
      for (int f = 0; f < e.length; f++) {
        int[] o = unravel(f, c.out()), in = new int[o.length];
        for (int i = 0; i < o.length; i++) in[i] = c.start()[i] + o[i] * c.strides()[i];
        e[f] = xv[ravel(in, c.shape())];
      }
      StructuralPrimitivesTest.checkExact(e, d, c.out(), c.fn().apply(x), c.describe() + " " + d + " " + r.describe());
    }
  }

  @Test
  void sliceGradientsAndVmap() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      SliceCase c = randomSlice(r, seed % 3 == 0);
      GradCheck.check(c.fn(), new NDArray[] {r.normal(c.shape())}, 2, r, 1e-6, c.describe() + " " + r.describe());
      DType d = pick(r, F64, I32, BOOL);
      for (Mode m : new Mode[] {Mode.AXIS0, Mode.NONZERO}) {
        Batch b = batch(r, m, batchSize(r), new int[][] {c.shape()}, new Gen[] {sh -> random(r, d, sh)});
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  // ---------------------------------------------------------------- pad

  private record PadCase(int[] shape, int[] low, int[] high, int[] interior, int[] out) {
    String describe() { return "pad " + str(shape) + " low=" + str(low) + " high=" + str(high) + " interior=" + str(interior); }

    Fn fn() { return xs -> Ops.pad(xs[0], xs[1], low, high, interior); }
  }

  private static PadCase randomPad(Rand r, boolean allowEmpty) {
    Random g = r.random();
    int[] s = r.shape(3, 3, allowEmpty);
    int n = s.length;
    int[] lo = new int[n], hi = new int[n], in = new int[n], out = new int[n];
    for (int i = 0; i < n; i++) {
      lo[i] = g.nextInt(3);
      hi[i] = g.nextInt(3);
      in[i] = g.nextInt(3);
      out[i] = lo[i] + hi[i] + s[i] + Math.max(0, s[i] - 1) * in[i];
    }
    return new PadCase(s, lo, hi, in, out);
  }

  @Test
  void padPlacesElementsWithInteriorPadding() {
    for (long seed = 0; seed < 4 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      PadCase c = randomPad(r, true);
      DType d = pick(r, ALL);
      NDArray x = random(r, d, c.shape()), pv = random(r, d);
      double[] xv = x.toDoubleArray(), e = new double[size(c.out())];
      double padValue = pv.toDoubleArray()[0];
      for (int f = 0; f < e.length; f++) {
        int[] o = unravel(f, c.out()), in = new int[o.length];
        boolean inside = true;
        for (int i = 0; i < o.length && inside; i++) {
          int rel = o[i] - c.low()[i], step = c.interior()[i] + 1;
          inside = rel >= 0 && rel % step == 0 && rel / step < c.shape()[i];
          in[i] = inside ? rel / step : 0;
        }
        e[f] = inside ? xv[ravel(in, c.shape())] : padValue;
      }
      StructuralPrimitivesTest.checkExact(e, d, c.out(), c.fn().apply(x, pv), c.describe() + " " + d + " " + r.describe());
    }
  }

  @Test
  void padGradientsAndVmapWithBatchedPaddingValue() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      PadCase c = randomPad(r, seed % 3 == 0);
      GradCheck.check(c.fn(), new NDArray[] {r.normal(c.shape()), r.normal()}, 2, r, 1e-6, c.describe() + " " + r.describe());
      DType d = pick(r, F64, F32, I32);
      Gen[] gens = {sh -> random(r, d, sh), sh -> random(r, d, sh)};
      for (Mode m : Mode.values()) {
        Batch b = batch(r, m, batchSize(r), new int[][] {c.shape(), {}}, gens);
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
      // only the padding value batched
      Batch b = batch(r, Mode.AXIS0, batchSize(r), new int[][] {c.shape(), {}}, gens, new boolean[] {false, true});
      VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap of the padding value " + b.describe() + " " + r.describe());
    }
  }

  // ---------------------------------------------------------------- dynamic_slice

  /** Start indices around and beyond the valid range, in a random integer dtype. */
  private static NDArray startIndex(Random g, int dim, int window, int[] shape) {
    DType d = g.nextBoolean() ? I32 : I64;
    double[] v = new double[size(shape)];
    for (int i = 0; i < v.length; i++) v[i] = g.nextInt(dim - window + 7) - 3;
    return NDArray.fromFlat(v, d, shape);
  }

  /** XLA's clamp: the window is moved back inside the operand. */
  private static int clamp(long start, int dim, int window) {
    return (int) Math.max(0, Math.min(start, dim - window));
  }

  private record DsCase(int[] shape, int[] sizes) {
    String describe() { return "dynamic_slice " + str(shape) + " sizes=" + str(sizes); }

    Fn fn() {
      return xs -> Ops.dynamicSlice(xs[0], Arrays.copyOfRange(xs, 1, xs.length), sizes);
    }

    NDArray[] args(NDArray x, NDArray[] starts) {
      NDArray[] a = new NDArray[starts.length + 1];
      a[0] = x;
      System.arraycopy(starts, 0, a, 1, starts.length);
      return a;
    }
  }

  private static DsCase randomWindow(Rand r, boolean allowEmpty) {
    int[] s = r.shape(4, 4, allowEmpty);
    int[] w = new int[s.length];
    for (int i = 0; i < s.length; i++) w[i] = allowEmpty ? r.nextInt(s[i] + 1) : 1 + r.nextInt(s[i]);
    return new DsCase(s, w);
  }

  @Test
  void dynamicSliceClampsStartIndices() {
    for (long seed = 0; seed < 4 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase c = randomWindow(r, true);
      int[] s = c.shape(), w = c.sizes();
      DType d = pick(r, ALL);
      NDArray x = random(r, d, s);
      NDArray[] starts = new NDArray[s.length];
      int[] clamped = new int[s.length];
      long[] raw = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        starts[i] = startIndex(r.random(), s[i], w[i], new int[0]);
        raw[i] = starts[i].toLongArray()[0];
        clamped[i] = clamp(raw[i], s[i], w[i]);
      }
      double[] xv = x.toDoubleArray(), e = new double[size(w)];
      for (int f = 0; f < e.length; f++) {
        int[] o = unravel(f, w);
        for (int i = 0; i < o.length; i++) o[i] += clamped[i];
        e[f] = xv[ravel(o, s)];
      }
      String msg = c.describe() + " starts=" + Arrays.toString(raw) + " " + d + " " + r.describe();
      StructuralPrimitivesTest.checkExact(e, d, w, c.fn().apply(c.args(x, starts)), msg);
    }
  }

  @Test
  void dynamicSliceGradientsWithFixedIndices() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase c = randomWindow(r, seed % 3 == 0);
      NDArray[] starts = new NDArray[c.shape().length];
      for (int i = 0; i < starts.length; i++) starts[i] = startIndex(r.random(), c.shape()[i], c.sizes()[i], new int[0]);
      GradCheck.check(c.fn(), c.args(r.normal(c.shape()), starts), 2, r, 1e-6, c.describe() + " " + r.describe());
    }
  }

  @Test
  void dynamicSliceVmapWithBatchedAndUnbatchedStartIndices() {
    for (long seed = 0; seed < 2 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase c = randomWindow(r, false);
      int n = c.shape().length;
      int[][] shapes = new int[n + 1][];
      Gen[] gens = new Gen[n + 1];
      shapes[0] = c.shape();
      DType d = pick(r, F64, F32, I32, U32, BOOL);
      gens[0] = sh -> random(r, d, sh);
      for (int i = 0; i < n; i++) {
        int dim = c.shape()[i], win = c.sizes()[i];
        shapes[i + 1] = new int[0];
        gens[i + 1] = sh -> startIndex(r.random(), dim, win, sh);
      }
      for (Mode m : Mode.values()) {
        Batch b = batch(r, m, batchSize(r), shapes, gens);
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
      if (n > 0) {
        // only the start indices batched: the one-hot dot_general path with an unbatched operand
        boolean[] onlyIdx = new boolean[n + 1];
        Arrays.fill(onlyIdx, 1, n + 1, true);
        Batch b = batch(r, Mode.AXIS0, batchSize(r), shapes, gens, onlyIdx);
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap of indices only " + b.describe() + " " + r.describe());
        // and its gradient w.r.t. the operand, per example
        Fn sliceSum = xs -> Ops.reduceSum(c.fn().apply(xs), StructuralTestSupport.range(n));
        Integer[] axes = b.inAxes().clone();
        NDArray[] args = b.args().clone();
        args[0] = r.normal(c.shape());
        VmapCheck.check(Arrax.grad(sliceSum), args, axes, 0, c.describe() + " vmap of grad, batched indices " + r.describe());
      }
    }
  }

  /** A per-example window must not see the operand's other elements, even infinities and NaNs outside it. */
  @Test
  void dynamicSliceVmapWithBatchedIndicesIgnoresNonFiniteValuesOutsideTheWindow() {
    double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
    NDArray x = NDArray.of(new double[][] {{1, 2, inf, nan}, {-inf, 5, 6, 7}});
    NDArray starts = NDArray.ofInts(0, 1);
    Fn f = xs -> Ops.dynamicSlice(xs[0], new NDArray[] {xs[1]}, new int[] {2});
    NDArray y = Arrax.vmap(f, 0, 0).apply(x, starts);
    double[] e = {1, 2, 5, 6};
    double[] a = y.toDoubleArray();
    assertEquals(Arrays.toString(e), Arrays.toString(a), "vmap(dynamic_slice) with per-example starts [0, 1]");
    NDArray yx = Arrax.vmapOut(f, 0, null, 0).apply(NDArray.of(nan, 3, 4, -inf), NDArray.ofInts(1, 0, 5));
    assertEquals("[3.0, 4.0, NaN, 3.0, 4.0, -Infinity]", Arrays.toString(yx.toDoubleArray()), "unbatched operand, batched starts (clamped)");
  }

  // ---------------------------------------------------------------- dynamic_update_slice

  private record DusCase(int[] shape, int[] update) {
    String describe() { return "dynamic_update_slice " + str(shape) + " update=" + str(update); }

    Fn fn() { return xs -> Ops.dynamicUpdateSlice(xs[0], xs[1], Arrays.copyOfRange(xs, 2, xs.length)); }

    NDArray[] args(NDArray x, NDArray u, NDArray[] starts) {
      NDArray[] a = new NDArray[starts.length + 2];
      a[0] = x;
      a[1] = u;
      System.arraycopy(starts, 0, a, 2, starts.length);
      return a;
    }
  }

  @Test
  void dynamicUpdateSliceWritesAtClampedStart() {
    for (long seed = 0; seed < 4 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase w = randomWindow(r, true);
      DusCase c = new DusCase(w.shape(), w.sizes());
      int[] s = c.shape(), us = c.update();
      DType d = pick(r, ALL);
      NDArray x = random(r, d, s), u = random(r, d, us);
      NDArray[] starts = new NDArray[s.length];
      int[] clamped = new int[s.length];
      long[] raw = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        starts[i] = startIndex(r.random(), s[i], us[i], new int[0]);
        raw[i] = starts[i].toLongArray()[0];
        clamped[i] = clamp(raw[i], s[i], us[i]);
      }
      double[] e = x.toDoubleArray(), uv = u.toDoubleArray();
      for (int f = 0; f < uv.length; f++) {
        int[] o = unravel(f, us);
        for (int i = 0; i < o.length; i++) o[i] += clamped[i];
        e[ravel(o, s)] = uv[f];
      }
      String msg = c.describe() + " starts=" + Arrays.toString(raw) + " " + d + " " + r.describe();
      StructuralPrimitivesTest.checkExact(e, d, s, c.fn().apply(c.args(x, u, starts)), msg);
    }
  }

  @Test
  void dynamicUpdateSliceGradientsWithFixedIndices() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase w = randomWindow(r, seed % 3 == 0);
      DusCase c = new DusCase(w.shape(), w.sizes());
      NDArray[] starts = new NDArray[c.shape().length];
      for (int i = 0; i < starts.length; i++) starts[i] = startIndex(r.random(), c.shape()[i], c.update()[i], new int[0]);
      GradCheck.check(c.fn(), c.args(r.normal(c.shape()), r.normal(c.update()), starts), 2, r, 1e-6, c.describe() + " " + r.describe());
    }
  }

  @Test
  void dynamicUpdateSliceVmapOverOperandAndUpdate() {
    for (long seed = 0; seed < 2 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase w = randomWindow(r, seed % 4 == 0);
      DusCase c = new DusCase(w.shape(), w.sizes());
      int n = c.shape().length;
      int[][] shapes = new int[n + 2][];
      Gen[] gens = new Gen[n + 2];
      boolean[] mappable = new boolean[n + 2];
      DType d = pick(r, F64, I32, BOOL);
      shapes[0] = c.shape();
      shapes[1] = c.update();
      gens[0] = sh -> random(r, d, sh);
      gens[1] = sh -> random(r, d, sh);
      mappable[0] = mappable[1] = true;
      for (int i = 0; i < n; i++) {
        int dim = c.shape()[i], win = c.update()[i];
        shapes[i + 2] = new int[0];
        NDArray fixed = startIndex(r.random(), dim, win, new int[0]);
        gens[i + 2] = sh -> fixed;
      }
      for (Mode m : Mode.values()) {
        Batch b = batch(r, m, batchSize(r), shapes, gens, mappable);
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
    }
  }

  @Test
  void dynamicUpdateSliceVmapWithBatchedStartIndices() {
    for (long seed = 0; seed < 2 * SEEDS; seed++) {
      Rand r = new Rand(seed);
      DsCase w = randomWindow(r, seed % 4 == 0);
      DusCase c = new DusCase(w.shape(), w.sizes());
      int n = c.shape().length;
      int[][] shapes = new int[n + 2][];
      Gen[] gens = new Gen[n + 2];
      DType d = pick(r, F64, F32, I32, BOOL);
      shapes[0] = c.shape();
      shapes[1] = c.update();
      gens[0] = sh -> random(r, d, sh);
      gens[1] = sh -> random(r, d, sh);
      for (int i = 0; i < n; i++) {
        int dim = c.shape()[i], win = c.update()[i];
        shapes[i + 2] = new int[0];
        gens[i + 2] = sh -> startIndex(r.random(), dim, win, sh);
      }
      for (Mode m : Mode.values()) {
        Batch b = batch(r, m, batchSize(r), shapes, gens);
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap " + m + " " + b.describe() + " " + r.describe());
      }
      if (n > 0) {
        boolean[] onlyIdx = new boolean[n + 2];
        Arrays.fill(onlyIdx, 2, n + 2, true);
        Batch b = batch(r, Mode.AXIS0, batchSize(r), shapes, gens, onlyIdx);
        VmapCheck.check(c.fn(), b.args(), b.inAxes(), 0, c.describe() + " vmap of indices only " + b.describe() + " " + r.describe());
        // per-example gradients w.r.t. operand and update through the batched-index placement
        NDArray[] args = b.args().clone();
        args[0] = r.normal(c.shape());
        args[1] = r.normal(c.update());
        NDArray wts = r.normal(c.shape());
        Fn weighted = xs -> Ops.reduceSum(Ops.mul(c.fn().apply(xs), wts), StructuralTestSupport.range(n));
        VmapCheck.check(Arrax.grad(weighted, 0), args, b.inAxes(), 1e-12, c.describe() + " vmap of grad wrt operand " + r.describe());
        VmapCheck.check(Arrax.grad(weighted, 1), args, b.inAxes(), 1e-12, c.describe() + " vmap of grad wrt update " + r.describe());
      }
    }
  }

  /** Values outside the written window, and other elements of the update, must not reach a window (0 * inf is NaN). */
  @Test
  void dynamicUpdateSliceVmapWithBatchedIndicesKeepsNonFiniteValuesInPlace() {
    double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
    Fn f = xs -> Ops.dynamicUpdateSlice(xs[0], xs[1], new NDArray[] {xs[2]});
    NDArray x = NDArray.of(new double[][] {{nan, 1, 2, 3}, {4, 5, inf, 7}});
    NDArray u = NDArray.of(new double[][] {{-inf, 10}, {20, nan}});
    NDArray y = Arrax.vmap(f, 0, 0, 0).apply(x, u, NDArray.ofInts(2, 0));
    assertEquals("[NaN, 1.0, -Infinity, 10.0, 20.0, NaN, Infinity, 7.0]", Arrays.toString(y.toDoubleArray()), "per-example starts [2, 0]");
  }
}
