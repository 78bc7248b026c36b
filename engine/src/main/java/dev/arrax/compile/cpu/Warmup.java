package dev.arrax.compile.cpu;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the compiler up in the background: a JVM's first Janino compile costs ~0.5 s (loading and
 * interpreting Janino itself) and the first runs of Vector API code are interpreted, which would
 * otherwise land on the user's first jitted calls. Started once, on a low-priority daemon thread
 * ({@code arrax-warmup}), when the process first creates a jitted function ({@link Arrax#jit}) or
 * compiles a program on the CPU backend; a process that only builds and computes arrays eagerly never
 * starts it. It compiles and runs a small per-row gradient program. Disable with
 * {@code -Darrax.warmup=false}.
 */
public final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private Warmup() {}

  /**
   * Starts the warm-up on a low-priority daemon thread, once per JVM; does nothing if
   * {@code -Darrax.warmup=false}.
   */
  public static void startInBackground() {
    if ("false".equals(System.getProperty("arrax.warmup")) || !STARTED.compareAndSet(false, true)) return;
    Thread t = new Thread(Warmup::run, "arrax-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run() {
    long t0 = System.nanoTime();
    try {
      Parallel.runSingleThreaded(() -> {
        for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          NDArray x = Np.ones(new int[] {64, 8}, d), w = Np.ones(new int[] {8, 16}, d).mul(0.1), b = Np.zeros(new int[] {16}, d);
          Fn mlp = a -> Np.sum(Np.tanh(Np.add(Np.matmul(a[0], a[1]), a[2])));
          CompiledProgram p = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null, null), x, w, b));
          CompiledProgram q = CompiledProgram.compile(Arrax.makeJaxpr(a -> Np.sum(Np.exp(Np.subtract(a[0], Np.max(a[0], -1, true))), -1), x));
          for (int i = 0; i < 300; i++) {
            p.run(x, w, b);
            q.run(x);
          }
        }
      });
      LOG.debug("compiler warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException | Error e) {
      LOG.debug("compiler warm-up stopped: {}", e.toString());
    }
  }
}
