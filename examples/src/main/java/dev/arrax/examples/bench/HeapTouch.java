package dev.arrax.examples.bench;

/**
 * Once per JVM, after a benchmark's first calls and before any steady-state timing: writes every page of the heap the
 * JVM has committed (its -Xms), so that no timed call pays the operating system's first touch of fresh memory. W1
 * returns 128 MB per call; in a JVM started with -Xms4g its calls took 450-600 ms for the first ~25 calls (one 128 MB
 * output each, the heap being touched for the first time at about 0.3 GB/s on this machine) and 45-60 ms after, so a
 * 2 s warm-up timed the page faults, and the hand loop, timed later, did not pay them. The same in SparkBench, where
 * the engine's case, timed last, ran 0.44 s a call for 19 calls in one run (23.4 M rows/s in another). A long-running
 * process (a Spark executor) has touched its heap long before; first-call figures are taken before this and include
 * the faults. Both benchmarks' default heaps are fixed (-Xms4g -Xmx4g), so that they do not grow into fresh memory
 * later: with -Xms2g -Xmx8g, 2 GB touched, W1's timed calls still averaged 240-480 ms in 3 of 8 runs, 41-55 ms in the
 * others; with the heap fixed, 41-55 ms in 4 of 4.
 */
public final class HeapTouch {
  private HeapTouch() {}

  private static boolean done;
  private static volatile long sink;

  /** Touches the committed heap unless already done in this JVM, and prints how long it took. */
  public static synchronized void once() {
    if (done) return;
    done = true;
    Runtime rt = Runtime.getRuntime();
    long t0 = System.nanoTime(), bytes = 0;
    // every chunk is kept until the end, so that each lands in memory not touched yet: dropped at once, G1 reclaimed each
    // 16 MB chunk at the next pause and handed its regions to the next, and most of the heap stayed fresh (a W1 call on
    // 1,000 rows after the 1M-row runs took 650 us instead of 73 for seconds, faulting its 128 KB output in)
    long room = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - (256L << 20);
    int chunk = 16 << 20;
    java.util.List<byte[]> kept = new java.util.ArrayList<>();
    try {
      for (; bytes + chunk <= room; bytes += chunk) {
        byte[] b = new byte[chunk];
        for (int i = 0; i < chunk; i += 4096) b[i] = 1;
        sink += b[chunk - 4096];
        kept.add(b);
      }
    } catch (OutOfMemoryError e) {
      // the live set was larger than measured: what was touched stays touched
    }
    kept.clear();
    System.gc();
    System.out.printf("   touched the heap's %,d MB before timing, in %.1f s%n", bytes >> 20, (System.nanoTime() - t0) / 1e9);
  }
}
