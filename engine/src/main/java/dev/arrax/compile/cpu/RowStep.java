package dev.arrax.compile.cpu;

import dev.arrax.NDArray;

/**
 * A step whose work is independent per row of a leading (batch) axis: it can run on any range of
 * rows, into outputs allocated up front. Consecutive row steps over the same rows run block by
 * block ({@link RowBlockedSequence}), so a block's intermediate rows are still in cache when the
 * next step reads them: for a vmapped program the whole per-row chain runs in cache.
 */
interface RowStep extends Step {
  /** The number of rows this step is row-local over, or -1 when it is not. */
  int rows();

  /** Whether row r of the output needs only row r of this input (else it reads the whole input). */
  boolean readsRowwise(int inputSlot);

  /** The type of the whole array this step writes to an output slot. */
  dev.arrax.core.ArrayType outputType(int slot);

  /** Elements touched per row, to size blocks. */
  long rowWidth();

  /**
   * {@link #rowWidth()} without the row-wise inputs in {@code seen}: rows an earlier step of the run read, still in cache
   * when this step reads them. By default all of it.
   */
  default long rowWidthBeyond(java.util.Set<Integer> seen) { return rowWidth(); }

  /**
   * Work per row, in about one vector lane's operation each, to decide whether a run is worth splitting across threads
   * ({@link Parallel#partsFor}): by default four per element touched.
   */
  default long rowWork() { return 4 * rowWidth(); }

  /**
   * Allocates (or aliases) the outputs in {@code env}, except those in {@code local}: the sequence
   * gives those a buffer per part that holds one block of rows.
   */
  void allocate(NDArray[] env, java.util.Set<Integer> local);

  /** Called once before the parts run, with the number of parts (threads) the rows are split into. */
  default void begin(NDArray[] env, int parts) {}

  /**
   * Runs rows [from, to) as part {@code part}; parts run concurrently, blocks of one part in order.
   * {@code rowOrigin[slot]} is the first row held by that slot's buffer (0 for whole arrays).
   */
  void runRows(NDArray[] env, int part, int from, int to, int[] rowOrigin);

  /** Called once after every part has run (e.g. to combine per-part partial sums in part order). */
  default void finish(NDArray[] env) {}
}
