package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
  /** A kernel that spends about {@code nsPerElement} per element of a call and counts what it ran. */
  private static final class Timed implements Kernel {
    volatile long nsPerElement;
    long calls, elements;

    Timed(long nsPerElement) { this.nsPerElement = nsPerElement; }

    @Override public void run(Object[] b, int[] o, int r0, int r1, int c0, int c1) {
      long n = (long) (r1 - r0) * (c1 - c0);
      calls++;
      elements += n;
      long end = System.nanoTime() + nsPerElement * n;
      while (System.nanoTime() < end) Thread.onSpinWait();
    }
  }

  @Test
  void theVectorKernelRunsOneRowPerCallUntilItIsFasterThenAllRows() {
    Timed vector = new Timed(200), scalar = new Timed(20);
    AdaptiveKernel k = new AdaptiveKernel(vector, scalar, false);
    for (int i = 0; i < 100; i++) k.run(null, null, 0, 10, 0, 100);
    assertFalse(k.settled(), "the vector kernel is 10x slower: it must not be chosen for good");
    assertEquals(100 * 100, vector.elements, "the vector kernel runs one row of each call");
    assertEquals(100 * 900, scalar.elements, "the scalar kernel runs the other rows");
    vector.nsPerElement = 2; // "compiled by C2"
    for (int i = 0; i < 10 * AdaptiveKernel.WINDOW && !k.settled(); i++) k.run(null, null, 0, 10, 0, 100);
    assertTrue(k.settled(), "once 10x faster, the vector kernel wins");
    long s = scalar.elements;
    for (int i = 0; i < 20; i++) k.run(null, null, 0, 10, 0, 100);
    assertEquals(s, scalar.elements, "after it has won, only the vector kernel runs");
  }

  @Test
  void elementwiseRowsAreSplitByColumnsAndUnsplittableCallsSampled() {
    Timed vector = new Timed(100), scalar = new Timed(10);
    AdaptiveKernel split = new AdaptiveKernel(vector, scalar, true);
    split.run(null, null, 0, 1, 0, 1000);
    assertEquals(AdaptiveKernel.SLICE_COLUMNS, vector.elements, "one slice of columns on the vector kernel");
    assertEquals(1000 - AdaptiveKernel.SLICE_COLUMNS, scalar.elements);
    Timed v2 = new Timed(100), s2 = new Timed(10);
    AdaptiveKernel whole = new AdaptiveKernel(v2, s2, false); // one row, a reduction along it: not split
    for (int i = 0; i < 4 * AdaptiveKernel.SAMPLE_EVERY; i++) whole.run(null, null, 0, 1, 0, 100);
    assertEquals(4, v2.calls, "every " + AdaptiveKernel.SAMPLE_EVERY + "th whole call samples the vector kernel");
    assertEquals(4 * AdaptiveKernel.SAMPLE_EVERY - 4, s2.calls);
  }

  @Test
  void callsBeforeTheVectorKernelHasCompiledRunTheScalarOneAndACompileFailureIsThrown() {
    Timed vector = new Timed(1), scalar = new Timed(1);
    java.util.concurrent.CompletableFuture<Kernel> compiling = new java.util.concurrent.CompletableFuture<>();
    AdaptiveKernel k = new AdaptiveKernel(compiling, scalar, false);
    for (int i = 0; i < 5; i++) k.run(null, null, 0, 4, 0, 10);
    assertEquals(5, scalar.calls, "the scalar kernel runs every call while the vector one compiles");
    compiling.complete(vector);
    k.run(null, null, 0, 4, 0, 10);
    assertEquals(10, vector.elements, "then the vector kernel runs its row of the call");
    java.util.concurrent.CompletableFuture<Kernel> broken = new java.util.concurrent.CompletableFuture<>();
    broken.completeExceptionally(new dev.arrax.ArraxException("internal: generated kernel ArraxKernel9 does not compile"));
    AdaptiveKernel b = new AdaptiveKernel(broken, scalar, false);
    dev.arrax.ArraxException e = org.junit.jupiter.api.Assertions.assertThrows(dev.arrax.ArraxException.class, () -> b.run(null, null, 0, 4, 0, 10));
    assertTrue(e.getMessage().contains("does not compile"), e.getMessage());
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
