package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AdaptiveKernel}: while the vector kernel is slower (HotSpot has not compiled it yet) most calls run
 * the scalar flavour and the vector one is sampled; once the vector kernel is faster it runs alone; and a
 * compiled program gives the same bits on every run whichever flavour ran which block.
 */
class AdaptiveKernelTest {
  /** A kernel that spends about {@code micros} per call and counts its calls. */
  private static final class Timed implements Kernel {
    volatile long micros;
    int calls;

    Timed(long micros) { this.micros = micros; }

    @Override public void run(Object[] b, int[] o, int r0, int r1, int c0, int c1) {
      calls++;
      long end = System.nanoTime() + micros * 1000;
      while (System.nanoTime() < end) Thread.onSpinWait();
    }
  }

  @Test
  void runsTheScalarFlavourUntilTheVectorKernelIsFasterThenOnlyTheVectorOne() {
    Timed vector = new Timed(2000), scalar = new Timed(200);
    AdaptiveKernel k = new AdaptiveKernel(vector, scalar);
    for (int i = 0; i < 80; i++) k.run(null, null, 0, 100, 0, 100);
    assertFalse(k.settled(), "the vector kernel is 10x slower: it must not be chosen for good");
    assertTrue(scalar.calls >= 60, "most calls run the faster scalar kernel, ran " + scalar.calls + " of 80");
    assertTrue(vector.calls >= 80 / AdaptiveKernel.SAMPLE_EVERY, "the vector kernel is sampled, ran " + vector.calls);
    vector.micros = 20; // "compiled by C2"
    for (int i = 0; i < 200 && !k.settled(); i++) k.run(null, null, 0, 100, 0, 100);
    assertTrue(k.settled(), "once 10x faster, the vector kernel wins");
    int s = scalar.calls;
    for (int i = 0; i < 20; i++) k.run(null, null, 0, 100, 0, 100);
    assertTrue(scalar.calls == s, "after it has won, only the vector kernel runs");
  }

  @Test
  void aProgramGivesTheSameBitsOnEveryRunWhicheverFlavourRuns() {
    int rows = 300, cols = 517;
    float[] x = new float[rows * cols];
    Random r = new Random(3);
    for (int i = 0; i < x.length; i++) x[i] = (float) (3 * r.nextGaussian());
    NDArray xa = NDArray.fromFlat(x, rows, cols);
    dev.arrax.Fn f = Arrax.jit(a -> Np.sum(Np.multiply(Np.tanh(a[0]), Np.log1p(Np.exp(Np.negative(Np.abs(a[0]))))), -1));
    float[] first = f.apply(xa).toFloatArray();
    for (int run = 0; run < 60; run++) assertArrayEquals(first, f.apply(xa).toFloatArray(), "run " + run);
    // and the scalar flavour alone (a JVM without the Vector API) gives them too: CpuDeterminismTest
    for (int i = 0; i < rows; i++) {
      double s = 0;
      for (int j = 0; j < cols; j++) {
        double v = x[i * cols + j];
        s += Math.tanh(v) * Math.log1p(Math.exp(-Math.abs(v)));
      }
      assertTrue(Math.abs(first[i] - s) <= 1e-4 * Math.max(1, Math.abs(s)), "row " + i + ": " + first[i] + " vs float64 " + s);
    }
  }
}
