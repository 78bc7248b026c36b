package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrax.Arrax;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The same program traced again gives the same kernel sources, so a fresh {@code jit} of a program this process has
 * run before takes its kernels from {@link KernelCache} instead of compiling new classes (which start in the
 * interpreter: a fresh jit of the W2 bench program took 250-850 ms over its 90 ms run when the order of a fused
 * group's inputs and sums followed identity hash codes, which differ between traces).
 */
class KernelSourceStabilityTest {
  /** W2's program: entropy, varentropy and KL of log_softmax(l) against logq, per row (fused groups with 2-4 inputs, 2 sums). */
  static NDArray[] seed(NDArray l, NDArray logq) {
    NDArray logp = Nn.logSoftmax(l, -1);
    NDArray p = Np.exp(logp);
    NDArray ent = Np.negative(Np.sum(Np.multiply(p, logp), -1));
    NDArray c = Np.add(logp, Np.expandDims(ent, -1));
    NDArray varent = Np.sum(Np.multiply(p, Np.multiply(c, c)), -1);
    NDArray kl = Np.sum(Np.where(Np.greater(p, 0.0), Np.multiply(p, Np.subtract(logp, logq)), 0.0), -1);
    return new NDArray[] {ent, varent, kl};
  }

  private static MultiFn freshJit() {
    return Arrax.outputs(a -> seed(a[0], a[1])[0], a -> seed(a[0], a[1])[1], a -> seed(a[0], a[1])[2]).jit();
  }

  @Test void freshJitsOfTheSameProgramCompileNoNewKernels() {
    int n = 40, v = 96;
    Random rng = new Random(7);
    float[] l = new float[n * v], q = new float[n * v];
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) rng.nextGaussian();
      q[i] = (float) (-Math.log(v) + 0.1 * rng.nextGaussian());
    }
    NDArray L = NDArray.fromFlat(l, n, v), Q = NDArray.fromFlat(q, n, v);
    NDArray[] first = freshJit().apply(L, Q);
    Warmup.awaitDone(60_000); // the warm-up compiles kernels of its own
    int compiles = KernelCache.compileCount();
    for (int t = 0; t < 12; t++) {
      NDArray[] again = freshJit().apply(L, Q);
      for (int k = 0; k < 3; k++) assertArrayEquals(first[k].toFloatArray(), again[k].toFloatArray(), "output " + k + ", trace " + t);
      assertEquals(compiles, KernelCache.compileCount(), "trace " + t + " of the same program compiled new kernels: its kernel sources differ");
    }
    // And the values are the program's: entropy and KL of row 0 against a float64 loop.
    double m = Double.NEGATIVE_INFINITY, s = 0, h = 0, d = 0;
    for (int k = 0; k < v; k++) m = Math.max(m, l[k]);
    for (int k = 0; k < v; k++) s += Math.exp(l[k] - m);
    for (int k = 0; k < v; k++) {
      double logp = l[k] - m - Math.log(s), p = Math.exp(logp);
      h -= p * logp;
      d += p * (logp - q[k]);
    }
    assertEquals(h, first[0].toFloatArray()[0], 1e-5 * Math.abs(h));
    assertEquals(d, first[2].toFloatArray()[0], 1e-5 + 1e-4 * Math.abs(d));
  }
}
