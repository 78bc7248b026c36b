package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.ChildJvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the CPU backend gives the same bits with and without {@code jdk.incubator.vector} (SIMD and
 * scalar kernels), with 8- and 16-lane vectors, for any thread count, row-block size and batch size.
 * The programs are {@link DeterminismProbe}'s: f32 elementwise exp/log/tanh, last-axis sums and maxima
 * (short rows, rows longer than a summation block), log-softmax, whole-array sums, a sum over rows,
 * matrix products, a per-row (W1-like) gradient and a gradient summed over rows (W3-like).
 */
class CpuDeterminismTest {
  /** Rows of the child JVMs' run: enough for several segments of every sum over rows, small enough to start fast. */
  private static final int CHILD_ROWS = 6000;

  /** Work above which these tests' runs split across threads: small, so that every program here does. */
  static final long SPLIT_SMALL = 1 << 12;

  @org.junit.jupiter.api.BeforeEach
  void splitSmallRuns() {
    Parallel.minParallelWork = SPLIT_SMALL;
  }

  @AfterEach
  void restore() {
    Parallel.setThreads(Integer.getInteger("arrax.threads", Runtime.getRuntime().availableProcessors()));
    RowBlockedSequence.blockRowsForTests = 0;
    Parallel.minParallelWork = Parallel.DEFAULT_MIN_PARALLEL_WORK;
  }

  @Test
  void threadCountsAndBlockSizesGiveTheSameBits() {
    Parallel.setThreads(1);
    Map<String, Long> want = DeterminismProbe.run(DeterminismProbe.ROWS);
    for (int threads : new int[] {2, 3}) {
      for (int block : new int[] {0, 16, 100, 448}) {
        Parallel.setThreads(threads);
        RowBlockedSequence.blockRowsForTests = block;
        assertEquals(want, DeterminismProbe.run(DeterminismProbe.ROWS), "threads=" + threads + " blockRows=" + block + " vs threads=1");
      }
    }
  }

  @Test
  void perRowResultsDoNotDependOnTheBatchSize() {
    Map<String, float[][]> big = DeterminismProbe.outputs(DeterminismProbe.ROWS);
    int small = 3001;
    Map<String, float[][]> few = DeterminismProbe.outputs(small);
    for (String name : List.of("elementwise", "rowSumMax", "logSoftmax", "matmul", "matvec", "perRowGradient")) {
      float[][] b = big.get(name), f = few.get(name);
      for (int o = 0; o < f.length; o++) {
        float[] prefix = java.util.Arrays.copyOf(b[o], f[o].length);
        assertArrayEquals(bits(f[o]), bits(prefix), name + " output " + o + ": the first " + small + " rows of a batch of "
            + DeterminismProbe.ROWS + " differ from a batch of " + small);
      }
    }
  }

  @Test
  void childJvmsWithoutTheVectorApiAndWithEightLanesGiveTheSameBits() throws IOException, InterruptedException {
    assertTrue(VectorSupport.AVAILABLE, "this JVM should run the SIMD kernels (surefire adds the module)");
    Parallel.setThreads(2);
    List<String> want = new ArrayList<>();
    want.add("vector=true");
    for (Map.Entry<String, Long> e : DeterminismProbe.run(CHILD_ROWS).entrySet()) want.add(e.getKey() + "=" + Long.toHexString(e.getValue()));
    String expected = String.join("\n", want);
    // no module: scalar kernels, 3 threads (C1 only, to start fast: the scalar code has no intrinsics that C2 would change)
    assertEquals(expected.replace("vector=true", "vector=false"), child(List.of("-XX:TieredStopAtLevel=1"), "3"),
        "scalar kernels (no jdk.incubator.vector) vs SIMD here");
    // 256-bit vectors: 8 lanes, two vectors per 16 summation lanes, 1 thread
    assertEquals(expected, child(List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=32"), "1"), "8-lane SIMD vs SIMD here");
  }

  private static String child(List<String> flags, String threads) throws IOException, InterruptedException {
    List<String> jvm = new ArrayList<>(List.of("-Xshare:auto", "-Xmx1g"));
    jvm.addAll(flags);
    ChildJvm.Result r = ChildJvm.run(jvm, DeterminismProbe.class, List.of(threads, Integer.toString(CHILD_ROWS)), false, 120);
    assertTrue(r.exited(), "child JVM did not finish: " + jvm + " threads " + threads);
    assertEquals(0, r.exitValue(), "child JVM failed: " + jvm + " threads " + threads + "\n" + r.out());
    return r.out().strip();
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
    return b;
  }
}
