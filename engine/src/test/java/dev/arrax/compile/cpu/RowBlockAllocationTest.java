package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Intermediate rows of a row-blocked run stay one block per thread, also behind a reshape between two steps (W3's
 * gradient: {@code X w} is {@code [n, 1]}, reshaped to {@code [n]} for the fused loop, whose output is reshaped back to
 * {@code [n, 1]} for {@code X^T r}). Those two {@code [n]} arrays used to be allocated whole on every call.
 */
class RowBlockAllocationTest {
  /** W3's loss: sum(logaddexp(0, X w) - y X w). */
  static NDArray loss(NDArray... a) {
    NDArray z = Np.matmul(a[1], a[0]);
    return Np.sum(Np.subtract(Np.logaddexp(z, 0.0), Np.multiply(a[2], z)));
  }

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  /** n rows of W3's data: {w, X, y} and the same as arrays. */
  private static NDArray[] data(int n, float[][] raw) {
    int d = 32;
    Random rng = new Random(3);
    float[] x = new float[n * d], y = new float[n], w = new float[d];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    for (int i = 0; i < n; i++) y[i] = rng.nextBoolean() ? 1f : 0f;
    for (int i = 0; i < d; i++) w[i] = (float) (0.2 * rng.nextGaussian());
    raw[0] = w;
    raw[1] = x;
    raw[2] = y;
    return new NDArray[] {NDArray.fromFlat(w, d), NDArray.fromFlat(x, n, d), NDArray.fromFlat(y, n)};
  }

  /**
   * In a child JVM without the Vector API (whose operations allocate while HotSpot still interprets them): the bytes
   * one call allocates on the calling thread, with the kernels run on that thread.
   */
  public static void main(String[] args) {
    int n = 200_000;
    NDArray[] a = data(n, new float[3][]);
    CompiledProgram p = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.grad(RowBlockAllocationTest::loss), a));
    Parallel.runSingleThreaded(() -> {
      p.run(a);
      long b0 = allocatedByThisThread();
      p.run(a);
      System.out.println("allocated " + (allocatedByThisThread() - b0));
    });
    System.out.println("steps " + String.join("; ", p.describeSteps()));
  }

  @Test void reshapedIntermediatesStayOneBlock() throws Exception {
    dev.arrax.testing.ChildJvm.Result r = dev.arrax.testing.ChildJvm.run(java.util.List.of("-Xmx512m", "-Darrax.disableVectorApi=true",
        "-Darrax.warmup=false", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), RowBlockAllocationTest.class, java.util.List.of(), true, 120);
    String out = r.out();
    assertTrue(r.exited() && r.exitValue() == 0, out);
    assertTrue(out.contains("in blocks of") && out.contains("reshape -> f32[200000]"), out);
    long bytes = -1;
    for (String l : out.split("\n")) if (l.startsWith("allocated ")) bytes = Long.parseLong(l.substring("allocated ".length()).strip());
    // Whole [n] intermediates would be 2 x 800 KB; a block of rows per step and the bookkeeping are a few KB.
    assertTrue(bytes >= 0 && bytes < 400_000, "one call allocated " + bytes + " bytes for 200,000 rows: intermediate rows were allocated whole\n" + out);
  }

  @Test void theGradientIsExact() {
    int n = 50_000, d = 32;
    float[][] raw = new float[3][];
    NDArray[] a = data(n, raw);
    float[] w = raw[0], x = raw[1], y = raw[2];
    float[] got = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.grad(RowBlockAllocationTest::loss), a)).run(a)[0].toFloatArray();
    // d loss / d w = X^T (sigmoid(X w) - y), in float64.
    double[] g = new double[d];
    for (int r = 0; r < n; r++) {
      double z = 0;
      for (int i = 0; i < d; i++) z += (double) x[r * d + i] * w[i];
      double c = 1 / (1 + Math.exp(-z)) - y[r];
      for (int i = 0; i < d; i++) g[i] += c * x[r * d + i];
    }
    for (int i = 0; i < d; i++) assertEquals(g[i], got[i], 1e-5 * Math.max(1, Math.abs(g[i])), "grad " + i);
  }
}
