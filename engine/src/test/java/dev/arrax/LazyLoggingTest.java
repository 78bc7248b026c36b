package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.compile.cpu.Warmup;
import dev.arrax.testing.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A jitted function's first calls, and the background warm-up they start, never touch the logging API when
 * there is nothing to report: creating the first logger initializes the logging backend, which with log4j2 on
 * the classpath (a Spark application's) took 0.7 s of a fresh JVM's first call. In a child JVM with
 * {@code -verbose:class}: {@code org.slf4j.LoggerFactory} must not load before the checkpoint, and does load
 * after it when asked (so the check can see it).
 */
class LazyLoggingTest {
  /** Run in the child JVM. */
  public static void main(String[] args) throws Exception {
    Fn mlp = a -> Np.sum(Np.tanh(Np.add(Np.matmul(a[0], a[1]), a[2])));
    Fn perRow = Arrax.jit(Arrax.vmap(Arrax.grad(mlp), 0, null, null));
    NDArray x = Np.ones(new int[] {300, 8}, DType.FLOAT32), w = Np.ones(new int[] {8, 16}, DType.FLOAT32), b = Np.zeros(new int[] {16}, DType.FLOAT32);
    for (int i = 0; i < 3; i++) perRow.apply(x, w, b).blockUntilReady();
    System.out.println("warm-up done " + Warmup.awaitDone(120_000));
    System.out.println("CHECKPOINT");
    System.out.flush();
    org.slf4j.LoggerFactory.getLogger("probe");
    System.out.println("END");
  }

  @Test void firstCallsAndTheWarmupCreateNoLogger() throws Exception {
    ChildJvm.Result r = ChildJvm.run(List.of("--add-modules=jdk.incubator.vector", "-Xmx512m", "-verbose:class"),
        LazyLoggingTest.class, List.of(), false, 180);
    String out = r.out();
    assertTrue(r.exited(), tail(out));
    assertEquals(0, r.exitValue(), tail(out));
    assertTrue(out.contains("warm-up done true"), tail(out));
    int checkpoint = out.indexOf("CHECKPOINT"), factory = out.indexOf("org.slf4j.LoggerFactory ");
    assertTrue(checkpoint > 0 && out.contains("END"), tail(out));
    assertTrue(factory > checkpoint, "the logging API was initialized before the checkpoint:\n"
        + out.substring(Math.max(0, factory - 2000), Math.min(out.length(), factory + 300)));
  }

  private static String tail(String s) {
    return s.substring(Math.max(0, s.length() - 4000));
  }
}
