package dev.arrax.compile.cpu;

/**
 * A fused group's Vector API kernel paired with its scalar flavour, which gives the same bits
 * ({@link KernelSourceWriter}), choosing per call whichever runs faster now. A new kernel starts in
 * HotSpot's interpreter and C1, where every Vector API operation runs its Java fallback (tens of times
 * slower than plain scalar code); only once C2 has compiled it is the vector kernel the fast one. Until
 * then most calls run the scalar kernel and every {@value #SAMPLE_EVERY}th runs the vector one (so that
 * it gets hot and compiled) and is timed; after {@value #WINS_TO_SETTLE} vector calls in a row beat the
 * scalar rate, the vector kernel runs alone. This is what makes a new program's first calls fast
 * without waiting for C2. {@code -Darrax.adaptiveKernels=false} runs the vector kernel always.
 *
 * <p>Which flavour ran where never changes a result (the flavours are bitwise equal, NaN payloads aside,
 * as documented in RELIABILITY.md), so the racy, unsynchronized statistics are harmless: a stale read
 * only changes which flavour runs a call.
 */
final class AdaptiveKernel implements Kernel {
  static final boolean ENABLED = !"false".equals(System.getProperty("arrax.adaptiveKernels"));
  static final int SAMPLE_EVERY = 8;
  static final int WINS_TO_SETTLE = 8;
  /** Calls smaller than this many elements are not timed (the clock would dominate); they run the scalar kernel until the vector one has won. */
  private static final long MIN_TIMED = 256;

  private final Kernel vector;
  private final Kernel scalar;
  private volatile boolean vectorWon;
  private long calls;
  private double vectorNs = Double.NaN, scalarNs = Double.NaN;
  private int wins;

  AdaptiveKernel(Kernel vector, Kernel scalar) {
    this.vector = vector;
    this.scalar = scalar;
  }

  /** Whether the vector kernel now runs every call (for tests and diagnostics). */
  boolean settled() { return vectorWon; }

  @Override public void run(Object[] buffers, int[] origins, int rowFrom, int rowTo, int colFrom, int colTo) {
    if (vectorWon) {
      vector.run(buffers, origins, rowFrom, rowTo, colFrom, colTo);
      return;
    }
    long elems = (long) (rowTo - rowFrom) * (colTo - colFrom);
    if (elems < MIN_TIMED) {
      scalar.run(buffers, origins, rowFrom, rowTo, colFrom, colTo);
      return;
    }
    boolean useVector = calls++ % SAMPLE_EVERY == 0 || Double.isNaN(vectorNs) || vectorNs < scalarNs;
    long t0 = System.nanoTime();
    (useVector ? vector : scalar).run(buffers, origins, rowFrom, rowTo, colFrom, colTo);
    double ns = (double) (System.nanoTime() - t0) / elems;
    if (useVector) {
      vectorNs = Double.isNaN(vectorNs) ? ns : 0.5 * (vectorNs + ns);
      if (!Double.isNaN(scalarNs) && ns < scalarNs) {
        if (++wins >= WINS_TO_SETTLE) vectorWon = true;
      } else {
        wins = 0;
      }
    } else {
      scalarNs = Double.isNaN(scalarNs) ? ns : 0.5 * (scalarNs + ns);
    }
  }
}
