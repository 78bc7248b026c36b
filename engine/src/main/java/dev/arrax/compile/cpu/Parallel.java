package dev.arrax.compile.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;

/**
 * Splits large kernels across cores. The thread count comes from {@link #setThreads}, else the
 * system property {@code arrax.threads}, else all available cores; a thread that declares itself
 * single-threaded (a Spark task, see {@link #runSingleThreaded}) never fans out. Each part writes
 * disjoint outputs, and reductions are combined in part order, so results do not depend on timing.
 */
public final class Parallel {
  private static volatile int threads = Integer.getInteger("arrax.threads", Runtime.getRuntime().availableProcessors());
  private static volatile ForkJoinPool pool;
  private static final ThreadLocal<Boolean> SINGLE = ThreadLocal.withInitial(() -> false);

  /**
   * Below this much work (about one vector lane's operation a unit: elements, multiply-adds) a kernel runs on the calling
   * thread: some 0.1 ms of one core's work. Handing parts to the pool and waiting for them costs tens of microseconds
   * here (a thread's wake-up); with the old bound of 32K elements, W1's jit on 1,000 rows took 87 us at best and 378 us
   * on average on 2 threads against 72 and 85 us on one, and W3's 40 and 112 us against 8.5 and 9.6 (with this bound,
   * 83 and 112, and 18 and 32; the rest was the dispatch thread, see Dispatcher). Tests lower it to exercise the parallel
   * paths on small inputs.
   */
  static final long DEFAULT_MIN_PARALLEL_WORK = 1L << 23;
  static volatile long minParallelWork = DEFAULT_MIN_PARALLEL_WORK;

  private Parallel() {}

  /**
   * Sets the number of threads kernels may split across (overrides {@code arrax.threads}).
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static void setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
    threads = n;
  }

  /** The thread count in effect: 1 inside {@link #runSingleThreaded}, else the configured count. */
  public static int threads() { return SINGLE.get() ? 1 : threads; }

  /** Runs {@code body} with kernels on this thread only (used inside Spark tasks, whose cores Spark already schedules). */
  public static void runSingleThreaded(Runnable body) {
    boolean prev = SINGLE.get();
    SINGLE.set(true);
    try {
      body.run();
    } finally {
      SINGLE.set(prev);
    }
  }

  /** Runs {@code part.accept(i)} for i in [0, parts), in parallel when there is more than one part. */
  static void forEach(int parts, IntConsumer part) {
    if (parts <= 1) {
      for (int i = 0; i < parts; i++) part.accept(i);
      return;
    }
    ForkJoinPool p = pool();
    List<ForkJoinTask<?>> tasks = new ArrayList<>(parts - 1);
    for (int i = 1; i < parts; i++) {
      final int k = i;
      tasks.add(p.submit(() -> part.accept(k)));
    }
    part.accept(0);
    for (ForkJoinTask<?> t : tasks) t.join();
  }

  /** How many parts to split {@code work} elements with at most {@code maxParts} parts into. */
  static int partsFor(long work, int maxParts) {
    int t = threads();
    if (t <= 1 || work < minParallelWork) return 1;
    return Math.max(1, Math.min(t, maxParts));
  }

  private static final java.util.concurrent.atomic.AtomicInteger WORKERS = new java.util.concurrent.atomic.AtomicInteger();

  /** Kernel workers are daemons named {@code arrax-kernel-N}: they never keep the JVM alive and show up by name in thread dumps. */
  private static ForkJoinWorkerThread newWorker(ForkJoinPool p) {
    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
    t.setName("arrax-kernel-" + WORKERS.incrementAndGet());
    t.setDaemon(true);
    return t;
  }

  private static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p == null || p.getParallelism() != Math.max(1, threads)) {
      synchronized (Parallel.class) {
        if (pool == null || pool.getParallelism() != Math.max(1, threads)) {
          ForkJoinPool old = pool;
          pool = new ForkJoinPool(Math.max(1, threads), Parallel::newWorker, null, false);
          if (old != null) old.shutdown(); // its running parts finish; its idle workers end now instead of lingering
        }
        p = pool;
      }
    }
    return p;
  }
}
