package dev.arrax.compile.cpu;

/**
 * A generated fused loop nest. {@code buffers} holds the group's input arrays then its output arrays
 * (primitive arrays); the kernel computes rows {@code [rowFrom, rowTo)} and, within each row, columns
 * {@code [colFrom, colTo)} of the group's iteration space, so callers can split work across threads.
 * {@code origins[i]} is subtracted from every element index of buffer i: a buffer that holds only a
 * block of rows (from row r, so origin r times its elements per row) is used in place of the whole array.
 */
public interface Kernel {
  /**
   * Computes rows {@code [rowFrom, rowTo)} and, within each, columns {@code [colFrom, colTo)}, reading and
   * writing {@code buffers} with element indices shifted by {@code origins}.
   */
  void run(Object[] buffers, int[] origins, int rowFrom, int rowTo, int colFrom, int colTo);
}
