package dev.arrax.compile.cpu;

/**
 * A fused group's Vector API kernel paired with its scalar flavour, which gives the same bits
 * ({@link KernelSourceWriter}). A new kernel starts in HotSpot's interpreter and C1, where every Vector
 * API operation runs its Java fallback, hundreds of times slower than compiled code; only once C2 has
 * compiled it is the vector kernel the fast one. So until then each call runs the scalar kernel on its
 * rows, except a small slice (one row, or {@value #SLICE_COLUMNS} columns of an elementwise row) that the
 * vector kernel runs, timed: that keeps it invoked, so HotSpot compiles it, at a small cost. Once the
 * vector kernel's time per element, summed over a window of {@value #WINDOW} slices, beats the scalar
 * kernel's in {@value #WINS_TO_SETTLE} windows in a row, it runs every call alone. A group whose rows
 * are one reduction that cannot be split (a sum over all elements) runs the whole call on the vector
 * kernel every {@value #SAMPLE_EVERY}th call instead. The vector kernel is compiled on a background thread
 * (a new program's first call compiles only the scalar flavour); calls before it is ready run the scalar
 * kernel alone. {@code -Darrax.adaptiveKernels=false} compiles and runs the vector kernel only.
 *
 * <p>Which flavour computes which rows never changes a result (the flavours are bitwise equal, NaN payloads
 * aside, as RELIABILITY.md says), so the racy, unsynchronized statistics are harmless: a stale read only
 * changes which flavour runs a call.
 */
final class AdaptiveKernel implements Kernel {
  static final boolean ENABLED = !"false".equals(System.getProperty("arrax.adaptiveKernels"));
  static final int SLICE_COLUMNS = 64;
  static final int WINDOW = 32;
  static final int WINS_TO_SETTLE = 2;
  static final int SAMPLE_EVERY = 8;

  /** The vector kernel, compiled in the background ({@link KernelCache#adaptive}); null until it is ready. */
  private volatile Kernel vector;
  private final java.util.concurrent.CompletableFuture<Kernel> pending;
  private final Kernel scalar;
  /** Whether columns of a row may be split between the flavours (an elementwise group: no reduction along a row). */
  private final boolean columnsSplit;
  private volatile boolean vectorWon;
  private long calls;
  private long vectorNanos, vectorElems, scalarNanos, scalarElems;
  private int samples, wins;

  AdaptiveKernel(Kernel vector, Kernel scalar, boolean columnsSplit) {
    this(java.util.concurrent.CompletableFuture.completedFuture(vector), scalar, columnsSplit);
  }

  /** With the vector kernel still compiling: calls run the scalar kernel alone until it is ready. */
  AdaptiveKernel(java.util.concurrent.CompletableFuture<Kernel> vector, Kernel scalar, boolean columnsSplit) {
    this.pending = vector;
    this.scalar = scalar;
    this.columnsSplit = columnsSplit;
  }

  /** The vector kernel if it has compiled, else null; a failed compile is thrown here (it is an internal error, never hidden). */
  private Kernel vectorIfReady() {
    Kernel v = vector;
    if (v != null || !pending.isDone()) return v;
    try {
      v = pending.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    vector = v;
    return v;
  }

  /** Whether the vector kernel now runs every call (for tests and diagnostics). */
  boolean settled() { return vectorWon; }

  @Override public void run(Object[] buffers, int[] origins, int rowFrom, int rowTo, int colFrom, int colTo) {
    if (vectorWon) {
      vector.run(buffers, origins, rowFrom, rowTo, colFrom, colTo);
      return;
    }
    Kernel vector = vectorIfReady();
    if (vector == null) {
      scalar.run(buffers, origins, rowFrom, rowTo, colFrom, colTo);
      return;
    }
    int rows = rowTo - rowFrom, cols = colTo - colFrom;
    if (rows >= 2) {
      // the first row on the vector kernel, the rest on the scalar one
      long t0 = System.nanoTime();
      vector.run(buffers, origins, rowFrom, rowFrom + 1, colFrom, colTo);
      long t1 = System.nanoTime();
      scalar.run(buffers, origins, rowFrom + 1, rowTo, colFrom, colTo);
      record(t1 - t0, cols, System.nanoTime() - t1, (long) (rows - 1) * cols);
    } else if (columnsSplit && cols > 2 * SLICE_COLUMNS) {
      long t0 = System.nanoTime();
      vector.run(buffers, origins, rowFrom, rowTo, colFrom, colFrom + SLICE_COLUMNS);
      long t1 = System.nanoTime();
      scalar.run(buffers, origins, rowFrom, rowTo, colFrom + SLICE_COLUMNS, colTo);
      record(t1 - t0, (long) rows * SLICE_COLUMNS, System.nanoTime() - t1, (long) rows * (cols - SLICE_COLUMNS));
    } else {
      boolean useVector = calls++ % SAMPLE_EVERY == 0;
      long t0 = System.nanoTime();
      (useVector ? vector : scalar).run(buffers, origins, rowFrom, rowTo, colFrom, colTo);
      long ns = System.nanoTime() - t0, elems = (long) rows * cols;
      if (useVector) record(ns, elems, 0, 0);
      else record(0, 0, ns, elems);
    }
  }

  private void record(long vNanos, long vElems, long sNanos, long sElems) {
    scalarNanos += sNanos;
    scalarElems += sElems;
    if (vElems == 0) return;
    vectorNanos += vNanos;
    vectorElems += vElems;
    if (++samples < WINDOW) return;
    // per element: vector below scalar, compared as vNanos / vElems < sNanos / sElems
    boolean faster = scalarElems > 0 && (double) vectorNanos * scalarElems < (double) scalarNanos * vectorElems;
    wins = faster ? wins + 1 : 0;
    if (wins >= WINS_TO_SETTLE) vectorWon = true;
    samples = 0;
    vectorNanos = vectorElems = scalarNanos = scalarElems = 0;
  }
}
