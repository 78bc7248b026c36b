package dev.arrax.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Program;
import dev.arrax.primitives.Primitives;
import dev.arrax.testing.Exact;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link SoftmaxRewrite}: {@code exp(log_softmax(x))} becomes {@code exp(s) / sum(exp(s))} with one
 * exponential per element, its values are within a few ulps of float64 softmax from the program's own shifts
 * {@code s = x - max} where the original form loses many more to the rounding of {@code s - log t}
 * (random shapes, axes, seeds and logit scales up to 60),
 * the gradient and vmap still hold, NaN and infinite rows agree, and lookalike programs are left alone.
 */
class SoftmaxRewriteTest {
  static int count(Program p, Primitive<?> prim) {
    int n = 0;
    for (Eqn e : p.eqns()) if (e.primitive() == prim) n++;
    return n;
  }

  /**
   * Softmax of {@code x} along {@code axis} in float64 from the float32 shifts {@code s = fl32(x - max)}
   * the program computes first (their rounding, up to half an ulp of |s|, is common to both forms and
   * dominates for large |s|): what is left is each form's own error.
   */
  static double[] softmaxOfShifts64(NDArray x, int axis) {
    double[] v = x.toDoubleArray();
    int[] s = x.shape();
    int len = s[axis], inner = 1;
    for (int i = axis + 1; i < s.length; i++) inner *= s[i];
    int outer = v.length / Math.max(1, len * inner);
    double[] r = new double[v.length];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * len * inner + in;
        double m = Double.NEGATIVE_INFINITY, t = 0;
        for (int k = 0; k < len; k++) m = Math.max(m, v[base + k * inner]);
        for (int k = 0; k < len; k++) t += Math.exp((float) (v[base + k * inner] - m));
        for (int k = 0; k < len; k++) r[base + k * inner] = Math.exp((float) (v[base + k * inner] - m)) / t;
      }
    }
    return r;
  }

  /** The largest error in float32 ulps of the exact value (absolute below the smallest normal). */
  static double maxUlps(double[] exact, float[] got) {
    double worst = 0;
    for (int i = 0; i < exact.length; i++) {
      double ulp = Math.max(Math.ulp((float) exact[i]), Float.MIN_NORMAL * 0x1p-23);
      worst = Math.max(worst, Math.abs(got[i] - exact[i]) / ulp);
    }
    return worst;
  }

  @Test
  void oneExponentialPerElementAndAtLeastAsAccurate() {
    Rand rng = new Rand(20261130L);
    double worstOriginal = 0, worstRewritten = 0;
    for (int t = 0; t < 60; t++) {
      int rank = 1 + rng.random().nextInt(3);
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) shape[i] = 1 + rng.random().nextInt(i == rank - 1 ? 300 : 12);
      int axis = rng.random().nextInt(rank);
      shape[axis] = Math.max(2, shape[axis]); // over one element the optimizer has nothing to reduce
      double scale = new double[] {1, 8, 60}[t % 3];
      NDArray x = Np.multiply(rng.normal(shape), scale).astype(DType.FLOAT32);
      Fn f = a -> Np.exp(Nn.logSoftmax(a[0], axis));
      Program p = Arrax.makeJaxpr(f, x);
      Program q = Passes.optimize(p);
      IrVerifier.verify(q);
      String where = "case " + t + ": f32" + Arrays.toString(shape) + " axis " + axis + " scale " + scale + " (seed " + rng.seed() + ")\n" + q;
      assertEquals(2, count(p, Primitives.EXP), where);
      assertEquals(1, count(q, Primitives.EXP), where);
      assertEquals(1, count(q, Primitives.DIV), where);
      double[] exact = softmaxOfShifts64(x, axis);
      double original = maxUlps(exact, p.call(x)[0].toFloatArray());
      double rewritten = maxUlps(exact, q.call(x)[0].toFloatArray());
      double jitted = maxUlps(exact, Arrax.jit(f).apply(x).toFloatArray());
      worstOriginal = Math.max(worstOriginal, original);
      worstRewritten = Math.max(worstRewritten, rewritten);
      // e / t: exp's error, the sum's and the division's half ulp; the original adds the rounding of s - log t
      // jit also sums t in float32 chunks (an error common to both forms, which the reference does not have)
      assertTrue(rewritten < 4 && jitted < 12, where + "\nrewritten " + rewritten + " ulps, jit " + jitted + ", original " + original);
    }
    // over the large-logit cases the original form loses many ulps that the rewrite does not
    assertTrue(worstOriginal > 4 * worstRewritten, "worst error: rewritten " + worstRewritten + " ulps, original " + worstOriginal);
  }

  @Test
  void gradientAndVmapHold() {
    Rand rng = new Rand(7L);
    for (int t = 0; t < 8; t++) {
      int n = 2 + rng.random().nextInt(20);
      NDArray x = Np.multiply(rng.normal(n), 3.0), w = rng.normal(n);
      Fn f = a -> Np.sum(Np.multiply(Np.exp(Nn.logSoftmax(a[0], -1)), a[1]));
      assertEquals(1, count(Passes.optimize(Arrax.makeJaxpr(f, x, w)), Primitives.EXP), "forward of case " + t);
      // jit(grad) against central differences of jit(f) in float64 along a random direction
      NDArray g = Arrax.jit(Arrax.grad(f)).apply(x, w);
      Fn jf = Arrax.jit(f);
      NDArray v = rng.normal(n);
      double h = 1e-6;
      double fd = (jf.apply(Np.add(x, Np.multiply(v, h)), w).item() - jf.apply(Np.subtract(x, Np.multiply(v, h)), w).item()) / (2 * h);
      double dot = Np.sum(Np.multiply(g, v)).item();
      assertEquals(fd, dot, 1e-7 * (1 + Math.abs(fd)), "directional derivative, case " + t + " (n " + n + ")");
      // the closed form: d/dx_i sum_j p_j w_j = p_i (w_i - sum_j p_j w_j)
      double[] xs = x.toDoubleArray(), ws = w.toDoubleArray(), p = new double[n], gs = g.toDoubleArray();
      double m = Arrays.stream(xs).max().getAsDouble(), total = 0;
      for (int i = 0; i < n; i++) total += p[i] = Math.exp(xs[i] - m);
      for (int i = 0; i < n; i++) p[i] /= total;
      double pw = 0;
      for (int i = 0; i < n; i++) pw += p[i] * ws[i];
      for (int i = 0; i < n; i++) assertEquals(p[i] * (ws[i] - pw), gs[i], 1e-12, "gradient element " + i + " of case " + t + " " + Arrays.toString(xs));
      // vmap over rows, jitted (the batched program has the pattern along axis 1), against a loop over rows
      NDArray rows = Np.multiply(rng.normal(5, n), 3.0).astype(DType.FLOAT32);
      Fn row = a -> Np.exp(Nn.logSoftmax(a[0], -1));
      Fn batched = Arrax.vmap(row, 0);
      assertEquals(1, count(Passes.optimize(Arrax.makeJaxpr(batched, rows)), Primitives.EXP), "vmapped case " + t);
      VmapCheck.check(Arrax.jit(row), new NDArray[] {rows}, new Integer[] {0}, 3e-7, "vmap(exp(logSoftmax)) case " + t);
      float[] got = Arrax.jit(batched).apply(rows).toFloatArray();
      double ulps = maxUlps(softmaxOfShifts64(rows, 1), got);
      assertTrue(ulps < 12, "jit(vmap) vs float64 softmax, case " + t + ": " + ulps + " ulps\n" + rows + "\n" + Arrays.toString(got));
    }
  }

  @Test
  void nanAndInfiniteRowsAgreeWithTheOriginalForm() {
    float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
    NDArray x = NDArray.fromFlat(new float[] {
        1, 2, 3, 4,
        1, nan, 3, 4,
        1, inf, 3, 4,
        -inf, 0, -inf, 2,
        -inf, -inf, -inf, -inf,
        -200, 0, -200, -90}, 6, 4);
    Program p = Arrax.makeJaxpr(a -> Np.exp(Nn.logSoftmax(a[0], -1)), x);
    Program q = Passes.optimize(p);
    assertEquals(1, count(q, Primitives.EXP));
    float[] want = p.call(x)[0].toFloatArray(), got = q.call(x)[0].toFloatArray();
    for (int i = 0; i < want.length; i++) {
      String where = "element " + i + ": original " + want[i] + ", rewritten " + got[i];
      assertEquals(Float.isNaN(want[i]), Float.isNaN(got[i]), where);
      if (!Float.isNaN(want[i])) assertEquals(want[i], got[i], 2 * Math.ulp(want[i]) + 1e-44f, where);
    }
    // the row with a NaN and the all -inf row are NaN throughout, +inf's row NaN too (inf - inf)
    for (int r : new int[] {1, 2, 4}) for (int k = 0; k < 4; k++) assertTrue(Float.isNaN(got[r * 4 + k]), "row " + r);
    assertEquals(1f, got[3 * 4 + 3] + got[3 * 4 + 1], 1e-6f);
  }

  /** From the shift {@code f:f32[r,c]}: {@code exp(f - log(sum(exp f, axis 1), keepdims))}, output m. */
  static String logSoftmaxThenExp(int r, int c) {
    return """
            g:f32[R,C] = exp f
            h:f32[R] = reduce_sum[axes=(1,)] g
            i:f32[R,1] = reshape[new_sizes=(R,1)] h
            j:f32[R,1] = log i
            k:f32[R,C] = broadcast_in_dim[shape=(R,C) broadcast_dimensions=(0,1)] j
            l:f32[R,C] = sub f k
            m:f32[R,C] = exp l
          in (m) }""".replace("R", Integer.toString(r)).replace("C", Integer.toString(c));
  }

  @Test
  void lookalikesAreLeftAlone() {
    // shift by a constant (exp(s) could overflow), max and sum over different axes, a sum of something else
    String[] programs = {
        """
        { lambda ; a:f32[3,4] . let
            b:f32[3,4] = broadcast_in_dim[shape=(3,4) broadcast_dimensions=()] 1.0:f32[]
            f:f32[3,4] = sub a b
        """ + logSoftmaxThenExp(3, 4),
        """
        { lambda ; a:f32[4,4] . let
            b:f32[4] = reduce_max[axes=(0,)] a
            c:f32[1,4] = reshape[new_sizes=(1,4)] b
            e:f32[4,4] = broadcast_in_dim[shape=(4,4) broadcast_dimensions=(0,1)] c
            f:f32[4,4] = sub a e
        """ + logSoftmaxThenExp(4, 4),
        null, // the max over the sum's axis but broadcast back along the other: below
        """
        { lambda ; a:f32[3,4] b:f32[3,4] . let
            c:f32[3] = reduce_max[axes=(1,)] a
            d:f32[3,4] = broadcast_in_dim[shape=(3,4) broadcast_dimensions=(0,)] c
            f:f32[3,4] = sub a d
            g:f32[3,4] = exp b
            h:f32[3] = reduce_sum[axes=(1,)] g
            j:f32[3] = log h
            k:f32[3,4] = broadcast_in_dim[shape=(3,4) broadcast_dimensions=(0,)] j
            l:f32[3,4] = sub f k
            m:f32[3,4] = exp l
          in (m) }"""};
    // the max over the sum's axis, broadcast back along the other axis ([4] -> [1,4]): s is not <= 0
    programs[2] = programs[1].replace("reduce_max[axes=(0,)]", "reduce_max[axes=(1,)]");
    Rand rng = new Rand(3L);
    for (String text : programs) {
      Program p = Program.parse(text);
      Program q = Passes.optimize(p);
      assertEquals(count(p, Primitives.EXP), count(q, Primitives.EXP), "rewrote a lookalike:\n" + q);
      NDArray[] args = new NDArray[p.inVars().size()];
      for (int i = 0; i < args.length; i++) args[i] = rng.normal(p.inVars().get(i).type().shape()).astype(DType.FLOAT32);
      Exact.sameBits(p.call(args)[0], q.call(args)[0], "lookalike\n" + p);
    }
    // the one-broadcast keepdims form (no reshape) is the pattern: the last program with a = b
    Program one = Program.parse(programs[3].replace("exp b", "exp f").replace(" b:f32[3,4]", ""));
    assertEquals(1, count(Passes.optimize(one), Primitives.EXP), "one-broadcast form not rewritten");
  }
}
