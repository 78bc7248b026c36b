package dev.arrax.compile.cpu;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.core.EngineLog;
import java.util.concurrent.atomic.AtomicBoolean;

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
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private Warmup() {}

  /** Programs compiling or running now on threads other than the warm-up's: the warm-up waits while any is. */
  private static final java.util.concurrent.atomic.AtomicInteger WORK = new java.util.concurrent.atomic.AtomicInteger();
  private static volatile Thread warmupThread;

  private static final java.util.concurrent.CountDownLatch DONE = new java.util.concurrent.CountDownLatch(1);

  /**
   * Waits until the warm-up has finished (or was never started), at most {@code millis}; true when it is
   * done. For benchmarks that time steady state, whose other code (a hand-written loop) the background
   * warm-up would otherwise slow down, and for services that want their first request warm.
   */
  public static boolean awaitDone(long millis) {
    if (!STARTED.get()) return true;
    try {
      return DONE.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the caller is the warm-up's thread (whose programs' notes are not the user's). */
  static boolean onWarmupThread() {
    return Thread.currentThread() == warmupThread;
  }

  /** Marks the start of a compile or run; false (and nothing counted) on the warm-up's own thread. */
  static boolean enterWork() {
    if (onWarmupThread()) return false;
    WORK.incrementAndGet();
    return true;
  }

  /**
   * Counts work of the caller's (not a program: a Spark task between its kernel runs, say) until the returned action
   * runs, at most once; the warm-up waits meanwhile. On the warm-up's own thread, nothing is counted.
   */
  public static Runnable holdOff() {
    if (!enterWork()) return () -> {};
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) exitWork();
    };
  }

  /** Marks the end of what {@link #enterWork} counted. */
  static void exitWork() {
    lastWorkEnd = System.nanoTime();
    WORK.decrementAndGet();
  }

  /**
   * How long the warm-up waits after work ends before it goes on: programs and Spark tasks come in runs (a job's tasks,
   * a benchmark's calls, a user's loop), and gaps between them are short.
   */
  private static final long IDLE_NANOS = 300_000_000L;

  /** When work last ended ({@link System#nanoTime}). */
  private static volatile long lastWorkEnd = System.nanoTime() - IDLE_NANOS;

  /**
   * Waits while a program compiles or runs elsewhere, and until 0.3 s after the last one ended (checked before every
   * iteration of the warm-up's loops). Without the pause after work, the warm-up ran in the gaps between a Spark app's
   * jobs and tasks (the driver planning the next job) and spilled into them: an identity map over 1M cached rows ran
   * 0.20-0.30 s a job for ~25 jobs, against 0.11-0.16 s with the warm-up off. On a machine of few cores the warm-up would
   * otherwise take a core from the very first call it is meant to help (measured on 2 cores at load ~4.7:
   * W1's first call 4.9-8.0 s with the warm-up running beside it against 3.7-4.5 s without).
   */
  private static void yieldToWork() {
    try {
      while (WORK.get() > 0 || System.nanoTime() - lastWorkEnd < IDLE_NANOS) Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("warm-up interrupted", e);
    }
  }

  /**
   * Starts the warm-up on a low-priority daemon thread, once per JVM; does nothing if
   * {@code -Darrax.warmup=false}.
   */
  public static void startInBackground() {
    if ("false".equals(System.getProperty("arrax.warmup")) || !STARTED.compareAndSet(false, true)) return;
    Thread t = new Thread(Warmup::run, "arrax-warmup");
    warmupThread = t;
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /**
   * Runs the precompiled Vector API code every program shares until HotSpot's C2 has compiled it: the
   * transcendental lane methods generated kernels call, the register-tiled matrix rows (4 rows by 4, 2
   * and 1 vectors, the 16-row dot products) and the register column sums. Before C2, each Vector API
   * operation runs its Java fallback, tens of times slower, which a new program's first call would
   * otherwise pay (W3's matrix-vector products, say, in a JVM that had only run W1). About 15,000 calls
   * of each, on arrays of a few KB.
   */
  private static void vectorLibrary() {
    int lanes = VectorMatmul.lanes();
    float[] t = new float[lanes];
    for (int i = 0; i < lanes; i++) t[i] = 0.25f * i - 1f;
    float[] u = new float[lanes];
    for (int i = 0; i < 15_000; i++) {
      yieldToWork();
      dev.arrax.compile.cpu.math.VectorMath.expLanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.expm1Lanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.logLanes(u, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.log1pLanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.tanhLanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.logisticLanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.erfLanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.sinLanes(t, 0, u, 0);
      dev.arrax.compile.cpu.math.VectorMath.cosLanes(t, 0, u, 0);
    }
    int rows = 32, k = 32, n = 4 * lanes;
    float[] a = new float[rows * k], b = new float[k * n], c = new float[rows * n], col = new float[n];
    java.util.Arrays.fill(a, 0.01f);
    java.util.Arrays.fill(b, 0.02f);
    for (int i = 0; i < 5_000; i++) {
      yieldToWork();
      VectorMatmul.rows(a, b, c, 0, rows, rows, k, n);        // 4 x 4 tiles
      VectorMatmul.rows(a, b, c, 0, rows, rows, k, n / 2);    // 4 x 2
      VectorMatmul.rows(a, b, c, 0, rows, rows, k, lanes);    // 4 x 1
      VectorMatmul.rows(a, b, c, 0, rows, rows, k, 1);        // 16-row dot products
      if (VectorMatmul.columnSumFits(k)) VectorMatmul.columnSum(a, 0, b, 0, k, 0, rows, col);
    }
  }

  private static void run() {
    long t0 = System.nanoTime();
    try {
      // The shared Vector API code first: every program's runs hit it, and a Spark app leaves the warm-up few idle
      // moments (it pauses while tasks run). Spark W1 map over 1M cached rows, two JVMs each: 0.45-0.9 s a job until
      // job 10 and until past job 22 with it last; until jobs 9 and 11 with it first.
      if (VectorSupport.AVAILABLE) Parallel.runSingleThreaded(Warmup::vectorLibrary);
      Parallel.runSingleThreaded(() -> {
        for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          NDArray x = Np.ones(new int[] {64, 8}, d), w = Np.ones(new int[] {8, 16}, d).mul(0.1), b = Np.zeros(new int[] {16}, d);
          Fn mlp = a -> Np.sum(Np.tanh(Np.add(Np.matmul(a[0], a[1]), a[2])));
          CompiledProgram p = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null, null), x, w, b));
          CompiledProgram q = CompiledProgram.compile(Arrax.makeJaxpr(a -> Np.sum(Np.exp(Np.subtract(a[0], Np.max(a[0], -1, true))), -1), x));
          for (int i = 0; i < 300; i++) {
            yieldToWork();
            p.run(x, w, b);
            q.run(x);
          }
        }
        // Tracing, the optimizer and the planner are Java code too: in a harness, a fresh W2 jit took 0.2-0.3 s more
        // than its run while these paths were still interpreted, 10-40 ms once HotSpot had compiled them.
        NDArray x = Np.ones(new int[] {16, 32}, DType.FLOAT32), y = Np.ones(new int[] {16, 32}, DType.FLOAT32);
        for (int i = 0; i < 25; i++) {
          yieldToWork();
          final double c = 1 + i % 3;
          CompiledProgram.compile(Arrax.makeJaxpr(a -> {
            NDArray logp = dev.arrax.Nn.logSoftmax(Np.multiply(a[0], c), -1);
            NDArray p = Np.exp(logp);
            return Np.sum(Np.where(Np.greater(p, 0.0), Np.multiply(p, Np.subtract(logp, a[1])), 0.0), -1);
          }, x, y));
          CompiledProgram.compile(Arrax.makeJaxpr(Arrax.grad(a -> Np.sum(Np.logaddexp(Np.matmul(a[1], a[0]), c))), Np.ones(new int[] {32}, DType.FLOAT32), x));
        }
      });
      if (KernelCache.DEBUG) EngineLog.of(Warmup.class).info("compiler warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException | Error e) {
      if (KernelCache.DEBUG) EngineLog.of(Warmup.class).info("compiler warm-up stopped: {}", e.toString());
    } finally {
      DONE.countDown();
    }
  }
}
